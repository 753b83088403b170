"""Write ``[tool.aibox-ops]`` into pyproject.toml in place (tomlkit: the user's formatting
and comments are kept), and load settings from the text that would be written."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from ..config import Settings
from ..config.build import build_settings
from ..config.sources import TOOL_TABLE, flag_layer, merge_layers, pyproject_layer
from ..errors import ConfigError
from ..pyproject import Pyproject
from .detect import Finding

HEADER = "Written by `aibox-ops init`; each value says where it was found (docs/init.md)."


def edit_tool_table(text: str, findings: list[Finding]) -> str:
    """``text`` with each finding added to ``[tool.aibox-ops]`` (created when missing), a
    comment naming its source; keys already there are left as they are."""
    import tomlkit

    doc = tomlkit.parse(text)
    if not findings:
        return tomlkit.dumps(doc)
    tool = doc.get("tool")
    if tool is None:
        tool = tomlkit.table(is_super_table=True)
        doc.add("tool", tool)
    table = tool.get(TOOL_TABLE)
    if table is None:
        table = tomlkit.table()
        table.add(tomlkit.comment(HEADER))
        tool.add(TOOL_TABLE, table)
    for finding in findings:
        if finding.key.startswith("environment."):
            continue
        if finding.key not in table:
            item = tomlkit.item(_toml_value(finding.value))
            item.comment(f"from {finding.source}")
            table.add(finding.key, item)
    env = [f for f in findings if f.key.startswith("environment.")]
    if env:
        env_table = table.get("environment")
        if env_table is None:
            env_table = tomlkit.table()
            table.add("environment", env_table)
            sources = sorted({f.source for f in env})
            env_table.add(tomlkit.comment(f"from {', '.join(sources)}"))
        for finding in env:
            name = finding.key.split(".", 1)[1]
            if name not in env_table:
                env_table.add(name, str(finding.value))
    return tomlkit.dumps(doc)


def settings_from_text(project_dir: Path, text: str,
                       flags: dict[str, Any] | None = None) -> Settings:
    """The settings a pyproject.toml with ``text`` would give (environment variables are
    not applied: init writes what the project itself holds)."""
    path = project_dir / "pyproject.toml"
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:  # pragma: no cover - tomlkit wrote it
        raise ConfigError([f"{path}: the edited file would not be valid TOML: {exc}"]) from None
    layer = pyproject_layer(Pyproject(path, text, data))
    raw = merge_layers(layer.values, flag_layer(flags or {}))
    return build_settings(project_dir, str(path), raw,
                          f"default (not set in [tool.aibox-ops] of {path})")


def _toml_value(value: Any) -> Any:
    return list(value) if isinstance(value, list | tuple) else value
