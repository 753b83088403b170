"""Raw settings layers: detection, pyproject.toml, AIBOX_OPS_* environment variables, flags.

Each layer is a flat mapping from a key path (``("lifecycle", "idle_timeout")``) to a
``RawValue`` that remembers where it came from, so that errors can name the file and line,
the environment variable or the flag.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..pyproject import Pyproject, load_pyproject

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
    return pyproject_layer(load_pyproject(project_dir))


def pyproject_layer(pyproject: Pyproject) -> PyprojectLayer:
    """``[tool.aibox-ops]`` of a parsed pyproject.toml (init loads the text it would write)."""
    path = pyproject.path
    _refuse_near_misses(pyproject.table("tool"), path, pyproject.text or "")
    tool = pyproject.table("tool", TOOL_TABLE)
    if tool is None:
        return PyprojectLayer(path, exists=pyproject.exists, has_table=False, values={})
    text = pyproject.text or ""
    if not isinstance(tool, dict):
        line = _find_line(text, ("tool",), TOOL_TABLE)
        raise ConfigError([f"{path}:{line}: [tool.{TOOL_TABLE}] must be a table"])
    values: dict[KeyPath, RawValue] = {}
    for key_path, value in _flatten(tool):
        line = _find_line(text, ("tool", TOOL_TABLE, *key_path[:-1]), key_path[-1])
        values[key_path] = RawValue(value, f"{path}:{line}")
    return PyprojectLayer(path, exists=True, has_table=True, values=values)


def _refuse_near_misses(tool: Any, path: Path, text: str) -> None:
    """``[tool.aibox_ops]`` and the like would be ignored without a word: refuse them."""
    if not isinstance(tool, dict):
        return
    problems = []
    for key in tool:
        if key != TOOL_TABLE and is_near_miss(key):
            line = _find_line(text, ("tool",), key) or _first_header_line(text, key)
            problems.append(f"{path}:{line}: [tool.{key}] is not read by aibox-ops "
                            f"(did you mean [tool.{TOOL_TABLE}]?): the table name is exactly "
                            f"'{TOOL_TABLE}', lower case, with a hyphen")
    if problems:
        raise ConfigError(problems, hint=f"Rename the table to [tool.{TOOL_TABLE}].")


def _first_header_line(text: str, key: str) -> int:
    """Line of the first ``[tool.<key>...]`` header (``[tool.aibox_ops.x]``), else 0."""
    header = re.compile(rf"""^\s*\[\[?\s*tool\s*\.\s*["']?{re.escape(key)}["']?\s*[.\]]""")
    for number, line in enumerate(text.splitlines(), start=1):
        if header.match(line):
            return number
    return 0


def is_near_miss(name: str) -> bool:
    """Whether a ``[tool.*]`` name looks like a misspelling of ``aibox-ops``."""
    import difflib

    canonical = re.sub(r"[^a-z0-9]", "", TOOL_TABLE)
    normal = re.sub(r"[^a-z0-9]", "", name.lower())
    return normal == canonical or difflib.SequenceMatcher(None, normal, canonical).ratio() >= 0.8


DETECTED = "detected from "


def detected_layer(project_dir: Path) -> dict[KeyPath, RawValue]:
    """What ``aibox-ops init`` would write, for a project without ``[tool.aibox-ops]``:
    the same detection (``init.detect.detect_project``), each value's origin "detected from
    <file>". What detection cannot find stays at its default, as ``init --yes`` leaves it."""
    from ..init.detect import detect_project  # init builds on config: imported when used

    detection = detect_project(project_dir, strict=False)
    return {tuple(f.key.split(".", 1)): RawValue(f.value, DETECTED + f.source)
            for f in detection.found}


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
_KEY = r"""(?:"[^"]*"|'[^']*'|[A-Za-z0-9_-]+)"""
_ASSIGN = re.compile(rf"^\s*({_KEY}(?:\s*\.\s*{_KEY})*)\s*=")


def _find_line(text: str, table: KeyPath, key: str) -> int:
    """Best-effort 1-based line of ``key`` in ``[table]``: a ``key =`` line, a ``[table.key]``
    header, a dotted ``sub.key =`` or inline ``sub = {...}`` in a parent table, else the
    nearest table header; 0 only when nothing matches."""
    lines = text.splitlines()
    headers: dict[str, int] = {}
    current = ""
    found: dict[tuple[str, str], int] = {}
    for number, line in enumerate(lines, start=1):
        header = _HEADER.match(line)
        if header:
            current = ".".join(p.strip().strip("\"'") for p in header.group(1).split("."))
            headers.setdefault(current, number)
            continue
        assign = _ASSIGN.match(line)
        if assign:
            dotted = ".".join(p.strip().strip("\"'") for p in assign.group(1).split("."))
            found.setdefault((current, dotted), number)
    full = (*table, key)
    if ".".join(full) in headers:
        return headers[".".join(full)]
    # Try the key in its own table, then dotted from each parent table ("lifecycle.x = 1").
    for cut in range(len(table), 0, -1):
        owner, rest = ".".join(full[:cut]), full[cut:]
        for depth in range(len(rest), 0, -1):
            line = found.get((owner, ".".join(rest[:depth])))
            if line:
                return line
    for cut in range(len(table), 0, -1):
        if ".".join(table[:cut]) in headers:
            return headers[".".join(table[:cut])]
    return 0


def merge_layers(*layers: dict[KeyPath, RawValue]) -> dict[KeyPath, RawValue]:
    """Later layers win, key path by key path."""
    merged: dict[KeyPath, RawValue] = {}
    for layer in layers:
        merged.update(layer)
    return merged
