"""Environment-derived configuration, read once per call (cheap, no imports)."""

from __future__ import annotations

import os
from dataclasses import dataclass

DEFAULT_MODEL_ID = "global.anthropic.claude-sonnet-4-6"


def _int(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        return default


def _float(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


def model_read_timeout() -> float:
    """MODEL_READ_TIMEOUT_SECONDS (120): read timeout of every model client."""
    value = _float("MODEL_READ_TIMEOUT_SECONDS", 120.0)
    return value if value > 0 else 120.0


def default_region() -> str:
    """AWS_REGION, else AWS_DEFAULT_REGION, else the guide's ap-southeast-1.

    botocore itself only reads AWS_DEFAULT_REGION (and config files), so every client the
    agent creates is given this region explicitly.
    """
    return (
        os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "ap-southeast-1"
    )


def in_container() -> bool:
    """True inside the AgentCore container (the guide's two markers)."""
    return bool(os.environ.get("DOCKER_CONTAINER") or os.environ.get("AWS_EXECUTION_ENV"))


DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024
# Model-tool cycles: strands recurses once per cycle, so far past ~200 cycles Python's
# recursion limit ends a run ("maximum recursion depth exceeded"); no setting goes above this.
HARD_MAX_CYCLES = 100


def max_body_bytes() -> int:
    """MAX_BODY_BYTES (4 MiB): the largest request body (HTTP) or message (WebSocket) read.

    The default holds the largest request the other limits allow (100 000 + 20 000 + 400 000
    characters) even when every character arrives JSON-escaped as ``\\uXXXX`` (6 bytes).
    """
    value = _int("MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES)
    return value if value > 0 else DEFAULT_MAX_BODY_BYTES


@dataclass(frozen=True)
class Limits:
    """Bounds on what one request may ask for."""

    max_prompt_chars: int
    max_system_prompt_chars: int
    max_history_messages: int
    max_history_chars: int
    timeout_seconds: float
    max_cycles: int = 25
    max_cycles_limit: int = 50

    @classmethod
    def from_env(cls) -> Limits:
        """Read the limits from the environment (documented in docs/agent.md)."""
        return cls(
            max_prompt_chars=_int("MAX_PROMPT_CHARS", 100_000),
            max_system_prompt_chars=_int("MAX_SYSTEM_PROMPT_CHARS", 20_000),
            max_history_messages=_int("MAX_HISTORY_MESSAGES", 100),
            max_history_chars=_int("MAX_HISTORY_CHARS", 400_000),
            timeout_seconds=_float("AGENT_TIMEOUT_SECONDS", 900.0),
            **cycle_limits(),
        )


def _positive(name: str, default: int) -> int:
    value = _int(name, default)
    return min(value, HARD_MAX_CYCLES) if value > 0 else default


def cycle_limits() -> dict[str, int]:
    """AGENT_MAX_CYCLES (25): model-tool cycles a request gets unless it asks for fewer or
    more (``max_cycles``); AGENT_MAX_CYCLES_LIMIT (50): the most a request may ask for.

    A cycle is one model call plus the tools it asked for. Invalid or non-positive values
    mean the default; values above HARD_MAX_CYCLES (100) mean 100; the default never exceeds
    the limit.
    """
    limit = _positive("AGENT_MAX_CYCLES_LIMIT", 50)
    return {"max_cycles": min(_positive("AGENT_MAX_CYCLES", 25), limit),
            "max_cycles_limit": limit}


@dataclass(frozen=True)
class AgentEnv:
    """AWS resources and regions the agent uses, all from container env vars."""

    region: str
    bedrock_region: str
    setting_table: str
    session_table: str
    openai_secret_id: str
    gemini_secret_id: str
    settings_ttl_seconds: float
    session_max_turns: int
    session_ttl_days: int

    @classmethod
    def from_env(cls) -> AgentEnv:
        """Read resource names; an unset table or secret env var turns that feature off."""
        return cls(
            region=default_region(),
            bedrock_region=os.environ.get("BEDROCK_REGION") or "us-west-2",
            setting_table=os.environ.get("SETTING_TABLE", ""),
            session_table=os.environ.get("SESSION_TABLE", ""),
            openai_secret_id=os.environ.get("OPENAI_SECRET_ID", ""),
            gemini_secret_id=os.environ.get("GEMINI_SECRET_ID", ""),
            settings_ttl_seconds=_float("SETTINGS_TTL_SECONDS", 60.0),
            session_max_turns=_int("SESSION_MAX_TURNS", 20),
            session_ttl_days=_int("SESSION_TTL_DAYS", 30),
        )
