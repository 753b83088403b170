"""The agent server as a process: SIGTERM with work in flight, background warm-up."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

RUNNER = Path(__file__).resolve().parent / "agent_server_main.py"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``agent_server_main.py`` in a subprocess; stderr collected on a thread."""

    def __init__(self, mode: str, **env: str) -> None:
        self.port = _free_port()
        full_env = {**os.environ, "LOG_TO_FILE": "false", "LOG_LEVEL": "INFO", **env}
        self.proc = subprocess.Popen([sys.executable, str(RUNNER), str(self.port), mode],
                                     env=full_env, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, text=True)
        self.stderr: list[str] = []
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        for line in self.proc.stderr:
            self.stderr.append(line)

    def wait_healthy(self) -> None:
        for _ in range(3000):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/ping", timeout=2) as r:
                    if json.load(r)["status"] == "Healthy":
                        return
            except OSError:
                threading.Event().wait(0.01)
        pytest.fail("the server never answered /ping")

    def wait_for_log(self, text: str, seconds: float = 60) -> bool:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and self.proc.poll() is None:
            if any(text in line for line in self.stderr):
                return True
            threading.Event().wait(0.05)
        return any(text in line for line in self.stderr)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=10)


@pytest.fixture
def start_server():
    servers: list[Server] = []

    def start(mode: str, **env: str) -> Server:
        servers.append(Server(mode, **env))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


@pytest.mark.slow
def test_warm_up_after_first_ping_and_sigterm_with_a_stream_open(start_server):
    """One server process (each costs an interpreter, imports and a tool worker)."""
    server = start_server("wait", AGENT_WARMUP="true", SHUTDOWN_GRACE_SECONDS="1")
    server.wait_healthy()
    # Warm-up runs after the first /ping, with no invocation made.
    assert server.wait_for_log("Warm-up done"), "".join(server.stderr)
    assert not any("Warm-up failed" in line for line in server.stderr)

    body = json.dumps({"prompt": "x", "stream": True, "tool_config": {"enabled": False}})
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=60)
    sock.sendall(f"POST /invocations HTTP/1.1\r\nHost: agent\r\nContent-Type: application/json"
                 f"\r\nContent-Length: {len(body)}\r\n\r\n{body}".encode())
    received = b""
    while b'"start"' not in received:  # the model call is now waiting (an hour)
        data = sock.recv(65536)
        assert data, "the stream ended early"
        received += data
    server.proc.send_signal(signal.SIGTERM)
    try:
        server.proc.wait(timeout=20)  # uvicorn alone would wait for the stream without limit
    except subprocess.TimeoutExpired:
        pytest.fail("the server ignored SIGTERM while a stream was open")
    finally:
        sock.close()


@pytest.mark.slow
def test_eager_start_warms_up_before_the_server_answers(start_server):
    """AGENT_EAGER_START=1 (snapshot start): the warm-up runs in the lifespan start-up, which
    uvicorn finishes before it binds the port, so the first /ping finds strands, the tools and
    the model client loaded. Causal order from the log line's own clock: the warm-up ended
    before the first /ping was answered."""
    from datetime import datetime

    server = start_server("answer", AGENT_WARMUP="true", AGENT_EAGER_START="1")
    server.wait_healthy()
    first_ping = time.time()
    assert server.wait_for_log("Eager start: warmed up in"), "".join(server.stderr)
    line = next(x for x in server.stderr if "Eager start: warmed up in" in x)
    stamp = datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S,%f").timestamp()
    assert stamp <= first_ping, (line, first_ping)
    body = json.dumps({"prompt": "x", "tool_config": {"enabled": False}}).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{server.port}/invocations", body,
                                     {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as reply:
        assert json.load(reply)["response"] == "hello"
    assert sum("Warm-up done" in x for x in server.stderr) == 1  # not redone after /ping
    assert not any("Warm-up failed" in x for x in server.stderr)
