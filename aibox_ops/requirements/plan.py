"""Plan ``sync-requirements``: the file's new content, its drift, and unprovided imports."""

from __future__ import annotations

from collections.abc import Mapping

from ..config import Settings
from ..errors import DependencyError
from ..files import read_text
from ..plan import Change, Plan
from ..render.context import image_paths
from ..render.header import classify, with_header
from ..render.plan import file_change
from .export import requirement_name
from .imports import installed_providers, scan_image_imports, unprovided_imports
from .sources import SourcedRequirements, load_source_requirements

HOW = "Change pyproject.toml, run `uv lock`, then `aibox-ops sync-requirements`."
PINNED_BY = {"uv.lock": "Pinned by uv.lock",
             "environment": "Pinned from the installed environment (there is no uv.lock)",
             "none": "NOT pinned: there is no uv.lock"}


def plan_requirements(settings: Settings,
                      providers: Mapping[str, list[str]] | None = None) -> Plan:
    """Read the dependency source, check every import of the image's code is provided, and
    compare the requirements file with disk.

    One file item; imports no listed distribution provides are a DependencyError in
    ``plan.errors`` (data for doctor; the CLI runner raises it before writing anything).
    """
    sourced = load_source_requirements(settings)
    listed = {name for line in sourced.lines if (name := requirement_name(line))}
    sites = scan_image_imports(settings.project_dir, image_paths(settings),
                               folder_entrypoint=not settings.root_entrypoint)
    problems = unprovided_imports(sites, listed,
                                  installed_providers() if providers is None else providers,
                                  where=sourced.add_to)
    errors = []
    if problems and not sourced.pinned:
        # Without a lock only the direct requirements are known, so modules that come from
        # their dependencies look missing: name the absent lock first.
        errors.append(DependencyError(
            f"uv.lock is missing ({settings.path('uv.lock')}): only the direct requirements "
            f"of {sourced.label} are known, and the agent imports modules they do not "
            "provide:\n" + "\n".join(f"  - {p}" for p in problems),
            hint="Run `uv lock` to create the lock, then sync again; if a module is still "
                 "reported, add its distribution. Nothing was written.",
            modules=problems,
        ))
    elif problems:
        errors.append(DependencyError(
            "the agent imports modules its requirements do not provide:\n"
            + "\n".join(f"  - {p}" for p in problems),
            hint=f"Add the distributions to {sourced.add_to}"
                 + (", run `uv lock`" if sourced.locked_by != "file" else "")
                 + ", then sync again. Nothing was written.",
            modules=problems,
        ))
    item = _file_item(settings, sourced)
    return Plan("sync-requirements", [item], warnings=list(sourced.warnings), errors=errors)


def _file_item(settings: Settings, sourced: SourcedRequirements) -> Change:
    current = read_text(settings.path(settings.requirements_file))
    count = f"{len(sourced.lines)} requirements"
    if sourced.locked_by == "file":
        # The user's own file is the source: checked, never rewritten.
        return Change(settings.requirements_file, "unchanged",
                      f"kept by hand (dependency_source = \"requirements\"; {count}"
                      + ("" if sourced.pinned else "; NOT all pinned with ==") + ")",
                      detail={"template": sourced.label, "pinned": sourced.pinned,
                              "requirements": len(sourced.lines)})
    content = _content(sourced)
    status, reason = classify(current, content)
    reason += f" ({count}" + (")" if sourced.pinned else "; NOT pinned: there is no uv.lock)")
    return file_change(settings.requirements_file, sourced.label, content, current, status,
                       reason, pinned=sourced.pinned, requirements=len(sourced.lines),
                       locked_by=sourced.locked_by)


def _content(sourced: SourcedRequirements) -> str:
    body = (f"# {PINNED_BY[sourced.locked_by]}. The container installs this file with pip.\n"
            + "".join(f"{line}\n" for line in sourced.lines))
    return with_header(body, sourced.label, how=HOW)
