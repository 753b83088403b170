"""Runtime session ids: the key AgentCore routes a conversation (and its microVM) by."""

from __future__ import annotations

import re
import uuid

# InvokeAgentRuntime's runtimeSessionId: 33-256 characters (botocore's model).
MIN_LENGTH = 33
MAX_LENGTH = 256
_SAFE = re.compile(r"^[\x21-\x7e]+$")  # one header value: visible ASCII, no spaces


def new_session_id() -> str:
    """A fresh, valid runtime session id (42 characters: ``aibox-`` + a UUID4)."""
    return f"aibox-{uuid.uuid4()}"


def session_id_problem(session_id: str) -> str | None:
    """Why ``session_id`` cannot be used, or None when it can."""
    if not MIN_LENGTH <= len(session_id) <= MAX_LENGTH:
        return (f"session id {session_id!r} is {len(session_id)} characters; AgentCore needs "
                f"{MIN_LENGTH}-{MAX_LENGTH}")
    if not _SAFE.match(session_id):
        return f"session id {session_id!r} must be visible ASCII without spaces (an HTTP header)"
    return None
