"""--json runs end with one JSON document even when Ctrl-C stops them (issue 18)."""

from __future__ import annotations

import json

import pytest

from aibox_ops.errors import ExitCode
from tests.helpers import invoke, make_project


@pytest.mark.parametrize("command", [["render"], ["config"]])
def test_a_json_run_stopped_by_ctrl_c_prints_one_json_document(tmp_path, monkeypatch,
                                                               command):
    import aibox_ops.cli.state as state
    import aibox_ops.render as render_pkg

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    target = (render_pkg, "plan_render") if command == ["render"] else (state, "load_settings")
    monkeypatch.setattr(*target, interrupted)
    make_project(tmp_path)
    result = invoke("--json", *command, project=tmp_path)
    assert result.exit_code == ExitCode.INTERRUPTED
    doc = json.loads(result.stdout)
    assert doc["ok"] is False and doc["exit_code"] == 130 and "interrupted" in doc["message"]
    plain = invoke(*command, project=tmp_path)
    assert plain.stdout == "" and "interrupted" in plain.stderr


def test_a_secret_an_endpoint_echoes_never_reaches_the_error_message(tmp_path):
    from http.server import BaseHTTPRequestHandler

    from tests.helpers import ThreadedServer

    key = "sk-proj-" + "A1b2" * 8

    class Echo(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server API
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            body = json.dumps({"error": f"Incorrect API key provided: {key}"}).encode()
            self.send_response(401)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    class Peer(ThreadedServer):
        def __init__(self):
            self._serve_with(Echo)

    make_project(tmp_path)
    with Peer() as peer:
        result = invoke("--json", "invoke", "--url", f"{peer.url}/invocations", "hi",
                        project=tmp_path)
    assert result.exit_code == ExitCode.AGENT, result.stdout + result.stderr
    assert "401" in result.stderr
    for text in (result.stdout, result.stderr):
        assert key not in text
    assert "[REDACTED]" in result.stdout
