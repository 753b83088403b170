"""Map strands stream events to the guide's chunk schema (plain JSON data only)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from genai.agents.errors import sanitize

DONE: dict[str, str] = {"status": "complete", "event": "done"}
# First chunk of every stream that gets as far as running the model (as in the guide).
START: dict[str, str] = {"text": ""}


def error_chunk(message: str) -> dict[str, str]:
    """The final chunk of a failed stream (object reprs removed)."""
    return {"status": "error", "error": sanitize(message)}


def _params(raw: Any) -> dict[str, Any]:
    if isinstance(raw, dict):
        return json.loads(json.dumps(raw, default=str))
    if isinstance(raw, str) and raw.strip():
        try:
            value = json.loads(raw)
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}
    return {}


def result_text(content: Any) -> str:
    """Flatten a toolResult ``content`` list into text for clients."""
    parts: list[str] = []
    for block in content or ():
        if not isinstance(block, dict):
            continue
        if isinstance(block.get("text"), str):
            parts.append(block["text"])
        elif "json" in block:
            parts.append(json.dumps(block["json"], default=str, ensure_ascii=False))
        elif "image" in block:
            parts.append("[image]")
        elif "document" in block:
            parts.append("[document]")
    return "\n".join(parts)


class ChunkMapper:
    """Stateful mapper for one invocation: call ``map`` per strands event.

    Tool calls are announced ``running`` when the model finishes the toolUse block (the
    input is complete then) and ``completed``/``error`` when each call ends: ``tool_done``
    is fed from strands' ``AfterToolCallEvent`` hook, per call, so a fast tool is reported
    while a slow sibling still runs. A toolResult in the later tool-result message only
    produces a chunk for calls the hook did not report (never a second completion).
    ``attachments`` lets tools add client-only media to a result, keyed by toolUseId.
    """

    def __init__(self, attachments: Callable[[str], list[str]] | None = None) -> None:
        self._open: dict[str, Any] | None = None
        self._announced: dict[str, tuple[str, dict[str, Any]]] = {}
        self._finished: set[str] = set()
        self._attachments = attachments
        self.usage = {"inputTokens": 0, "outputTokens": 0, "totalTokens": 0}
        self.usage_calls = 0  # model responses that reported token usage
        self.latency_ms = 0
        self.model_calls = 0  # model responses received (counted at messageStop)
        self.stop_reason: str | None = None  # the run's final stop reason (strands' result)
        self._latency_reported = False  # the current model call reported its latency

    def map(self, event: Any) -> list[dict[str, Any]]:
        """Chunks for one strands event (often none)."""
        if "data" in event:
            text = event["data"]
            return [{"text": text}] if isinstance(text, str) and text else []
        if "event" in event:
            return self._raw(event["event"])
        if "reasoningText" in event:
            text = event["reasoningText"]
            return [{"thinking": text}] if isinstance(text, str) and text else []
        if "current_tool_use" in event:
            current = event["current_tool_use"]
            # strands keeps mutating this dict: keep a copy of the fields we need.
            self._open = {
                "toolUseId": str(current.get("toolUseId", "")),
                "name": str(current.get("name", "")),
                "input": current.get("input", ""),
            }
            return []
        if "message" in event:
            return self._message(event["message"])
        if "result" in event:
            self.stop_reason = str(getattr(event["result"], "stop_reason", "") or "") or None
        return []

    def _raw(self, raw: Any) -> list[dict[str, Any]]:
        if "contentBlockStart" in raw:
            start = raw["contentBlockStart"].get("start", {})
            if "toolUse" in start:
                tool_use = start["toolUse"]
                self._open = {
                    "toolUseId": str(tool_use.get("toolUseId", "")),
                    "name": str(tool_use.get("name", "")),
                    "input": "",
                }
        elif "contentBlockStop" in raw and self._open is not None:
            opened, self._open = self._open, None
            return self._announce(opened["toolUseId"], opened["name"], _params(opened["input"]))
        elif "messageStop" in raw:
            self.model_calls += 1
        elif "metadata" in raw:
            self._metadata(raw["metadata"])
        return []

    def _metadata(self, meta: Any) -> None:
        usage = meta.get("usage") or {}
        counted = False
        for key in self.usage:
            value = usage.get(key)
            if isinstance(value, int) and not isinstance(value, bool):
                self.usage[key] += value
                counted = True
        self.usage_calls += counted
        latency = (meta.get("metrics") or {}).get("latencyMs")
        # strands' OpenAI model always reports 0 (not measured): the agent's own timing of
        # the call (model_call_ended) is used instead.
        if isinstance(latency, (int, float)) and latency > 0:
            self.latency_ms += int(latency)
            self._latency_reported = True

    def model_call_started(self) -> None:
        """A model call begins (strands' BeforeModelCallEvent)."""
        self._latency_reported = False

    def model_call_ended(self, elapsed_ms: float) -> None:
        """A model call ended after ``elapsed_ms``, measured by the agent; counted as the
        call's latency when the provider reported none."""
        if not self._latency_reported:
            self.latency_ms += round(elapsed_ms)
        self._latency_reported = False

    def _announce(self, tool_use_id: str, name: str, params: dict) -> list[dict[str, Any]]:
        if not tool_use_id or tool_use_id in self._announced:
            return []
        self._announced[tool_use_id] = (name, params)
        return [
            {
                "tool_use": {
                    "name": name,
                    "params": params,
                    "status": "running",
                    "result": None,
                    "tool_use_id": tool_use_id,
                }
            }
        ]

    def _message(self, message: Any) -> list[dict[str, Any]]:
        chunks: list[dict[str, Any]] = []
        for block in message.get("content") or ():
            if "toolUse" in block:  # a tool use we did not see streamed
                use = block["toolUse"]
                tool_use_id, name = str(use.get("toolUseId", "")), str(use.get("name", ""))
                chunks += self._announce(tool_use_id, name, _params(use.get("input")))
            elif "toolResult" in block:
                chunks += self.tool_done(block["toolResult"])
        return chunks

    def tool_done(self, tool_result: Any) -> list[dict[str, Any]]:
        """The completed/error chunk for one finished call (once per toolUseId)."""
        tool_use_id = str(tool_result.get("toolUseId", ""))
        if tool_use_id in self._finished:
            return []
        self._finished.add(tool_use_id)
        return [self._result(tool_result)]

    def in_flight(self) -> list[tuple[str, str]]:
        """(tool_use_id, name) of calls announced running that have not finished."""
        return [(i, n) for i, (n, _) in self._announced.items() if i not in self._finished]

    def abort_in_flight(self, reason: str) -> list[dict[str, Any]]:
        """A terminal ``error`` chunk for every call still running (the stream is ending)."""
        chunks = []
        for tool_use_id, _ in self.in_flight():
            chunks += self.tool_done({"toolUseId": tool_use_id, "status": "error",
                                      "content": [{"text": f"Error: {reason}"}]})
        return chunks

    def _result(self, tool_result: Any) -> dict[str, Any]:
        tool_use_id = str(tool_result.get("toolUseId", ""))
        name, params = self._announced.get(tool_use_id, ("", {}))
        text = sanitize(result_text(tool_result.get("content")))
        if self._attachments is not None:
            # Our own media (data URLs) are appended after sanitize: redaction patterns must
            # never touch base64 payloads.
            extra = self._attachments(tool_use_id)
            if extra:
                text = "\n".join([text, *extra]) if text else "\n".join(extra)
        status = "error" if tool_result.get("status") == "error" else "completed"
        return {
            "tool_use": {
                "name": name,
                "params": params,
                "status": status,
                "result": text,
                "tool_use_id": tool_use_id,
            }
        }

    def metadata(self) -> dict[str, Any]:
        """Usage and model latency gathered so far (plain data).

        ``usage`` only when a model response reported it (with ``usage_reported_calls``
        when some did not); ``latency_ms`` is the providers' reported latency, else the
        agent's own timing of each call.
        """
        meta: dict[str, Any] = {}
        if self.usage_calls:
            meta["usage"] = dict(self.usage)
            if self.usage_calls < self.model_calls:
                meta["usage_reported_calls"] = self.usage_calls
        meta["latency_ms"] = self.latency_ms
        meta["model_calls"] = self.model_calls
        return meta
