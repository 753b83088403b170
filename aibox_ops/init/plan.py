"""Plan ``aibox-ops init`` in an existing project (pure: reads files, writes nothing).

The plan holds, in the order they are written: a backup copy of every file of the user's
that the first render replaces, pyproject.toml with ``[tool.aibox-ops]``, the rendered
files (the toolkit's deploy state merged in, so the next deploy updates the same runtime)
and the requirements file.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from ..errors import AiboxError
from ..files import backup_folder, read_text, unified_diff
from ..plan import NEEDS_FORCE, Change, Plan
from ..render import plan_render
from ..requirements import plan_requirements
from .detect import Detection
from .tool_table import edit_tool_table, settings_from_text


def backup_dir(now: datetime | None = None) -> str:
    """Where this run keeps the user's files: ``.aibox-ops/backups/init-<UTC timestamp>``."""
    return backup_folder("init", now)


def plan_init(detection: Detection, flags: dict[str, Any] | None = None,
              now: datetime | None = None) -> Plan:
    """Everything init would write for ``detection``; a ConfigError when the settings it
    found would be invalid (nothing is written then)."""
    root = detection.project_dir
    current = read_text(root / "pyproject.toml") or ""
    text = edit_tool_table(current, detection.found)
    settings = settings_from_text(root, text, flags)
    warnings = list(detection.notes)
    pyproject = Change("pyproject.toml", "unchanged" if text == current else "update",
                       "up to date" if text == current else
                       f"[tool.aibox-ops]: {len(detection.found)} setting(s) found",
                       unified_diff(current, text, "pyproject.toml") if text != current else "",
                       payload=text, detail={"settings": [f.key for f in detection.found]})
    generated = list(plan_render(settings).items)
    try:
        requirements = plan_requirements(settings)
    except AiboxError as error:
        warnings.append(f"requirements not synced: {error.message}"
                        + (f" ({error.hint})" if error.hint else ""))
    else:
        warnings.extend(requirements.warnings)
        if requirements.errors:
            warnings.extend(f"requirements not synced: {e.message}" for e in requirements.errors)
        else:
            generated.extend(requirements.items)
    targets = {item.target for item in generated}
    if settings.requirements_file not in targets and not settings.path(
            settings.requirements_file).is_file():
        warnings.append(f"{settings.requirements_file}: not written; fix the above, then run "
                        "`aibox-ops sync-requirements`")
    folder = backup_dir(now)
    backups, adopted = _adopt(root, generated, folder)
    if current and text != current:  # the user's own pyproject.toml, kept before the edit
        backups.insert(0, Change(f"{folder}/pyproject.toml", "create",
                                 "backup of your pyproject.toml", payload=current,
                                 detail={"backup_of": "pyproject.toml"}))
    shadowing = _root_dockerfile(root, settings.agent_name, folder)
    if shadowing:
        backups.append(shadowing[0])
        adopted.append(shadowing[1])
    ignore = _gitignore(root)
    manifest = _manifest(detection, settings)
    dockerignore = next((i.payload for i in generated if i.target == ".dockerignore"), None)
    leaving = leaving_image(detection, settings, dockerignore)
    if leaving:
        shown = ", ".join(leaving[:LIST_CAP]) + (
            f" (+{len(leaving) - LIST_CAP} more)" if len(leaving) > LIST_CAP else "")
        warnings.append(
            f"{len(leaving)} file(s)/folder(s) your image had would leave it "
            f"({detection.image_source} copied them; the rendered Dockerfile copies only "
            f"the entry point and 'packages'): {shown}. Add what the agent reads at run "
            "time to 'packages' in [tool.aibox-ops]; tests, docs, logs, caches and .env "
            "files never go in.")
    return Plan("init", [*backups, pyproject, *adopted, *manifest, *ignore], warnings)


LIST_CAP = 15  # paths named in one warning


def leaving_image(detection: Detection, settings, dockerignore: str | None) -> list[str]:
    """What the user's own image holds that the rendered one would not: top-level entries
    left out whole (``docs/``), and inside the kept ones the shallowest folder or file the
    rendered .dockerignore drops (``genai/tests/``); sorted, relative POSIX paths."""
    from pathlib import PurePosixPath

    from ..render.context import context_files, image_paths, is_ignored, parse_dockerignore

    if detection.image_before is None:
        return []
    root = detection.project_dir
    new_files = set(context_files(settings, dockerignore))
    tops = {PurePosixPath(p).parts[0] for p in image_paths(settings)}
    theirs = parse_dockerignore(read_text(root / ".dockerignore") or "")
    out: list[str] = []
    for entry in detection.image_before:
        path = root / entry
        if entry == settings.requirements_file:
            continue  # installed by both images
        if entry not in tops:
            out.append(f"{entry}/" if path.is_dir() else entry)
            continue
        if not path.is_dir() or path.is_symlink():
            continue
        files = [f.relative_to(root).as_posix() for f in path.rglob("*") if f.is_file()]
        files = [f for f in files if not is_ignored(theirs, f)]
        kept = [f for f in files if f in new_files]
        for rel in files:
            if rel in new_files:
                continue
            parts = rel.split("/")
            shown = rel
            for depth in range(2, len(parts)):  # shallowest folder nothing is kept from
                folder = "/".join(parts[:depth])
                if not any(k.startswith(folder + "/") for k in kept):
                    shown = folder + "/"
                    break
            if shown not in out:
                out.append(shown)
    return sorted(out)


def _manifest(detection: Detection, settings) -> list[Change]:
    """The permissions manifest fix-iam grants from (``iam.manifest_path``), written from the
    tables, secrets and models the container environment names; one that exists is kept."""
    import json

    from ..iam.derive import derive_manifest
    from ..iam.manifest import manifest_path, manifest_relpath

    if manifest_path(settings).exists():
        return []
    sources = sorted({f.source for f in detection.found if f.key.startswith("environment.")})
    document = derive_manifest(settings, ", ".join(sources) or "the container environment")
    text = json.dumps(document, indent=2) + "\n"
    granted = [s["sid"] for s in document["statements"]]
    return [Change(manifest_relpath(settings), "create",
                   f"permissions manifest for fix-iam and deploy: {', '.join(granted)}",
                   unified_diff(None, text, manifest_relpath(settings)), payload=text)]


# Backups, staging and local state stay out of git; the deploy history (what deploy created:
# destroy relies on it) is committed. ``.aibox-ops/`` would ignore the folder itself, and git
# cannot re-include a file of an ignored folder: hence ``/*`` plus the exception.
GITIGNORE_LINES = (".aibox-ops/*", "!.aibox-ops/deploys.json")
FOLDER_RULES = {".aibox-ops", ".aibox-ops/", "/.aibox-ops", "/.aibox-ops/"}


def _gitignore(root: Path) -> list[Change]:
    """Backups may hold what the user's files held (a Dockerfile with a key in it): keep
    ``.aibox-ops/`` out of git, in a .gitignore that exists or a git repository's new one."""
    current = read_text(root / ".gitignore")
    if current is None and not (root / ".git").exists():
        return []
    lines = (current or "").splitlines()
    present = {line.strip() for line in lines}
    if all(rule in present for rule in GITIGNORE_LINES) and not FOLDER_RULES & present:
        return []
    # A rule ignoring the folder itself would keep deploys.json out whatever follows it.
    kept = [line for line in lines if line.strip() not in FOLDER_RULES]
    text = "".join(f"{line}\n" for line in kept)
    missing = [rule for rule in GITIGNORE_LINES if rule not in present]
    text += "# aibox-ops: backups, staging and local state; deploys.json is committed\n" \
        + "".join(f"{rule}\n" for rule in missing)
    return [Change(".gitignore", "update" if current is not None else "create",
                   "keep .aibox-ops/ (backups, staging, local state) out of git, except "
                   "deploys.json (the deploy history destroy relies on)",
                   unified_diff(current, text, ".gitignore"), payload=text)]


def _root_dockerfile(root: Path, agent_name: str, folder: str) -> tuple[Change, Change] | None:
    """A root Dockerfile wins over the rendered one: the toolkit zips the project for
    CodeBuild and adds .bedrock_agentcore/<agent>/Dockerfile only when the root has none, and
    CodeBuild runs ``docker build .``. It is backed up, then removed."""
    text = read_text(root / "Dockerfile")
    if text is None:
        return None
    target = f"{folder}/Dockerfile"
    rendered = f".bedrock_agentcore/{agent_name}/Dockerfile"
    return (Change(target, "create", "backup of your Dockerfile", payload=text,
                   detail={"backup_of": "Dockerfile"}),
            Change("Dockerfile", "delete",
                   f"would shadow {rendered} in the toolkit's CodeBuild source (a root "
                   f"Dockerfile is built first); yours is kept in {target}",
                   unified_diff(text, "", "Dockerfile"), detail={"backup": target}))


def _adopt(root: Path, items: list[Change], folder: str) -> tuple[list[Change], list[Change]]:
    """Files of the user's that a render would refuse to replace (edited/foreign) are backed
    up and replaced: adopting them is what init is for."""
    backups: list[Change] = []
    adopted: list[Change] = []
    for item in items:
        if item.status not in NEEDS_FORCE:
            adopted.append(item)
            continue
        target = f"{folder}/{item.target}"
        original = read_text(root / item.target) or ""
        backups.append(Change(target, "create", f"backup of your {item.target}",
                              payload=original, detail={"backup_of": item.target}))
        adopted.append(Change(item.target, "update",
                              f"adopted (was {item.status}: {item.reason}); yours is kept in "
                              f"{target}", item.diff, item.kind, item.payload,
                              {**item.detail, "backup": target}))
    return backups, adopted
