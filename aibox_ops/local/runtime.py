"""``deploy --local``: the agent on 127.0.0.1 in the image's environment, without Docker/AWS.

``start_local`` builds (or reuses) the venv, checks the port, starts the agent, waits for
``/ping`` and sends the ``health`` action; ``stop_local`` stops a running local agent. The
project's state file (``.aibox-ops/local/agent.json``) records the running agent for
``invoke --local`` and ``destroy --local``.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config import Settings
from ..errors import AgentError, ConfigError, InputError
from ..files import read_text
from . import process as proc
from .paths import agent_log, state_file
from .sessions import SessionStoreChoice
from .venv import AgentVenv, ensure_venv, tail_lines

DEFAULT_PORT = 8080
START_TIMEOUT = 60.0


@dataclass
class LocalRuntime:
    """A local agent that answers /ping (what ``start_local`` returns)."""

    url: str
    port: int
    pid: int
    log: Path
    detached: bool
    venv: AgentVenv | None = None
    health: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    process: subprocess.Popen | None = field(default=None, repr=False)
    state_path: Path | None = None
    sessions: SessionStoreChoice | None = None

    def to_dict(self) -> dict[str, Any]:
        """Machine-readable form (the ``--json`` document of ``deploy --local``)."""
        return {"url": self.url, "port": self.port, "pid": self.pid, "log": str(self.log),
                "detached": self.detached, "health": self.health,
                "sessions": self.sessions.to_dict() if self.sessions else None,
                "venv": self.venv.to_dict() if self.venv else None,
                "timings": {k: round(v, 3) for k, v in self.timings.items()}}

    def follow(self, on_line: Callable[[str], None], poll: float = 0.2) -> int:
        """Foreground: pass new agent log lines to ``on_line`` until the agent exits;
        returns its exit code."""
        if self.process is None:
            raise RuntimeError("follow() needs the foreground process")
        with self.log.open("rb") as handle:
            handle.seek(0, os.SEEK_END)
            while True:
                code = self.process.poll()
                for raw in handle.readlines():
                    on_line(raw.decode("utf-8", errors="replace").rstrip("\n"))
                if code is not None:
                    self._forget()
                    return code
                time.sleep(poll)

    def stop(self) -> str:
        """Stop this agent (SIGTERM, SIGKILL after a grace period); how it ended."""
        how = proc.stop_process(self.pid, self.process)
        self._forget()
        return how

    def _forget(self) -> None:
        if self.state_path is not None:
            with contextlib.suppress(FileNotFoundError):
                self.state_path.unlink()


def start_local(settings: Settings, port: int = DEFAULT_PORT, detach: bool = False,
                progress: Callable[[str], None] | None = None,
                start_timeout: float = START_TIMEOUT,
                sessions: SessionStoreChoice | None = None,
                activity: Callable[[str], None] | None = None) -> LocalRuntime:
    """Start the agent on 127.0.0.1:``port`` and return it once healthy (``progress``: each
    step; ``activity``: what pip is doing during a build); ``sessions`` is where it keeps
    history (its environment for that store is added, see sessions.py).

    Raises AgentError (exit 8: port in use, exited at start, unhealthy; with the agent's
    last log lines), DependencyError (exit 6: pip failed) or FileError (no requirements).
    """
    if not 1 <= port <= 65535:
        raise InputError([f"--port {port}: expected 1-65535"])
    running = read_local(settings)
    if running is not None:
        raise AgentError(f"a local agent is already running at {running['url']} "
                         f"(pid {running['pid']})",
                         hint="Stop it with `aibox-ops destroy --local`, or use it: "
                              "`aibox-ops invoke --local \"Hello\"`.")
    _check_port(port)
    entry = settings.path(settings.entrypoint)
    if not entry.is_file():
        raise ConfigError([f"entrypoint {settings.entrypoint!r}: no such file"])
    say = progress or (lambda _message: None)
    venv = ensure_venv(settings, progress, activity)
    log_path = agent_log(settings)
    _check_port(port)  # again: the build may have taken minutes
    say(f"starting the agent on {proc.HOST}:{port}")
    started = time.monotonic()
    env = {**proc.agent_env(settings), **(sessions.agent_env() if sessions else {})}
    process = proc.spawn(proc.agent_command(venv.python, settings, port), env,
                         settings.agent_dir, log_path)
    url = f"http://{proc.HOST}:{port}"
    runtime = LocalRuntime(url, port, process.pid, log_path, detach, venv, process=process,
                           sessions=sessions)
    try:
        runtime.timings["ping_seconds"] = proc.wait_for_ping(process, proc.HOST, port,
                                                             log_path, start_timeout)
        runtime.health = _health(url, log_path)
        runtime.timings["start_seconds"] = time.monotonic() - started
        runtime.timings["venv_seconds"] = venv.seconds
        runtime.state_path = _write_state(settings, runtime)
    except BaseException:
        proc.stop_process(process.pid, process)
        raise
    if detach:
        runtime.process = None  # the agent outlives this process; the state file finds it
    return runtime


def stop_local(settings: Settings) -> dict[str, Any]:
    """Stop the project's local agent; ``{"stopped": bool, "pid", "url", "how"}``."""
    state = read_local(settings, keep_stale=True)
    path = state_file(settings)
    if state is None:
        return {"stopped": False, "pid": None, "url": None, "how": "not running"}
    how = "not running (stale state file removed)"
    if _is_our_agent(state):
        how = proc.stop_process(int(state["pid"]))
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    return {"stopped": how in ("stopped", "killed"), "pid": state["pid"],
            "url": state.get("url"), "how": how}


def read_local(settings: Settings, keep_stale: bool = False) -> dict[str, Any] | None:
    """The running local agent's state (pid, port, url, log), or None. A state file whose
    process is gone is removed unless ``keep_stale``."""
    path = state_file(settings)
    text = read_text(path)
    if text is None:
        return None
    try:
        state = json.loads(text)
        int(state["pid"])
    except (ValueError, KeyError, TypeError):
        state = {"pid": 0, "url": None, "stale": True}
    if _is_our_agent(state):
        return state
    if keep_stale:
        return state
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    return None


def _is_our_agent(state: dict[str, Any]) -> bool:
    pid = int(state.get("pid") or 0)
    if pid <= 0 or not proc.process_alive(pid):
        return False
    # A recycled pid belongs to some other program: only ours runs the venv's python.
    expected = str(state.get("python") or "")
    return bool(expected) and expected in proc.command_line(pid)


def _check_port(port: int) -> None:
    if proc.port_in_use(port):
        raise AgentError(f"port {port} on {proc.HOST} is in use by another program",
                         hint=f"Pass another port (--port {port + 1}) or stop that program.")


def _health(url: str, log_path: Path) -> dict[str, Any]:
    from ..invoke import invoke_local

    try:
        chunks = list(invoke_local(url, {"action": "health"}))
    except AgentError as error:
        error.log_tail = tail_lines(log_path, 15)
        raise
    body = chunks[0] if chunks else {}
    if body.get("status") != "healthy":
        raise AgentError(f"the agent's health action answered {json.dumps(body)[:300]}",
                         log_tail=tail_lines(log_path, 15))
    return body


def _write_state(settings: Settings, runtime: LocalRuntime) -> Path:
    path = state_file(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"pid": runtime.pid, "port": runtime.port, "url": runtime.url,
            "log": str(runtime.log), "detached": runtime.detached,
            "python": str(runtime.venv.python) if runtime.venv else "",
            "started_at": time.time()}
    temp = path.with_suffix(".tmp")
    temp.write_text(json.dumps(data, indent=2), encoding="utf-8")
    temp.replace(path)
    return path
