"""The deploy state in the project's ``.bedrock_agentcore.yaml``, in the starter toolkit's
own schema (runtime id/ARN, roles, ECR repository, CodeBuild project, account, Memory), so a
project deployed by aibox-ops stays readable by the toolkit and the other way round. Each
write re-renders the file so ``render --check`` stays green, and is atomic: Ctrl-C never
leaves a half-written YAML."""

from __future__ import annotations

from typing import Any

from ..config import Settings
from ..deploy_state import STATE_FIELDS, TOOLKIT_RECORD_FIELDS, YAML_PATH
from ..docpath import get_path, set_path
from ..errors import FileError
from ..files import atomic_write, read_text
from ..render import apply_render, plan_render
from ..render.header import split_header

DUMP = {"sort_keys": False, "default_flow_style": False, "allow_unicode": True, "width": 1000}


def write_project_state(settings: Settings, values: dict[str, str | None]) -> list[str]:
    """Set deploy state fields (``STATE_FIELDS`` or ``TOOLKIT_RECORD_FIELDS`` keys) in the
    project's YAML, then re-render it (header restored).

    Returns warnings (e.g. a managed value edited by hand meanwhile: left for render).
    """
    import yaml

    doc, header = _load_project_yaml(settings)
    agent = doc["agents"][settings.agent_name]
    changed = False
    for key, value in values.items():
        path = STATE_FIELDS.get(key) or TOOLKIT_RECORD_FIELDS[key]
        if get_path(agent, path) != value:
            set_path(agent, path, value)
            changed = True
    if changed:
        atomic_write(settings.path(YAML_PATH), header + yaml.safe_dump(doc, **DUMP))
    plan = plan_render(settings)
    if plan.blocked:
        return [f"{item.target}: {item.reason}; deploy state was written but the file was "
                "not re-rendered (run `aibox-ops render --force`)" for item in plan.blocked]
    apply_render(settings.project_dir, plan)
    return []


def _load_project_yaml(settings: Settings) -> tuple[dict[str, Any], str]:
    import yaml

    path = settings.path(YAML_PATH)
    text = read_text(path)
    if text is None:
        raise FileError(f"{path}: not found; run `aibox-ops render`")
    digest, body = split_header(text)
    header = text[: len(text) - len(body)] if digest is not None else ""
    try:
        doc = yaml.safe_load(body) or {}
    except yaml.YAMLError as exc:
        raise FileError(f"{path}: is not valid YAML ({getattr(exc, 'problem', exc)})") from None
    agents = doc.get("agents") if isinstance(doc, dict) else None
    if not isinstance(agents, dict) or not isinstance(agents.get(settings.agent_name), dict):
        raise FileError(f"{path}: has no entry for agent {settings.agent_name}",
                        hint="Run `aibox-ops render`.")
    return doc, header


