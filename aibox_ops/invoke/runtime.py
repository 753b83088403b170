"""Invoke a deployed AgentCore runtime (``InvokeAgentRuntime``) and yield its chunks.

SigV4 through boto3 by default. With a bearer token (runtimes with a JWT/OAuth inbound
authorizer) the same botocore operation is sent unsigned with an ``Authorization: Bearer``
header, as the starter toolkit's HTTP client does: one request builder, one reply parser.
The client is the session's (``AwsSession.client``), so the request is checked against
botocore's model by the gateway's hook before it is sent.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..aws.agentcore import RUNTIME_ARN
from ..aws.session import aws_errors
from ..errors import AgentError, ConfigError, InputError
from .local import ACCEPT, READ_SIZE, READ_TIMEOUT, encode_payload
from .session_id import new_session_id, session_id_problem
from .sse import (
    broken_stream,
    is_event_stream,
    parse_event_stream,
    parse_json_body,
    require_final_chunk,
)

SERVICE = "bedrock-agentcore"
OPERATION = "InvokeAgentRuntime"


def runtime_region(runtime_arn: str) -> str:
    """The region of a runtime ARN (ConfigError when it is not one)."""
    match = RUNTIME_ARN.match(runtime_arn or "")
    if not match:
        raise ConfigError([f"runtime ARN {runtime_arn!r}: expected "
                           "arn:aws:bedrock-agentcore:REGION:ACCOUNT:runtime/ID"])
    return match["region"]


def build_invoke_params(runtime_arn: str, payload: Any, session_id: str,
                        qualifier: str = "DEFAULT") -> dict[str, Any]:
    """InvokeAgentRuntime parameters (the ARN and session id checked here, the rest by the
    client's model hook when sent)."""
    runtime_region(runtime_arn)
    problem = session_id_problem(session_id)
    if problem:
        raise InputError([f"--session-id: {problem}"])
    params = {
        "agentRuntimeArn": runtime_arn,
        "qualifier": qualifier,
        "runtimeSessionId": session_id,
        "contentType": "application/json",
        "accept": ACCEPT,
        "payload": encode_payload(payload),
    }
    return params


def invoke_runtime(session: Any, runtime_arn: str, payload: Any, session_id: str | None = None,
                   qualifier: str = "DEFAULT", bearer_token: str | None = None,
                   pool_size: int | None = None) -> Iterator[dict]:
    """Invoke the runtime; yields chunks as they arrive (one dict for a JSON reply).

    ``session`` is an AwsSession; its client for the runtime's region is made once and
    reused (``pool_size`` connections for callers invoking from many threads). The request
    is built and validated before anything is sent; AWS errors become AwsError, a broken
    stream AgentError.
    """
    params = build_invoke_params(runtime_arn, payload, session_id or new_session_id(),
                                 qualifier)
    client = session.client(SERVICE, runtime_region(runtime_arn), read_timeout=READ_TIMEOUT,
                            pool_size=pool_size, bearer_token=bearer_token)
    return _exchange(client, params)


def _exchange(client: Any, params: dict[str, Any]) -> Iterator[dict]:
    with aws_errors(f"invoke the runtime {params['agentRuntimeArn']}"):
        reply = client.invoke_agent_runtime(**params)
    body = reply["response"]
    try:
        if is_event_stream(reply.get("contentType")):
            yield from require_final_chunk(parse_event_stream(_blocks(body)), "the runtime")
        else:
            yield parse_json_body(_read_all(body))
    finally:
        body.close()


def _blocks(body: Any) -> Iterator[bytes]:
    # StreamingBody.read(n) waits for n bytes; the raw urllib3 stream's read1 hands on
    # whatever has arrived, so each chunk is shown as soon as the runtime sends it.
    raw = getattr(body, "_raw_stream", None)
    read = raw.read1 if raw is not None and hasattr(raw, "read1") else body.read
    while True:
        try:
            block = read(READ_SIZE)
        except Exception as exc:  # urllib3 ProtocolError / ReadTimeoutError
            raise broken_stream("the runtime", exc) from None
        if not block:
            return
        yield block


def _read_all(body: Any) -> bytes:
    try:
        return body.read()
    except Exception as exc:
        raise AgentError(f"could not read the runtime's reply: {exc}") from None
