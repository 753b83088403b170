"""deploy --local for real: pip builds the agent's environment from requirements-agentcore.txt
into a temporary cache, the bundled agent serves on 127.0.0.1, invoke --local talks to it
with a scripted OpenAI-compatible server as the model. Slow (a full pip install): run with
``pytest -m pip_build --run-pip-build`` (CI does)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from aibox_ops.errors import ExitCode
from tests.helpers import REPO, make_project
from tests.local_helpers import alive, free_port, wait_for
from tests.openai_peer import OpenAIPeer

pytestmark = [pytest.mark.slow, pytest.mark.pip_build]


def _project(root: Path, requirements: str | None = None) -> Path:
    project = make_project(root, tool='[tool.aibox-ops]\nagent_name = "demo"\n', agent=False)
    shutil.copytree(REPO / "agent", project / "agent",
                    ignore=shutil.ignore_patterns("__pycache__", "logs", "tmp"))
    if requirements is None:
        shutil.copy(REPO / "requirements-agentcore.txt", project)
    else:
        (project / "requirements-agentcore.txt").write_text(requirements)
    return project


def _env(cache: Path, openai_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "AIBOX_OPS_"))}
    return {**env, "XDG_CACHE_HOME": str(cache), "OPENAI_BASE_URL": openai_url,
            "OPENAI_API_KEY": "sk-local", "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing", "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
            "AWS_MAX_ATTEMPTS": "1", "AWS_EC2_METADATA_DISABLED": "true"}


def _cli(project: Path, env: dict, *args: str, timeout: float = 60):
    return subprocess.run([sys.executable, "-m", "aibox_ops", "-C", str(project), *args],
                          env=env, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def agent(tmp_path_factory):
    """One real build and one detached agent for the module; stopped at the end."""
    root = tmp_path_factory.mktemp("local-slow")
    with OpenAIPeer() as peer:
        env = _env(root / "cache", peer.url)
        project = _project(root / "proj")
        port = free_port()
        built = _cli(project, env, "--json", "deploy", "--local", "--port", str(port),
                     "--detach", timeout=900)
        assert built.returncode == 0, built.stderr
        doc = json.loads(built.stdout)
        try:
            yield {"project": project, "env": env, "doc": doc, "peer": peer, "root": root}
        finally:
            _cli(project, env, "destroy", "--local")


def test_cold_build_then_healthy(agent):
    doc = agent["doc"]
    assert doc["venv"]["reused"] is False
    assert doc["health"]["status"] == "healthy" and doc["health"]["service"] == "myaibox-agent"
    from aibox_ops.local.python import find_python

    assert doc["venv"]["python_version"] == find_python("3.12").version  # the image's, if any
    venv = Path(doc["venv"]["path"])
    assert (venv / "aibox-ops-venv.json").exists()
    assert list(venv.glob("lib/python*/site-packages/strands"))  # pip installed the group


def test_invoke_stream_renders_tool_events(agent):
    result = _cli(agent["project"], agent["env"], "invoke", "--local", "What time is it?",
                  "--model", "openai/local")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "The time is noon.\n"
    assert "→ current_time {} running…" in result.stderr
    assert "✓ current_time 20" in result.stderr  # the tool's real ISO timestamp
    assert "model openai/local (openai)" in result.stderr
    tool_turn = agent["peer"].requests[-1]
    assert tool_turn["model"] == "local" and tool_turn["messages"][-1]["role"] == "tool"


def test_invoke_no_stream_and_json_lines(agent):
    body = _cli(agent["project"], agent["env"], "invoke", "--local", "time?", "--no-stream",
                "--model", "openai/local")
    assert body.returncode == 0, body.stderr
    assert body.stdout == "The time is noon.\n" and "✓ current_time" in body.stderr
    lines = _cli(agent["project"], agent["env"], "--json", "invoke", "--local", "time?",
                 "--model", "openai/local")
    assert lines.returncode == 0, lines.stderr
    chunks = [json.loads(line) for line in lines.stdout.splitlines()]
    assert chunks[0] == {"text": ""}
    assert [c["tool_use"]["status"] for c in chunks if "tool_use" in c] == [
        "running", "completed"]
    assert "".join(c.get("text", "") for c in chunks[:-1]) == "The time is noon."
    assert chunks[-2] == {"status": "complete", "event": "done"}
    assert chunks[-1]["invoke"]["ok"] is True


def test_warm_start_foreground_and_ctrl_c(agent):
    # A second project with the same requirements reuses the cached environment.
    project = _project(agent["root"] / "second")
    port = free_port()
    cli = subprocess.Popen([sys.executable, "-m", "aibox_ops", "-C", str(project), "deploy",
                            "--local", "--port", str(port)], env=agent["env"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    state_path = project / ".aibox-ops" / "local" / "agent.json"
    try:
        wait_for(state_path.exists, 60, "the agent to be healthy")
        pid = json.loads(state_path.read_text())["pid"]
        cli.send_signal(signal.SIGINT)
        out, err = cli.communicate(timeout=30)
    finally:
        if cli.poll() is None:
            cli.kill()
    assert cli.returncode == 0, err
    assert "environment reused" in out
    assert f"local agent stopped (pid {pid})" in err
    wait_for(lambda: not alive(pid), 10, "the agent to exit")
    assert not state_path.exists()


def test_failed_install_names_the_requirement(agent):
    cache = agent["root"] / "cache-bad"
    env = {**agent["env"], "XDG_CACHE_HOME": str(cache)}
    project = _project(agent["root"] / "bad", requirements="nonexistent-pkg-zz-aibox==1.0\n")
    result = _cli(project, env, "deploy", "--local", "--detach", "--port", str(free_port()),
                  timeout=300)
    assert result.returncode == ExitCode.DEPENDENCY, result.stderr
    assert "nonexistent-pkg-zz-aibox" in result.stderr
    assert "pip's last lines" in result.stderr
    leftovers = [p.name for p in (cache / "aibox-ops" / "venvs").iterdir()]
    assert all(name.endswith(".lock") for name in leftovers)  # no half-built environment
