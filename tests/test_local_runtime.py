"""deploy --local / destroy --local with a warm venv cache (see tests/local_helpers.py):
real agent processes on 127.0.0.1; detach + destroy, Ctrl-C, port in use, exit at start."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from aibox_ops.errors import ExitCode
from tests.helpers import invoke, json_out
from tests.local_helpers import alive, free_port, local_project, seed_venv, wait_for


@pytest.fixture
def cache(tmp_path, monkeypatch):
    path = tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(path))
    return path


@pytest.fixture
def project(tmp_path, cache):
    project = local_project(tmp_path / "proj")
    seed_venv(project)
    return project


def _state(project):
    path = project / ".aibox-ops" / "local" / "agent.json"
    return json.loads(path.read_text()) if path.exists() else None


@pytest.mark.slow  # ~1 s or more: `-m slow` (CI runs it)
def test_detach_then_invoke_then_destroy(project):
    port = free_port()
    result = invoke("--json", "deploy", "--local", "--port", str(port), "--detach",
                    project=project)
    assert result.exit_code == 0, result.output
    doc = json_out(result)
    pid = doc["pid"]
    try:
        assert doc["url"] == f"http://127.0.0.1:{port}" and doc["venv"]["reused"] is True
        assert doc["health"] == {"status": "healthy", "service": "mini"}
        assert alive(pid) and _state(project)["pid"] == pid
        # The agent got the image's environment, minus DOCKER_CONTAINER (so loopback only).
        environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        assert b"SETTING_TABLE=aibox_setting" in environ
        assert b"LOG_TO_FILE=false" in environ
        assert not [v for v in environ if v.startswith(b"DOCKER_CONTAINER=")]
        # invoke --local finds it through the state file.
        reply = invoke("invoke", "--local", "hello", "--no-stream", project=project)
        assert reply.exit_code == 0, reply.output
        assert reply.stdout == "echo hello\n"
        # So does warm ping --local: this project's agent, not whatever holds port 8080.
        pinged = invoke("--json", "warm", "ping", "--local", project=project)
        assert pinged.exit_code == 0, pinged.output
        assert json_out(pinged)["target"] == f"http://127.0.0.1:{port}"
        again = invoke("deploy", "--local", "--port", str(free_port()), "--detach",
                       project=project)
        assert again.exit_code == ExitCode.AGENT and "already running" in again.stderr
    finally:
        stopped = invoke("--json", "destroy", "--local", project=project)
    assert stopped.exit_code == 0, stopped.output
    assert json_out(stopped)["how"] == "stopped"
    wait_for(lambda: not alive(pid), 10, "the agent to exit")
    assert _state(project) is None
    assert invoke("destroy", "--local", project=project).stdout.strip() == \
        "no local agent is running"


@pytest.mark.slow  # ~1 s or more: `-m slow` (CI runs it)
def test_human_output_says_how_to_invoke(project):
    port = free_port()
    result = invoke("deploy", "--local", "--port", str(port), "--detach", project=project)
    try:
        assert result.exit_code == 0, result.output
        assert f"local agent running at http://127.0.0.1:{port}" in result.stdout
        assert 'aibox-ops invoke --local "Hello!"' in result.stdout
        # No AWS table reachable here: history goes to a local file, and it says why.
        history = project / ".aibox-ops" / "local" / "sessions.json"
        assert f"history: kept in {history} (could not describe the DynamoDB table " \
               "aibox_session" in result.stdout
        pid = _state(project)["pid"]
        environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        assert f"SESSION_STORE_FILE={history}".encode() in environ
        assert "prompt needs a model" not in result.output  # the mini agent reports no model
    finally:
        invoke("destroy", "--local", project=project)


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # as for a job started in the background


@pytest.mark.parametrize(("sig", "inherited_ignore"), [
    (signal.SIGINT, False), (signal.SIGTERM, False), (signal.SIGINT, True)])
@pytest.mark.slow  # ~1 s or more: `-m slow` (CI runs it)
def test_ctrl_c_stops_the_foreground_agent(project, cache, sig, inherited_ignore):
    port = free_port()
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    cli = subprocess.Popen([sys.executable, "-m", "aibox_ops", "-C", str(project), "deploy",
                            "--local", "--port", str(port)], env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           preexec_fn=_ignore_sigint if inherited_ignore else None)
    try:
        state = wait_for(lambda: _state(project), 30, "the agent to be healthy")
        assert alive(state["pid"])
        cli.send_signal(sig)
        out, err = cli.communicate(timeout=20)
    finally:
        if cli.poll() is None:
            cli.kill()
    assert cli.returncode == 0, err
    assert f"local agent stopped (pid {state['pid']})" in err
    assert "Traceback" not in err
    wait_for(lambda: not alive(state["pid"]), 10, "the agent to exit")
    assert _state(project) is None


def test_port_in_use_is_refused_before_anything_starts(project):
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        result = invoke("deploy", "--local", "--port", str(port), "--detach", project=project)
    assert result.exit_code == ExitCode.AGENT
    assert f"port {port} on 127.0.0.1 is in use" in result.stderr
    assert f"--port {port + 1}" in result.stderr
    assert _state(project) is None


def test_agent_exiting_at_start_shows_its_last_log_lines(tmp_path, cache):
    broken = "print('loading settings', flush=True)\nraise SystemExit('cannot start: boom')\n"
    project = local_project(tmp_path / "broken", agent_source=broken)
    seed_venv(project)
    result = invoke("--json", "deploy", "--local", "--port", str(free_port()), "--detach",
                    project=project)
    assert result.exit_code == ExitCode.AGENT
    doc = json_out(result)
    assert doc["message"] == "the agent exited at start (exit code 1)"
    assert doc["log_tail"] == ["loading settings", "cannot start: boom"]
    assert "  cannot start: boom" in result.stderr
    assert _state(project) is None


@pytest.mark.slow  # 0.6 s or more: kept out of the everyday suite
def test_missing_requirements_file_is_a_file_error(tmp_path, cache):
    project = local_project(tmp_path / "noreq")
    (project / "requirements-agentcore.txt").unlink()
    result = invoke("deploy", "--local", "--detach", "--port", str(free_port()),
                    project=project)
    assert result.exit_code == ExitCode.FILE
    assert "aibox-ops sync-requirements" in result.stderr


def test_stale_state_file_is_ignored_and_removed(project):
    path = project / ".aibox-ops" / "local" / "agent.json"
    path.parent.mkdir(parents=True)
    # pid 1 is alive but is not our agent (its command line lacks the venv's python).
    path.write_text(json.dumps({"pid": 1, "url": "http://127.0.0.1:1", "python": "/nope"}))
    result = invoke("--json", "destroy", "--local", project=project)
    assert result.exit_code == 0
    assert json_out(result)["how"].startswith("not running")
    assert not path.exists() and alive(1)


def test_deploy_without_local_is_the_aws_deploy_and_asks_first(project):
    # Without --local, deploy is the AWS deploy (docs/deploy.md): it never starts without
    # confirmation, and there is no terminal here to ask on.
    result = invoke("deploy", project=project)
    assert result.exit_code == ExitCode.REFUSED
    assert "--yes" in result.stderr


@pytest.mark.slow
def test_session_history_through_provisioned_tables(tmp_path, cache, aws, monkeypatch):
    """provision creates the tables; the real agent, started by deploy --local against the
    moto server, stores a turn and replays it when --session-id is reused."""
    import shutil

    from tests.helpers import REPO
    from tests.openai_peer import OpenAIPeer

    project = local_project(tmp_path / "real")
    shutil.rmtree(project / "agent")
    shutil.copytree(REPO / "agent", project / "agent",
                    ignore=shutil.ignore_patterns("__pycache__", "logs", "tmp"))
    seed_venv(project)
    assert invoke("provision", "--yes", project=project).exit_code == 0
    with OpenAIPeer() as peer:
        monkeypatch.setenv("OPENAI_BASE_URL", peer.url)
        monkeypatch.setenv("OPENAI_API_KEY", "sk-local")
        started = invoke("deploy", "--local", "--detach", "--port", str(free_port()),
                         project=project)
        assert started.exit_code == 0, started.output
        assert "history: DynamoDB table 'aibox_session' (in ap-southeast-1" in started.stdout
        try:
            sid = "conversation-" + "c" * 30
            for prompt in ("first question", "second question"):
                payload = json.dumps({"prompt": prompt, "tool_config": {"enabled": False}})
                reply = invoke("invoke", "--local", "--payload", payload, "--model",
                               "openai/local", "--session-id", sid, project=project)
                assert reply.exit_code == 0, reply.output
        finally:
            invoke("destroy", "--local", project=project)
        last = [m for m in peer.requests[-1]["messages"] if m["role"] != "system"]
    texts = [m["content"] if isinstance(m["content"], str)
             else " ".join(p.get("text", "") for p in m["content"]) for m in last]
    assert [m["role"] for m in last] == ["user", "assistant", "user"]
    assert texts == ["first question", "The time is noon.", "second question"]
    items = aws.client("dynamodb").query(
        TableName="aibox_session", KeyConditionExpression="session_id = :s",
        ExpressionAttributeValues={":s": {"S": sid}})["Items"]
    assert [i["user"]["S"] for i in items] == ["first question", "second question"]


@pytest.mark.slow  # ~1 s or more: `-m slow` (CI runs it)
def test_foreground_agent_stopped_elsewhere_or_crashing(project, cache):
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    command = [sys.executable, "-m", "aibox_ops", "-C", str(project), "deploy", "--local",
               "--port"]
    for how, expected in (("destroy", 0), ("crash", ExitCode.AGENT)):
        cli = subprocess.Popen([*command, str(free_port())], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
        try:
            state = wait_for(lambda: _state(project), 30, "the agent to be healthy")
            if how == "destroy":
                assert invoke("destroy", "--local", project=project).exit_code == 0
            else:
                os.kill(state["pid"], signal.SIGKILL)
            _out, err = cli.communicate(timeout=20)
        finally:
            if cli.poll() is None:
                cli.kill()
        assert cli.returncode == expected, err
        if how == "crash":
            assert "the local agent exited (exit code -9)" in err
            assert "mini agent starting" in err  # its last log lines
        assert _state(project) is None


def _bundled_agent_project(root):
    import shutil

    from tests.helpers import REPO

    project = local_project(root)
    shutil.rmtree(project / "agent")
    shutil.copytree(REPO / "agent", project / "agent",
                    ignore=shutil.ignore_patterns("__pycache__", "logs", "tmp"))
    seed_venv(project)
    return project


@pytest.mark.slow
def test_hello_with_an_openai_compatible_server_and_no_aws(tmp_path, cache, monkeypatch):
    """The README's `invoke --local "Hello!"`, word for word, with the server configured as
    docs/local.md says (OPENAI_BASE_URL + OPENAI_API_KEY) and no AWS table: the model is the
    first one the server lists, history is kept in the local file and replayed."""
    from tests.openai_peer import OpenAIPeer

    project = _bundled_agent_project(tmp_path / "real")
    with OpenAIPeer(models=("llama3.2",)) as peer:
        monkeypatch.setenv("OPENAI_BASE_URL", peer.url)
        monkeypatch.setenv("OPENAI_API_KEY", "any")
        started = invoke("deploy", "--local", "--detach", "--port", str(free_port()),
                         project=project)
        assert started.exit_code == 0, started.output
        try:
            assert "model:   the first model OPENAI_BASE_URL lists" in started.stdout
            assert "history: kept in" in started.stdout
            assert "prompt needs a model" not in started.output
            hello = invoke("invoke", "--local", "Hello!", project=project)
            assert hello.exit_code == 0, hello.output
            assert hello.stdout == "The time is noon.\n"
            assert "model openai/llama3.2 (openai)" in hello.stderr
            sid = next(ln.split()[1] for ln in hello.stderr.splitlines()
                       if ln.startswith("session "))
            assert f"(continue with --session-id {sid})" in hello.stderr
            again = invoke("invoke", "--local", "And now?", "--session-id", sid,
                           project=project)
            assert again.exit_code == 0, again.output
        finally:
            invoke("destroy", "--local", project=project)
    assert {r["model"] for r in peer.requests} == {"llama3.2"}
    users = [m for m in peer.requests[-1]["messages"] if m["role"] == "user"]
    assert [u["content"] if isinstance(u["content"], str) else u["content"][0]["text"]
            for u in users][:2] == ["Hello!", "And now?"]
    stored = json.loads((project / ".aibox-ops" / "local" / "sessions.json").read_text())
    assert [t["user"] for t in stored["sessions"][sid]["turns"]] == ["Hello!", "And now?"]


@pytest.mark.slow
def test_hello_with_nothing_configured_says_what_to_set(tmp_path, cache, monkeypatch):
    project = _bundled_agent_project(tmp_path / "bare")
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(key)
    started = invoke("deploy", "--local", "--detach", "--port", str(free_port()),
                     project=project)
    assert started.exit_code == 0, started.output
    try:
        assert "model:   no model is configured: set OPENAI_API_KEY" in started.stdout
        hello = invoke("invoke", "--local", "Hello!", project=project)
    finally:
        invoke("destroy", "--local", project=project)
    assert hello.exit_code == ExitCode.AGENT
    assert "no model is configured: set OPENAI_API_KEY (or OPENAI_BASE_URL" in hello.stderr
    assert "no AWS credentials found" not in hello.output


def test_a_stop_signal_between_healthy_and_the_log_loop_is_a_clean_stop(project, monkeypatch):
    """The state file names the agent once it is healthy: a Ctrl-C or SIGTERM that lands
    while the start banner prints (the CI race of the test above) stops the agent and
    exits 0, as it does a moment later in the foreground loop; never 130 "interrupted"."""
    import aibox_ops.local as local
    from aibox_ops.cli import deploy_local

    class Started:  # what start_local returns once the agent answers /ping
        pid, url, log = 4242, "http://127.0.0.1:1", project / "agent.log"
        stops: list[str] = []

        def stop(self) -> str:
            self.stops.append("stopped")
            return "stopped"

    def interrupted(_runtime):
        raise KeyboardInterrupt

    started = Started()
    monkeypatch.setattr(local, "start_local", lambda *a, **k: started)
    monkeypatch.setattr(deploy_local, "_show_started", interrupted)
    result = invoke("deploy", "--local", "--port", "8999", project=project)
    assert result.exit_code == 0, result.stderr
    assert started.stops == ["stopped"]
    assert "local agent stopped (pid 4242)" in result.stderr
