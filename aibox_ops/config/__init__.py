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
from .sources import (
    PyprojectLayer,
    detected_layer,
    env_layer,
    flag_layer,
    load_pyproject_layer,
    merge_layers,
)
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
    Without ``[tool.aibox-ops]`` the values are detected from the project's own files
    (what ``aibox-ops init`` would write down) and ``Settings.adopted`` is False.
    """
    project_dir = find_project_dir(Path(project_dir))
    pyproject = load_pyproject_layer(project_dir)
    if pyproject.has_table:
        source = str(pyproject.path)
        log.info("settings from [tool.aibox-ops] in %s", pyproject.path)
    else:
        source = f"detection (no [tool.aibox-ops] in {pyproject.path}; `aibox-ops init` " \
                 "writes it down)"
        log.info("%s has no [tool.aibox-ops] table: settings detected from the project",
                 pyproject.path)
    raw = _layers(_base_values(project_dir, pyproject), flags, environ)
    default_origin = f"default (not set in [tool.aibox-ops] of {pyproject.path})"
    return build_settings(project_dir, source, raw, default_origin,
                          adopted=pyproject.has_table)


def _base_values(project_dir: Path, pyproject: PyprojectLayer) -> dict:
    """``[tool.aibox-ops]`` when the project has it, else what detection finds."""
    if pyproject.has_table:
        return pyproject.values
    return detected_layer(project_dir) if pyproject.exists else {}


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
    "env AIBOX_OPS_REGION", "flag --region", "detected from <file>" or "default" (same
    layering as load_settings, the settings' stage included)."""
    flags = {**(flags or {}), "stage": (flags or {}).get("stage") or settings.stage}
    pyproject = load_pyproject_layer(settings.project_dir)
    raw = _layers(_base_values(settings.project_dir, pyproject), flags, environ)
    item = raw.get(tuple(key.split(".")))
    return item.origin if item is not None else "default"
