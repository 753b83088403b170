"""Read the project's pyproject.toml once, with errors that name the file."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .files import read_text


@dataclass(frozen=True)
class Pyproject:
    """The file's path, its text (None when absent) and its parsed data."""

    path: Path
    text: str | None
    data: dict[str, Any]

    @property
    def exists(self) -> bool:
        """Whether the file exists."""
        return self.text is not None

    def table(self, *keys: str) -> Any:
        """The value at ``keys`` (e.g. "tool", "aibox-ops"), or None; refuses non-tables on
        the way down so a stray ``tool = 5`` is reported rather than crashing."""
        node: Any = self.data
        for depth, key in enumerate(keys):
            if not isinstance(node, dict):
                where = ".".join(keys[:depth])
                raise ConfigError([f"{self.path}: '{where}' must be a table"])
            node = node.get(key)
            if node is None:
                return None
        return node


def load_pyproject(project_dir: Path) -> Pyproject:
    """Parse ``project_dir/pyproject.toml``; unreadable -> FileError, bad TOML -> ConfigError."""
    path = project_dir / "pyproject.toml"
    text = read_text(path)
    if text is None:
        return Pyproject(path, None, {})
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            [f"{path}: is not valid TOML: {exc}"],
            hint="Fix the syntax at the line named above; nothing was written.",
        ) from None
    return Pyproject(path, text, data)
