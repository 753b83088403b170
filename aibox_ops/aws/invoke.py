"""Minimal InvokeAgentRuntime client (deploy's health phase), with the contract's names.

The local branch's ``aibox_ops/invoke/`` is the full client; this one is what deploy needs
until it merges: one validated request, SSE or JSON replies parsed into dicts.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

from ..errors import AwsError
from .session import AwsSession, aws_errors
from .validate import check_request

DATA = "bedrock-agentcore"


def new_session_id() -> str:
    """A runtime session id AgentCore accepts (>= 33 characters)."""
    return f"aibox-ops-{uuid.uuid4().hex}"


def invoke_runtime(session: AwsSession, runtime_arn: str, payload: dict[str, Any],
                   session_id: str | None = None, qualifier: str = "DEFAULT",
                   bearer_token: str | None = None) -> Iterator[dict[str, Any]]:
    """Invoke the runtime; yields each SSE event (or the one JSON reply) as a dict."""
    if bearer_token:
        raise AwsError("invoking with a bearer token needs the full client (aibox-ops invoke)",
                       code="Unsupported")
    params = {"agentRuntimeArn": runtime_arn, "qualifier": qualifier,
              "runtimeSessionId": session_id or new_session_id(),
              "contentType": "application/json", "accept": "application/json, text/event-stream",
              "payload": json.dumps(payload).encode()}
    check_request(DATA, "InvokeAgentRuntime", params)
    client = session.client(DATA, max_attempts=1)  # invocations are not idempotent
    with aws_errors("invoke the runtime (bedrock-agentcore:InvokeAgentRuntime)"):
        reply = client.invoke_agent_runtime(**params)
        body = reply["response"].read().decode("utf-8", "replace")
    content_type = reply.get("contentType", "")
    if "text/event-stream" in content_type:
        for line in body.splitlines():
            if line.startswith("data:"):
                yield _parse(line[5:].strip())
    elif body.strip():
        yield _parse(body)


def _parse(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        return {"text": text}
    return value if isinstance(value, dict) else {"value": value}
