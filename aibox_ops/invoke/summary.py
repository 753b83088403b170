"""Fold an invocation's chunks into one result (text, tool calls, metadata, error).

Streams (``text``/``thinking``/``tool_use``/``metadata``/``status`` chunks) and the
non-streaming body (``response``/``tool_calls``/``metadata``/``status``) end up in the same
shape, so renderers and callers such as ``warm`` need not care which one came back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

STREAM_KEYS = frozenset({"text", "thinking", "tool_use", "metadata", "error"})


def is_stream_chunk(chunk: dict[str, Any]) -> bool:
    """Whether ``chunk`` is one of the agent's stream chunks (not a whole reply body)."""
    return bool(STREAM_KEYS & set(chunk)) or chunk.get("status") in ("complete", "error")


@dataclass
class InvokeSummary:
    """What an invocation produced so far."""

    text: str = ""
    thinking: str = ""
    tools: dict[str, dict[str, Any]] = field(default_factory=dict)  # by tool_use_id
    metadata: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    done: bool = False
    chunks: int = 0
    body: dict[str, Any] | None = None  # a non-streaming reply (or the health action's)

    @property
    def ok(self) -> bool:
        """False when the agent reported an error."""
        return self.error is None

    def feed(self, chunk: dict[str, Any]) -> None:
        """Account for one chunk."""
        self.chunks += 1
        if isinstance(chunk.get("text"), str):
            self.text += chunk["text"]
        if isinstance(chunk.get("thinking"), str):
            self.thinking += chunk["thinking"]
        tool = chunk.get("tool_use")
        if isinstance(tool, dict):
            key = str(tool.get("tool_use_id") or tool.get("name") or len(self.tools))
            self.tools[key] = {**self.tools.get(key, {}), **tool}
        if isinstance(chunk.get("metadata"), dict):
            self.metadata = chunk["metadata"]
        if chunk.get("status") == "complete":
            self.done = True
        if chunk.get("status") == "error" or ("error" in chunk and "status" not in chunk):
            self.error = str(chunk.get("error") or "unknown error")
        if "response" in chunk or "tool_calls" in chunk:
            self._body(chunk)
        elif not is_stream_chunk(chunk):
            self.body = chunk  # e.g. the health action's reply

    def _body(self, body: dict[str, Any]) -> None:
        self.body = body
        if isinstance(body.get("response"), str):
            self.text += body["response"]
        for index, call in enumerate(body.get("tool_calls") or []):
            if isinstance(call, dict):
                self.tools[str(call.get("tool_use_id") or index)] = call
        if isinstance(body.get("metadata"), dict):
            self.metadata = body["metadata"]
        self.done = body.get("status") == "success"

    def to_dict(self) -> dict[str, Any]:
        """Machine-readable form."""
        return {"ok": self.ok, "text": self.text, "tool_calls": list(self.tools.values()),
                "metadata": self.metadata, "error": self.error, "chunks": self.chunks}
