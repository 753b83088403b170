"""Helpers shared by the tests: tmp projects and a CLI runner with separate streams."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

REPO = Path(__file__).resolve().parent.parent


def make_project(root: Path, tool: str = "", agent: bool = True, lock: bool = False) -> Path:
    """A minimal project in ``root``: pyproject (with ``tool`` appended), an agent, a group."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(
        '[project]\nname = "demo"\nversion = "0.1.0"\n\n'
        '[dependency-groups]\nagent = ["bedrock-agentcore==1.25.0", "boto3>=1.35"]\n\n'
        + tool
    )
    if agent:
        (root / "agent").mkdir(exist_ok=True)
        (root / "agent" / "agentcore_app.py").write_text(
            "import json\n\nfrom bedrock_agentcore import BedrockAgentCoreApp\n\n"
            "app = BedrockAgentCoreApp()\n"
        )
    if lock:
        shutil.copy(REPO / "uv.lock", root / "uv.lock")
    return root


def invoke(*args: str, project: Path | None = None):
    """Run the CLI in-process; returns click's Result (stdout/stderr kept apart)."""
    from aibox_ops.cli.main import app

    argv = (["--project", str(project)] if project else []) + list(args)
    return CliRunner().invoke(app, argv, catch_exceptions=True)


def json_out(result) -> dict:
    """The single JSON document a --json run printed on stdout."""
    return json.loads(result.stdout)
