"""Turn the agent's dependency group into pinned requirement lines (through ``uv export``)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigError, DependencyError
from ..pyproject import load_pyproject

NAME_RE = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def normalize(name: str) -> str:
    """PEP 503 normalised distribution name."""
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(line: str) -> str | None:
    """The normalised distribution name of a requirement line, or None for blanks/comments."""
    line = line.split("#", 1)[0].strip()
    if not line or line.startswith("-"):
        return None
    match = NAME_RE.match(line)
    return normalize(match.group(1)) if match else None


@dataclass(frozen=True)
class ExportedRequirements:
    """Requirement lines for the container, and how they were produced."""

    lines: list[str]
    pinned: bool  # True when uv.lock pinned them
    group: str


def load_group(project_dir: Path, group: str) -> list[str]:
    """The requirement strings of ``[dependency-groups].<group>`` in pyproject.toml."""
    pyproject = load_pyproject(project_dir)
    path = pyproject.path
    if not pyproject.exists:
        raise ConfigError([f"{path}: not found; it must declare the '{group}' dependency group"])
    entries = pyproject.table("dependency-groups", group)
    if entries is None:
        raise ConfigError(
            [f"{path}: [dependency-groups] has no '{group}' group (set 'dependency_group')"],
            hint="Declare the agent's runtime dependencies there; see docs/sync-requirements.md.",
        )
    if not isinstance(entries, list) or not all(isinstance(e, str) for e in entries):
        raise ConfigError([f"{path}: [dependency-groups].{group} must be a list of requirement "
                           "strings (include-group is not supported)"])
    return list(entries)


def export_requirements(project_dir: Path, group: str) -> ExportedRequirements:
    """Pinned lines from uv.lock when it exists, else the group's own specifiers."""
    declared = load_group(project_dir, group)
    if not (project_dir / "uv.lock").is_file():
        return ExportedRequirements(sorted(declared, key=lambda r: requirement_name(r) or r),
                                    pinned=False, group=group)
    lines = uv_export(project_dir, group)
    stale = unsatisfied_requirements(declared, lines)
    if stale:
        raise DependencyError(
            f"{project_dir / 'uv.lock'}: does not pin {', '.join(stale)} from the '{group}' group",
            hint="The lock file is out of date: run `uv lock`, then sync again.",
        )
    return ExportedRequirements(lines, pinned=True, group=group)


def unsatisfied_requirements(declared: list[str], lines: list[str]) -> list[str]:
    """Declared requirements the exported pins leave out or do not satisfy (a stale lock)."""
    from packaging.requirements import InvalidRequirement, Requirement

    pins: dict[str, str] = {}
    for line in lines:
        spec = line.split(";", 1)[0].strip()
        if "==" in spec and (name := requirement_name(spec)):
            pins[name] = spec.split("==", 1)[1].strip()
    stale = []
    for text in declared:
        try:
            req = Requirement(text)
        except InvalidRequirement:
            stale.append(text)
            continue
        version = pins.get(normalize(req.name))
        if version is None or (req.specifier and not req.specifier.contains(version,
                                                                             prereleases=True)):
            stale.append(text)
    return stale


def uv_export(project_dir: Path, group: str | None) -> list[str]:
    """Pinned lines of ``group``, or of ``[project].dependencies`` when ``group`` is None."""
    # `uv run` exports UV (its own binary); otherwise look on PATH.
    uv = os.environ.get("UV") or shutil.which("uv")
    if uv is None:
        raise DependencyError("uv not found on PATH; it is needed to read uv.lock",
                              hint="Install it with `pip install uv`.")
    select = ["--only-group", group] if group else ["--no-default-groups"]
    cmd = [uv, "export", "--frozen", *select, "--no-hashes", "--no-emit-project",
           "--no-header", "--no-annotate", "--quiet"]
    try:
        proc = subprocess.run(cmd, cwd=project_dir, capture_output=True, text=True, timeout=60,
                              check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise DependencyError(f"`uv export` failed to run: {exc}") from None
    if proc.returncode != 0:
        detail = (proc.stderr or proc.stdout).strip().splitlines()
        raise DependencyError(
            f"`uv export` failed for {f'group {group!r}' if group else '[project].dependencies'}"
            f" in {project_dir}: "
            + (detail[-1] if detail else f"exit {proc.returncode}"),
            hint="Run `uv lock` and check the group name.",
        )
    return [line.rstrip() for line in proc.stdout.splitlines()
            if line.strip() and not line.lstrip().startswith("#")]
