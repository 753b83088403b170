"""Plan a render (pure: reads files, writes nothing) and say what would change and why."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..config import Settings
from ..config.build import SECRET_REF_RE
from ..deploy_state import RECORD_PATH, YAML_PATH, load_region_stash
from ..errors import FileError
from ..files import read_text, unified_diff
from ..plan import Change, Plan
from .bedrock_yaml import managed_values, merge_with_state, values_at, values_digest
from .context import build_context_paths, image_copies
from .header import Status, classify, split_header, with_header
from .templates import default_templates_dir, render_template

CONTAINER_USER = "bedrock_agentcore"
CONTAINER_UID = 1000


def dockerfile_relpath(settings: Settings) -> str:
    """Where the toolkit's CodeBuild step looks for the Dockerfile when source_path is set."""
    return f".bedrock_agentcore/{settings.agent_name}/Dockerfile"


def template_context(settings: Settings) -> dict[str, Any]:
    """Everything the templates may use (StrictUndefined rejects anything else)."""
    environment = settings.container_env
    secret_refs = {k: v for k, v in environment.items() if SECRET_REF_RE.search(k)}
    return {
        "agent_name": settings.agent_name,
        "entrypoint": settings.entrypoint,
        "entry_module": settings.entry_module,
        "agent_dir": Path(settings.entrypoint).parent.as_posix(),
        "copies": image_copies(settings),
        "context_paths": build_context_paths(settings),
        "python_version": settings.python_version,
        "otel_distro_version": settings.otel_distro_version,
        "requirements_file": settings.requirements_file,
        "environment": {k: v for k, v in sorted(environment.items()) if k not in secret_refs},
        "secret_refs": dict(sorted(secret_refs.items())),
        "region": settings.region,
        "network_mode": settings.network_mode,
        "memory_mode": settings.memory_mode,
        "deployment_type": settings.deployment_type,
        "lifecycle": settings.lifecycle,
        "authorizer": settings.authorizer,
        "user": CONTAINER_USER,
        "uid": CONTAINER_UID,
    }


def file_change(relpath: str, template: str, content: str, current: str | None,
                status: Status, reason: str, **detail: object) -> Change:
    """A generated file as a plan item: its new text is the payload, the diff from disk."""
    diff = "" if status == "unchanged" else unified_diff(current, content, relpath)
    return Change(relpath, status, reason, diff, kind="file", payload=content,
                  detail={"template": template, **detail})


def plan_render(settings: Settings, templates_dir: Path | None = None) -> Plan:
    """Render every template in memory and compare with the files on disk."""
    templates_dir = templates_dir or default_templates_dir()
    context = template_context(settings)
    root = settings.project_dir
    notes = _warnings(settings)
    yaml_file, yaml_values, stash = _plan_yaml(
        root, YAML_PATH, templates_dir, "bedrock_agentcore.yaml.j2", context,
        _load_record(root), notes, load_region_stash(root))
    files = [
        _plan_text(root, dockerfile_relpath(settings), templates_dir, "Dockerfile.j2", context),
        _plan_text(root, ".dockerignore", templates_dir, "dockerignore.j2", context),
        yaml_file,
        _plan_record(root, yaml_values, stash),
    ]
    own = [f.target for f in files if f.status == "foreign"]
    if own and not settings.adopted:
        notes.append(f"not adopted yet (no [tool.aibox-ops]): {', '.join(own)} "
                     f"{'is' if len(own) == 1 else 'are'} your own; `aibox-ops init` writes "
                     "the detected settings down and adopts them, keeping a backup of each "
                     "(--force would replace them without one)")
    return Plan("render", files, notes)


def _label(templates_dir: Path, name: str) -> str:
    return f"templates/{name}" if templates_dir.name == "templates" else str(templates_dir / name)


def _plan_text(root: Path, relpath: str, templates_dir: Path, name: str,
               context: dict[str, Any]) -> Change:
    label = _label(templates_dir, name)
    content = with_header(render_template(templates_dir, name, context), label)
    current = read_text(root / relpath)
    status, reason = classify(current, content)
    return file_change(relpath, label, content, current, status, reason)


def _plan_yaml(root: Path, relpath: str, templates_dir: Path, name: str,
               context: dict[str, Any], record: dict[str, Any],
               notes: list[str], stash: dict[str, Any],
               ) -> tuple[Change, dict[str, Any], dict[str, Any]]:
    """The YAML file, the managed values it will hold and the other regions' deploy state
    (both kept in the render record)."""
    import yaml

    label = _label(templates_dir, name)
    rendered = render_template(templates_dir, name, context)
    try:
        desired = yaml.safe_load(rendered)
    except yaml.YAMLError as exc:
        raise FileError(f"{templates_dir / name}: renders invalid YAML: {exc}") from None
    current = read_text(root / relpath)
    existing = _load_existing_yaml(root / relpath, current)
    merged, merge_notes, stash = merge_with_state(desired, existing, stash)
    notes.extend(f"{relpath}: {note}" for note in merge_notes)
    body = yaml.safe_dump(merged, sort_keys=False, default_flow_style=False, allow_unicode=True,
                          width=1000)
    new_values = managed_values(merged, desired)
    content = with_header(body, label, values_digest(new_values))

    def result(status: Status, reason: str) -> tuple[Change, dict[str, Any], dict[str, Any]]:
        return file_change(relpath, label, content, current, status, reason), new_values, stash

    if current is None:
        return result("create", "does not exist yet")
    if current == content:
        return result("unchanged", "up to date")
    header_digest, _ = split_header(current)
    recorded = record.get(relpath)
    # The agentcore CLI rewrites this file without comments, so the header may be gone; the
    # render record beside the Dockerfile keeps the values aibox-ops last wrote, and the file
    # is compared over exactly those keys (settings may add or remove keys since).
    if isinstance(recorded, dict) and header_digest in (None, values_digest(recorded)):
        if values_at(existing, list(recorded)) != recorded:
            return result("edited", "managed settings were edited by hand")
        if header_digest is None:
            return result("update", "rewritten by the agentcore CLI; keeping its state")
        return result("update", "settings, template or toolkit state changed")
    if header_digest is not None:
        # No usable record: judge by the header, over the keys the template renders now.
        if header_digest != values_digest(managed_values(existing, desired)):
            return result("edited", "managed settings were edited by hand")
        return result("update", "settings, template or toolkit state changed")
    if managed_values(existing, desired) == new_values:
        return result("update", "adding the aibox-ops header; values unchanged")
    return result("foreign", "has settings aibox-ops did not write (no aibox-ops header)")


def _load_record(root: Path) -> dict[str, Any]:
    """The managed values aibox-ops last wrote, by file (empty when there is no record)."""
    text = read_text(root / RECORD_PATH)
    if text is None:
        return {}
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return {}  # a damaged record only loses edit detection for a headerless YAML
    files = data.get("managed") if isinstance(data, dict) else None
    return files if isinstance(files, dict) else {}


def _plan_record(root: Path, yaml_values: dict[str, Any], stash: dict[str, Any]) -> Change:
    record: dict[str, Any] = {"generated_by": "aibox-ops render",
                              "managed": {YAML_PATH: yaml_values}}
    if stash:
        record["deploy_state"] = stash
    content = json.dumps(record, indent=2, sort_keys=True) + "\n"
    current = read_text(root / RECORD_PATH)
    if current is None:
        return file_change(RECORD_PATH, "-", content, None, "create", "does not exist yet")
    if current == content:
        return file_change(RECORD_PATH, "-", content, current, "unchanged", "up to date")
    return file_change(RECORD_PATH, "-", content, current, "update", "render record changed")


def _load_existing_yaml(path: Path, text: str | None) -> dict[str, Any] | None:
    import yaml

    if text is None:
        return None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        raise FileError(f"{path}{where}: is not valid YAML ({getattr(exc, 'problem', exc)})",
                        hint="Fix or remove the file; nothing was written.") from None
    if data is not None and not isinstance(data, dict):
        raise FileError(f"{path}: expected a YAML mapping at the top level")
    if data and not isinstance(data.get("agents", {}), dict | None):
        raise FileError(f"{path}: 'agents' must be a mapping of agent name to settings",
                        hint="Fix or remove the file; nothing was written.")
    return data


def _warnings(settings: Settings) -> list[str]:
    out = []  # a missing entrypoint is a ConfigError (config/build.py), not a warning
    if not settings.path(settings.requirements_file).is_file():
        out.append(f"{settings.requirements_file}: not found; run `aibox-ops sync-requirements`")
    return out
