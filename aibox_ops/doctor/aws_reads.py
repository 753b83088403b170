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
    from ..aws.agentcore import find_runtime_id

    state = ctx.deploy_state()
    name = ctx.settings.agent_name if ctx.settings is not None else None
    runtime_id = find_runtime_id(ctx, runtime_id=state.agent_id if state else None,
                                 arn=state.agent_arn if state else None, name=name,
                                 max_pages=20)  # bounded: 20 pages of runtimes
    if not runtime_id:
        return None
    try:
        return call(ctx, CONTROL, "GetAgentRuntime", agentRuntimeId=runtime_id)
    except AwsError as exc:  # not None: the doctor reports the recorded id as gone
        if exc.code == "ResourceNotFoundException":
            return {"agentRuntimeId": runtime_id, "status": "NOT_FOUND",
                    "failureReason": exc.message}
        raise


def read_endpoint(ctx: DoctorContext, runtime_id: str) -> dict[str, Any] | None:
    """The runtime's DEFAULT endpoint (None when it does not exist)."""
    def read() -> dict[str, Any] | None:
        return read_or_none(lambda: call(ctx, CONTROL, "GetAgentRuntimeEndpoint",
                                         agentRuntimeId=runtime_id, endpointName="DEFAULT"))

    return ctx.memo(("endpoint", runtime_id), read)
