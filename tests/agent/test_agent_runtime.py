"""Process-level behaviour: cheap import, __main__ modes, logging fallbacks."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys

import agentcore_app
import pytest
from agent_paths import AGENT_DIR
from genai import logsetup

HEAVY = ("strands", "strands_tools", "openai", "google.genai", "mcp", "sympy")


def _modules_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys, json; print(json.dumps(sorted(sys.modules)))"],
        cwd=AGENT_DIR, capture_output=True, text=True, timeout=60, check=True,
    )
    return set(json.loads(out.stdout.splitlines()[-1]))


@pytest.mark.slow  # ~1 s or more: `-m slow` (CI runs it)
def test_import_and_health_stay_light():
    bare = _modules_after("import bedrock_agentcore")
    ours = _modules_after(
        "import asyncio, agentcore_app\n"
        "asyncio.run(agentcore_app.handle_request({'action': 'health'}))"
    )
    assert not [m for m in ours if m.split(".")[0] in HEAVY or m in HEAVY]
    # Anything boto3/botocore we hold, the bare framework already imports.
    assert {m for m in ours if m.startswith(("boto3", "botocore"))} <= bare


def test_container_main_only_serves(monkeypatch):
    calls = []
    monkeypatch.setattr(agentcore_app.app, "run", lambda *a, **k: calls.append((a, k)))
    monkeypatch.setattr(agentcore_app, "_test_request", pytest.fail)
    monkeypatch.setenv("AWS_EXECUTION_ENV", "AWS_ECS_FARGATE")
    agentcore_app.main(["--stream"])
    # Only AWS_EXECUTION_ENV is set: the framework alone would bind 127.0.0.1.
    assert calls == [((), {"host": "0.0.0.0", "port": 8080})]


def test_local_server_flag_binds_loopback_and_says_where(monkeypatch, capsys):
    calls = []
    monkeypatch.setattr(agentcore_app.app, "run", lambda *a, **k: calls.append((a, k)))
    assert agentcore_app.main(["--server", "--port", "9123"]) == 0
    assert calls == [((), {"port": 9123, "host": "127.0.0.1"})]
    err = capsys.readouterr().err
    assert "MyAIBOX agent listening on http://127.0.0.1:9123 (POST " \
           "http://127.0.0.1:9123/invocations, GET http://127.0.0.1:9123/ping" in err
    assert "No AWS credentials found" not in err  # the test harness has fake credentials


@pytest.mark.slow
def test_failed_local_test_request_exits_1_with_hint_and_leaves_no_files(tmp_path):
    """No AWS credentials: the Bedrock request fails, the exit status says so, a hint tells
    how to use an OpenAI-compatible model, and the log goes to the user's state folder."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AWS_ACCESS", "AWS_SECRET", "AWS_SESSION", "LOG_"))}
    env.update(HOME=str(tmp_path), XDG_STATE_HOME=str(tmp_path / "state"),
               AGENT_TIMEOUT_SECONDS="20")
    before = sorted(p.name for p in AGENT_DIR.iterdir())
    out = subprocess.run(
        [sys.executable, "agentcore_app.py", "--prompt", "hi"],
        cwd=AGENT_DIR, capture_output=True, text=True, timeout=90, env=env,
    )
    assert out.returncode == 1, out.stderr
    body = json.loads(out.stdout)
    assert set(body) >= {"response", "tool_calls", "metadata", "status"}
    assert body["status"] == "error"
    from genai.model_default import NOTHING_CONFIGURED

    assert body["error"] == NOTHING_CONFIGURED  # no model setting, no AWS credentials
    assert "Traceback" not in out.stdout + out.stderr
    hint = [line for line in out.stderr.splitlines() if "No AWS credentials found" in line]
    assert len(hint) == 1 and "OPENAI_BASE_URL=" in hint[0] and "--model openai/" in hint[0]
    log = (tmp_path / "state" / "myaibox-agent" / "logs" / "app.log").read_text()
    assert f"Invocation failed: {NOTHING_CONFIGURED}" in log
    assert sorted(p.name for p in AGENT_DIR.iterdir()) == before  # no agent/logs


@pytest.mark.slow
def test_local_test_request_with_model_option_exits_0(monkeypatch, capsys):
    from agent_faults import FaultServer, Reply, good_stream

    monkeypatch.setenv("OPENAI_API_KEY", "sk-local")
    with FaultServer(lambda n: Reply(body=good_stream("Hi from local"))) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        status = agentcore_app.main(["--stream", "--model", "openai/local-llm",
                                     "--prompt", "hi"])
    lines = [json.loads(line.removeprefix("data: "))
             for line in capsys.readouterr().out.splitlines()]
    assert status == 0
    assert {"text": "Hi from local"} in lines
    assert lines[-2]["metadata"]["model_id"] == "openai/local-llm"
    assert lines[-1] == {"status": "complete", "event": "done"}


@pytest.mark.slow
def test_local_test_request_failing_stream_exits_1(monkeypatch, capsys):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-local")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    assert agentcore_app.main(["--stream", "--model", "gpt-4o"]) == 1
    last = json.loads(capsys.readouterr().out.splitlines()[-1].removeprefix("data: "))
    assert last == {"status": "error", "error":
                    "Model provider OpenAI (127.0.0.1:9) is unreachable: connection refused"}


def test_log_file_written(monkeypatch, tmp_path):
    monkeypatch.setenv("LOG_TO_FILE", "true")
    monkeypatch.setenv("LOG_DIR", str(tmp_path / "logs"))
    handler = logsetup.configure_logging()
    logging.getLogger("genai.test").info("hello file")
    handler.flush()
    assert "hello file" in (tmp_path / "logs" / "app.log").read_text()


def test_unwritable_log_file_falls_back_to_stderr(monkeypatch, tmp_path, capsys):
    blocker = tmp_path / "logs"
    blocker.write_text("a file, not a directory")
    monkeypatch.setenv("LOG_TO_FILE", "true")
    monkeypatch.setenv("LOG_DIR", str(blocker))
    handler = logsetup.configure_logging()
    assert isinstance(handler, logging.StreamHandler)
    assert not isinstance(handler, logging.FileHandler)
    logging.getLogger("genai.test").info("still logging")
    err = capsys.readouterr().err
    assert err.count("Cannot write log file") == 1 and "still logging" in err


def test_log_to_file_defaults(monkeypatch):
    monkeypatch.delenv("LOG_TO_FILE")
    assert logsetup.log_to_file_enabled() is True
    monkeypatch.setenv("DOCKER_CONTAINER", "1")
    assert logsetup.log_to_file_enabled() is False
