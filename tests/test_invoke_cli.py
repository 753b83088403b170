"""aibox-ops invoke: live rendering, --no-stream, --json lines, errors; the AWS route
through a local InvokeAgentRuntime peer (SigV4, session id, runtime ARN from deploy state)."""

from __future__ import annotations

import json

import pytest

from aibox_ops.errors import ExitCode
from tests.helpers import invoke, make_project
from tests.invoke_peer import InvokePeer

ARN = "arn:aws:bedrock-agentcore:ap-southeast-1:123456789012:runtime/demo-AbC123"
CHUNKS = [
    {"text": ""},
    {"thinking": "the user wants the time"},
    {"tool_use": {"name": "current_time", "params": {"tz": "UTC"}, "status": "running",
                  "result": None, "tool_use_id": "t1"}},
    {"tool_use": {"name": "current_time", "params": {"tz": "UTC"}, "status": "completed",
                  "result": "12:00", "tool_use_id": "t1"}},
    {"text": "It is "}, {"text": "noon."},
    {"metadata": {"model_id": "openai/local", "provider": "openai", "duration_ms": 1234,
                  "usage": {"inputTokens": 7, "outputTokens": 3, "totalTokens": 10}}},
    {"status": "complete", "event": "done"},
]


@pytest.fixture
def project(tmp_path):
    return make_project(tmp_path / "proj", tool='[tool.aibox-ops]\nagent_name = "demo"\n')


def deployed(project, arn=ARN, extra_tool=""):
    (project / ".bedrock_agentcore.yaml").write_text(
        "default_agent: demo\nagents:\n  demo:\n    aws:\n      region: ap-southeast-1\n"
        f"    bedrock_agentcore:\n      agent_arn: {arn}\n")
    return project


def test_stream_renders_text_tools_thinking_and_footer(project):
    with InvokePeer(chunks=CHUNKS) as peer:
        result = invoke("invoke", "--url", peer.url, "What time is it?", "--model",
                        "openai/local", "--session-id", "s" * 40, project=project)
        sent = peer.seen[0]
    assert result.exit_code == 0, result.output
    assert result.stdout == "It is noon.\n"  # only the answer on stdout
    err = result.stderr
    assert "the user wants the time" in err
    assert '→ current_time {"tz": "UTC"} running…' in err
    assert "✓ current_time 12:00" in err
    assert "model openai/local (openai) · 7 in / 3 out tokens · 1.2 s" in err
    assert f"session {'s' * 40}" in err  # history_kept unknown: no --session-id promise
    assert sent.payload == {"prompt": "What time is it?", "stream": True,
                            "model_id": "openai/local"}
    assert sent.headers["x-amzn-bedrock-agentcore-runtime-session-id"] == "s" * 40


def test_no_stream_body_is_rendered_the_same(project):
    reply = {"response": "It is noon.", "status": "success", "metadata": {},
             "tool_calls": [{"name": "current_time", "status": "completed",
                             "result": "12:00", "tool_use_id": "t1"}]}
    with InvokePeer(chunks=CHUNKS, reply=reply) as peer:
        result = invoke("invoke", "--url", peer.url, "time?", "--no-stream", project=project)
        assert peer.seen[0].payload == {"prompt": "time?", "stream": False}
    assert result.exit_code == 0, result.output
    assert result.stdout == "It is noon.\n"
    assert "✓ current_time 12:00" in result.stderr


def test_json_lines_one_per_chunk_then_summary(project):
    with InvokePeer(chunks=CHUNKS) as peer:
        result = invoke("--json", "invoke", "--url", peer.url, "hi", project=project)
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert lines[:-1] == CHUNKS
    summary = lines[-1]["invoke"]
    assert summary["ok"] is True and summary["chunks"] == len(CHUNKS)
    assert len(summary["session_id"]) >= 33


def test_payload_json_and_agent_error_exit_8(project):
    chunks = [{"text": ""}, {"status": "error", "error": "OpenAI API key not configured"}]
    with InvokePeer(chunks=chunks) as peer:
        result = invoke("invoke", "--url", peer.url, "--payload",
                        '{"prompt": "x", "stream": true, "tool_config": {"enabled": false}}',
                        project=project)
        assert peer.seen[0].payload["tool_config"] == {"enabled": False}
        as_json = invoke("--json", "invoke", "--url", peer.url, "x", project=project)
    assert result.exit_code == ExitCode.AGENT
    assert result.stderr.count("OpenAI API key not configured") == 1, result.stderr
    assert "error: the agent answered with an error: OpenAI API key not configured" in \
        result.stderr
    assert as_json.exit_code == ExitCode.AGENT
    last = json.loads(as_json.stdout.splitlines()[-1])["invoke"]
    assert last["ok"] is False and last["error"]["exit_code"] == ExitCode.AGENT


def test_a_json_object_prompt_is_the_payload(project):
    """The guide's (and deploy's suggested) `invoke '{"prompt": ...}'` sends that object,
    not the JSON as prompt text; other text, `{` included, stays a prompt."""
    with InvokePeer(chunks=CHUNKS) as peer:
        result = invoke("invoke", "--url", peer.url, '{"prompt": "Hello", "stream": false}',
                        project=project)
        braces = invoke("invoke", "--url", peer.url, "{not json} explain this",
                        project=project)
        listed = invoke("invoke", "--url", peer.url, '["a list"]', project=project)
        seen = [s.payload for s in peer.seen]
    assert (result.exit_code, braces.exit_code, listed.exit_code) == (0, 0, 0), result.output
    assert seen == [{"prompt": "Hello", "stream": False},
                    {"prompt": "{not json} explain this", "stream": True},
                    {"prompt": '["a list"]', "stream": True}]


def test_help_says_a_json_prompt_is_the_payload():
    result = invoke("invoke", "--help")
    assert "is sent as the payload" in " ".join(result.stdout.split())


@pytest.mark.parametrize(("args", "needle"), [
    (["invoke", "--local"], "give a PROMPT or --payload"),
    (["invoke", "--local", "x", "--payload", "{}"], "exactly one"),
    (["invoke", "--local", "--payload", "[1]"], "expected a JSON object"),
    (["invoke", "--local", "--payload", "{nope"], "--payload: not valid JSON"),
    (["invoke", "--local", "x", "--session-id", "short"], "33-256"),
])
def test_bad_input_is_a_config_error(project, args, needle):
    result = invoke(*args, project=project)
    assert result.exit_code == ExitCode.CONFIG
    assert needle in result.stderr and "Traceback" not in result.output
    # A bad argument is not a problem of the settings: not labelled as one.
    assert "error: invalid input: " in result.stderr
    assert "invalid configuration" not in result.stderr


def test_local_with_nothing_running(project):
    result = invoke("invoke", "--url", "http://127.0.0.1:9", "x", project=project)
    assert result.exit_code == ExitCode.AGENT
    assert "no agent answers at http://127.0.0.1:9" in result.stderr


@pytest.mark.parametrize(("kept", "footer"), [
    (True, "(continue with --session-id {sid})"),
    (False, "(the agent keeps no history)"),
    (None, ""),  # an agent that does not say: no promise either way
])
def test_the_footer_offers_session_id_only_where_history_is_kept(project, kept, footer):
    meta = {"model_id": "openai/local", "provider": "openai"}
    if kept is not None:
        meta["history_kept"] = kept
    chunks = [{"text": "hi"}, {"metadata": meta}, {"status": "complete", "event": "done"}]
    sid = "conversation-" + "k" * 30
    with InvokePeer(chunks=chunks) as peer:
        result = invoke("invoke", "--url", peer.url, "x", "--session-id", sid, project=project)
    assert result.exit_code == 0, result.output
    line = next(ln for ln in result.stderr.splitlines() if ln.startswith("session "))
    assert line == f"session {sid} {footer.format(sid=sid)}".rstrip()


@pytest.mark.parametrize("command", [["invoke", "--local", "Hello!"],
                                     ["warm", "ping", "--local"]])
def test_local_without_a_running_local_agent_says_so(project, command):
    """No state file from `deploy --local`: exit 8 and what to do, never a guess at :8080."""
    result = invoke(*command, project=project)
    assert result.exit_code == ExitCode.AGENT, result.output
    assert f"no local agent is running for the project in {project}" in result.stderr
    assert "deploy --local" in result.stderr and "--url" in result.stderr
    assert "8080" not in result.output


def test_warm_ping_url_pings_that_url_without_local(project):
    with InvokePeer(reply={"status": "healthy"}) as peer:
        result = invoke("--json", "warm", "ping", "--url", peer.url, project=project)
        seen = list(peer.seen)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["target"] == peer.url
    assert [s.path for s in seen] == ["/invocations"] and seen[0].payload == {"action": "health"}


@pytest.mark.slow  # 0.45 s or more: kept out of the everyday suite
def test_aws_route_signs_and_passes_the_session(project, monkeypatch):
    deployed(project)
    with InvokePeer(chunks=CHUNKS) as peer:
        monkeypatch.setenv("AWS_ENDPOINT_URL", peer.url)
        sid = "conversation-" + "x" * 30
        result = invoke("invoke", "hello", "--session-id", sid, project=project)
        sent = peer.seen[0]
    assert result.exit_code == 0, result.output
    assert result.stdout == "It is noon.\n"
    assert f"runtime {ARN}" in result.stderr
    assert sent.path == f"/runtimes/{ARN}/invocations"
    assert sent.headers["x-amzn-bedrock-agentcore-runtime-session-id"] == sid
    assert sent.headers["authorization"].startswith("AWS4-HMAC-SHA256 ")
    assert sent.payload == {"prompt": "hello", "stream": True}


def test_aws_route_needs_a_deployed_runtime(project):
    result = invoke("invoke", "hello", project=project)
    assert result.exit_code == ExitCode.AGENT
    assert "no deployed runtime" in result.stderr and "deploy --local" in result.stderr


def test_jwt_runtime_needs_a_bearer_token(tmp_path, monkeypatch):
    tool = ('[tool.aibox-ops]\nagent_name = "demo"\n[tool.aibox-ops.authorizer]\n'
            'type = "jwt"\nissuer_url = "https://issuer.example.com"\n'
            'audiences = ["aud"]\n')
    project = deployed(make_project(tmp_path / "jwt", tool=tool))
    refused = invoke("invoke", "hello", project=project)
    assert refused.exit_code == ExitCode.CONFIG, refused.output
    assert "--bearer-token" in refused.stderr
    with InvokePeer(chunks=CHUNKS) as peer:
        monkeypatch.setenv("AWS_ENDPOINT_URL", peer.url)
        result = invoke("invoke", "hello", "--bearer-token", "ey.jwt", project=project)
        sent = peer.seen[0]
    assert result.exit_code == 0, result.output
    assert sent.headers["authorization"] == "Bearer ey.jwt"


def test_a_stream_cut_short_exits_8_not_ok(project):
    """No final status chunk (issue 19): not ``"ok": true``, exit 8, a plain message."""
    with InvokePeer(chunks=CHUNKS[:-1]) as peer:
        as_json = invoke("--json", "invoke", "--url", peer.url, "x", project=project)
        shown = invoke("invoke", "--url", peer.url, "x", project=project)
    with InvokePeer(chunks=CHUNKS, drop_after=3) as peer:
        broken = invoke("invoke", "--url", peer.url, "x", project=project)
    assert as_json.exit_code == shown.exit_code == broken.exit_code == ExitCode.AGENT
    last = json.loads(as_json.stdout.splitlines()[-1])["invoke"]
    assert last["ok"] is False and "without its final status chunk" in last["error"]["message"]
    assert "without its final status chunk" in shown.stderr
    assert "stream broke off: the connection closed before the stream ended" in broken.stderr
    assert "IncompleteRead" not in broken.stderr + broken.stdout
