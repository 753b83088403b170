"""Malformed, oversized and hostile requests: every one gets a ``status: error`` answer.

HTTP through the real BedrockAgentCoreApp in-process; WebSocket through Starlette's client.
"""

from __future__ import annotations

import json
import logging

import agentcore_app
import pytest
from agent_scripted import ScriptedModel, text
from starlette.testclient import TestClient
from test_agent_app import SLEEP_ONLY, invoke, sse, use_model

pytestmark = pytest.mark.anyio
DEEP = b"[" * 1000 + b"]" * 1000
DEEPER = b'{"prompt": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"


def assert_error_body(resp, status: int, needle: str) -> dict:
    assert resp.status_code == status
    assert resp.headers["content-type"].startswith("application/json")
    body = resp.json()
    assert body["status"] == "error" and needle in body["error"], body
    assert set(body) == {"response", "tool_calls", "metadata", "status", "error"}
    return body


def ws_exchange(frame: str | bytes) -> tuple[list[dict], int]:
    """Send one frame to /ws; return every message and the close code."""
    from starlette.websockets import WebSocketDisconnect

    messages: list[dict] = []
    with TestClient(agentcore_app.app) as tc, tc.websocket_connect("/ws") as ws:
        if isinstance(frame, bytes):
            ws.send_bytes(frame)
        else:
            ws.send_text(frame)
        try:
            while True:
                messages.append(ws.receive_json())
        except WebSocketDisconnect as closed:
            return messages, closed.code


# --- deep nesting (defect 4) -------------------------------------------------------------


@pytest.mark.parametrize("body", [DEEP, DEEPER], ids=["1000-levels", "100000-levels"])
async def test_deeply_nested_json_is_a_400_status_error(body):
    assert_error_body(await invoke(body), 400, "Invalid JSON: nested too deeply")


@pytest.mark.parametrize("frame", [DEEP.decode(), DEEPER.decode()], ids=["1000", "100000"])
def test_deeply_nested_json_over_websocket_is_an_error_chunk(frame):
    messages, code = ws_exchange(frame)
    assert messages == [{"status": "error", "error": "Invalid JSON: nested too deeply"}]
    assert code == 1000


def test_binary_websocket_frame_with_json_is_served():
    use_model(ScriptedModel([text("binary ok")]))
    frame = json.dumps({"prompt": "x", "tool_config": SLEEP_ONLY}).encode()
    messages, _ = ws_exchange(frame)
    assert {"text": "binary ok"} in messages
    assert messages[-1] == {"status": "complete", "event": "done"}


def test_binary_websocket_frame_that_is_not_text_is_an_error_chunk():
    messages, code = ws_exchange(b"\xff\xfe\x00junk")
    assert messages == [{"status": "error", "error":
                         "Invalid request: a binary message must hold UTF-8 JSON text"}]
    assert code == 1000


def test_malformed_websocket_json_is_an_error_chunk():
    messages, _ = ws_exchange("{not json")
    assert len(messages) == 1 and messages[0]["error"].startswith("Invalid JSON: ")


@pytest.mark.parametrize(
    ("body", "needle"),
    [(b'{"prompt": ', "Invalid JSON: "), (b'{"prompt": "\xff"}', "Invalid encoding: "),
     (b"", "Invalid JSON: ")],
    ids=["truncated", "not-utf8", "empty"],
)
async def test_malformed_bodies_are_400_status_errors(body, needle):
    assert_error_body(await invoke(body), 400, needle)


async def test_any_framework_failure_before_a_response_is_a_status_error(monkeypatch):
    """Whatever escapes the framework before it answers becomes JSON, not text/plain."""

    def broken(request):
        raise RuntimeError("context sk-****3a9c")

    monkeypatch.setattr(agentcore_app.app, "_build_request_context", broken)
    body = assert_error_body(await invoke({"prompt": "x"}), 500, "Internal error (RuntimeError)")
    assert "3a9c" not in json.dumps(body)


# --- body size (defect 11) -------------------------------------------------------------


async def test_oversized_body_refused_by_content_length_before_parsing(monkeypatch):
    monkeypatch.setenv("MAX_BODY_BYTES", "1000")
    parsed: list = []
    monkeypatch.setattr(agentcore_app, "dispatch", lambda *a, **k: parsed.append(a))
    body = json.dumps({"prompt": "x" * 2000}).encode()
    assert_error_body(await invoke(body), 413,
                      f"body too large ({len(body)} bytes, limit 1000 bytes; MAX_BODY_BYTES)")
    assert parsed == []


async def test_oversized_chunked_body_refused_while_reading(monkeypatch):
    """No Content-Length (chunked upload): the reader stops once the limit is passed."""
    import httpx

    monkeypatch.setenv("MAX_BODY_BYTES", "1000")
    sent: list[int] = []

    async def parts():
        for _ in range(50):
            sent.append(100)
            yield b" " * 100

    transport = httpx.ASGITransport(app=agentcore_app.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://agent") as c:
        resp = await c.post("/invocations", content=parts())
    assert_error_body(resp, 413, "body too large (more than 1000 bytes, limit 1000 bytes")
    assert sum(sent) < 50 * 100  # the rest of the upload was never read


async def test_default_body_limit_holds_the_largest_valid_request():
    """4 MiB: prompt + system prompt + history at their character limits, \\u-escaped."""
    from genai.config import max_body_bytes

    use_model(ScriptedModel([text("ok")]))
    payload = {"prompt": "\u00e9" * 100_000, "system_prompt": "\u00e9" * 20_000,
               "history": [{"role": "user", "content": "\u00e9" * 4000}] * 100,
               "tool_config": {"enabled": False}}
    body = json.dumps(payload).encode()  # ensure_ascii: 6 bytes per character
    assert len(body) <= max_body_bytes() == 4 * 1024 * 1024
    assert (await invoke(body)).json()["status"] == "success"


def test_oversized_websocket_message_is_an_error_chunk(monkeypatch):
    monkeypatch.setenv("MAX_BODY_BYTES", "1000")
    frame = json.dumps({"prompt": "\u00e9" * 600}, ensure_ascii=False)  # 614 chars, 1214 bytes
    messages, _ = ws_exchange(frame)
    assert messages == [{"status": "error", "error": "Invalid request: body too large "
                         f"({len(frame.encode())} bytes, limit 1000 bytes; MAX_BODY_BYTES)"}]


# --- lone surrogates (defect 5) ---------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"prompt": "abc\ud800"}, "'prompt' contains an invalid character at position 3"),
        ({"prompt": "x", "system_prompt": "\udfff"}, "'system_prompt' contains"),
        ({"prompt": "x", "history": [{"role": "user", "content": [{"text": "a\ud800"}]}]},
         "'history[0].content' contains an invalid character at position 1"),
        ({"prompt": "x", "model_id": "gpt-\ud800"}, "'model_id' contains"),
    ],
)
async def test_lone_surrogates_in_input_are_refused_by_field(payload, field):
    model = ScriptedModel([text("never")])
    use_model(model)
    body = await invoke(json.dumps(payload))  # ensure_ascii: sent as \\ud800 escapes
    error = body.json()["error"]
    assert field in error and "lone UTF-16 surrogate" in error
    assert model.calls == []
    chunks = sse((await invoke(json.dumps({**payload, "stream": True}))).text)
    assert len(chunks) == 1 and field in chunks[0]["error"]


async def test_a_rejection_quoting_a_lone_surrogate_stays_json():
    resp = await invoke(json.dumps({"prompt": "x", "tool_config": {"\ud800": True}}))
    assert resp.status_code == 200
    assert resp.json()["error"].startswith("Invalid request: unknown key 'tool_config.\ufffd'")


async def test_lone_surrogates_in_model_output_keep_the_response_format():
    use_model(ScriptedModel([text("bad \ud800 text")]))
    resp = await invoke({"prompt": "x", "tool_config": SLEEP_ONLY})
    assert resp.status_code == 200
    assert resp.json()["response"] == "bad \ufffd text" and resp.json()["status"] == "success"
    use_model(ScriptedModel([text("bad \ud800 text")]))
    chunks = sse((await invoke({"prompt": "x", "stream": True, "tool_config": SLEEP_ONLY})).text)
    assert {"text": "bad \ufffd text"} in chunks
    assert "metadata" in chunks[-2] and chunks[-1] == {"status": "complete", "event": "done"}


def test_lone_surrogates_in_model_output_over_websocket():
    use_model(ScriptedModel([text("\udc00!")]))
    messages, _ = ws_exchange(json.dumps({"prompt": "x", "tool_config": SLEEP_ONLY}))
    assert {"text": "\ufffd!"} in messages and messages[-1]["status"] == "complete"


# --- tool_config keys (defect 8) --------------------------------------------------------


@pytest.mark.parametrize(
    ("tool_config", "needle"),
    [
        ({"enable": False}, "unknown key 'tool_config.enable' (did you mean 'enabled'?)"),
        ({"legacy_tool": []}, "unknown key 'tool_config.legacy_tool' (did you mean "
                              "'legacy_tools'?)"),
        ({"zzz": 1}, "unknown key 'tool_config.zzz' (known keys: enabled, legacy_tools, "
                     "strands_tools_enabled, mcp_tools_enabled)"),
        ({"legacy_tools": ["get_wether"]}, "unknown tool 'get_wether' (did you mean "
                                           "'get_weather'?)"),
    ],
)
async def test_unknown_tool_config_keys_are_refused(tool_config, needle):
    model = ScriptedModel([text("never")])
    use_model(model)
    body = (await invoke({"prompt": "x", "tool_config": tool_config})).json()
    assert body["status"] == "error" and needle in body["error"]
    assert model.calls == []


# --- outcome logging (issue 6) ---------------------------------------------------------


async def test_a_failed_invocation_is_not_logged_as_a_success(caplog):
    from agent_scripted import fail
    from genai.logsetup import configure_logging

    configure_logging()
    logging.getLogger("agentcore_app").propagate = True  # let caplog see our line too
    use_model(ScriptedModel([fail(RuntimeError("model broke"))]))
    with caplog.at_level(logging.INFO):
        body = (await invoke({"prompt": "x", "tool_config": SLEEP_ONLY})).json()
    assert body["status"] == "error"
    lines = [(r.name, r.getMessage()) for r in caplog.records]
    assert ("agentcore_app", "Invocation failed: RuntimeError: model broke") in lines
    assert not [m for _, m in lines if "success" in m.lower()], lines
    caplog.clear()
    use_model(ScriptedModel([text("fine")]))
    with caplog.at_level(logging.INFO):
        await invoke({"prompt": "x", "stream": True, "tool_config": SLEEP_ONLY})
    assert ("agentcore_app", "Invocation succeeded") in [
        (r.name, r.getMessage()) for r in caplog.records]


# --- planted denials (issue 18 item 1) ---------------------------------------------------

PLANTED = ("User: arn:aws:sts::123456789012:assumed-role/r/s is not authorized to perform: "
           "iam:PutRolePolicy on resource: arn:aws:iam::123456789012:role/r")


async def test_client_text_is_never_logged_in_a_form_that_reads_as_a_denial(caplog):
    from aibox_ops.iam.logs import parse_denials

    logging.getLogger("agentcore_app").propagate = True
    with caplog.at_level(logging.INFO):
        body = (await invoke({"action": PLANTED})).json()
    assert body["status"] == "error"
    [line] = [r.getMessage() for r in caplog.records if "Rejected request" in r.getMessage()]
    assert parse_denials(line) == [] and not any(c.isspace() for c in line.split(": ", 1)[1])
    assert PLANTED in json.loads(line.split(": ", 1)[1])  # quoted, not lost
