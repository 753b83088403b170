"""The toolkit's config file, kept apart from the project's ``.bedrock_agentcore.yaml``.

The toolkit rewrites the config it is given (without our header, with its own keys and
absolute paths). So deploy hands it a staged copy (``.aibox-ops/build/<agent>@<region>/
.bedrock_agentcore.yaml``) whose ``source_path`` is the staged build context, and afterwards
copies only the deploy state (runtime id/ARN, roles, ECR repository, CodeBuild project,
account) back into the project's YAML, then re-renders it so ``render --check`` stays green.
Both files are written atomically: Ctrl-C never leaves a half-written YAML.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..config import Settings
from ..deploy_state import STATE_FIELDS, TOOLKIT_RECORD_FIELDS, YAML_PATH
from ..docpath import get_path, set_path
from ..errors import FileError
from ..files import atomic_write, read_text
from ..render import apply_render, plan_render
from ..render.header import split_header
from .context import build_dir

DUMP = {"sort_keys": False, "default_flow_style": False, "allow_unicode": True, "width": 1000}


def toolkit_config_path(settings: Settings) -> Path:
    """Where the staged toolkit config lives for this agent and region."""
    return build_dir(settings) / ".bedrock_agentcore.yaml"


def write_toolkit_config(settings: Settings, context_dir: Path, account: str,
                         forget_runtime: bool = False) -> Path:
    """Stage the toolkit config from the project's YAML (one agent, absolute source path).

    ``forget_runtime`` drops the recorded runtime id (it was deleted outside aibox-ops), so
    the toolkit creates a new runtime instead of updating a missing one.
    """
    import yaml

    doc, _ = _load_project_yaml(settings)
    agent = dict(doc["agents"][settings.agent_name])
    agent["source_path"] = str(context_dir)
    agent["aws"] = {**(agent.get("aws") or {}), "account": account}
    if forget_runtime:
        agent["bedrock_agentcore"] = {"agent_id": None, "agent_arn": None,
                                      "agent_session_id": None}
    staged = {"default_agent": settings.agent_name, "agents": {settings.agent_name: agent}}
    path = toolkit_config_path(settings)
    atomic_write(path, yaml.safe_dump(staged, **DUMP))
    return path


def read_toolkit_state(settings: Settings) -> dict[str, str | None]:
    """The deploy state the toolkit recorded in the staged config (empty when absent)."""
    import yaml

    text = read_text(toolkit_config_path(settings))
    if text is None:
        return {}
    try:
        doc = yaml.safe_load(text) or {}
    except yaml.YAMLError:
        return {}  # a damaged staging file: the project's YAML still holds the last state
    agent = ((doc.get("agents") or {}).get(settings.agent_name) or {})
    out: dict[str, str | None] = {}
    for key, path in STATE_FIELDS.items():
        value = get_path(agent, path)
        out[key] = str(value) if value not in (None, "") else None
    return out


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


