"""Find the deployed runtime: deploy state first, else by agent name (ListAgentRuntimes)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from ..aws.agentcore import runtime_id_from_arn
from ..config import Settings
from ..deploy_state import DeployState, load_deploy_state
from ..errors import AwsError

NOT_DEPLOYED = "NotDeployed"


@dataclass(frozen=True)
class RuntimeRef:
    """The runtime warm pings go to."""

    arn: str
    runtime_id: str | None
    name: str
    found_by: str  # the deploy-state file, or "ListAgentRuntimes"
    idle_timeout: int | None = None  # seconds, from GetAgentRuntime when readable

    def to_dict(self) -> dict[str, Any]:
        """Machine-readable form."""
        return asdict(self)


def read_runtime(session: Any, settings: Settings, state: DeployState | None = None,
                 with_lifecycle: bool = True) -> RuntimeRef:
    """The configured agent's runtime; AwsError (code NotDeployed) when there is none."""
    from ..aws.agentcore import read_runtime as read_reply

    state = state or load_deploy_state(settings)
    if state.agent_arn:
        runtime_id = state.agent_id or runtime_id_from_arn(state.agent_arn)
        ref = RuntimeRef(state.agent_arn, runtime_id, settings.agent_name, state.origin)
    else:
        ref = _find_by_name(session, settings)
    if with_lifecycle and ref.runtime_id:
        reply = read_reply(session, ref.runtime_id,
                           action=f"read runtime {ref.runtime_id} (GetAgentRuntime)")
        if reply is None:
            raise AwsError(f"runtime {ref.runtime_id}, recorded in .bedrock_agentcore.yaml, "
                           f"no longer exists in {settings.region}",
                           hint="Deploy it again (`aibox-ops deploy`).", code=NOT_DEPLOYED)
        idle = (reply.get("lifecycleConfiguration") or {}).get("idleRuntimeSessionTimeout")
        ref = RuntimeRef(ref.arn, ref.runtime_id, ref.name, ref.found_by,
                         int(idle) if idle else None)
    return ref


def _find_by_name(session: Any, settings: Settings) -> RuntimeRef:
    from ..aws.agentcore import find_runtime_by_name

    item = find_runtime_by_name(session, settings.agent_name)
    if item is not None:
        return RuntimeRef(item["agentRuntimeArn"], item.get("agentRuntimeId"),
                          settings.agent_name, "ListAgentRuntimes")
    raise AwsError(
        f"runtime '{settings.agent_name}' is not deployed in {settings.region}: no deploy "
        "state in .bedrock_agentcore.yaml and no runtime of that name in ListAgentRuntimes",
        hint="Deploy it first (`aibox-ops deploy`), or check --region and agent_name.",
        code=NOT_DEPLOYED)

