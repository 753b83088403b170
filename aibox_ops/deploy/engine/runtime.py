"""Create or update the runtime; an update is a read-modify-write.

UpdateAgentRuntime replaces the whole configuration: a member left out is reset. So an
update starts from the runtime as AgentCore describes it now (``GetAgentRuntime``, trimmed
to what the update accepts), lays over it what aibox-ops manages (artifact, role and the
settings' members), and sends the rest as it was: a description, request-header allow-list,
filesystem or metadata setting made in the console survives every deploy. The Memory link
the toolkit put in the environment (``BEDROCK_AGENTCORE_MEMORY_*``) is kept too.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from ...aws import AwsSession
from ...aws.calls import call
from ...aws.retry import retry_if, retry_transient
from ...aws.validate import trim_to_input
from ...config.model import MEMORY_ENV_VARS
from ...errors import AwsError

CONTROL = "bedrock-agentcore-control"
def update_request(current: dict[str, Any], artifact: dict[str, Any], role_arn: str,
                   config: dict[str, Any], *, managed: tuple[str, ...],
                   ) -> dict[str, Any]:
    """The UpdateAgentRuntime request: ``current`` (a GetAgentRuntime reply) carried
    forward, ``artifact``/``role_arn``/``config`` laid over it; members in ``managed``
    (``runtime_request.managed_members``) that ``config`` leaves out are dropped."""
    kept = trim_to_input(CONTROL, "UpdateAgentRuntime", current)
    for member in ("agentRuntimeId", "clientToken", *managed):
        kept.pop(member, None)
    params = {**kept, **config, "agentRuntimeId": current["agentRuntimeId"],
              "agentRuntimeArtifact": artifact, "roleArn": role_arn}
    deployed_env = current.get("environmentVariables") or {}
    memory = {k: v for k, v in deployed_env.items() if k in MEMORY_ENV_VARS and v}
    if memory:
        params["environmentVariables"] = {**memory, **params.get("environmentVariables", {})}
    return params


def create_request(name: str, artifact: dict[str, Any], role_arn: str,
                   config: dict[str, Any], memory_env: dict[str, str] | None = None,
                   ) -> dict[str, Any]:
    """The CreateAgentRuntime request (with an idempotency token)."""
    params = {"agentRuntimeName": name, "agentRuntimeArtifact": artifact, "roleArn": role_arn,
              **config, "clientToken": str(uuid.uuid4()), "tags": {"created-by": "aibox-ops"}}
    if memory_env:
        params["environmentVariables"] = {**memory_env, **params.get("environmentVariables",
                                                                    {})}
    return params


def create_runtime(session: AwsSession, params: dict[str, Any],
                   note: Callable[[str], None], *, new_role: bool) -> dict[str, Any]:
    """Send CreateAgentRuntime (retried while ``new_role``, created by this run,
    propagates); the reply holds the id, ARN and version."""
    name = params["agentRuntimeName"]
    try:
        return retry_transient(lambda: call(session, CONTROL, "CreateAgentRuntime",
                                            f"create runtime {name}", **params),
                               retry_if(new_role), note=note)
    except AwsError as error:
        if error.code == "ConflictException":
            error.hint = ("A runtime with this name already exists but is not recorded in "
                          ".bedrock_agentcore.yaml: adopt it with `aibox-ops init`, or use "
                          "another agent_name (e.g. a stage).")
        raise


def update_runtime(session: AwsSession, params: dict[str, Any],
                   note: Callable[[str], None], *, new_role: bool = False) -> dict[str, Any]:
    """Send UpdateAgentRuntime (retried while ``new_role``, created by this run,
    propagates)."""
    agent_id = params["agentRuntimeId"]
    return retry_transient(lambda: call(session, CONTROL, "UpdateAgentRuntime",
                                        f"update runtime {agent_id}", **params),
                           retry_if(new_role), note=note)
