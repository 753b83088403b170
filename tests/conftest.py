"""Shared test harness.

Every test runs with fake AWS credentials, no ``~/.aws`` and an endpoint that refuses
connections, so nothing can reach real AWS by accident. Tests that talk to AWS take the
``aws`` fixture: a real moto server on 127.0.0.1 (one per session, state reset per test).
"""

from __future__ import annotations

import json
import os
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

FAKE_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "ap-southeast-1",
    "AWS_REGION": "ap-southeast-1",
    # Port 9 (discard) on loopback: an accidental AWS call fails at once, locally.
    "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
    "AWS_MAX_ATTEMPTS": "1",
    "AWS_RETRY_MODE": "standard",
    "AWS_EC2_METADATA_DISABLED": "true",
    "AGENTCORE_SUPPRESS_RECOMMENDATION": "1",
    # The starter toolkit reads its AgentCore endpoints once, at import: never real ones.
    "BEDROCK_AGENTCORE_CP_ENDPOINT": "http://127.0.0.1:9",
    "BEDROCK_AGENTCORE_DP_ENDPOINT": "http://127.0.0.1:9",
}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--run-pip-build", action="store_true",
                     help="also run tests marked pip_build (real pip installs; CI runs them)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked ``pip_build`` (minutes of pip) run only with --run-pip-build, so the
    default suite stays within its time budget; ``slow`` tests still run by default."""
    if config.getoption("--run-pip-build"):
        return
    skip = pytest.mark.skip(reason="pip_build: run with --run-pip-build")
    for item in items:
        if "pip_build" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _isolate_aws(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory):
    """Fake credentials, no shared config files, and no route to real AWS.

    Every AWS_* variable of the caller's environment is dropped first (per-service endpoint
    overrides, web-identity and container credentials included), then the fakes are set.
    """
    for key in [k for k in os.environ if k.startswith(("AWS_", "AIBOX_OPS_"))]:
        monkeypatch.delenv(key)
    empty = tmp_path_factory.mktemp("aws-home")
    for key, value in FAKE_ENV.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(empty / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(empty / "credentials"))


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """In-process CLI runs with --verbose/--debug configure logging globally: undo it, so no
    test's log assertions depend on which test ran before it in the same worker."""
    import logging

    root, ours = logging.getLogger(), logging.getLogger("aibox_ops")
    saved = (root.handlers[:], root.level, ours.handlers[:], ours.level)
    yield
    root.handlers[:], ours.handlers[:] = saved[0], saved[2]
    root.setLevel(saved[1])
    ours.setLevel(saved[3])


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    """A real moto server on an ephemeral loopback port; yields its base URL."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@dataclass(frozen=True)
class AwsEndpoint:
    """Handle on the moto server for one test."""

    url: str
    region: str = "ap-southeast-1"
    account_id: str = "123456789012"

    def client(self, service: str, region: str | None = None):
        """A boto3 client bound to the moto server, with retries off."""
        import boto3
        from botocore.config import Config

        return boto3.client(
            service,
            region_name=region or self.region,
            endpoint_url=self.url,
            config=Config(retries={"max_attempts": 1, "mode": "standard"}),
        )


@pytest.fixture
def aws(moto_server: str, monkeypatch: pytest.MonkeyPatch) -> AwsEndpoint:
    """Point boto3 at the moto server (fresh state) for this test."""
    req = urllib.request.Request(f"{moto_server}/moto-api/reset", data=b"", method="POST")
    with urllib.request.urlopen(req, timeout=10):
        pass
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server)
    monkeypatch.setenv("BEDROCK_AGENTCORE_CP_ENDPOINT", moto_server)
    monkeypatch.setenv("BEDROCK_AGENTCORE_DP_ENDPOINT", moto_server)
    return AwsEndpoint(url=moto_server)


@pytest.fixture
def write_json():
    """Write an object as JSON to a path and return the path."""

    def _write(path: Path, obj) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(obj, indent=2))
        return path

    return _write
