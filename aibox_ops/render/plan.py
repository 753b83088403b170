"""Plan a render (pure: reads files, writes nothing) and say what would change and why."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ..config import Settings
from ..errors import FileError
from ..files import read_text, unified_diff
from .bedrock_yaml import managed_view, merge_with_state
from .header import checksum, split_header, with_header
from .templates import default_templates_dir, render_template

Status = Literal["create", "update", "unchanged", "edited", "foreign"]
BLOCKING: frozenset[str] = frozenset({"edited", "foreign"})
CONTAINER_USER = "bedrock_agentcore"
CONTAINER_UID = 1000
YAML_PATH = ".bedrock_agentcore.yaml"
# What aibox-ops last wrote into the YAML, kept where the agentcore CLI does not rewrite it.
RECORD_PATH = ".bedrock_agentcore/aibox-ops-render.json"


@dataclass(frozen=True)
class RenderedFile:
    """One output file: what it is now, what it should be, and what that means."""

    relpath: str
    template: str
    content: str
    current: str | None
    status: Status
    reason: str

    @property
    def diff(self) -> str:
        """Unified diff from the file on disk to the rendered content."""
        return "" if self.status == "unchanged" else unified_diff(self.current, self.content,
                                                                  self.relpath)

    def to_dict(self) -> dict[str, Any]:
        """Machine-readable form for ``--json``."""
        return {"path": self.relpath, "template": self.template, "status": self.status,
                "reason": self.reason, "diff": self.diff}


@dataclass(frozen=True)
class RenderPlan:
    """Every file ``render`` manages, in a fixed order."""

    project_dir: Path
    files: list[RenderedFile]
    warnings: list[str] = field(default_factory=list)

    @property
    def changes(self) -> list[RenderedFile]:
        """Files whose content would change."""
        return [f for f in self.files if f.status != "unchanged"]

    @property
    def blocked(self) -> list[RenderedFile]:
        """Files a person edited (or that aibox-ops did not generate): need --force."""
        return [f for f in self.files if f.status in BLOCKING]


def dockerfile_relpath(settings: Settings) -> str:
    """Where the toolkit's CodeBuild step looks for the Dockerfile when source_path is set."""
    return f".bedrock_agentcore/{settings.agent_name}/Dockerfile"


def template_context(settings: Settings) -> dict[str, Any]:
    """Everything the templates may use (StrictUndefined rejects anything else)."""
    environment = {**settings.container_env, "LOG_TO_FILE": "false", "DOCKER_CONTAINER": "1"}
    return {
        "agent_name": settings.agent_name,
        "entrypoint": settings.entrypoint,
        "entry_module": settings.entry_module,
        "agent_dir": Path(settings.entrypoint).parent.as_posix(),
        "python_version": settings.python_version,
        "otel_distro_version": settings.otel_distro_version,
        "requirements_file": settings.requirements_file,
        "environment": dict(sorted(environment.items())),
        "region": settings.region,
        "network_mode": settings.network_mode,
        "lifecycle": settings.lifecycle,
        "authorizer": settings.authorizer,
        "user": CONTAINER_USER,
        "uid": CONTAINER_UID,
    }


def plan_render(settings: Settings, templates_dir: Path | None = None) -> RenderPlan:
    """Render every template in memory and compare with the files on disk."""
    templates_dir = templates_dir or default_templates_dir()
    context = template_context(settings)
    root = settings.project_dir
    record = _load_record(root)
    yaml_file, yaml_digest = _plan_yaml(root, YAML_PATH, templates_dir,
                                        "bedrock_agentcore.yaml.j2", context, record)
    files = [
        _plan_text(root, dockerfile_relpath(settings), templates_dir, "Dockerfile.j2", context),
        _plan_text(root, ".dockerignore", templates_dir, "dockerignore.j2", context),
        yaml_file,
        _plan_record(root, yaml_digest),
    ]
    return RenderPlan(root, files, _warnings(settings))


def _label(templates_dir: Path, name: str) -> str:
    return f"templates/{name}" if templates_dir.name == "templates" else str(templates_dir / name)


def _plan_text(root: Path, relpath: str, templates_dir: Path, name: str,
               context: dict[str, Any]) -> RenderedFile:
    label = _label(templates_dir, name)
    content = with_header(render_template(templates_dir, name, context), label)
    current = read_text(root / relpath)
    if current is None:
        return RenderedFile(relpath, label, content, None, "create", "does not exist yet")
    if current == content:
        return RenderedFile(relpath, label, content, current, "unchanged", "up to date")
    digest, body = split_header(current)
    if digest is None:
        return RenderedFile(relpath, label, content, current, "foreign",
                            "exists but was not generated by aibox-ops")
    if checksum(body) != digest:
        return RenderedFile(relpath, label, content, current, "edited",
                            "was edited by hand since aibox-ops generated it")
    return RenderedFile(relpath, label, content, current, "update", "settings or template changed")


def _plan_yaml(root: Path, relpath: str, templates_dir: Path, name: str,
               context: dict[str, Any], record: dict[str, Any]) -> tuple[RenderedFile, str]:
    """The YAML file, and the checksum of its managed values (kept in the render record)."""
    import yaml

    label = _label(templates_dir, name)
    rendered = render_template(templates_dir, name, context)
    try:
        desired = yaml.safe_load(rendered)
    except yaml.YAMLError as exc:
        raise FileError(f"{templates_dir / name}: renders invalid YAML: {exc}") from None
    current = read_text(root / relpath)
    existing = _load_existing_yaml(root / relpath, current)
    merged = merge_with_state(desired, existing)
    body = yaml.safe_dump(merged, sort_keys=False, default_flow_style=False, allow_unicode=True,
                          width=1000)
    new_digest = checksum(managed_view(merged, desired))
    content = with_header(body, label, new_digest)

    def result(status: Status, reason: str) -> tuple[RenderedFile, str]:
        return RenderedFile(relpath, label, content, current, status, reason), new_digest

    if current is None:
        return result("create", "does not exist yet")
    if current == content:
        return result("unchanged", "up to date")
    header_digest, _ = split_header(current)
    # The agentcore CLI rewrites this file without comments, so the header may be gone;
    # the render record beside the Dockerfile still knows what aibox-ops wrote.
    digest = header_digest or record.get(relpath)
    current_view = checksum(managed_view(existing, desired))
    if digest is None:
        if current_view == new_digest:
            return result("update", "adding the aibox-ops header; values unchanged")
        return result("foreign", "has settings aibox-ops did not write (no aibox-ops header)")
    if digest != current_view:
        return result("edited", "managed settings were edited by hand")
    if header_digest is None:
        return result("update", "rewritten by the agentcore CLI; keeping its state")
    return result("update", "settings, template or toolkit state changed")


def _load_record(root: Path) -> dict[str, Any]:
    """Checksums of the managed values aibox-ops last wrote, by file (empty if none)."""
    text = read_text(root / RECORD_PATH)
    if text is None:
        return {}
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return {}  # a damaged record only loses edit detection for a headerless YAML
    files = data.get("managed_sha256") if isinstance(data, dict) else None
    return files if isinstance(files, dict) else {}


def _plan_record(root: Path, yaml_digest: str) -> RenderedFile:
    content = json.dumps({"generated_by": "aibox-ops render",
                          "managed_sha256": {YAML_PATH: yaml_digest}}, indent=2) + "\n"
    current = read_text(root / RECORD_PATH)
    if current is None:
        return RenderedFile(RECORD_PATH, "-", content, None, "create", "does not exist yet")
    if current == content:
        return RenderedFile(RECORD_PATH, "-", content, current, "unchanged", "up to date")
    return RenderedFile(RECORD_PATH, "-", content, current, "update", "render record changed")


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
    return data


def _warnings(settings: Settings) -> list[str]:
    out = []
    if not settings.path(settings.entrypoint).is_file():
        out.append(f"{settings.entrypoint}: entrypoint not found; the image would not start")
    if not settings.path(settings.requirements_file).is_file():
        out.append(f"{settings.requirements_file}: not found; run `aibox-ops sync-requirements`")
    return out
