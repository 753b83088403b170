"""Deploy test fixtures: a real project, the real starter toolkit, moto with its gaps
filled (see moto_agentcore.py), and a local InvokeAgentRuntime peer."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from moto_agentcore import AgentCoreMoto, builds, gap_fillers  # noqa: E402, F401

from tests.helpers import REPO, make_project  # noqa: E402


@pytest.fixture
def agentcore_moto(aws, health_peer, monkeypatch: pytest.MonkeyPatch) -> AgentCoreMoto:
    """Fill moto's AgentCore/CodeBuild gaps and point the toolkit's endpoints at moto."""
    switches = AgentCoreMoto()
    for target, name, value in gap_fillers(switches, aws.url):
        monkeypatch.setattr(target, name, value, raising=False)
    return switches


@pytest.fixture
def health_peer(aws, monkeypatch: pytest.MonkeyPatch):
    """InvokeAgentRuntime answered by a local peer (a fixed healthy reply)."""
    from runtime_peer import RuntimePeer

    with RuntimePeer() as peer:
        monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_AGENTCORE", peer.url)
        yield peer


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
