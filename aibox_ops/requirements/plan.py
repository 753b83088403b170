"""Plan ``sync-requirements``: the file's new content, its drift, and unprovided imports."""

from __future__ import annotations

from collections.abc import Mapping

from ..config import Settings
from ..errors import DependencyError
from ..files import read_text
from ..plan import Plan
from ..render.header import classify, with_header
from ..render.plan import file_change
from .export import export_requirements, requirement_name
from .imports import installed_providers, scan_imports, unprovided_imports

HOW = "Change pyproject.toml, run `uv lock`, then `aibox-ops sync-requirements`."


def plan_requirements(settings: Settings,
                      providers: Mapping[str, list[str]] | None = None) -> Plan:
    """Export the agent group, check every agent import is provided, compare with disk.

    One file item; imports no listed distribution provides are a DependencyError in
    ``plan.errors`` (data for doctor; the CLI runner raises it before writing anything).
    """
    exported = export_requirements(settings.project_dir, settings.dependency_group)
    listed = {name for line in exported.lines if (name := requirement_name(line))}
    sites = scan_imports(settings.agent_dir) if settings.agent_dir.is_dir() else []
    problems = unprovided_imports(sites, listed,
                                  installed_providers() if providers is None else providers)
    errors = []
    if problems and not exported.pinned:
        # Without a lock only the group's direct requirements are known, so modules that
        # come from their dependencies look missing: name the absent lock first.
        errors.append(DependencyError(
            f"uv.lock is missing ({settings.path('uv.lock')}): only the '"
            f"{settings.dependency_group}' group's direct requirements are known, and the "
            "agent imports modules they do not provide:\n"
            + "\n".join(f"  - {p}" for p in problems),
            hint="Run `uv lock` to create the lock, then sync again; if a module is still "
                 "reported, add its distribution to the group. Nothing was written.",
            modules=problems,
        ))
    elif problems:
        errors.append(DependencyError(
            "the agent imports modules its requirements do not provide:\n"
            + "\n".join(f"  - {p}" for p in problems),
            hint=f"Add the distributions to [dependency-groups].{settings.dependency_group} in "
                 "pyproject.toml, run `uv lock`, then sync again. Nothing was written.",
            modules=problems,
        ))
    content = _content(settings, exported.lines, exported.pinned)
    current = read_text(settings.path(settings.requirements_file))
    status, reason = classify(current, content)
    reason += f" ({len(exported.lines)} requirements" + (
        ")" if exported.pinned else "; NOT pinned: there is no uv.lock)")
    source = f"pyproject.toml:[dependency-groups].{settings.dependency_group}"
    item = file_change(settings.requirements_file, source, content, current, status, reason,
                       pinned=exported.pinned, requirements=len(exported.lines))
    return Plan("sync-requirements", [item], errors=errors)


def _content(settings: Settings, lines: list[str], pinned: bool) -> str:
    pins = "Pinned by uv.lock" if pinned else "NOT pinned: there is no uv.lock"
    body = (f"# {pins}. The container installs this file with pip.\n"
            + "".join(f"{line}\n" for line in lines))
    source = f"pyproject.toml:[dependency-groups].{settings.dependency_group}"
    return with_header(body, source, how=HOW)
