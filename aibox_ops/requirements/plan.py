"""Plan ``sync-requirements``: the file's new content, its drift, and unprovided imports."""

from __future__ import annotations

from collections.abc import Mapping

from ..config import Settings
from ..errors import DependencyError
from ..files import read_text
from ..plan import Change, Plan
from ..render.context import image_files, image_paths
from ..render.header import classify, with_header
from ..render.plan import file_change
from .environment import ImportProviders, load_import_providers
from .export import requirement_name
from .imports import scan_image_imports, unprovided_imports
from .sources import SourcedRequirements, load_source_requirements

HOW = "Change pyproject.toml, run `uv lock`, then `aibox-ops sync-requirements`."
PINNED_BY = {"uv.lock": "Pinned by uv.lock",
             "environment": "Pinned from the installed environment (there is no uv.lock)",
             "none": "NOT pinned: there is no uv.lock"}


def plan_requirements(settings: Settings,
                      providers: Mapping[str, list[str]] | ImportProviders | None = None
                      ) -> Plan:
    """Read the dependency source, check every import of the image's code is provided, and
    compare the requirements file with disk.

    Import names are looked up in the project's own environment
    (``environment.load_import_providers``: its .venv, else uv.lock, else the requirements
    file), never only in the interpreter aibox-ops runs in; the item says which was used.
    One file item; imports no listed distribution provides are a DependencyError in
    ``plan.errors`` (data for doctor; the CLI runner raises it before writing anything).
    """
    sourced = load_source_requirements(settings)
    listed = {name for line in sourced.lines if (name := requirement_name(line))}
    sites = scan_image_imports(settings.project_dir, image_paths(settings),
                               folder_entrypoint=not settings.root_entrypoint,
                               files=list(image_files(settings).files))
    if providers is None:
        providers = load_import_providers(settings)
    problems = unprovided_imports(sites, listed, providers, where=sourced.add_to)
    checked = providers.to_dict() if isinstance(providers, ImportProviders) else \
        {"source": "given", "path": "", "exact": True}
    looked_up = f" (import names looked up in {providers.label})" \
        if isinstance(providers, ImportProviders) else ""
    errors = []
    if problems and not sourced.pinned:
        # Without a lock only the direct requirements are known, so modules that come from
        # their dependencies look missing: name the absent lock first.
        errors.append(DependencyError(
            f"uv.lock is missing ({settings.path('uv.lock')}): only the direct requirements "
            f"of {sourced.label} are known, and the agent imports modules they do not "
            f"provide{looked_up}:\n" + "\n".join(f"  - {p}" for p in problems),
            hint="Run `uv lock` to create the lock, then sync again; if a module is still "
                 "reported, add its distribution. Nothing was written.",
            modules=problems, imports_checked_against=checked,
        ))
    elif problems:
        errors.append(DependencyError(
            f"the agent imports modules its requirements do not provide{looked_up}:\n"
            + "\n".join(f"  - {p}" for p in problems),
            hint=f"Add the distributions to {sourced.add_to}"
                 + (", run `uv lock`" if sourced.locked_by != "file" else "")
                 + ", then sync again. Nothing was written.",
            modules=problems, imports_checked_against=checked,
        ))
    item = _file_item(settings, sourced, checked)
    return Plan("sync-requirements", [item], warnings=list(sourced.warnings), errors=errors)


def _file_item(settings: Settings, sourced: SourcedRequirements,
               checked: dict[str, object]) -> Change:
    current = read_text(settings.path(settings.requirements_file))
    count = f"{len(sourced.lines)} requirements; imports checked against {checked['source']}"
    if sourced.locked_by == "file":
        # The user's own file is the source: checked, never rewritten.
        return Change(settings.requirements_file, "unchanged",
                      f"kept by hand (dependency_source = \"requirements\"; {count}"
                      + ("" if sourced.pinned else "; NOT all pinned with ==") + ")",
                      detail={"template": sourced.label, "pinned": sourced.pinned,
                              "requirements": len(sourced.lines),
                              "imports_checked_against": checked})
    content = _content(sourced)
    status, reason = classify(current, content)
    reason += f" ({count}" + (")" if sourced.pinned else "; NOT pinned: there is no uv.lock)")
    return file_change(settings.requirements_file, sourced.label, content, current, status,
                       reason, pinned=sourced.pinned, requirements=len(sourced.lines),
                       locked_by=sourced.locked_by, imports_checked_against=checked)


def _content(sourced: SourcedRequirements) -> str:
    body = (f"# {PINNED_BY[sourced.locked_by]}. The container installs this file with pip.\n"
            + "".join(f"{line}\n" for line in sourced.lines))
    return with_header(body, sourced.label, how=HOW)
