"""Agent test fixtures: ``agent/`` on sys.path, a clean agent environment per test."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from agent_paths import AGENT_DIR, manifest_operations  # noqa: E402

if str(AGENT_DIR) not in sys.path:
    sys.path.insert(0, str(AGENT_DIR))

AGENT_ENV = (
    "SETTING_TABLE", "SESSION_TABLE", "OPENAI_API_KEY", "OPENAI_SECRET_ID", "OPENAI_BASE_URL",
    "GEMINI_API_KEY", "GEMINI_SECRET_ID", "DOCKER_CONTAINER", "AWS_EXECUTION_ENV",
    "BEDROCK_REGION", "AGENT_TIMEOUT_SECONDS", "MAX_PROMPT_CHARS", "MAX_HISTORY_MESSAGES",
    "MAX_HISTORY_CHARS", "LOG_DIR", "LOG_LEVEL", "OPEN_METEO_GEOCODING_URL",
    "OPEN_METEO_FORECAST_URL", "SEARCH_API_URL", "MEDIAWIKI_API_URL", "MAX_SLEEP_SECONDS",
    "TOOL_TIMEOUT_SECONDS", "TOOL_CPU_SECONDS", "TOOL_MEMORY_MB", "TOOL_WORKERS",
    "WS_IDLE_TIMEOUT_SECONDS", "SHUTDOWN_GRACE_SECONDS",
    "MAX_BODY_BYTES", "MAX_SYSTEM_PROMPT_CHARS", "MODEL_RETRY_ATTEMPTS",
    "MODEL_RETRY_DELAY_SECONDS", "MODEL_READ_TIMEOUT_SECONDS", "GOOGLE_GEMINI_BASE_URL",
    "DEFAULT_MODEL_ID", "SESSION_STORE_FILE",
)


@pytest.fixture(autouse=True)
def aws_calls(monkeypatch: pytest.MonkeyPatch):
    """Record every AWS operation agent code makes; fail the test on one the manifest lacks.

    Hooks botocore's ``before-call`` event on each session genai.aws creates, so calls made
    by strands (BedrockModel) from our sessions are seen too.
    """
    from genai import aws

    calls: list[tuple[str, str]] = []
    original = aws._new_session

    def recording_session(region):
        session = original(region)

        def record(model, **_):
            calls.append((model.service_model.service_name, model.name))

        session.events.register("before-call", record)
        return session

    monkeypatch.setattr(aws, "_new_session", recording_session)
    yield calls
    undeclared = sorted(set(calls) - manifest_operations())
    if undeclared:
        pytest.fail(f"agent/permissions.json does not declare AWS calls made: {undeclared}")


@pytest.fixture(autouse=True)
def _agent_env(monkeypatch: pytest.MonkeyPatch):
    """No agent env leaks in; caches and logger state are reset around each test."""
    for key in AGENT_ENV:
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("LOG_TO_FILE", "false")
    # The background warm-up (imports, a sandbox worker) is tested on its own, in a subprocess.
    monkeypatch.setenv("AGENT_WARMUP", "false")
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
    from genai import aws, model_default
    from genai.agents import keys

    aws.reset()
    keys.clear_cache()
    model_default.reset()
    if "genai.tools.sandbox" in sys.modules:  # tool worker processes, limits from env
        sys.modules["genai.tools.sandbox"].reset()
    if "agentcore_app" in sys.modules:
        sys.modules["agentcore_app"].set_provider(None)


@pytest.fixture
def server_url():
    """agentcore_app.app served by uvicorn on 127.0.0.1 (ephemeral port), in a thread."""
    import agentcore_app

    from tests.helpers import serve_app

    with serve_app(agentcore_app.app, ws="websockets") as url:
        yield url


@pytest.fixture
def anyio_backend() -> str:
    """Async tests run on asyncio (what uvicorn and AgentCore use)."""
    return "asyncio"
