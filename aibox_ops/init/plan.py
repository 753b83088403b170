"""Plan ``aibox-ops init`` in an existing project (pure: reads files, writes nothing).

The plan holds, in the order they are written: a backup copy of every file of the user's
that the first render replaces, pyproject.toml with ``[tool.aibox-ops]``, the rendered
files (the toolkit's deploy state merged in, so the next deploy updates the same runtime)
and the requirements file.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..errors import AiboxError
from ..files import read_text, unified_diff
from ..plan import NEEDS_FORCE, Change, Plan
from ..render import plan_render
from ..requirements import plan_requirements
from .detect import Detection
from .tool_table import edit_tool_table, settings_from_text

BACKUP_DIR = ".aibox-ops/backups"


def backup_dir(now: datetime | None = None) -> str:
    """Where this run keeps the user's files: ``.aibox-ops/backups/init-<UTC timestamp>``."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    return f"{BACKUP_DIR}/init-{stamp}"


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
    shadowing = _root_dockerfile(root, settings.agent_name, folder)
    if shadowing:
        backups.append(shadowing[0])
        adopted.append(shadowing[1])
    ignore = _gitignore(root)
    manifest = _manifest(detection, settings)
    return Plan("init", [*backups, pyproject, *adopted, *manifest, *ignore], warnings)


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


GITIGNORE_LINE = ".aibox-ops/"


def _gitignore(root: Path) -> list[Change]:
    """Backups may hold what the user's files held (a Dockerfile with a key in it): keep
    ``.aibox-ops/`` out of git, in a .gitignore that exists or a git repository's new one."""
    current = read_text(root / ".gitignore")
    if current is None and not (root / ".git").exists():
        return []
    lines = {line.strip().rstrip("/") for line in (current or "").splitlines()}
    if ".aibox-ops" in lines or "/.aibox-ops" in lines:
        return []
    text = (current or "")
    text += ("" if not text or text.endswith("\n") else "\n") + \
        "# aibox-ops: backups and local run state\n" + GITIGNORE_LINE + "\n"
    return [Change(".gitignore", "update" if current is not None else "create",
                   "keep .aibox-ops/ (backups, local state) out of git",
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
