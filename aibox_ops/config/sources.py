"""Raw settings layers: pyproject.toml, AIBOX_OPS_* environment variables, CLI flags.

Each layer is a flat mapping from a key path (``("lifecycle", "idle_timeout")``) to a
``RawValue`` that remembers where it came from, so that errors can name the file and line,
the environment variable or the flag.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ConfigError

TOOL_TABLE = "aibox-ops"
ENV_PREFIX = "AIBOX_OPS_"

KeyPath = tuple[str, ...]


@dataclass(frozen=True)
class RawValue:
    """One setting as given, before validation, with its origin."""

    value: Any
    origin: str  # e.g. "pyproject.toml:12", "env AIBOX_OPS_REGION", "flag --region"
    from_text: bool = False  # True when the value is a string to parse (env vars)


@dataclass(frozen=True)
class PyprojectLayer:
    """What ``pyproject.toml`` said: the file, whether it had our table, and the values."""

    path: Path
    exists: bool
    has_table: bool
    values: dict[KeyPath, RawValue]


def load_pyproject_layer(project_dir: Path) -> PyprojectLayer:
    """Read ``[tool.aibox-ops]`` from the project's pyproject.toml (absent file: no values)."""
    path = project_dir / "pyproject.toml"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return PyprojectLayer(path, exists=False, has_table=False, values={})
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([f"{path}: cannot be read ({exc})"]) from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            [f"{path}: is not valid TOML: {exc}"],
            hint="Fix the syntax at the line named above; nothing was written.",
        ) from exc
    tool = data.get("tool", {}).get(TOOL_TABLE)
    if tool is None:
        return PyprojectLayer(path, exists=True, has_table=False, values={})
    if not isinstance(tool, dict):
        line = _find_line(text, ("tool",), TOOL_TABLE)
        raise ConfigError([f"{path}:{line}: [tool.{TOOL_TABLE}] must be a table"])
    values: dict[KeyPath, RawValue] = {}
    for key_path, value in _flatten(tool):
        line = _find_line(text, ("tool", TOOL_TABLE, *key_path[:-1]), key_path[-1])
        values[key_path] = RawValue(value, f"{path}:{line}")
    return PyprojectLayer(path, exists=True, has_table=True, values=values)


def env_layer(environ: Mapping[str, str]) -> dict[KeyPath, RawValue]:
    """``AIBOX_OPS_REGION`` -> ("region",); ``AIBOX_OPS_LIFECYCLE__IDLE_TIMEOUT`` -> nested."""
    values: dict[KeyPath, RawValue] = {}
    for name, value in sorted(environ.items()):
        if not name.startswith(ENV_PREFIX) or name == ENV_PREFIX:
            continue
        parts = name[len(ENV_PREFIX) :].split("__")
        # Container environment keys keep their case (AIBOX_OPS_ENVIRONMENT__SETTING_TABLE).
        head = parts[0].lower()
        rest = parts[1:] if head == "environment" else [p.lower() for p in parts[1:]]
        values[(head, *rest)] = RawValue(value, f"env {name}", from_text=True)
    return values


def flag_layer(flags: Mapping[str, Any]) -> dict[KeyPath, RawValue]:
    """CLI flags (``{"region": "eu-west-1"}``); None means "not given"."""
    return {
        (key,): RawValue(value, f"flag --{key.replace('_', '-')}")
        for key, value in flags.items()
        if value is not None
    }


def _flatten(table: dict[str, Any], prefix: KeyPath = ()) -> list[tuple[KeyPath, Any]]:
    """Nested tables become key paths: ``{"lifecycle": {"idle_timeout": 1}}`` -> one entry."""
    out: list[tuple[KeyPath, Any]] = []
    for key, value in table.items():
        path = (*prefix, key)
        if isinstance(value, dict):
            out.extend(_flatten(value, path))  # an empty table adds nothing
        else:
            out.append((path, value))
    return out


_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")


def _find_line(text: str, table: KeyPath, key: str) -> int:
    """Best-effort line number of ``key = ...`` inside ``[table]`` (1-based; 0 if unknown)."""
    want = ".".join(table)
    current = ""
    key_re = re.compile(rf"""^\s*["']?{re.escape(key)}["']?\s*=""")
    parent_line = 0
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header:
            current = ".".join(p.strip().strip("\"'") for p in header.group(1).split("."))
            if current == f"{want}.{key}":
                return number  # the key is itself a sub-table
            continue
        if current == want and key_re.match(line):
            return number
        if want.startswith(current + ".") and current and parent_line == 0:
            # Inline table (lifecycle = {...}): point at the line that opens it.
            inline = table[len(current.split(".")) :]
            if inline and re.match(rf"""^\s*["']?{re.escape(inline[0])}["']?\s*=""", line):
                parent_line = number
    return parent_line


def merge_layers(*layers: dict[KeyPath, RawValue]) -> dict[KeyPath, RawValue]:
    """Later layers win, key path by key path."""
    merged: dict[KeyPath, RawValue] = {}
    for layer in layers:
        merged.update(layer)
    return merged
