"""Start, watch and stop the agent process (the image's command, served on loopback)."""

from __future__ import annotations

import contextlib
import errno
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from ..config import Settings
from ..errors import AgentError
from .venv import tail_lines

HOST = "127.0.0.1"
# Variables of this shell that would leak another environment into the agent's, or make
# it think it is in a container (and bind 0.0.0.0).
DROPPED_ENV = ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "__PYVENV_LAUNCHER__",
               "DOCKER_CONTAINER", "AWS_EXECUTION_ENV", "UV_RUN_RECURSION_DEPTH")
STOP_GRACE_SECONDS = 10.0


def agent_env(settings: Settings) -> dict[str, str]:
    """The image's environment (Settings.container_env) over this shell's, minus
    DOCKER_CONTAINER so the agent serves on loopback only; AWS credentials and provider
    keys of this shell (AWS_PROFILE, OPENAI_API_KEY, OPENAI_BASE_URL, ...) pass through."""
    env = {k: v for k, v in os.environ.items() if k not in DROPPED_ENV}
    image = {k: v for k, v in settings.container_env.items() if k != "DOCKER_CONTAINER"}
    return {**env, **image}


def agent_command(python: Path, settings: Settings, port: int) -> list[str]:
    """``python -m <entry module> --server --port N`` (the image runs ``python -m``)."""
    return [str(python), "-m", settings.entry_module, "--server", "--port", str(port)]


def port_in_use(port: int, host: str = HOST) -> bool:
    """Whether something already listens on ``host:port`` (tried the way uvicorn binds)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                return True
            raise
    return False


def spawn(command: list[str], env: dict[str, str], cwd: Path, log_path: Path
          ) -> subprocess.Popen:
    """Start the agent in its own session (a terminal's Ctrl-C reaches only aibox-ops,
    which then stops the agent itself), stdout and stderr into ``log_path``."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log:
        return subprocess.Popen(command, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def wait_for_ping(process: subprocess.Popen, url_host: str, port: int, log_path: Path,
                  timeout: float) -> float:
    """Poll ``GET /ping`` until it answers 200; seconds waited. AgentError (with the log's
    last lines) when the process exits first or ``timeout`` passes."""
    started = time.monotonic()
    deadline = started + timeout
    while True:
        code = process.poll()
        if code is not None:
            raise exited_error(code, log_path, port)
        if _ping(url_host, port):
            return time.monotonic() - started
        if time.monotonic() > deadline:
            stop_process(process.pid, process)
            raise AgentError(f"the agent did not answer /ping within {timeout:.0f} s",
                             hint=f"Its log: {log_path}", log_tail=tail_lines(log_path, 15))
        time.sleep(0.03)


def _ping(host: str, port: int) -> bool:
    conn = http.client.HTTPConnection(host, port, timeout=2)
    try:
        conn.request("GET", "/ping")
        return conn.getresponse().status == 200
    except (OSError, http.client.HTTPException):
        return False
    finally:
        conn.close()


def exited_error(code: int, log_path: Path, port: int) -> AgentError:
    """The error for an agent that exited at start, with its last log lines."""
    tail = tail_lines(log_path, 15)
    if any("address already in use" in line.lower() for line in tail):
        return AgentError(f"port {port} is in use", hint="Pass another --port.",
                          log_tail=tail)
    return AgentError(f"the agent exited at start (exit code {code})",
                      hint=f"See its last log lines below (full log: {log_path}).",
                      log_tail=tail)


def process_alive(pid: int) -> bool:
    """Whether a process with ``pid`` exists (and is not a zombie we could reap)."""
    try:
        done, _status = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return False
    except ChildProcessError:
        pass  # not our child: fall through to the signal probe
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def command_line(pid: int) -> str:
    """The command line of ``pid`` ('' when unknown), to tell our agent from a reused pid."""
    proc = Path(f"/proc/{pid}/cmdline")
    if proc.exists():
        with contextlib.suppress(OSError):
            return proc.read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
        return ""
    if sys.platform == "win32":
        return ""
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        done = subprocess.run(["ps", "-p", str(pid), "-o", "command="], capture_output=True,
                              text=True, timeout=5, check=False)
        return done.stdout.strip()
    return ""


def stop_process(pid: int, process: subprocess.Popen | None = None,
                 grace: float = STOP_GRACE_SECONDS) -> str:
    """SIGTERM the agent's process group, SIGKILL after ``grace`` s; how it ended."""
    if not process_alive(pid):
        return "not running"
    _signal_group(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        if process is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=0.05)
        else:
            time.sleep(0.05)
        if not process_alive(pid):
            return "stopped"
    _signal_group(pid, signal.SIGKILL)
    if process is not None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=5)
    return "killed"


def _signal_group(pid: int, sig: int) -> None:
    # The agent leads its own process group (start_new_session): signal the group so any
    # worker it started goes too; anything else gets the signal alone.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        if os.getpgid(pid) == pid:
            os.killpg(pid, sig)
        else:
            os.kill(pid, sig)
