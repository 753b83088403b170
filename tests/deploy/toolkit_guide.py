"""The guide's project as the REAL starter toolkit leaves it after `agentcore configure -e
agentcore_app.py` and `agentcore deploy`: built in tmp_path, deployed against moto.

The toolkit's own operations are called (the `agentcore` CLI's only work is to call them)
with the guide's choices: container deployment built by CodeBuild, roles and ECR
repository auto-created, STM_ONLY Memory. The `agentcore_moto` fixture must be active
(moto's gaps filled); the toolkit's sleeps and endpoints are patched here, for its run only.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.guide_project import AGENT, DOCKERFILE, REGION, make_guide_project

REQUIREMENTS = "bedrock-agentcore==1.25.0\nstrands-agents==1.62.0\nboto3>=1.35\n"
# What `aibox-ops init` writes for this project (tests/test_init.py): lets the library-level
# tests load settings without depending on init's detection.
TOOL_TABLE = f"""
[tool.aibox-ops]
agent_name = "{AGENT}"
entrypoint = "agentcore_app.py"
packages = ["genai"]
region = "{REGION}"
bedrock_region = "us-west-2"
dependency_source = "project"
"""


def guide_layout(tmp: Path) -> Path:
    """The guide's files before `agentcore configure`: no YAML yet, the Dockerfile at the
    root (configure keeps an existing one), the hand-kept requirements file."""
    root = make_guide_project(tmp / "my-aibox")
    (root / ".bedrock_agentcore.yaml").unlink()
    (root / f".bedrock_agentcore/{AGENT}/Dockerfile").unlink()
    (root / "Dockerfile").write_text(DOCKERFILE)
    (root / "requirements-agentcore.txt").write_text(REQUIREMENTS)
    return root


def toolkit_deploy(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`agentcore configure -e agentcore_app.py` + `agentcore deploy`, against moto."""
    import os

    from bedrock_agentcore_starter_toolkit.operations.runtime import (
        configure_bedrock_agentcore,
        launch_bedrock_agentcore,
    )
    from moto_agentcore import toolkit_fillers

    with monkeypatch.context() as patch:
        for target, name, value in toolkit_fillers(os.environ["AWS_ENDPOINT_URL"]):
            patch.setattr(target, name, value)
        patch.chdir(root)  # configure writes .bedrock_agentcore.yaml into the cwd
        configure_bedrock_agentcore(
            agent_name=AGENT, entrypoint_path=Path("agentcore_app.py"),
            requirements_file="requirements-agentcore.txt", memory_mode="STM_ONLY",
            non_interactive=True, region=REGION, deployment_type="container",
            container_runtime=None)  # auto: no engine here, so CodeBuild builds
        launch_bedrock_agentcore(root / ".bedrock_agentcore.yaml", agent_name=AGENT,
                                 local=False, use_codebuild=True)


def toolkit_deployed(tmp: Path, monkeypatch: pytest.MonkeyPatch, adopt: bool = True) -> Path:
    """The guide's project deployed by the toolkit; ``adopt`` adds the settings table."""
    root = guide_layout(tmp)
    toolkit_deploy(root, monkeypatch)
    if adopt:
        with (root / "pyproject.toml").open("a") as handle:
            handle.write(TOOL_TABLE)
    return root
