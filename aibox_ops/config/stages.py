"""Stages: named overlays of ``[tool.aibox-ops]`` (``[tool.aibox-ops.stages.prod]``).

A stage may set the agent name, region, container environment, tables and secrets. It is
selected with the global ``--stage`` option or ``AIBOX_OPS_STAGE`` and applied in the
settings loader, so every command sees the same staged settings. Deploy state is kept per
agent name and region, so a stage with its own agent name or region has its own runtime.
"""

from __future__ import annotations

from ..errors import ConfigError
from .sources import KeyPath, RawValue

STAGES_KEY = "stages"
# What a stage may change: everything that names *where* the agent runs and what it uses.
STAGE_KEYS = ("agent_name", "region", "bedrock_region", "environment", "tables", "secrets")


def split_stages(
    values: dict[KeyPath, RawValue],
) -> tuple[dict[KeyPath, RawValue], dict[str, dict[KeyPath, RawValue]]]:
    """(base values, {stage name: its values with the ``stages.NAME`` prefix removed})."""
    base: dict[KeyPath, RawValue] = {}
    stages: dict[str, dict[KeyPath, RawValue]] = {}
    problems: list[str] = []
    for path, item in values.items():
        if path[0] != STAGES_KEY:
            base[path] = item
            continue
        if len(path) < 3:
            problems.append(f"{item.origin}: 'stages' must hold tables like "
                            "[tool.aibox-ops.stages.prod]")
            continue
        name, inner = path[1], path[2:]
        if inner[0] not in STAGE_KEYS:
            problems.append(f"{item.origin}: unknown key '{'.'.join(path)}' (a stage may set "
                            f"{', '.join(STAGE_KEYS)})")
            continue
        stages.setdefault(name, {})[inner] = RawValue(item.value, item.origin, item.from_text)
    if problems:
        raise ConfigError(problems)
    return base, stages


def stage_layer(stage: RawValue | None,
                stages: dict[str, dict[KeyPath, RawValue]]) -> dict[KeyPath, RawValue]:
    """The selected stage's values (empty when no stage is selected)."""
    if stage is None or stage.value in (None, ""):
        return {}
    name = stage.value
    if not isinstance(name, str) or name not in stages:
        known = ", ".join(sorted(stages)) or "none defined"
        raise ConfigError([f"{stage.origin}: stage {name!r} is not defined in "
                           f"[tool.aibox-ops.stages] (stages: {known})"])
    return stages[name]
