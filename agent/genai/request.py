"""Validation of invocation payloads into typed requests (pure, stdlib only)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field, fields
from typing import Any

from genai.config import Limits
from genai.tools.catalog import ALL_TOOLS, LEGACY_TOOLS

ACTIONS = ("invoke", "health")
ROLES = ("user", "assistant")


class RequestError(ValueError):
    """A payload the agent refuses; the message names the offending field."""


@dataclass(frozen=True)
class ToolConfig:
    """Which tools a request may use (the guide's ``tool_config``)."""

    enabled: bool = True
    legacy_tools: tuple[str, ...] = LEGACY_TOOLS
    strands_tools_enabled: bool = True
    mcp_tools_enabled: bool = False


@dataclass(frozen=True)
class InvokeRequest:
    """A validated ``invoke`` payload; ``None`` fields fall back to settings."""

    prompt: str
    model_id: str | None = None
    system_prompt: str | None = None
    history: list[dict[str, str]] | None = None
    stream: bool = False
    tool_config: dict[str, Any] = field(default_factory=dict)
    max_cycles: int | None = None  # None: the server's AGENT_MAX_CYCLES


def parse_action(payload: Any) -> str:
    """The payload's action (default ``invoke``); raises RequestError for bad input."""
    if not isinstance(payload, dict):
        raise RequestError(
            f"Invalid request: body must be a JSON object, got {type(payload).__name__}"
        )
    action = payload.get("action", "invoke")
    if not isinstance(action, str) or action not in ACTIONS:
        raise RequestError(
            f"Invalid request: unknown action {action!r} (expected one of: {', '.join(ACTIONS)})"
        )
    return action


def wants_stream(payload: Any) -> bool:
    """Whether the client asked for a stream (tolerant: used before validation)."""
    return isinstance(payload, dict) and payload.get("stream") is True


def did_you_mean(name: str, choices: Any) -> str:
    """`` (did you mean 'x'?)`` for the closest of ``choices``, else ''."""
    close = difflib.get_close_matches(name, list(choices), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def check_text(value: str, where: str) -> str:
    """Refuse text that cannot be encoded as UTF-8 (lone surrogates such as ``\\ud800``).

    JSON allows ``"\\ud800"``, Python decodes it, and the request would only fail later,
    deep in a model client, with an error naming no field.
    """
    if value.isascii():
        return value
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise RequestError(
            f"Invalid request: '{where}' contains an invalid character at position {exc.start} "
            f"(a lone UTF-16 surrogate, U+{ord(value[exc.start]):04X}; text must be valid Unicode)"
        ) from None
    return value


def _optional_str(payload: dict, name: str, limit: int | None = None) -> str | None:
    value = payload.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise RequestError(f"Invalid request: '{name}' must be a string")
    if limit is not None and len(value) > limit:
        raise RequestError(
            f"Invalid request: '{name}' is too long ({len(value)} characters, limit {limit})"
        )
    return check_text(value, name)


def _bool(obj: dict, name: str, where: str) -> bool | None:
    value = obj.get(name)
    if value is None or isinstance(value, bool):
        return value
    raise RequestError(f"Invalid request: '{where}{name}' must be true or false")


def _content_text(content: Any, index: int) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = []
        for block in content:
            if isinstance(block, dict) and isinstance(block.get("text"), str):
                parts.append(block["text"])
            elif isinstance(block, str):
                parts.append(block)
            else:
                raise RequestError(
                    f"Invalid request: 'history[{index}].content' blocks must be text"
                )
        return "".join(parts)
    raise RequestError(
        f"Invalid request: 'history[{index}].content' must be a string or a list of text blocks"
    )


def parse_history(value: Any, limits: Limits) -> list[dict[str, str]] | None:
    """Validate prior turns ``[{"role", "content"}]`` into role/text pairs."""
    if value is None:
        return None
    if not isinstance(value, list):
        raise RequestError("Invalid request: 'history' must be a list of {role, content} objects")
    if len(value) > limits.max_history_messages:
        raise RequestError(
            f"Invalid request: 'history' is too long ({len(value)} messages, "
            f"limit {limits.max_history_messages})"
        )
    turns: list[dict[str, str]] = []
    total = 0
    for i, item in enumerate(value):
        if not isinstance(item, dict):
            raise RequestError(f"Invalid request: 'history[{i}]' must be an object")
        role = item.get("role")
        if role not in ROLES:
            raise RequestError(
                f"Invalid request: 'history[{i}].role' must be 'user' or 'assistant'"
            )
        text = check_text(_content_text(item.get("content"), i), f"history[{i}].content")
        total += len(text)
        turns.append({"role": role, "content": text})
    if total > limits.max_history_chars:
        raise RequestError(
            f"Invalid request: 'history' is too large ({total} characters, "
            f"limit {limits.max_history_chars})"
        )
    return turns


def parse_tool_config(value: Any) -> dict[str, Any]:
    """Validate ``tool_config``; returns only the keys the client set."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise RequestError("Invalid request: 'tool_config' must be an object")
    known = [f.name for f in fields(ToolConfig)]
    for key in value:
        if key not in known:
            raise RequestError(
                f"Invalid request: unknown key 'tool_config.{key}'{did_you_mean(str(key), known)}"
                f" (known keys: {', '.join(known)})"
            )
    parsed: dict[str, Any] = {}
    for name in ("enabled", "strands_tools_enabled", "mcp_tools_enabled"):
        flag = _bool(value, name, "tool_config.")
        if flag is not None:
            parsed[name] = flag
    tools = value.get("legacy_tools")
    if tools is not None:
        if not isinstance(tools, list) or not all(isinstance(t, str) for t in tools):
            raise RequestError(
                "Invalid request: 'tool_config.legacy_tools' must be a list of names"
            )
        unknown = [t for t in tools if t not in ALL_TOOLS]
        if unknown:
            raise RequestError(
                f"Invalid request: unknown tool {', '.join(map(repr, unknown))}"
                f"{did_you_mean(unknown[0], sorted(ALL_TOOLS))} "
                f"(known tools: {', '.join(sorted(ALL_TOOLS))})"
            )
        parsed["legacy_tools"] = tuple(tools)
    return parsed


def parse_max_cycles(value: Any, limits: Limits) -> int | None:
    """Validate ``max_cycles``: a whole number from 1 to AGENT_MAX_CYCLES_LIMIT."""
    if value is None:
        return None
    top = limits.max_cycles_limit
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= top:
        raise RequestError(
            f"Invalid request: 'max_cycles' must be a whole number from 1 to {top} "
            f"(got {value!r}; the server's limit is AGENT_MAX_CYCLES_LIMIT={top})"
        )
    return value


def parse_invoke(payload: dict, limits: Limits) -> InvokeRequest:
    """Validate an ``invoke`` payload; raises RequestError naming the problem."""
    prompt = payload.get("prompt")
    if not isinstance(prompt, str):
        kind = "missing" if prompt is None else f"got {type(prompt).__name__}"
        raise RequestError(f"Invalid request: 'prompt' must be a string ({kind})")
    if not prompt.strip():
        raise RequestError("Invalid request: 'prompt' is empty")
    if len(prompt) > limits.max_prompt_chars:
        raise RequestError(
            f"Invalid request: 'prompt' is too long ({len(prompt)} characters, "
            f"limit {limits.max_prompt_chars})"
        )
    check_text(prompt, "prompt")
    stream = _bool(payload, "stream", "")
    model_id = _optional_str(payload, "model_id", 512)
    return InvokeRequest(
        prompt=prompt,
        model_id=model_id.strip() if model_id and model_id.strip() else None,
        system_prompt=_optional_str(payload, "system_prompt", limits.max_system_prompt_chars),
        history=parse_history(payload.get("history"), limits),
        stream=bool(stream),
        tool_config=parse_tool_config(payload.get("tool_config")),
        max_cycles=parse_max_cycles(payload.get("max_cycles"), limits),
    )
