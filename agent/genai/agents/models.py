"""Model selection: provider routing, the capability table, streaming fallbacks."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace


class UnknownModelError(ValueError):
    """The model id matches no provider or model family the agent knows."""


@dataclass(frozen=True)
class Capabilities:
    """What a model family can do through the Converse/Chat APIs."""

    tool_use: bool
    streaming: bool
    streaming_with_tools: bool


FULL = Capabilities(tool_use=True, streaming=True, streaming_with_tools=True)
NO_STREAM_TOOLS = Capabilities(tool_use=True, streaming=True, streaming_with_tools=False)
TEXT_ONLY = Capabilities(tool_use=False, streaming=True, streaming_with_tools=False)

# Bedrock model families (id without the cross-region prefix), first match wins. Families
# marked NO_STREAM_TOOLS answer "This model doesn't support tool use in streaming mode."
BEDROCK_FAMILIES: tuple[tuple[str, Capabilities], ...] = (
    ("anthropic.claude", FULL),
    ("amazon.nova", FULL),
    ("cohere.command-r", FULL),
    ("mistral.mistral-large", NO_STREAM_TOOLS),
    ("mistral.pixtral", NO_STREAM_TOOLS),
    ("meta.llama3-1", NO_STREAM_TOOLS),
    ("meta.llama3-2-11b", NO_STREAM_TOOLS),
    ("meta.llama3-2-90b", NO_STREAM_TOOLS),
    ("meta.llama3-3", NO_STREAM_TOOLS),
    ("meta.llama4", NO_STREAM_TOOLS),
    ("ai21.jamba", NO_STREAM_TOOLS),
    ("writer.palmyra", NO_STREAM_TOOLS),
    ("qwen.", NO_STREAM_TOOLS),
    ("openai.gpt-oss", NO_STREAM_TOOLS),
    ("deepseek.", TEXT_ONLY),
    ("meta.llama", TEXT_ONLY),
    ("mistral.", TEXT_ONLY),
    ("amazon.titan-text", TEXT_ONLY),
)
_REGION_PREFIX = re.compile(r"^(?:global|us|eu|apac|jp|au|ca|us-gov)\.")
_OPENAI_PREFIXES = ("gpt-", "o1", "o3", "o4", "openai/")


@dataclass(frozen=True)
class ModelChoice:
    """The resolved model for one request and how it will be driven."""

    requested_id: str
    model_id: str
    provider: str
    capabilities: Capabilities
    streaming: bool = True
    tools_allowed: bool = True
    fallback: str | None = None

    def for_tools(self, wants_tools: bool) -> ModelChoice:
        """Apply the guide's fallback when the model cannot stream with tools."""
        caps = self.capabilities
        if not wants_tools or caps.streaming_with_tools:
            return self
        if caps.tool_use:
            return replace(self, streaming=False, fallback="non_streaming_model_calls")
        return replace(self, tools_allowed=False, fallback="tools_disabled")

    def metadata(self) -> dict[str, object]:
        """The model part of the response metadata (plain data)."""
        data: dict[str, object] = {"model_id": self.requested_id, "provider": self.provider}
        if self.fallback:
            data["fallback"] = self.fallback
            data["fallback_reason"] = (
                "model does not support tool use in streaming mode"
                if self.fallback == "non_streaming_model_calls"
                else "model does not support tool use"
            )
        return data


def resolve_model(model_id: str) -> ModelChoice:
    """Route a model id to its provider and capabilities; UnknownModelError otherwise."""
    lowered = model_id.lower()
    if lowered.startswith(_OPENAI_PREFIXES):
        name = model_id.split("/", 1)[1] if lowered.startswith("openai/") else model_id
        if not name:
            raise UnknownModelError(f"Unknown model id {model_id!r}")
        return ModelChoice(model_id, name, "openai", FULL)
    if lowered.startswith("gemini"):
        return ModelChoice(model_id, model_id, "gemini", FULL)
    if lowered.startswith("arn:aws"):
        # Inference-profile / provisioned ARNs: capability unknown, assume the best and let
        # the provider's runtime fallback handle a refusal.
        return ModelChoice(model_id, model_id, "bedrock", FULL)
    family = _REGION_PREFIX.sub("", lowered)
    for prefix, caps in BEDROCK_FAMILIES:
        if family.startswith(prefix):
            return ModelChoice(model_id, model_id, "bedrock", caps)
    raise UnknownModelError(
        f"Unknown model id {model_id!r}: expected a Bedrock model id (e.g. "
        "global.anthropic.claude-sonnet-4-6), an OpenAI id (gpt-*, o1*, o3*, o4*, openai/*) "
        "or a Gemini id (gemini*)"
    )


def is_streaming_tools_refusal(exc: BaseException) -> bool:
    """The Bedrock error for models that cannot use tools while streaming."""
    return "support tool use in streaming mode" in str(exc)
