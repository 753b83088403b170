"""Project settings: defaults < pyproject ``[tool.aibox-ops]`` < ``AIBOX_OPS_*`` env < flags."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .build import build_settings
from .model import Authorizer, Lifecycle, Settings, Warm
from .sources import env_layer, flag_layer, load_pyproject_layer, merge_layers
from .stages import split_stages, stage_layer

__all__ = ["Authorizer", "Lifecycle", "Settings", "Warm", "load_settings"]

log = logging.getLogger(__name__)


def load_settings(
    project_dir: Path,
    flags: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Load and validate the project's settings; raises ConfigError naming every bad field.

    A stage (``flags["stage"]`` or ``AIBOX_OPS_STAGE``) overlays its
    ``[tool.aibox-ops.stages.NAME]`` table on the pyproject values, below env and flags.
    """
    project_dir = Path(project_dir).resolve()
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
    base, stages = split_stages(pyproject.values)
    env = env_layer(os.environ if environ is None else environ)
    flag = flag_layer(flags or {})
    selected = flag.get(("stage",)) or env.get(("stage",)) or base.get(("stage",))
    raw = merge_layers(base, stage_layer(selected, stages), env, flag)
    return build_settings(project_dir, source, raw)
