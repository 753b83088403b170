"""Helpers for the local-runtime tests: projects, a warm venv cache, free ports, waits.

``seed_venv`` puts a ready environment into the cache under the key ``deploy --local``
computes for the project's requirements: a clone of this test environment (its pyvenv.cfg
and a link to its site-packages, which hold the agent's dependency group), so the start,
/ping, health, detach, destroy and Ctrl-C paths run for real in about a second. The real
pip build is exercised by the slow tests.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import time
from pathlib import Path

from tests.helpers import make_project

# A minimal agent with the bundled agent's command line (python -m app --server --port N).
MINI_AGENT = '''import sys
from bedrock_agentcore import BedrockAgentCoreApp

app = BedrockAgentCoreApp()


@app.entrypoint
def handle(payload):
    if payload.get("action") == "health":
        return {"status": "healthy", "service": "mini"}
    return {"response": "echo " + str(payload.get("prompt")), "status": "success"}


if __name__ == "__main__":
    print("mini agent starting", flush=True)
    app.run(host="127.0.0.1", port=int(sys.argv[sys.argv.index("--port") + 1]))
'''


def local_project(root: Path, agent_source: str = MINI_AGENT,
                  requirements: str = "bedrock-agentcore==1.25.0\n") -> Path:
    """A project whose entrypoint is ``agent_source`` and requirements ``requirements``."""
    project = make_project(root, tool='[tool.aibox-ops]\nagent_name = "demo"\n')
    (project / "agent" / "agentcore_app.py").write_text(agent_source)
    (project / "requirements-agentcore.txt").write_text(requirements)
    return project


def seed_venv(project: Path) -> Path:
    """A ready cached venv for ``project`` (see the module docstring); returns its path."""
    from aibox_ops.config import load_settings
    from aibox_ops.local.paths import venvs_dir
    from aibox_ops.local.venv import MARKER, requirements_key

    settings = load_settings(project)
    req = settings.path(settings.requirements_file).read_bytes()
    target = venvs_dir() / requirements_key(settings, req)
    (target / "bin").mkdir(parents=True)
    base = Path(sys.prefix)
    (target / "pyvenv.cfg").write_text((base / "pyvenv.cfg").read_text())
    (target / "lib").symlink_to(base / "lib")
    (target / "bin" / "python").symlink_to(Path(sys.base_prefix) / "bin" / "python3")
    version = f"{sys.version_info[0]}.{sys.version_info[1]}"
    (target / MARKER).write_text(json.dumps({"python_version": version}))
    return target


def free_port() -> int:
    """A loopback port nothing listens on (now)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition, timeout: float = 30.0, what: str = "condition"):
    """Poll ``condition()`` until truthy (returned) or fail after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def alive(pid: int) -> bool:
    """Whether ``pid`` exists and is not a zombie."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process (e.g. pid 1 when not root)
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split(")")[-1].split()[0] == "Z")
