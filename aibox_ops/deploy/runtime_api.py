"""Direct bedrock-agentcore-control calls: read, wait for READY, update, delete a runtime.

Every request is checked against botocore's service model by the session's client hook
(``aibox_ops.aws.session``) before it is sent.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..aws import AwsSession, agentcore
from ..aws.agentcore import list_versions as list_versions  # re-exported for deploy
from ..aws.agentcore import runtime_arn
from ..aws.calls import call
from ..aws.reads import read_or_none
from ..errors import AwsError

CONTROL = "bedrock-agentcore-control"


@dataclass(frozen=True)
class RuntimeInfo:
    """The runtime as AgentCore describes it (None fields: not reported)."""

    agent_id: str
    arn: str
    status: str
    version: str | None
    image_uri: str | None
    role_arn: str | None
    environment: dict[str, str]
    raw: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """Machine-readable form (without the raw reply)."""
        return {"agent_id": self.agent_id, "arn": self.arn, "status": self.status,
                "version": self.version, "image_uri": self.image_uri, "role": self.role_arn,
                "environment": dict(self.environment)}


def invocation_arn(info: RuntimeInfo, region: str, account: str) -> str:
    """The runtime ARN InvokeAgentRuntime takes (``...:runtime/ID``); built from the id when
    the reply's ARN has another form (moto answers ``...:agent/UUID:VERSION``)."""
    if ":runtime/" in info.arn:
        return info.arn
    return runtime_arn(info.agent_id, region, account)


def read_runtime(session: AwsSession, agent_id: str, version: str | None = None,
                 ) -> RuntimeInfo | None:
    """The runtime (its latest version, or ``version``), or None when it does not exist
    (deleted outside aibox-ops, or no such version)."""
    reply = agentcore.read_runtime(session, agent_id, version)
    return None if reply is None else _info(reply, agent_id)


def _info(reply: dict[str, Any], agent_id: str) -> RuntimeInfo:
    return RuntimeInfo(
        agent_id=reply.get("agentRuntimeId", agent_id), arn=reply.get("agentRuntimeArn", ""),
        status=reply.get("status", "UNKNOWN"), version=reply.get("agentRuntimeVersion"),
        image_uri=artifact_uri(reply.get("agentRuntimeArtifact")), role_arn=reply.get("roleArn"),
        environment=dict(reply.get("environmentVariables") or {}), raw=reply)


def artifact_uri(artifact: dict[str, Any] | None) -> str | None:
    """What a runtime version runs: its image URI, or ``s3://bucket/key`` of its code zip."""
    artifact = artifact or {}
    container = artifact.get("containerConfiguration") or {}
    if container.get("containerUri"):
        return container["containerUri"]
    s3 = ((artifact.get("codeConfiguration") or {}).get("code") or {}).get("s3") or {}
    return f"s3://{s3['bucket']}/{s3['prefix']}" if s3.get("bucket") else None


def artifact_kind(reply: dict[str, Any]) -> str:
    """``code`` when a GetAgentRuntime reply runs a code zip, else ``container``."""
    return "code" if (reply.get("agentRuntimeArtifact") or {}).get("codeConfiguration") \
        else "container"


def artifact_for(uri: str, current: dict[str, Any]) -> dict[str, Any]:
    """The ``agentRuntimeArtifact`` that runs ``uri`` (``artifact_uri``'s inverse): an image,
    or a code zip run as the ``current`` runtime's code configuration runs its own."""
    if not uri.startswith("s3://"):
        return {"containerConfiguration": {"containerUri": uri}}
    code = (current.get("agentRuntimeArtifact") or {}).get("codeConfiguration")
    if not code:
        raise AwsError(f"cannot point a container runtime back at the code package {uri} "
                       "(its Python runtime and entry point are not known)",
                       hint="Deploy again with deployment_type = \"code\", or roll a named "
                            "endpoint back to that version (`aibox-ops rollback --endpoint`).",
                       code="RollbackUnsupported")
    bucket, _, key = uri[len("s3://"):].partition("/")
    return {"codeConfiguration": {**code, "code": {"s3": {"bucket": bucket, "prefix": key}}}}


def read_endpoint(session: AwsSession, agent_id: str, name: str = "DEFAULT",
                  ) -> dict[str, Any] | None:
    """The runtime endpoint (status, live/target version), or None when absent."""
    return agentcore.read_endpoint(session, agent_id, name)


def wait_ready(session: AwsSession, agent_id: str, timeout: float, poll: float = 2.0,
               sleep: Callable[[float], None] = time.sleep,
               clock: Callable[[], float] = time.monotonic,
               note: Callable[[str], None] = lambda _text: None) -> tuple[RuntimeInfo, dict]:
    """Wait until the runtime and its DEFAULT endpoint are READY (``agentcore.
    wait_runtime_ready``); the runtime as RuntimeInfo and the endpoint."""
    reply, endpoint = agentcore.wait_runtime_ready(session, agent_id, timeout, poll,
                                                   sleep=sleep, clock=clock, note=note)
    return _info(reply, agent_id), endpoint


def update_runtime(session: AwsSession, info: RuntimeInfo, image_uri: str,
                   config: dict[str, Any], artifact: dict[str, Any] | None = None, *,
                   managed: tuple[str, ...] = ("authorizerConfiguration",),
                   ) -> dict[str, Any]:
    """Point the runtime at ``image_uri`` (or at an earlier version's whole ``artifact``)
    with the runtime configuration ``config``, carrying forward every member aibox-ops
    does not manage (read-modify-write from ``info.raw``: ``engine.runtime``); ``managed``:
    ``runtime_request.managed_members(settings)``."""
    from .engine.runtime import update_request
    from .engine.runtime import update_runtime as send_update

    params = update_request(info.raw, artifact or artifact_for(image_uri, info.raw),
                            info.role_arn or "", config, managed=managed)
    reply = send_update(session, params, lambda _text: None)
    return {"params": params, "reply": reply}


def delete_runtime(session: AwsSession, agent_id: str) -> bool:
    """Delete the runtime; False when it was already gone."""
    return read_or_none(lambda: call(session, CONTROL, "DeleteAgentRuntime",
                                      f"delete runtime {agent_id}",
                                      agentRuntimeId=agent_id)) is not None
