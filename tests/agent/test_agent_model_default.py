"""The default model from what is configured (genai/model_default.py) and local session
history (genai/store/local_sessions.py), through the real provider and the real strands
OpenAIModel against a scripted OpenAI-compatible server on 127.0.0.1."""

from __future__ import annotations

import json
import logging

import pytest
from genai.agents.provider import AgentProvider
from genai.model_default import NOTHING_CONFIGURED, default_model, describe_default
from genai.request import InvokeRequest
from genai.store.local_sessions import FileSessionStore

from tests.openai_peer import OpenAIPeer

NO_TOOLS = {"enabled": False}
BEDROCK = "global.anthropic.claude-sonnet-4-6"


@pytest.mark.parametrize(("env", "model_id", "source"), [
    ({}, BEDROCK, "bedrock"),
    ({"AWS_PROFILE": "dev"}, BEDROCK, "bedrock"),
    ({"GEMINI_API_KEY": "g"}, "gemini-2.5-flash", "GEMINI_API_KEY"),
    ({"OPENAI_API_KEY": "k", "GEMINI_API_KEY": "g"}, "gpt-4.1-mini", "OPENAI_API_KEY"),
    ({"DEFAULT_MODEL_ID": "gemini-2.5-pro", "OPENAI_API_KEY": "k",
      "OPENAI_BASE_URL": "http://127.0.0.1:9/v1"}, "gemini-2.5-pro", "DEFAULT_MODEL_ID"),
    ({"DEFAULT_MODEL_ID": "  ", "GEMINI_API_KEY": "g"}, "gemini-2.5-flash", "GEMINI_API_KEY"),
])
def test_the_default_follows_what_is_configured(env, model_id, source):
    chosen = default_model(env)
    assert (chosen.model_id, chosen.source) == (model_id, source)


def test_an_openai_compatible_server_supplies_its_first_listed_model():
    with OpenAIPeer(models=("llama3.2", "qwen3")) as peer:
        env = {"OPENAI_BASE_URL": peer.url, "OPENAI_API_KEY": "any"}
        assert default_model(env, discover=False).model_id == "openai/?"  # not asked yet
        assert default_model(env).model_id == "openai/llama3.2"
        assert default_model(env).model_id == "openai/llama3.2"
        assert default_model(env, discover=False).model_id == "openai/llama3.2"
        assert peer.listed == 1  # asked once per process


def test_a_server_that_lists_nothing_falls_back_and_is_asked_again(caplog):
    env = {"OPENAI_BASE_URL": "http://127.0.0.1:9/v1"}
    caplog.set_level(logging.WARNING, "genai")
    assert default_model(env).model_id == "openai/gpt-4.1-mini"
    assert "http://127.0.0.1:9/v1/models listed no model" in caplog.text
    with OpenAIPeer(models=()) as peer:
        assert default_model({"OPENAI_BASE_URL": peer.url}).model_id == "openai/gpt-4.1-mini"
        assert peer.listed == 1


def test_nothing_configured_is_reported(monkeypatch):
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(key)
    assert describe_default({}) == {"model_id": BEDROCK, "source": "bedrock",
                                    "configured": False, "hint": NOTHING_CONFIGURED}
    assert describe_default({"GEMINI_API_KEY": "g"})["configured"] is True
    monkeypatch.setenv("AWS_PROFILE", "dev")
    assert describe_default()["configured"] is True  # Bedrock through the profile


@pytest.mark.anyio
@pytest.mark.slow  # ~1 s or more: `-m slow` (CI runs it)
async def test_a_prompt_alone_uses_the_configured_openai_compatible_server(monkeypatch):
    with OpenAIPeer(models=("llama3.2",)) as peer:
        monkeypatch.setenv("OPENAI_BASE_URL", peer.url)
        monkeypatch.setenv("OPENAI_API_KEY", "any")
        body = await AgentProvider().run(InvokeRequest(prompt="hi", tool_config=NO_TOOLS))
    assert body["status"] == "success", body
    assert body["response"] == "The time is noon."
    assert body["metadata"]["model_id"] == "openai/llama3.2"
    assert body["metadata"]["provider"] == "openai"
    assert peer.requests[0]["model"] == "llama3.2"


@pytest.mark.anyio
async def test_nothing_configured_fails_with_one_line_saying_what_to_set(monkeypatch):
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(key)
    body = await AgentProvider().run(InvokeRequest(prompt="hi", tool_config=NO_TOOLS))
    assert body["status"] == "error"
    assert body["error"] == NOTHING_CONFIGURED
    assert "\n" not in body["error"] and "OPENAI_BASE_URL" in body["error"]


@pytest.mark.anyio
async def test_an_explicit_bedrock_model_without_credentials_keeps_its_message(monkeypatch):
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(key)
    monkeypatch.setenv("GEMINI_API_KEY", "g")  # a model is configured, just not this one
    body = await AgentProvider().run(InvokeRequest(prompt="hi", model_id=BEDROCK,
                                                   tool_config=NO_TOOLS))
    assert body["error"].endswith(": no AWS credentials found"), body["error"]


def test_file_store_keeps_the_newest_turns_and_survives_a_broken_file(tmp_path):
    path = tmp_path / "local" / "sessions.json"
    store = FileSessionStore(path, max_turns=2)
    assert store.load("s1") == []
    for n in range(3):
        assert store.append("s1", f"q{n}", f"a{n}", "m")
    assert store.append("s2", "other", "answer", "m")
    assert store.load("s1") == [{"role": "user", "content": "q1"},
                                {"role": "assistant", "content": "a1"},
                                {"role": "user", "content": "q2"},
                                {"role": "assistant", "content": "a2"}]
    assert FileSessionStore(path, 2).load("s2")[0] == {"role": "user", "content": "other"}
    assert [p.name for p in path.parent.iterdir()] == ["sessions.json"]  # no temp file left
    path.write_text("{not json")
    assert store.load("s1") == []
    assert store.append("s1", "q", "a", "m") and len(store.load("s1")) == 2
    assert not FileSessionStore(path, max_turns=0).append("s1", "q", "a", "m")


@pytest.mark.slow  # 0.6 s or more: kept out of the everyday suite
@pytest.mark.anyio
async def test_session_history_without_aws_through_the_local_file(monkeypatch, tmp_path):
    path = tmp_path / "sessions.json"
    monkeypatch.setenv("SESSION_STORE_FILE", str(path))
    monkeypatch.setenv("SESSION_TABLE", "aibox_session")  # set, but the file wins
    sid = "conversation-" + "f" * 30
    with OpenAIPeer() as peer:
        monkeypatch.setenv("OPENAI_BASE_URL", peer.url)
        monkeypatch.setenv("OPENAI_API_KEY", "any")
        provider = AgentProvider()
        first = await provider.run(InvokeRequest(prompt="first", tool_config=NO_TOOLS), sid)
        second = await provider.run(InvokeRequest(prompt="second", tool_config=NO_TOOLS), sid)
        alone = await provider.run(InvokeRequest(prompt="no session", tool_config=NO_TOOLS))
    assert first["metadata"]["history_kept"] is True and second["status"] == "success"
    assert alone["metadata"]["history_kept"] is False
    sent = [m for m in peer.requests[1]["messages"] if m["role"] != "system"]
    assert [m["role"] for m in sent] == ["user", "assistant", "user"]
    turns = json.loads(path.read_text())["sessions"][sid]["turns"]
    assert [t["user"] for t in turns] == ["first", "second"]
