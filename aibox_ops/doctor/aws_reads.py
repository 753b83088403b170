"""The doctor's AWS reads: each resource read once per run (the context's cache), errors
turned into AwsError. Requests are checked against botocore's model by the session's
clients (``aibox_ops.aws.session``)."""

from __future__ import annotations

from typing import Any

from ..aws.reads import read_or_none
from ..errors import AwsError
from .context import DoctorContext

CONTROL = "bedrock-agentcore-control"


def call(ctx: DoctorContext, service: str, operation: str, **params: Any) -> dict[str, Any]:
    """One call (validated by the client's hook); ``operation`` is the API name
    (``GetAgentRuntime``)."""
    from ..aws import aws_errors
    from ..aws.reads import method_name

    client = ctx.client(service)
    with aws_errors(f"call {service}:{operation}"):
        return getattr(client, method_name(operation))(**params)


def pages(ctx: DoctorContext, service: str, operation: str, key: str, *,
          max_pages: int, **params: Any) -> list[Any]:
    """Every item under ``key`` in up to ``max_pages`` pages of ``operation`` (botocore's
    paginator; bounded, as the doctor's reads are)."""
    from ..aws import aws_errors
    from ..aws.reads import paginate

    client = ctx.client(service)
    with aws_errors(f"call {service}:{operation}"):
        return list(paginate(client, operation, key, max_pages=max_pages, **params))


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
    except AwsError as exc:  # not None: the doctor reports the recorded id as gone
        if exc.code == "ResourceNotFoundException":
            return {"agentRuntimeId": runtime_id, "status": "NOT_FOUND",
                    "failureReason": exc.message}
        raise


def _find_by_name(ctx: DoctorContext, name: str) -> str | None:
    runtimes = pages(ctx, CONTROL, "ListAgentRuntimes", "agentRuntimes", max_pages=20,
                     PaginationConfig={"PageSize": 100})  # bounded: 20 pages of runtimes
    return next((r.get("agentRuntimeId") for r in runtimes
                 if r.get("agentRuntimeName") == name), None)


def read_endpoint(ctx: DoctorContext, runtime_id: str) -> dict[str, Any] | None:
    """The runtime's DEFAULT endpoint (None when it does not exist)."""
    def read() -> dict[str, Any] | None:
        return read_or_none(lambda: call(ctx, CONTROL, "GetAgentRuntimeEndpoint",
                                         agentRuntimeId=runtime_id, endpointName="DEFAULT"))

    return ctx.memo(("endpoint", runtime_id), read)
