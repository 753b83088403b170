"""The deploy benchmarks' shared world (not a benchmark itself): a moto server in this process
with the deploy tests' gaps filled (``tests/deploy/moto_agentcore.py``), the tests' local
InvokeAgentRuntime peer for the health call (``tests/deploy/runtime_peer.py``), and the
bundled agent as ``tests/deploy/conftest.py``'s ``project`` fixture builds it.

No request leaves 127.0.0.1 except uv's, to the package index, when a code package's arm64
wheels are not cached.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import statistics
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests" / "deploy")]

ENV = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
       "AWS_DEFAULT_REGION": "ap-southeast-1", "AWS_REGION": "ap-southeast-1",
       "AWS_MAX_ATTEMPTS": "1", "AWS_EC2_METADATA_DISABLED": "true"}


@dataclass
class World:
    """A running moto server (gaps filled) and health peer; ``home`` is a temporary folder."""

    url: str
    home: Path
    counter: int = 0

    def reset(self) -> None:
        """Empty moto (the gap fillers patch moto's classes and stay)."""
        request = urllib.request.Request(f"{self.url}/moto-api/reset", data=b"",
                                         method="POST")
        with urllib.request.urlopen(request, timeout=10):
            pass

    def project(self, *, requirements: bool = True) -> Path:
        """A fresh copy of the bundled agent, as the deploy tests' ``project`` fixture makes
        it (the real pyproject, uv.lock and agent, plus files that must never be uploaded);
        ``requirements``: also the repository's requirements-agentcore.txt."""
        from tests.helpers import make_project

        self.counter += 1
        root = make_project(self.home / f"proj{self.counter}", lock=True, agent=False)
        shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")
        shutil.copytree(REPO / "agent", root / "agent",
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "logs"))
        if requirements:
            shutil.copy(REPO / "requirements-agentcore.txt", root / "requirements-agentcore.txt")
        (root / ".env").write_text("OPENAI_API_KEY=sk-secret\n")
        (root / "agent" / ".env").write_text("GEMINI_API_KEY=secret\n")
        (root / "agent" / "tests").mkdir()
        (root / "agent" / "tests" / "test_x.py").write_text("def test(): pass\n")
        (root / "docs").mkdir()
        (root / "docs" / "x.md").write_text("# docs\n")
        return root


@contextlib.contextmanager
def world() -> Iterator[World]:
    """moto on 127.0.0.1 (in this process: the gap fillers patch its classes) and the health
    peer, with boto3 and the toolkit endpoints pointed at them."""
    import logging

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    home = Path(tempfile.mkdtemp(prefix="aibox-bench-"))
    os.environ.update(ENV, AWS_ENDPOINT_URL=url, BEDROCK_AGENTCORE_CP_ENDPOINT=url,
                      BEDROCK_AGENTCORE_DP_ENDPOINT=url,
                      AWS_CONFIG_FILE=str(home / "c"), AWS_SHARED_CREDENTIALS_FILE=str(home / "k"))
    from moto_agentcore import AgentCoreMoto, gap_fillers
    from runtime_peer import RuntimePeer

    for target, name, value in gap_fillers(AgentCoreMoto(), url):
        setattr(target, name, value)
    try:
        with RuntimePeer() as peer:
            os.environ["AWS_ENDPOINT_URL_BEDROCK_AGENTCORE"] = peer.url
            yield World(url, home)
    finally:
        server.stop()
        shutil.rmtree(home, ignore_errors=True)


@dataclass
class Timed:
    """One deploy: wall seconds, its phases' seconds and what the launch did."""

    total: float
    phases: dict[str, float]
    action: str
    deployment_type: str | None
    # package (the code zip, whole), zip (of which: writing the zip), image (container)
    launch_parts: dict[str, float] = field(default_factory=dict)
    zipped_bytes: int | None = None
    unzipped_bytes: int | None = None
    dependencies_cached: bool | None = None
    warnings: list[str] = field(default_factory=list)


def deploy(project: Path, *, deployment_type: str | None = None, force: bool = False) -> Timed:
    """One ``run_deploy`` in this process (the CLI's own call, minus its start-up), timed;
    the launch's code package build and image build are timed on their own."""
    from aibox_ops.aws import open_session
    from aibox_ops.config import load_settings
    from aibox_ops.deploy import DeployOptions, code_package, run_deploy
    from aibox_ops.deploy.engine import launch

    parts: dict[str, float] = {}
    built: dict[str, Any] = {}
    real_package, real_image = launch.build_deploy_package, launch.Launch._image
    real_zip = code_package._write_zip

    def write_zip(*args, **kwargs):
        started = time.perf_counter()
        try:
            return real_zip(*args, **kwargs)
        finally:
            parts["zip"] = parts.get("zip", 0.0) + time.perf_counter() - started

    def package(*args, **kwargs):
        started = time.perf_counter()
        try:
            built["package"] = real_package(*args, **kwargs)
            return built["package"]
        finally:
            parts["package"] = parts.get("package", 0.0) + time.perf_counter() - started

    def image(self, *args, **kwargs):
        started = time.perf_counter()
        try:
            return real_image(self, *args, **kwargs)
        finally:
            parts["image"] = parts.get("image", 0.0) + time.perf_counter() - started

    environ = {"AIBOX_OPS_DEPLOYMENT_TYPE": deployment_type} if deployment_type else {}
    launch.build_deploy_package, launch.Launch._image = package, image
    code_package._write_zip = write_zip
    try:
        settings = load_settings(project, environ=environ)
        started = time.perf_counter()
        report = run_deploy(open_session(settings.region), settings,
                            DeployOptions(force_build=force, no_warm=True, timeout=60,
                                          poll=0.05))
        total = time.perf_counter() - started
    finally:
        launch.build_deploy_package, launch.Launch._image = real_package, real_image
        code_package._write_zip = real_zip
    failed = [p for p in report.phases if p.status == "failed"]
    if failed:
        raise SystemExit(f"deploy failed in {failed[0].name}: {failed[0].summary}")
    pkg = built.get("package")
    return Timed(total, {p.name: p.seconds for p in report.phases}, report.action,
                 report.deployment_type, parts,
                 pkg.zipped_bytes if pkg else None, pkg.unzipped_bytes if pkg else None,
                 pkg.dependencies_cached if pkg else None, list(report.warnings))




@contextlib.contextmanager
def touch_code(project: Path, stamp: str) -> None:
    """A code change: one line appended to the agent's entry point."""
    path = project / "agent" / "agentcore_app.py"
    path.write_text(path.read_text() + f"\n# benchmark change {stamp}\n")


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")
