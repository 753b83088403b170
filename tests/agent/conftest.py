"""Agent test fixtures: ``agent/`` on sys.path, a clean agent environment per test."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import pytest

AGENT_DIR = Path(__file__).resolve().parents[2] / "agent"
if str(AGENT_DIR) not in sys.path:
    sys.path.insert(0, str(AGENT_DIR))

AGENT_ENV = (
    "SETTING_TABLE", "SESSION_TABLE", "OPENAI_API_KEY", "OPENAI_SECRET_ID", "OPENAI_BASE_URL",
    "GEMINI_API_KEY", "GEMINI_SECRET_ID", "DOCKER_CONTAINER", "AWS_EXECUTION_ENV",
    "BEDROCK_REGION", "AGENT_TIMEOUT_SECONDS", "MAX_PROMPT_CHARS", "MAX_HISTORY_MESSAGES",
    "MAX_HISTORY_CHARS", "LOG_DIR", "LOG_LEVEL", "OPEN_METEO_GEOCODING_URL",
    "OPEN_METEO_FORECAST_URL", "SEARCH_API_URL", "MEDIAWIKI_API_URL", "MAX_SLEEP_SECONDS",
)


@pytest.fixture(autouse=True)
def _agent_env(monkeypatch: pytest.MonkeyPatch):
    """No agent env leaks in; caches and logger state are reset around each test."""
    for key in AGENT_ENV:
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("LOG_TO_FILE", "false")
    loggers = [logging.getLogger(n) for n in ("genai", "agentcore_app")]
    saved = [(lg.handlers[:], lg.propagate, lg.level) for lg in loggers]
    _reset_agent_state()
    yield
    _reset_agent_state()
    for lg, (handlers, propagate, level) in zip(loggers, saved, strict=True):
        lg.handlers[:] = handlers
        lg.propagate = propagate
        lg.setLevel(level)


def _reset_agent_state() -> None:
    from genai import aws
    from genai.agents import keys

    aws.reset()
    keys.clear_cache()
    if "agentcore_app" in sys.modules:
        sys.modules["agentcore_app"].set_provider(None)


@pytest.fixture
def anyio_backend() -> str:
    """Async tests run on asyncio (what uvicorn and AgentCore use)."""
    return "asyncio"
