"""Legacy and built-in tools against local servers (and Stubber for Bedrock/Polly)."""

from __future__ import annotations

import asyncio
import base64
import io
import json
import os
import sys
from pathlib import Path

import pytest
from agent_http import LocalServer, json_route
from agent_scripted import ScriptedModel, builder, text, tool
from botocore.response import StreamingBody
from botocore.stub import ANY, Stubber
from genai import aws
from genai.agents.provider import AgentProvider, collect
from genai.request import InvokeRequest
from genai.tools import catalog
from genai.tools.search import search_internet, search_wikipedia
from genai.tools.weather import get_weather

GEO = {"results": [{"name": "Tokyo", "country": "Japan", "latitude": 35.69, "longitude": 139.69}]}
FORECAST = {
    "current": {"time": "2026-01-11T10:00", "temperature_2m": 8.5, "apparent_temperature": 6.1,
                "relative_humidity_2m": 40, "weather_code": 1, "wind_speed_10m": 12.0},
    "daily": {"time": ["2026-01-11"], "weather_code": [3], "temperature_2m_max": [10.0],
              "temperature_2m_min": [2.0], "precipitation_probability_max": [5]},
}


def test_get_weather_against_local_open_meteo(monkeypatch):
    routes = {"/v1/search": json_route(GEO), "/v1/forecast": json_route(FORECAST)}
    with LocalServer(routes) as server:
        monkeypatch.setenv("OPEN_METEO_GEOCODING_URL", f"{server.url}/v1/search")
        monkeypatch.setenv("OPEN_METEO_FORECAST_URL", f"{server.url}/v1/forecast")
        out = get_weather("Tokyo, Japan")
    assert out.splitlines() == [
        "Weather in Tokyo, Japan at 2026-01-11T10:00 (local time):",
        "mainly clear, 8.5 °C (feels like 6.1 °C), humidity 40 %, wind 12.0 km/h.",
        "2026-01-11: overcast, 2.0–10.0 °C, precipitation chance 5 %",
    ]
    (_, _, geo_query), (_, _, forecast_query) = server.requests
    assert geo_query["name"] == "Tokyo"
    assert forecast_query["latitude"] == "35.69" and forecast_query["timezone"] == "auto"


def test_get_weather_unknown_place(monkeypatch):
    with LocalServer({"/v1/search": json_route({})}) as server:
        monkeypatch.setenv("OPEN_METEO_GEOCODING_URL", f"{server.url}/v1/search")
        assert get_weather("Atlantis") == "No place called 'Atlantis' was found."


def test_search_internet_against_local_api(monkeypatch):
    data = {"Heading": "Python", "AbstractText": "A language.", "AbstractURL": "https://x/py",
            "RelatedTopics": [{"Text": "PyPI", "FirstURL": "https://pypi.org"},
                              {"Topics": [{"Text": "CPython", "FirstURL": "https://c"}]}]}
    with LocalServer({"/": json_route(data)}) as server:
        monkeypatch.setenv("SEARCH_API_URL", f"{server.url}/")
        out = search_internet("python", max_results=5)
    assert out.splitlines() == ["Python: A language.", "Source: https://x/py",
                                "- PyPI (https://pypi.org)", "- CPython (https://c)"]
    assert server.requests[0][2]["q"] == "python"


def test_search_wikipedia_against_local_mediawiki(monkeypatch):
    data = {"query": {"pages": [
        {"index": 2, "title": "B", "extract": "Second.", "fullurl": "https://w/B"},
        {"index": 1, "title": "A", "extract": "First\n  one.", "fullurl": "https://w/A"}]}}
    with LocalServer({"/w/api.php": json_route(data)}) as server:
        monkeypatch.setenv("MEDIAWIKI_API_URL", f"{server.url}/w/api.php")
        out = search_wikipedia("letters", max_results=50)
    assert out == "## A\nFirst one.\nhttps://w/A\n\n## B\nSecond.\nhttps://w/B"
    query = server.requests[0][2]
    assert query["gsrsearch"] == "letters" and query["gsrlimit"] == "10"


def test_service_error_becomes_tool_error(monkeypatch):
    with LocalServer({}) as server:
        monkeypatch.setenv("SEARCH_API_URL", f"{server.url}/missing")
        with pytest.raises(RuntimeError, match="HTTP 404"):
            search_internet("x")


def _stub_image(png: bytes) -> Stubber:
    client = aws.client("bedrock-runtime", "us-east-1", read_timeout=120)
    stub = Stubber(client)
    payload = json.dumps({"images": [base64.b64encode(png).decode()]}).encode()
    stub.add_response(
        "invoke_model",
        {"body": StreamingBody(io.BytesIO(payload), len(payload)),
         "contentType": "application/json"},
        {"modelId": "amazon.nova-canvas-v1:0", "body": ANY,
         "contentType": "application/json", "accept": "application/json"},
    )
    return stub


@pytest.mark.anyio
async def test_generate_image_goes_to_the_client_not_the_model():
    png = b"\x89PNG fake image bytes"
    model = ScriptedModel([tool("generate_image", "img1", {"prompt": "a cat"})], [text("Here.")])
    provider = AgentProvider(model_builder=builder(model))
    request = InvokeRequest(prompt="draw", tool_config={"legacy_tools": ("generate_image",),
                                                         "strands_tools_enabled": False})
    with _stub_image(png) as stub:
        body = await collect(provider.stream(request))
        stub.assert_no_pending_responses()
    call = body["tool_calls"][0]
    assert call["status"] == "completed"
    expected_url = "data:image/png;base64," + base64.b64encode(png).decode()
    assert call["result"] == (f"Generated a 512x512 PNG image ({len(png)} bytes); it is shown "
                              f"to the user.\n![generated image]({expected_url})")
    tool_result = model.calls[1]["messages"][-1]["content"][0]["toolResult"]
    assert "base64" not in json.dumps(tool_result)


@pytest.mark.anyio
async def test_speak_uses_polly():
    client = aws.client("polly")
    model = ScriptedModel([tool("speak", "s1", {"text": "hi"})], [text("Done")])
    provider = AgentProvider(model_builder=builder(model))
    request = InvokeRequest(prompt="say hi", tool_config={"legacy_tools": ("speak",),
                                                           "strands_tools_enabled": False})
    with Stubber(client) as stub:
        stub.add_response(
            "synthesize_speech",
            {"AudioStream": StreamingBody(io.BytesIO(b"ID3mp3"), 6), "ContentType": "audio/mpeg"},
            {"Engine": "neural", "OutputFormat": "mp3", "Text": "hi", "VoiceId": "Joanna"},
        )
        body = await collect(provider.stream(request))
    result = body["tool_calls"][0]["result"]
    assert result.endswith("[speech (mp3)](data:audio/mpeg;base64,SUQzbXAz)")


@pytest.mark.slow  # ~1 s or more: `-m slow` (CI runs it)
def test_every_catalogued_tool_loads_with_its_guide_name(monkeypatch):
    monkeypatch.setenv("BYPASS_TOOL_CONSENT", "unset")  # recorded, so teardown restores it
    monkeypatch.delenv("BYPASS_TOOL_CONSENT")
    for name in catalog.LEGACY_TOOLS + catalog.STRANDS_TOOLS:
        loaded = catalog.load_tool(name)
        assert loaded.tool_name == name
    assert os.environ["BYPASS_TOOL_CONSENT"] == "true"


def test_only_enabled_tools_are_imported():
    assert catalog.select_tools(False, ["get_weather"], True) == []
    assert catalog.select_tools(True, ["sleep"], False) == ["sleep"]
    assert catalog.select_tools(True, [], True) == list(catalog.STRANDS_TOOLS)


def test_sleep_is_bounded():
    from genai.tools.pause import sleep

    with pytest.raises(ValueError, match="exceeds maximum of 60.0"):
        asyncio.run(sleep(61))


def test_sleep_bound_is_read_when_used_and_a_bad_value_falls_back(monkeypatch, caplog):
    monkeypatch.setenv("MAX_SLEEP_SECONDS", "5")
    with pytest.raises(ValueError, match="exceeds maximum of 5.0"):
        asyncio.run(catalog.load_tool("sleep")(6))
    monkeypatch.setenv("MAX_SLEEP_SECONDS", "five")
    for _ in range(3):
        with pytest.raises(ValueError, match="exceeds maximum of 60.0"):
            asyncio.run(catalog.load_tool("sleep")(61))
    warnings = [r for r in caplog.records if "MAX_SLEEP_SECONDS" in r.getMessage()]
    assert len(warnings) == 1 and "'five'" in warnings[0].getMessage()


def test_mcp_servers_from_settings_become_clients(caplog):
    from genai.tools.mcp import mcp_clients
    from strands.tools.mcp import MCPClient

    clients = mcp_clients([
        {"name": "local", "transport": "stdio", "command": "python", "args": ["-m", "srv"]},
        {"name": "remote", "url": "http://127.0.0.1:9/mcp"},
        {"name": "broken", "transport": "sse"},
    ])
    assert len(clients) == 2 and all(isinstance(c, MCPClient) for c in clients)
    assert "MCP server 'broken' skipped" in caplog.text


class FixedSettings:
    """A settings store answering fixed settings (no table involved)."""

    def __init__(self, **fields) -> None:
        from genai.store.settings import AgentSettings

        self.settings = AgentSettings(**fields)

    def get(self):
        return self.settings


MCP_ONLY = {"enabled": True, "legacy_tools": [], "strands_tools_enabled": False,
            "mcp_tools_enabled": True}
DEMO_SERVER = {"name": "demo", "command": sys.executable,
               "args": [str(Path(__file__).with_name("mcp_demo_server.py"))]}


@pytest.fixture
def mcp_failures():
    from genai.tools import mcp

    mcp.clear_failures()
    yield
    mcp.clear_failures()


@pytest.mark.anyio
@pytest.mark.slow  # ~1 s or more: `-m slow` (CI runs it)
async def test_a_broken_mcp_server_is_skipped_and_reported(caplog, mcp_failures):
    servers = (
        DEMO_SERVER,
        {"name": "missing-binary", "command": "/nonexistent/bin/mcp",
         "env": {"API_TOKEN": "tok-secret-123"}},
        {"name": "refused", "url": "http://127.0.0.1:9/mcp",
         "headers": {"Authorization": "Bearer hdr-secret-456"}},
    )
    model = ScriptedModel([tool("add", "a1", {"a": 2, "b": 3})], [text("five")])
    provider = AgentProvider(settings=FixedSettings(mcp_servers=servers),
                             model_builder=builder(model))
    chunks = [c async for c in provider.stream(InvokeRequest(prompt="x", tool_config=MCP_ONLY))]
    assert model.calls[0]["tools"] == ["add"]
    assert [c["tool_use"]["status"] for c in chunks if "tool_use" in c] == ["running",
                                                                            "completed"]
    assert chunks[2]["tool_use"]["result"] == "5"
    assert chunks[-1] == {"status": "complete", "event": "done"}
    errors = chunks[-2]["metadata"]["mcp_errors"]
    assert [e["server"] for e in errors] == ["missing-binary", "refused"]
    assert "/nonexistent/bin/mcp" in errors[0]["error"]
    dumped = json.dumps(chunks)
    assert " at 0x" not in dumped and "MCPClient object" not in dumped
    assert "secret" not in dumped and "secret" not in caplog.text
    assert "MCP server 'missing-binary' skipped" in caplog.text
    assert "MCP server 'refused' skipped" in caplog.text


@pytest.mark.anyio
@pytest.mark.slow  # ~1 s or more: `-m slow` (CI runs it)
async def test_a_stdio_server_starts_when_mcp_was_first_imported_under_another_stderr(
        monkeypatch, mcp_failures):
    """mcp binds ``errlog=sys.stderr`` at its first import; imported while stderr was a
    stream with no file descriptor (a test's capture, a logging wrapper), every stdio server
    failed with ``UnsupportedOperation: fileno``. The agent names the real stderr itself."""
    from mcp.client import stdio

    monkeypatch.setattr(stdio.stdio_client.__wrapped__, "__defaults__", (io.StringIO(),))
    model = ScriptedModel([tool("add", "a1", {"a": 2, "b": 3})], [text("five")])
    provider = AgentProvider(settings=FixedSettings(mcp_servers=(DEMO_SERVER,)),
                             model_builder=builder(model))
    body = await collect(provider.stream(InvokeRequest(prompt="x", tool_config=MCP_ONLY)))
    assert model.calls[0]["tools"] == ["add"], body
    assert body["status"] == "success" and body["response"] == "five"


@pytest.mark.anyio
@pytest.mark.slow  # ~1 s or more: `-m slow` (CI runs it)
async def test_a_hanging_mcp_server_is_skipped_after_its_startup_timeout(
        monkeypatch, mcp_failures):
    monkeypatch.setenv("MCP_STARTUP_TIMEOUT_SECONDS", "1")
    hung = {"name": "hung", "command": sys.executable,
            "args": ["-c", "import time; time.sleep(3)"]}
    model = ScriptedModel([text("no tools")])
    provider = AgentProvider(settings=FixedSettings(mcp_servers=(hung,)),
                             model_builder=builder(model))
    request = InvokeRequest(prompt="x", tool_config=MCP_ONLY)
    body = await collect(provider.stream(request))
    assert body["status"] == "success" and body["response"] == "no tools"
    assert body["metadata"]["mcp_errors"][0]["server"] == "hung"
    assert "1 seconds" in body["metadata"]["mcp_errors"][0]["error"]
    # Remembered for a while: the next request does not start it again.
    again = await collect(provider.stream(request))
    assert again["metadata"]["mcp_errors"] == body["metadata"]["mcp_errors"]


def test_error_text_never_carries_object_reprs():
    from genai.agents.chunks import error_chunk
    from genai.agents.errors import describe_error

    raw = "Failed to load tool <strands.tools.mcp.mcp_client.MCPClient object at 0x7f05af9d7550>"
    assert error_chunk(raw + ": boom") == {"status": "error",
                                           "error": "Failed to load tool MCPClient: boom"}
    assert describe_error(ValueError(raw)) == "ValueError: Failed to load tool MCPClient"
    assert describe_error(ValueError("<function f at 0xdeadbeef>")) == "ValueError: f"
