"""The invoke client library: SSE/JSON parsing, the local route and InvokeAgentRuntime
through a local HTTP peer (SigV4 or bearer, session id, qualifier, live chunks)."""

from __future__ import annotations

import threading

import pytest

from aibox_ops.aws import open_session
from aibox_ops.errors import AgentError, AwsError, ConfigError
from aibox_ops.invoke import (
    build_invoke_params,
    invoke_local,
    invoke_runtime,
    new_session_id,
    session_id_problem,
)
from aibox_ops.invoke.sse import parse_event_stream, parse_json_body
from tests.invoke_peer import InvokePeer

ARN = "arn:aws:bedrock-agentcore:ap-southeast-1:123456789012:runtime/my_aibox_agent-AbC123"
CHUNKS = [{"text": ""}, {"tool_use": {"name": "current_time", "status": "running",
                                      "tool_use_id": "t1"}},
          {"text": "It is "}, {"text": "noon."}, {"status": "complete", "event": "done"}]


def test_sse_events_split_anywhere_and_json_strings():
    blocks = [b'data: {"a"', b': 1}\n', b'\nda', b'ta: "hi"\r\n\r\n: note\n\ndata: {"b": 2}']
    assert list(parse_event_stream(blocks)) == [{"a": 1}, {"text": "hi"}, {"b": 2}]


def test_sse_multi_line_data_joined_and_non_json_kept_raw():
    blocks = [b'data: {"a":\ndata: 1}\n\ndata: oops\n\n']
    assert list(parse_event_stream(blocks)) == [{"a": 1}, {"raw": "oops"}]


def test_json_body_is_one_dict():
    assert parse_json_body(b'{"response": "x"}') == {"response": "x"}
    assert parse_json_body(b"") == {}


def test_new_session_ids_are_valid_and_distinct():
    ids = {new_session_id() for _ in range(50)}
    assert len(ids) == 50
    assert all(len(i) >= 33 and session_id_problem(i) is None for i in ids)
    assert "33-256" in session_id_problem("short")
    assert "visible ASCII" in session_id_problem("x" * 30 + " has spaces")


def test_local_stream_arrives_live_with_session_header():
    hold = threading.Event()
    with InvokePeer(chunks=CHUNKS, hold=hold) as peer:
        sid = new_session_id()
        chunks = invoke_local(peer.url, {"prompt": "hi", "stream": True}, session_id=sid)
        assert next(chunks) == {"text": ""}  # before the peer sends the rest
        hold.set()
        assert list(chunks) == CHUNKS[1:]
        seen = peer.seen[0]
    assert seen.path == "/invocations"
    assert seen.headers["x-amzn-bedrock-agentcore-runtime-session-id"] == sid
    assert seen.payload == {"prompt": "hi", "stream": True}


def test_local_json_reply_is_one_chunk():
    with InvokePeer(chunks=CHUNKS) as peer:
        assert list(invoke_local(peer.url + "/", {"prompt": "hi"})) == [
            {"response": "It is noon.", "status": "success"}]
        assert len(peer.seen[0].headers["x-amzn-bedrock-agentcore-runtime-session-id"]) >= 33


def test_local_http_error_and_nothing_listening():
    with InvokePeer(status=500) as peer:
        with pytest.raises(AgentError, match="HTTP 500: scripted failure"):
            list(invoke_local(peer.url, {"prompt": "hi"}))
        url = peer.url
    with pytest.raises(AgentError, match="no agent answers") as caught:
        list(invoke_local(url, {"prompt": "hi"}))
    assert "deploy --local" in caught.value.hint


def test_runtime_sigv4_stream_through_local_peer(monkeypatch):
    hold = threading.Event()
    with InvokePeer(chunks=CHUNKS, hold=hold) as peer:
        monkeypatch.setenv("AWS_ENDPOINT_URL", peer.url)

        sid = new_session_id()
        chunks = invoke_runtime(open_session("ap-southeast-1"), ARN,
                                  {"prompt": "hi", "stream": True},
                                session_id=sid)
        assert next(chunks) == {"text": ""}
        hold.set()
        assert list(chunks) == CHUNKS[1:]
        seen = peer.seen[0]
    assert seen.path == f"/runtimes/{ARN}/invocations"
    assert seen.query == {"qualifier": "DEFAULT"}
    assert seen.headers["x-amzn-bedrock-agentcore-runtime-session-id"] == sid
    auth = seen.headers["authorization"]
    assert auth.startswith("AWS4-HMAC-SHA256 Credential=testing/")
    assert "/ap-southeast-1/bedrock-agentcore/aws4_request" in auth
    assert "x-amz-date" in seen.headers and "x-amz-security-token" in seen.headers
    assert seen.payload == {"prompt": "hi", "stream": True}


def test_runtime_bearer_token_unsigned_json_reply(monkeypatch):
    with InvokePeer(chunks=CHUNKS) as peer:
        monkeypatch.setenv("AWS_ENDPOINT_URL", peer.url)

        reply = list(invoke_runtime(open_session("ap-southeast-1"), ARN, {"prompt": "hi"},
                                    qualifier="blue", bearer_token="tok.en.jwt"))
        seen = peer.seen[0]
    assert reply == [{"response": "It is noon.", "status": "success"}]
    assert seen.headers["authorization"] == "Bearer tok.en.jwt"
    assert "x-amz-date" not in seen.headers
    assert seen.query == {"qualifier": "blue"}


@pytest.mark.slow  # 0.45 s or more: kept out of the everyday suite
def test_runtime_error_reply_is_aws_error(monkeypatch):
    with InvokePeer(status=403) as peer:
        monkeypatch.setenv("AWS_ENDPOINT_URL", peer.url)

        with pytest.raises(AwsError, match="could not invoke the runtime"):
            list(invoke_runtime(open_session("ap-southeast-1"), ARN, {"prompt": "hi"}))


def test_params_checked_against_botocore_model():
    params = build_invoke_params(ARN, {"prompt": "hi"}, new_session_id())
    assert params["runtimeSessionId"].startswith("aibox-")
    with pytest.raises(ConfigError, match="runtime ARN"):
        build_invoke_params("arn:aws:lambda:x", {}, new_session_id())
    with pytest.raises(ConfigError, match="33-256"):
        build_invoke_params(ARN, {}, "too-short")
    from aibox_ops.aws.validate import InvalidRequestError, check_request, validate_request

    assert validate_request("bedrock-agentcore", "InvokeAgentRuntime", params) == []
    with pytest.raises(InvalidRequestError, match="runtimeSessionId"):
        check_request("bedrock-agentcore", "InvokeAgentRuntime",
                      {"agentRuntimeArn": ARN, "payload": b"{}", "runtimeSessionId": "x"})


@pytest.mark.parametrize("route", ["local", "runtime"])
def test_a_stream_without_its_final_status_chunk_is_an_error(monkeypatch, route):

    chunks = [{"text": ""}, {"text": "It is "}]
    with InvokePeer(chunks=chunks) as peer:
        monkeypatch.setenv("AWS_ENDPOINT_URL", peer.url)
        got = (invoke_local(peer.url, {"prompt": "hi", "stream": True}) if route == "local"
               else invoke_runtime(open_session("ap-southeast-1"), ARN,
                                  {"prompt": "hi", "stream": True}))
        seen = []
        with pytest.raises(AgentError) as caught:
            for chunk in got:
                seen.append(chunk)
    assert seen == chunks  # every chunk is still handed on first
    who = "the agent" if route == "local" else "the runtime"
    assert caught.value.message == (
        f"{who}'s stream ended without its final status chunk (after 2 chunks); the answer "
        "may be incomplete")


@pytest.mark.parametrize("route", ["local", "runtime"])
def test_a_broken_stream_is_named_plainly(monkeypatch, route):

    with InvokePeer(chunks=CHUNKS, drop_after=2) as peer:
        monkeypatch.setenv("AWS_ENDPOINT_URL", peer.url)
        got = (invoke_local(peer.url, {"prompt": "hi", "stream": True}) if route == "local"
               else invoke_runtime(open_session("ap-southeast-1"), ARN,
                                  {"prompt": "hi", "stream": True}))
        with pytest.raises(AgentError) as caught:
            list(got)
    who = "the agent" if route == "local" else "the runtime"
    assert caught.value.message == (
        f"{who}'s stream broke off: the connection closed before the stream ended; the answer "
        "is incomplete")
    assert "IncompleteRead" not in caught.value.message
