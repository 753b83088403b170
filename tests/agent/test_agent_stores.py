"""Settings and session tables through the moto server; API keys from Secrets Manager."""

from __future__ import annotations

import logging

import pytest
from agent_scripted import ScriptedModel, builder, text
from genai.agents import keys
from genai.agents.provider import AgentProvider, collect
from genai.request import InvokeRequest
from genai.store.sessions import SessionStore
from genai.store.settings import AgentSettings, SettingsStore


def make_table(aws, name: str, hash_key: str, range_key: str | None = None) -> None:
    schema = [{"AttributeName": hash_key, "KeyType": "HASH"}]
    attrs = [{"AttributeName": hash_key, "AttributeType": "S"}]
    if range_key:
        schema.append({"AttributeName": range_key, "KeyType": "RANGE"})
        attrs.append({"AttributeName": range_key, "AttributeType": "N"})
    aws.client("dynamodb").create_table(TableName=name, KeySchema=schema,
                                        AttributeDefinitions=attrs, BillingMode="PAY_PER_REQUEST")


def put_settings(aws, table: str = "aibox_setting", **fields) -> None:
    from boto3.dynamodb.types import TypeSerializer

    ser = TypeSerializer()
    item = {"setting_id": {"S": "agent"}, **{k: ser.serialize(v) for k, v in fields.items()}}
    aws.client("dynamodb").put_item(TableName=table, Item=item)


@pytest.mark.slow  # ~1 s or more: `-m slow` (CI runs it)
def test_settings_from_table_with_ttl_cache(aws):
    make_table(aws, "aibox_setting", "setting_id")
    put_settings(aws, default_model_id="amazon.nova-pro-v1:0", system_prompt="Be brief.",
                 tool_config={"legacy_tools": ["get_weather"], "mcp_tools_enabled": True},
                 mcp_servers=[{"name": "x", "command": "echo"}])
    now = [0.0]
    store = SettingsStore("aibox_setting", ttl_seconds=60, clock=lambda: now[0])
    first = store.get()
    assert first.default_model_id == "amazon.nova-pro-v1:0"
    assert first.system_prompt == "Be brief."
    assert first.tool_config.legacy_tools == ("get_weather",)
    assert first.tool_config.mcp_tools_enabled and first.tool_config.strands_tools_enabled
    assert first.mcp_servers == ({"name": "x", "command": "echo"},)
    put_settings(aws, default_model_id="gpt-4o")
    assert store.get() is first  # cached within the TTL
    now[0] = 61.0
    assert store.get().default_model_id == "gpt-4o"


@pytest.mark.slow  # 0.45 s or more: kept out of the everyday suite
def test_missing_settings_table_falls_back_with_a_clear_log(aws, caplog):
    caplog.set_level(logging.INFO, logger="genai")
    settings = SettingsStore("aibox_setting").get()
    assert settings == AgentSettings()
    assert "Settings: cannot read table 'aibox_setting' (ResourceNotFoundException); " \
           "using built-in defaults" in caplog.text


def test_unreachable_settings_falls_back(caplog):
    caplog.set_level(logging.INFO, logger="genai")
    assert SettingsStore("aibox_setting").get().source == "defaults"
    assert "using built-in defaults" in caplog.text


@pytest.mark.slow  # 0.45 s or more: kept out of the everyday suite
def test_sessions_load_append_bounded(aws):
    make_table(aws, "aibox_session", "session_id", "turn")
    store = SessionStore("aibox_session", max_turns=2)
    for i in range(3):
        assert store.append("s1", f"q{i}", f"a{i}", "m")
    assert store.load("s1") == [
        {"role": "user", "content": "q1"}, {"role": "assistant", "content": "a1"},
        {"role": "user", "content": "q2"}, {"role": "assistant", "content": "a2"},
    ]
    assert store.load("other") == []
    item = aws.client("dynamodb").scan(TableName="aibox_session")["Items"][0]
    assert set(item) == {"session_id", "turn", "user", "assistant", "model_id", "created_at",
                         "expires_at"}


@pytest.mark.anyio
async def test_provider_keeps_history_per_session(aws, monkeypatch):
    make_table(aws, "aibox_session", "session_id", "turn")
    monkeypatch.setenv("SESSION_TABLE", "aibox_session")
    model = ScriptedModel([text("Hello Ann.")], [text("You are Ann.")])
    provider = AgentProvider(model_builder=builder(model))
    off = {"enabled": False}
    await collect(provider.stream(InvokeRequest(prompt="I am Ann", tool_config=off), "s-1"))
    body = await collect(provider.stream(InvokeRequest(prompt="Who am I?", tool_config=off), "s-1"))
    assert body["status"] == "success"
    texts = [(m["role"], m["content"][0]["text"]) for m in model.calls[1]["messages"]]
    assert texts == [("user", "I am Ann"), ("assistant", "Hello Ann."), ("user", "Who am I?")]


def test_missing_session_table_never_breaks_a_request(aws, caplog):
    store = SessionStore("nope")
    assert store.load("s") == [] and store.append("s", "q", "a", "m") is False
    assert "Sessions: cannot read 'nope' (ResourceNotFoundException)" in caplog.text


def test_api_key_from_secret_cached_and_never_logged(aws, monkeypatch, caplog):
    caplog.set_level(logging.DEBUG, logger="genai")
    sm = aws.client("secretsmanager")
    sm.create_secret(Name="dev_openai_api", SecretString='{"api_key": "sk-secret-123"}')
    sm.create_secret(Name="dev_gemini_api", SecretString="gm-raw-456")
    monkeypatch.setenv("OPENAI_SECRET_ID", "dev_openai_api")
    monkeypatch.setenv("GEMINI_SECRET_ID", "dev_gemini_api")
    assert keys.api_key("openai") == "sk-secret-123"
    assert keys.api_key("gemini") == "gm-raw-456"
    sm.delete_secret(SecretId="dev_openai_api", ForceDeleteWithoutRecovery=True)
    assert keys.api_key("openai") == "sk-secret-123"  # cached
    assert "sk-secret-123" not in caplog.text and "gm-raw-456" not in caplog.text


def test_env_key_wins(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env")
    assert keys.api_key("openai") == "sk-env"


@pytest.mark.slow
@pytest.mark.anyio
@pytest.mark.parametrize(("model_id", "label"), [("gemini-2.5-flash", "Gemini"),
                                                   ("gpt-4o", "OpenAI")])
async def test_missing_key_is_the_guides_message(aws, monkeypatch, model_id, label):
    monkeypatch.setenv("GEMINI_SECRET_ID", "dev_gemini_api")  # secret absent in moto
    monkeypatch.setenv("OPENAI_SECRET_ID", "dev_openai_api")
    provider = AgentProvider()
    request = InvokeRequest(prompt="hi", model_id=model_id, stream=True)
    chunks = [c async for c in provider.stream(request)]
    assert chunks == [{"status": "error", "error": f"{label} API key not configured"}]


@pytest.mark.anyio
async def test_only_aws_region_set_reaches_tables_and_secrets(aws, monkeypatch):
    """botocore reads AWS_DEFAULT_REGION only; the agent passes AWS_REGION on itself."""
    make_table(aws, "aibox_setting", "setting_id")
    put_settings(aws, system_prompt="From the table.")
    make_table(aws, "aibox_session", "session_id", "turn")
    aws.client("secretsmanager").create_secret(Name="dev_openai_api", SecretString="sk-region")
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    monkeypatch.setenv("AWS_REGION", aws.region)
    monkeypatch.setenv("SETTING_TABLE", "aibox_setting")
    monkeypatch.setenv("SESSION_TABLE", "aibox_session")
    monkeypatch.setenv("OPENAI_SECRET_ID", "dev_openai_api")
    model = ScriptedModel([text("ok")])
    provider = AgentProvider(model_builder=builder(model))
    body = await collect(provider.stream(InvokeRequest(prompt="hi", tool_config={"enabled": False}),
                                         "s-region"))
    assert body["status"] == "success"
    assert model.calls[0]["system_prompt"] == "From the table."
    assert provider.sessions.load("s-region")[0] == {"role": "user", "content": "hi"}
    assert keys.api_key("openai", provider.env.region) == "sk-region"


def test_missing_key_outcome_is_cached_briefly(aws, monkeypatch, aws_calls):
    monkeypatch.setenv("GEMINI_SECRET_ID", "dev_gemini_api")  # absent at first
    now = [100.0]
    monkeypatch.setattr(keys, "_clock", lambda: now[0])
    for _ in range(3):
        with pytest.raises(keys.MissingKeyError, match="Gemini API key not configured"):
            keys.api_key("gemini")
    lookups = [c for c in aws_calls if c == ("secretsmanager", "GetSecretValue")]
    assert len(lookups) == 1
    aws.client("secretsmanager").create_secret(Name="dev_gemini_api", SecretString="gm-new")
    now[0] += keys.MISSING_KEY_TTL_SECONDS - 1
    with pytest.raises(keys.MissingKeyError):
        keys.api_key("gemini")
    now[0] += 2
    assert keys.api_key("gemini") == "gm-new"
