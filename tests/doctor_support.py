"""Doctor test helpers: a project without any of the failure modes, and a --json runner."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

from tests.helpers import REPO, invoke, json_out, make_project

GOOD_APP = '''import os

from bedrock_agentcore import BedrockAgentCoreApp

app = BedrockAgentCoreApp()


@app.entrypoint
def handle(payload):
    return {"ok": True}


if __name__ == "__main__":
    app.run()
'''


_BUILT: dict[tuple[str, str], Path] = {}


def healthy_project(root: Path, tool: str = "", app: str = GOOD_APP) -> Path:
    """A project with rendered files and an up-to-date requirements file (built once per
    variant and copied: rendering is the costly part)."""
    key = (tool, app)
    if key not in _BUILT:
        base = tempfile.mkdtemp(prefix="doctor-healthy-")
        atexit.register(shutil.rmtree, base, True)
        _BUILT[key] = _build(Path(base) / "p", tool, app)
    shutil.copytree(_BUILT[key], root, dirs_exist_ok=True, symlinks=True)
    return root


def _build(root: Path, tool: str, app: str) -> Path:
    from aibox_ops.config import load_settings
    from aibox_ops.render import apply_render, plan_render
    from aibox_ops.requirements import apply_requirements, plan_requirements

    make_project(root, tool=tool)
    (root / "agent" / "agentcore_app.py").write_text(app)
    shutil.copy(REPO / "agent" / "permissions.json", root / "agent" / "permissions.json")
    settings = load_settings(root, environ={})
    apply_requirements(settings, plan_requirements(settings))
    apply_render(root, plan_render(settings))
    return root


def dockerfile(root: Path, name: str = "my_aibox_agent") -> Path:
    """The rendered Dockerfile's path."""
    return root / ".bedrock_agentcore" / name / "Dockerfile"


def doctor(root: Path, *args: str) -> tuple[int, dict, dict]:
    """Run ``aibox-ops --json doctor ARGS`` on ``root``: (exit code, document, checks by id)."""
    result = invoke("--json", "doctor", *args, project=root)
    assert result.stdout, result.stderr
    doc = json_out(result)
    return result.exit_code, doc, {c["id"]: c for c in doc["checks"]}


def check(root: Path, check_id: str, *args: str) -> dict:
    """One check's --json item from an offline run of just that check."""
    _, _, checks = doctor(root, "--offline", "--only", check_id, *args)
    return checks[check_id]
