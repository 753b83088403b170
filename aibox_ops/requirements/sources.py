"""The container's requirements from the configured ``dependency_source``.

``group``: a ``[dependency-groups]`` group, pinned by uv.lock (export.py).
``project``: ``[project].dependencies`` (the guide's layout), pinned by uv.lock when there is
one, else from the installed environment (with a warning), else an error saying how to lock.
``requirements``: a requirements file the user keeps by hand; read, never written.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from ..config import Settings
from ..errors import ConfigError, DependencyError
from ..files import read_text
from ..pyproject import load_pyproject
from .environment import project_venv, site_packages
from .export import export_requirements, requirement_name, unsatisfied_requirements, uv_export


@dataclass(frozen=True)
class SourcedRequirements:
    """Requirement lines for the container, where they came from and how they are pinned."""

    lines: list[str]
    pinned: bool
    locked_by: str  # "uv.lock", "environment", "file" or "none"
    label: str  # e.g. "pyproject.toml:[project].dependencies"
    add_to: str  # where a missing distribution must be added, for messages
    warnings: list[str] = field(default_factory=list)


def load_source_requirements(settings: Settings) -> SourcedRequirements:
    """Requirement lines for the settings' dependency source (see the module docstring)."""
    root = settings.project_dir
    if settings.dependency_source == "requirements":
        return _from_file(settings)
    if settings.dependency_source == "project":
        declared = load_project_dependencies(settings)
        label = "pyproject.toml:[project].dependencies"
        add_to = dependency_home(settings)
        if (root / "uv.lock").is_file():
            lines = uv_export(root, None)
            stale = unsatisfied_requirements(declared, lines)
            if stale:
                raise DependencyError(
                    f"{root / 'uv.lock'}: does not pin {', '.join(stale)} from "
                    "[project].dependencies",
                    hint="The lock file is out of date: run `uv lock`, then sync again.")
            return SourcedRequirements(lines, True, "uv.lock", label, add_to)
        venv = project_venv(root)
        lines = pin_from_environment(declared, venv)
        where = (f"the project's {venv.name} ({venv})" if venv is not None else
                 f"the environment aibox-ops runs in ({sys.prefix}; the project has no .venv)")
        return SourcedRequirements(lines, True, "environment", label, add_to, [
            f"no uv.lock in {root}: requirements are pinned from the installed environment, "
            f"{where} (versions installed there, not a lock); run `uv lock` for reproducible "
            "images"])
    exported = export_requirements(root, settings.dependency_group)
    return SourcedRequirements(
        exported.lines, exported.pinned, "uv.lock" if exported.pinned else "none",
        f"pyproject.toml:[dependency-groups].{settings.dependency_group}",
        dependency_home(settings))


def dependency_home(settings: Settings) -> str:
    """Where a missing distribution must be added, by the configured ``dependency_source``
    (for messages and hints): the group, ``[project].dependencies`` or the file itself."""
    if settings.dependency_source == "requirements":
        return settings.requirements_file
    if settings.dependency_source == "project":
        return "[project].dependencies in pyproject.toml"
    return f"[dependency-groups].{settings.dependency_group} in pyproject.toml"


def load_project_dependencies(settings: Settings) -> list[str]:
    """``[project].dependencies`` of the project's pyproject.toml (a ConfigError if absent)."""
    pyproject = load_pyproject(settings.project_dir)
    deps = pyproject.table("project", "dependencies")
    if not deps:
        raise ConfigError(
            [f"{pyproject.path}: [project].dependencies is empty or missing, and "
             "'dependency_source' = \"project\" reads the container's requirements from it"],
            hint="List the agent's runtime dependencies there, or set dependency_source to "
                 "\"group\" (see docs/sync-requirements.md).")
    if not isinstance(deps, list) or not all(isinstance(d, str) for d in deps):
        raise ConfigError([f"{pyproject.path}: [project].dependencies must be a list of "
                           "requirement strings"])
    return list(deps)


def pin_from_environment(declared: list[str], venv: Path | None = None) -> list[str]:
    """``name==version`` for every declared requirement and everything it needs (its extras
    included), as installed in ``venv`` (read from its metadata), else in the Python
    environment aibox-ops runs in; a DependencyError naming each one that is not installed,
    with how to lock instead."""
    from importlib import metadata

    paths = [str(p) for p in site_packages(venv)] if venv is not None else None

    def find(name: str) -> metadata.Distribution:
        if paths is None:
            return metadata.distribution(name)
        for dist in metadata.distributions(name=name, path=paths):
            return dist
        raise metadata.PackageNotFoundError(name)

    from packaging.requirements import InvalidRequirement, Requirement

    pins: dict[str, str] = {}
    missing: list[str] = []
    queue: list[tuple[str, frozenset[str]]] = []
    for text in declared:
        try:
            req = Requirement(text)
        except InvalidRequirement as exc:
            raise DependencyError(f"[project].dependencies: {text!r} is not a requirement "
                                  f"({exc})") from None
        if req.marker is None or req.marker.evaluate():
            queue.append((req.name, frozenset(req.extras)))
    seen: set[tuple[str, frozenset[str]]] = set()
    while queue:
        name, extras = queue.pop()
        if (name.lower(), extras) in seen:
            continue
        seen.add((name.lower(), extras))
        try:
            dist = find(name)
        except metadata.PackageNotFoundError:
            missing.append(name)
            continue
        pins[dist.metadata["Name"]] = dist.version
        for text in dist.requires or []:
            req = Requirement(text)
            envs = [{"extra": e} for e in extras] or [{"extra": ""}]
            if req.marker is None or any(req.marker.evaluate(env) for env in envs):
                queue.append((req.name, frozenset(req.extras)))
    if missing:
        raise DependencyError(
            "cannot pin the container's requirements: there is no uv.lock, and "
            f"{', '.join(sorted(set(missing)))} {'is' if len(set(missing)) == 1 else 'are'} "
            "not installed in " + (f"the project's {venv.name} ({venv})" if venv is not None
                                   else f"this environment ({sys.prefix})"),
            hint="Run `uv lock` in the project to lock [project].dependencies, then "
                 "`aibox-ops sync-requirements` again.")
    return sorted((f"{name}=={version}" for name, version in pins.items()),
                  key=lambda line: (requirement_name(line) or line))


def _from_file(settings: Settings) -> SourcedRequirements:
    path = settings.path(settings.requirements_file)
    text = read_text(path)
    if text is None:
        raise ConfigError([f"{path}: not found; 'dependency_source' = \"requirements\" "
                           "installs this file as written"],
                          hint="Create it, or set dependency_source to \"project\" or "
                               "\"group\" (see docs/sync-requirements.md).")
    from ..render.header import split_header

    _, body = split_header(text)
    lines = [ln.strip() for ln in body.splitlines()
             if ln.strip() and not ln.lstrip().startswith("#")]
    pinned = all("==" in ln for ln in lines if requirement_name(ln))
    return SourcedRequirements(lines, pinned, "file", settings.requirements_file,
                               settings.requirements_file)
