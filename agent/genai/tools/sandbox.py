"""Run tools that can burn unbounded CPU or memory in worker processes (parent side).

A tool call holding the GIL in one long C call (``9**9**9**9``) freezes every thread of the
server: ``/ping``, deadlines, even SIGTERM. Such tools run in ``sandbox_worker`` processes
under RLIMIT_CPU / RLIMIT_AS, killed on a wall-clock timeout; the call then ends with an
error result (a ``tool_use`` chunk with ``status: "error"``) and the run goes on.

Workers are pooled and long-lived: one is started ahead (at warm-up, or on first use), and
it forks a child per call, so a call costs a fork and a pipe round trip, not an interpreter
start plus a sympy import (~2 s); limits and kills apply to the child only. The parent never
imports the tool modules: the tool spec comes from the worker's hello. Blocking pipe I/O
runs on this module's own small thread pool (TOOL_WORKERS threads).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import selectors
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)
AGENT_DIR = Path(__file__).resolve().parents[2]
STARTUP_TIMEOUT_SECONDS = 60.0
REPLY_GRACE_SECONDS = 5.0  # the worker enforces the timeout; this only catches a hung worker
# name -> "module:attribute" of the strands tool run in workers.
SANDBOXED: dict[str, str] = {"calculator": "strands_tools.calculator:calculator"}


def _number(name: str, default: float) -> float:
    try:
        value = float(os.environ.get(name, default))
    except ValueError:
        return default
    return value if value > 0 else default


@dataclass(frozen=True)
class SandboxLimits:
    """Per-call limits of sandboxed tools (documented in docs/agent.md)."""

    timeout_seconds: float
    cpu_seconds: float
    memory_mb: int
    workers: int

    @classmethod
    def from_env(cls) -> SandboxLimits:
        """TOOL_TIMEOUT_SECONDS (10), TOOL_CPU_SECONDS (5), TOOL_MEMORY_MB (512), TOOL_WORKERS
        (2); an unset, invalid or non-positive value means the default."""
        return cls(
            timeout_seconds=_number("TOOL_TIMEOUT_SECONDS", 10.0),
            cpu_seconds=_number("TOOL_CPU_SECONDS", 5.0),
            memory_mb=int(_number("TOOL_MEMORY_MB", 512)),
            workers=int(_number("TOOL_WORKERS", 2)),
        )


class _WorkerGone(Exception):
    pass


class _Ticket:
    """Links an awaiting coroutine to the child process its call runs in (killed on cancel)."""

    def __init__(self) -> None:
        self.child: int | None = None
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True
        if self.child is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(self.child, signal.SIGKILL)


class _Worker:
    """One worker process and its line-based pipe protocol."""

    def __init__(self) -> None:
        env = {**os.environ, "BYPASS_TOOL_CONSENT": "true",
               "PYTHONPATH": os.pathsep.join(filter(None, [str(AGENT_DIR),
                                                           os.environ.get("PYTHONPATH")]))}
        targets = [f"{name}={target}" for name, target in SANDBOXED.items()]
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "genai.tools.sandbox_worker", *targets],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            bufsize=0, env=env, cwd=AGENT_DIR, start_new_session=True,
        )
        self.specs: dict[str, Any] | None = None
        self._buffer = b""

    def _read_line(self, timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        with selectors.DefaultSelector() as selector:
            selector.register(self.proc.stdout, selectors.EVENT_READ)
            while b"\n" not in self._buffer:
                left = deadline - time.monotonic()
                if left <= 0 or not selector.select(left):
                    raise TimeoutError
                data = os.read(self.proc.stdout.fileno(), 65536)
                if not data:
                    self.proc.wait()
                    raise _WorkerGone
                self._buffer += data
        line, self._buffer = self._buffer.split(b"\n", 1)
        return json.loads(line)

    def ready(self) -> dict[str, Any]:
        """Wait for the hello; the tool specs."""
        if self.specs is None:
            self.specs = self._read_line(STARTUP_TIMEOUT_SECONDS)["specs"]
        return self.specs

    def call(self, request: dict[str, Any], timeout: float, ticket: _Ticket) -> dict[str, Any]:
        """Send one request; the worker enforces ``timeout``, this waits a little longer."""
        try:
            self.proc.stdin.write(json.dumps(request).encode() + b"\n")
        except OSError:
            self.proc.wait()
            raise _WorkerGone from None
        ticket.child = self._read_line(timeout + REPLY_GRACE_SECONDS)["pid"]
        if ticket.cancelled:
            ticket.cancel()
        return self._read_line(timeout + REPLY_GRACE_SECONDS)["result"]

    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        """Kill the worker and any call it is running (its children share its group)."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()


def _error(tool_use: dict[str, Any], text: str) -> dict[str, Any]:
    return {"toolUseId": tool_use.get("toolUseId", ""), "status": "error",
            "content": [{"text": text}]}


class ToolSandbox:
    """A small pool of worker processes for the tools in ``SANDBOXED``."""

    def __init__(self, limits: SandboxLimits | None = None) -> None:
        self.limits = limits or SandboxLimits.from_env()
        self._idle: list[_Worker] = []
        self._lock = threading.Lock()
        self._specs: dict[str, Any] = {}
        self._executor = ThreadPoolExecutor(self.limits.workers, "tool-sandbox")
        self._closed = False

    def _take(self) -> _Worker:
        with self._lock:
            while self._idle:
                worker = self._idle.pop()
                if worker.alive():
                    break
            else:
                worker = _Worker()
        try:
            self._specs.update(worker.ready())
        except (TimeoutError, _WorkerGone, ValueError, KeyError) as exc:
            worker.kill()
            raise RuntimeError(f"its worker process did not start ({type(exc).__name__})") from None
        return worker

    def _give_back(self, worker: _Worker) -> None:
        with self._lock:
            if self._closed:
                worker.kill()
            else:
                self._idle.append(worker)

    def prestart(self) -> None:
        """Start one worker ahead if none is idle (returns at once; it loads in the background)."""
        with self._lock:
            if not self._closed and not self._idle:
                self._idle.append(_Worker())

    def spec(self, name: str) -> dict[str, Any]:
        """The tool spec of ``name`` (blocking: may wait for a worker to start)."""
        if name not in self._specs:
            self._give_back(self._take())
        return self._specs[name]

    def call(self, name: str, tool_use: dict[str, Any], ticket: _Ticket) -> dict[str, Any]:
        """Run one call in a worker's child process (blocking); always returns a ToolResult."""
        try:
            worker = self._take()
        except RuntimeError as exc:
            return _error(tool_use, f"Error: {name} is unavailable: {exc}")
        try:
            limits = self.limits
            request = {"tool": name, "tool_use": tool_use,
                       "limits": [limits.timeout_seconds, limits.cpu_seconds, limits.memory_mb]}
            result = worker.call(request, limits.timeout_seconds, ticket)
        except (TimeoutError, _WorkerGone, ValueError, KeyError):
            # The worker itself failed (it never runs tool code): replace it.
            worker.kill()
            self.prestart()
            return _error(tool_use, f"Error: {name}'s worker process failed "
                                    f"(exit code {worker.proc.returncode})")
        self._give_back(worker)
        return result

    async def run(self, name: str, tool_use: dict[str, Any]) -> dict[str, Any]:
        """Run one call without blocking the loop; cancelling kills the worker at once."""
        ticket = _Ticket()
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(self._executor, self.call, name, tool_use, ticket)
        try:
            return await future
        except asyncio.CancelledError:
            ticket.cancel()
            raise

    def close(self) -> None:
        """Kill every worker; later calls start new ones only after ``reset``."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.kill()
        self._executor.shutdown(wait=False, cancel_futures=True)


_shared: ToolSandbox | None = None
_shared_lock = threading.Lock()


def shared() -> ToolSandbox:
    """The process-wide sandbox (limits read from the environment when first created)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = ToolSandbox()
        return _shared


def reset() -> None:
    """Close the process-wide sandbox (server shutdown, tests changing limits)."""
    global _shared
    with _shared_lock:
        sandbox, _shared = _shared, None
    if sandbox is not None:
        sandbox.close()
