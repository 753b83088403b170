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


def test_local_server_flag_binds_loopback(monkeypatch):
    calls = []
    monkeypatch.setattr(agentcore_app.app, "run", lambda *a, **k: calls.append((a, k)))
    agentcore_app.main(["--server", "--port", "9123"])
    assert calls == [((), {"port": 9123, "host": "127.0.0.1"})]


def test_local_test_request_prints_a_body_without_crashing(tmp_path):
    env = {**os.environ, "LOG_TO_FILE": "false", "AGENT_TIMEOUT_SECONDS": "20"}
    out = subprocess.run(
        [sys.executable, "agentcore_app.py", "--prompt", "hi"],
        cwd=AGENT_DIR, capture_output=True, text=True, timeout=90, env=env,
    )
    assert out.returncode == 0, out.stderr
    body = json.loads(out.stdout)
    assert set(body) >= {"response", "tool_calls", "metadata", "status"}
    assert body["status"] == "error"  # no Bedrock here: the refused endpoint is reported
    assert "Traceback" not in out.stdout


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
