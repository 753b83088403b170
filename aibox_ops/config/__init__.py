"""Project settings: defaults < pyproject ``[tool.aibox-ops]`` < ``AIBOX_OPS_*`` env < flags."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..project import find_project_dir
from .build import build_settings
from .model import Authorizer, Lifecycle, Settings, Warm
from .sources import env_layer, flag_layer, load_pyproject_layer, merge_layers
from .stages import split_stages, stage_layer

__all__ = ["Authorizer", "Lifecycle", "Settings", "Warm", "load_settings", "setting_origin"]

log = logging.getLogger(__name__)


def load_settings(
    project_dir: Path,
    flags: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Load and validate the project's settings; raises ConfigError naming every bad field.

    ``project_dir`` is where the search starts: the project is the nearest folder at or
    above it whose pyproject.toml holds ``[tool.aibox-ops]``, else the nearest one with a
    pyproject.toml (``find_project_dir``); no pyproject.toml at all is a ConfigError.
    A stage (``flags["stage"]`` or ``AIBOX_OPS_STAGE``) overlays its
    ``[tool.aibox-ops.stages.NAME]`` table on the pyproject values, below env and flags.
    """
    project_dir = find_project_dir(Path(project_dir))
    pyproject = load_pyproject_layer(project_dir)
    if not pyproject.exists:
        source = "defaults"
        log.info("%s not found: using default settings", pyproject.path)
    elif not pyproject.has_table:
        source = "defaults"
        log.info("%s has no [tool.aibox-ops] table: using default settings", pyproject.path)
    else:
        source = str(pyproject.path)
        log.info("settings from [tool.aibox-ops] in %s", pyproject.path)
    raw = _layers(pyproject.values, flags, environ)
    default_origin = f"default (not set in [tool.aibox-ops] of {pyproject.path})"
    return build_settings(project_dir, source, raw, default_origin)


def _layers(values: dict, flags: Mapping[str, Any] | None,
            environ: Mapping[str, str] | None) -> dict:
    """pyproject < selected stage < env < flags."""
    base, stages = split_stages(values)
    env = env_layer(os.environ if environ is None else environ)
    flag = flag_layer(flags or {})
    selected = flag.get(("stage",)) or env.get(("stage",)) or base.get(("stage",))
    return merge_layers(base, stage_layer(selected, stages), env, flag)


def setting_origin(
    settings: Settings,
    key: str,
    flags: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> str:
    """Where ``key`` (dotted, e.g. "region") got its value: "pyproject.toml:12",
    "env AIBOX_OPS_REGION", "flag --region", or "default" (same layering as load_settings,
    the settings' stage included)."""
    flags = {**(flags or {}), "stage": (flags or {}).get("stage") or settings.stage}
    raw = _layers(load_pyproject_layer(settings.project_dir).values, flags, environ)
    item = raw.get(tuple(key.split(".")))
    return item.origin if item is not None else "default"
