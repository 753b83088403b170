"""A scripted strands Model: drives the real strands Agent loop offline."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncIterator
from typing import Any

from strands.models import Model


def text(value: str) -> tuple:
    return ("text", value)


def think(value: str) -> tuple:
    return ("think", value)


def tool(name: str, tool_use_id: str, params: dict) -> tuple:
    return ("tool", name, tool_use_id, params)


def fail(exc: BaseException) -> tuple:
    return ("raise", exc)


def stall(seconds: float) -> tuple:
    """Await ``seconds`` without polling, like a slow model server (one timer, no wake-ups)."""
    return ("stall", seconds)


def stop(reason: str) -> tuple:
    """End the turn with ``reason`` as its stopReason (``guardrail_intervened``, ...)."""
    return ("stop", reason)


def wait(event: threading.Event | None = None) -> tuple:
    """Block the model until ``event`` is set (forever when None)."""
    return ("wait", event)


USAGE = {"inputTokens": 10, "outputTokens": 5, "totalTokens": 15}


class ScriptedModel(Model):
    """Plays one scripted turn per model call, in Bedrock ConverseStream event shapes."""

    def __init__(self, *turns: list[tuple]) -> None:
        self.turns = list(turns)
        self.calls: list[dict[str, Any]] = []
        self.config: dict[str, Any] = {"model_id": "scripted"}
        self.entered = threading.Event()  # set when a model call starts
        self.stopped = threading.Event()  # set when a model call is cancelled or closed early

    def update_config(self, **model_config: Any) -> None:
        self.config.update(model_config)

    def get_config(self) -> dict[str, Any]:
        return self.config

    async def structured_output(self, output_model, prompt, system_prompt=None, **kwargs):
        raise NotImplementedError
        yield  # pragma: no cover

    async def stream(
        self, messages, tool_specs=None, system_prompt=None, *, tool_choice=None, **kwargs
    ) -> AsyncIterator[dict[str, Any]]:
        self.calls.append(
            {
                "messages": json.loads(json.dumps(messages, default=str)),
                "tools": sorted(s["name"] for s in tool_specs or []),
                "system_prompt": system_prompt,
            }
        )
        steps = self.turns.pop(0) if self.turns else [text("(script exhausted)")]
        self.entered.set()
        finished = False
        try:
            async for event in self._play(steps):
                yield event
            finished = True
        finally:
            if not finished:
                self.stopped.set()

    async def _play(self, steps: list[tuple]) -> AsyncIterator[dict[str, Any]]:
        yield {"messageStart": {"role": "assistant"}}
        stop = "end_turn"
        for step in steps:
            kind = step[0]
            if kind == "text":
                yield {"contentBlockStart": {"start": {}}}
                yield {"contentBlockDelta": {"delta": {"text": step[1]}}}
                yield {"contentBlockStop": {}}
            elif kind == "think":
                yield {"contentBlockDelta": {"delta": {"reasoningContent": {"text": step[1]}}}}
                yield {"contentBlockDelta": {"delta": {"reasoningContent": {"signature": "s"}}}}
                yield {"contentBlockStop": {}}
            elif kind == "tool":
                _, name, tool_use_id, params = step
                raw = json.dumps(params)
                start = {"toolUse": {"name": name, "toolUseId": tool_use_id}}
                yield {"contentBlockStart": {"start": start}}
                half = len(raw) // 2
                yield {"contentBlockDelta": {"delta": {"toolUse": {"input": raw[:half]}}}}
                yield {"contentBlockDelta": {"delta": {"toolUse": {"input": raw[half:]}}}}
                yield {"contentBlockStop": {}}
                stop = "tool_use"
            elif kind == "raise":
                raise step[1]
            elif kind == "stop":
                stop = step[1]
            elif kind == "stall":
                await asyncio.sleep(step[1])
            elif kind == "wait":
                event = step[1]
                while event is None or not event.is_set():
                    await asyncio.sleep(0.01)
        yield {"messageStop": {"stopReason": stop}}
        yield {"metadata": {"usage": dict(USAGE), "metrics": {"latencyMs": 7}}}


def builder(model: Model, seen: list | None = None):
    """A model_builder for AgentProvider that returns ``model`` (recording choices)."""

    def build(choice, env):
        if seen is not None:
            seen.append(choice)
        return model

    return build
