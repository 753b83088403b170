"""What has been deployed, as the starter toolkit and aibox-ops recorded it: one reader.

The toolkit writes its state (runtime id/ARN, roles, ECR repository, CodeBuild project,
account) into the agent's entry of ``.bedrock_agentcore.yaml``, for one region at a time.
When the region changes, ``render`` keeps the other region's state in the render record
(``deploy_state`` keyed ``agent@region``) so that switching back loses nothing. Every command
that needs to know what is deployed calls ``load_deploy_state``.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .config import Settings
from .docpath import get_path
from .errors import FileError
from .files import read_text

YAML_PATH = ".bedrock_agentcore.yaml"
# What aibox-ops last wrote into the YAML, and deploy state of other regions.
RECORD_PATH = ".bedrock_agentcore/aibox-ops-render.json"

# DeployState field -> key path inside the agent's entry of the YAML.
STATE_FIELDS: dict[str, tuple[str, ...]] = {
    "account": ("aws", "account"),
    "agent_id": ("bedrock_agentcore", "agent_id"),
    "agent_arn": ("bedrock_agentcore", "agent_arn"),
    "execution_role": ("aws", "execution_role"),
    "ecr_repository": ("aws", "ecr_repository"),
    "codebuild_project": ("codebuild", "project_name"),
    "codebuild_role": ("codebuild", "execution_role"),
    "source_bucket": ("codebuild", "source_bucket"),
}
# What the toolkit records beside the deploy state about who created what: read by destroy
# (``load_toolkit_record``), and the Memory references destroy clears once Memory is gone.
TOOLKIT_RECORD_FIELDS: dict[str, tuple[str, ...]] = {
    "execution_role_auto_create": ("aws", "execution_role_auto_create"),
    "ecr_auto_create": ("aws", "ecr_auto_create"),
    "memory_mode": ("memory", "mode"),
    "memory_id": ("memory", "memory_id"),
    "memory_arn": ("memory", "memory_arn"),
    "memory_name": ("memory", "memory_name"),
    "memory_created_by_toolkit": ("memory", "was_created_by_toolkit"),
}


@dataclass(frozen=True)
class DeployState:
    """The deployed runtime and the resources around it, for one agent in one region."""

    agent_name: str
    region: str
    origin: str  # where it was read: the YAML, the render record, or "none"
    account: str | None = None
    agent_id: str | None = None
    agent_arn: str | None = None
    execution_role: str | None = None
    ecr_repository: str | None = None
    codebuild_project: str | None = None
    codebuild_role: str | None = None
    source_bucket: str | None = None

    @property
    def deployed(self) -> bool:
        """Whether a runtime has been created (its id or ARN is recorded)."""
        return bool(self.agent_id or self.agent_arn)

    def to_dict(self) -> dict[str, Any]:
        """Machine-readable form."""
        return {**asdict(self), "deployed": self.deployed}


def stash_key(agent_name: str, region: str) -> str:
    """The render record's key for one agent's deploy state in one region."""
    return f"{agent_name}@{region}"


def load_deploy_state(settings: Settings) -> DeployState:
    """The deploy state for the configured agent and region (empty when nothing is known)."""
    name, region = settings.agent_name, settings.region
    agent = _yaml_agent(settings.path(YAML_PATH), name)
    yaml_region = get_path(agent, ("aws", "region"))
    if agent is not None and yaml_region in (None, region):
        values = {key: get_path(agent, path) for key, path in STATE_FIELDS.items()}
        return DeployState(name, region, YAML_PATH, **_strings(values))
    stashed = load_region_stash(settings.project_dir).get(stash_key(name, region))
    if isinstance(stashed, dict):
        values = {key: get_path(stashed, path) for key, path in STATE_FIELDS.items()}
        return DeployState(name, region, f"{RECORD_PATH} ({region})", **_strings(values))
    return DeployState(name, region, "none")


def load_toolkit_record(settings: Settings) -> dict[str, Any]:
    """``TOOLKIT_RECORD_FIELDS`` as the YAML holds them for the configured agent and region
    (values as written: booleans stay booleans; empty when the YAML is of another region)."""
    agent = _yaml_agent(settings.path(YAML_PATH), settings.agent_name)
    if agent is None or get_path(agent, ("aws", "region")) not in (None, settings.region):
        return {}
    return {key: get_path(agent, path) for key, path in TOOLKIT_RECORD_FIELDS.items()}


def load_region_stash(project_dir: Path) -> dict[str, Any]:
    """Deploy state kept for other regions: ``{"agent@region": {key path: value}}``."""
    text = read_text(project_dir / RECORD_PATH)
    if text is None:
        return {}
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return {}
    stash = data.get("deploy_state") if isinstance(data, dict) else None
    return stash if isinstance(stash, dict) else {}


def _yaml_agent(path: Path, name: str) -> dict[str, Any] | None:
    import yaml

    text = read_text(path)
    if text is None:
        return None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise FileError(f"{path}: is not valid YAML ({getattr(exc, 'problem', exc)})") from None
    agents = data.get("agents") if isinstance(data, dict) else None
    agent = agents.get(name) if isinstance(agents, dict) else None
    return agent if isinstance(agent, dict) else None



def _strings(values: dict[str, Any]) -> dict[str, str | None]:
    return {k: (str(v) if v not in (None, "") else None) for k, v in values.items()}
