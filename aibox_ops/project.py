"""Find the project a command works on, the way uv and git do: search upward.

From the working folder (or ``--project/-C``) each folder up to the filesystem root is
tried: the nearest ``pyproject.toml`` holding ``[tool.aibox-ops]`` wins, else the nearest
``pyproject.toml``. With none, there is no project, and nothing may be written.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from .errors import ConfigError

TOOL_TABLE = "aibox-ops"
# A cheap pre-filter before parsing: the table name must appear in the text somewhere.
_MENTIONS_TABLE = re.compile(r"""aibox-ops["']?\s*[\].=]""")


def find_project_dir(start: Path) -> Path:
    """The project root for ``start`` (a folder); raises ConfigError (exit 3) when no
    ``pyproject.toml`` exists in ``start`` or any folder above it."""
    start = Path(start).resolve()
    nearest: Path | None = None
    for folder in (start, *start.parents):
        candidate = folder / "pyproject.toml"
        if not candidate.exists():  # a folder named pyproject.toml is reported when read
            continue
        if nearest is None:
            nearest = folder
        if has_tool_table(candidate):
            return folder
    if nearest is not None:
        return nearest
    raise ConfigError(
        [f"no project found: no pyproject.toml in {start} or any folder above it"],
        hint="Run aibox-ops inside the project (the folder holding pyproject.toml with "
             "[tool.aibox-ops]) or point at it with --project/-C DIR; nothing was written.")


def has_tool_table(pyproject: Path) -> bool:
    """Whether ``pyproject`` holds a ``[tool.aibox-ops]`` table (unreadable/invalid: no)."""
    try:
        text = pyproject.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    if not _MENTIONS_TABLE.search(text):
        return False
    try:
        tool = tomllib.loads(text).get("tool")
    except tomllib.TOMLDecodeError:
        return False
    return isinstance(tool, dict) and TOOL_TABLE in tool
