"""The doctor's AWS reads: each resource read once per run (the context's cache), errors
turned into AwsError. Requests are checked against botocore's model by the session's
clients (``aibox_ops.aws.session``)."""

from __future__ import annotations

from typing import Any

from ..errors import AwsError
from .context import DoctorContext

CONTROL = "bedrock-agentcore-control"


def call(ctx: DoctorContext, service: str, operation: str, **params: Any) -> dict[str, Any]:
    """One call (validated by the client's hook); ``operation`` is the API name
    (``GetAgentRuntime``)."""
    from botocore import xform_name

    from ..aws import aws_errors

    client = ctx.client(service)
    with aws_errors(f"call {service}:{operation}"):
        return getattr(client, xform_name(operation))(**params)


def read_runtime(ctx: DoctorContext) -> dict[str, Any] | None:
    """The deployed runtime (GetAgentRuntime), found by recorded id or by name; None when
    nothing is deployed."""
    return ctx.memo("runtime", lambda: _read_runtime(ctx))


def _read_runtime(ctx: DoctorContext) -> dict[str, Any] | None:
    state = ctx.deploy_state()
    runtime_id = state.agent_id if state else None
    if not runtime_id and state and state.agent_arn:
        runtime_id = state.agent_arn.rsplit("/", 1)[-1]
    if not runtime_id and ctx.settings is not None:
        runtime_id = _find_by_name(ctx, ctx.settings.agent_name)
    if not runtime_id:
        return None
    try:
        return call(ctx, CONTROL, "GetAgentRuntime", agentRuntimeId=runtime_id)
    except AwsError as exc:
        if exc.code == "ResourceNotFoundException":
            return {"agentRuntimeId": runtime_id, "status": "NOT_FOUND",
                    "failureReason": exc.message}
        raise


def _find_by_name(ctx: DoctorContext, name: str) -> str | None:
    token = None
    for _ in range(20):  # bounded: 20 pages of runtimes
        params: dict[str, Any] = {"maxResults": 100}
        if token:
            params["nextToken"] = token
        reply = call(ctx, CONTROL, "ListAgentRuntimes", **params)
        for runtime in reply.get("agentRuntimes", []):
            if runtime.get("agentRuntimeName") == name:
                return runtime.get("agentRuntimeId")
        token = reply.get("nextToken")
        if not token:
            return None
    return None


def read_endpoint(ctx: DoctorContext, runtime_id: str) -> dict[str, Any] | None:
    """The runtime's DEFAULT endpoint (None when it does not exist)."""
    def read() -> dict[str, Any] | None:
        try:
            return call(ctx, CONTROL, "GetAgentRuntimeEndpoint", agentRuntimeId=runtime_id,
                        endpointName="DEFAULT")
        except AwsError as exc:
            if exc.code == "ResourceNotFoundException":
                return None
            raise

    return ctx.memo(("endpoint", runtime_id), read)
