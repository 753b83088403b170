"""Helpers shared by the tests: tmp projects and a CLI runner with separate streams."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
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


@contextmanager
def serve_app(app, **config) -> Iterator[str]:
    """An ASGI app served by uvicorn on 127.0.0.1 (ephemeral port) in a thread, until the
    block ends; yields ``host:port``. Start-up is waited for by time, not by a count."""
    import threading
    import time

    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0,
                                           log_level="warning", lifespan="on", **config))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert server.started, "uvicorn did not start within 30 s"
    try:
        yield f"127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


class ThreadedServer:
    """A ThreadingHTTPServer on 127.0.0.1 (ephemeral port), run as a context manager: the
    one base of every local HTTP peer the tests use."""

    def _serve_with(self, handler: type) -> None:
        import threading
        from http.server import ThreadingHTTPServer

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        # A short poll interval: shutdown() waits up to one interval (0.5 s by default).
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True,
                                       kwargs={"poll_interval": 0.02})

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
