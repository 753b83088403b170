"""Deploy test fixtures: a real project, the real starter toolkit, moto with its gaps filled.

moto lacks three things the toolkit needs; ``agentcore_moto`` fills exactly those, inside
moto (so every client, the toolkit's included, sees the same behaviour):
- the DEFAULT endpoint AgentCore creates with every runtime (and points at each update);
- UpdateAgentRuntime finishing (moto leaves the runtime UPDATING for ever; a test can keep
  that behaviour with ``agentcore_moto.updates_finish = False``);
- CodeBuild UpdateProject.
and patches the toolkit's fixed ``sleep(10)`` (IAM propagation) to return at once.
"""

from __future__ import annotations

import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from tests.helpers import REPO, make_project  # noqa: E402

REAL_SLEEP = time.sleep


@dataclass
class AgentCoreMoto:
    """Switches for the gap-filling behaviour, plus what it saw."""

    updates_finish: bool = True
    runtime_requests: list[dict] = field(default_factory=list)


@pytest.fixture
def agentcore_moto(aws, health_peer, monkeypatch: pytest.MonkeyPatch) -> AgentCoreMoto:
    """Fill moto's AgentCore/CodeBuild gaps and point the toolkit's endpoints at moto."""
    from moto.bedrockagentcorecontrol import models as control
    from moto.codebuild.responses import CodeBuildResponse
    from moto.core.responses import ActionResult

    switches = AgentCoreMoto()
    backend_cls = control.BedrockAgentCoreControlBackend
    create, update = backend_cls.create_agent_runtime, backend_cls.update_agent_runtime

    def create_with_endpoint(self, *args, **kwargs):
        runtime = create(self, *args, **kwargs)
        self.create_agent_runtime_endpoint(runtime.agent_runtime_id, "DEFAULT", None, None, None)
        return runtime

    def update_and_finish(self, agent_runtime_id, *args, **kwargs):
        runtime = update(self, agent_runtime_id, *args, **kwargs)
        endpoint = self.agent_runtime_endpoints.get((agent_runtime_id, "DEFAULT"))
        if endpoint is not None:
            endpoint.target_version = endpoint.live_version = runtime.agent_runtime_version
        if switches.updates_finish:
            runtime.status = "READY"
        return runtime

    def update_project(self):
        backend = self.codebuild_backend
        name = self._get_param("name")
        history = backend.build_history.get(name, [])
        backend.codebuild_projects.pop(name, None)
        meta = backend.create_project(
            project_name=name, description=self._get_param("description"),
            project_source=self._get_param("source"), artifacts=self._get_param("artifacts"),
            environment=self._get_param("environment"),
            service_role=self._get_param("serviceRole"), tags=None, cache=None, timeout=None,
            queued_timeout=None, source_version=None, logs_config=None, vpc_config=None)
        backend.build_history[name] = history
        return ActionResult({"project": meta})

    monkeypatch.setattr(backend_cls, "create_agent_runtime", create_with_endpoint)
    monkeypatch.setattr(backend_cls, "update_agent_runtime", update_and_finish)
    monkeypatch.setattr(CodeBuildResponse, "update_project", update_project, raising=False)
    # The toolkit's IAM-propagation pause is a fixed sleep(10) inside a function-level
    # `import time`: only sleeps of 10 s or more are skipped.
    monkeypatch.setattr(time, "sleep", lambda s: None if s >= 10 else REAL_SLEEP(s))
    # The toolkit reads these once, at import: set before import (the `aws` fixture has set
    # them), and re-point them if a previous test imported it first.
    from bedrock_agentcore_starter_toolkit.operations.runtime import launch
    from bedrock_agentcore_starter_toolkit.utils import endpoints

    monkeypatch.setattr(endpoints, "CP_ENDPOINT_OVERRIDE", aws.url)
    monkeypatch.setattr(endpoints, "DP_ENDPOINT_OVERRIDE", aws.url)
    # X-Ray Transaction Search and log/trace delivery: moto has neither (404s the toolkit
    # shrugs off after ~2.5 s of model loading); their outcome is best-effort anyway.
    monkeypatch.setattr(launch, "enable_transaction_search_if_needed", lambda *a, **k: True)
    monkeypatch.setattr(launch, "enable_traces_delivery_for_runtime", lambda *a, **k: None)
    return switches


@pytest.fixture
def health_peer(aws, monkeypatch: pytest.MonkeyPatch):
    """InvokeAgentRuntime answered by a local peer (a fixed healthy reply)."""
    from invoke_peer import InvokePeer

    with InvokePeer() as peer:
        monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_AGENTCORE", peer.url)
        yield peer


def builds(project: str = "bedrock-agentcore-my_aibox_agent-builder",
           region: str = "ap-southeast-1") -> int:
    """How many StartBuild calls moto received for the project."""
    from moto.codebuild.models import codebuild_backends

    return len(codebuild_backends["123456789012"][region].build_history.get(project, []))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The real pyproject, uv.lock and agent, plus files that must never be uploaded."""
    root = make_project(tmp_path / "proj", lock=True, agent=False)
    shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")
    shutil.copytree(REPO / "agent", root / "agent",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    (root / ".env").write_text("OPENAI_API_KEY=sk-secret\n")
    (root / "agent" / ".env").write_text("GEMINI_API_KEY=secret\n")
    (root / "agent" / "tests").mkdir()
    (root / "agent" / "tests" / "test_x.py").write_text("def test(): pass\n")
    (root / "agent" / "__pycache__").mkdir()
    (root / "agent" / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"\0")
    (root / "docs").mkdir()
    (root / "docs" / "x.md").write_text("# docs\n")
    return root
