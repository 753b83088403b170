"""One deploy, rollback or destroy at a time per project: ``.aibox-ops/deploy.lock``.

Each of them reads ``.aibox-ops/deploys.json`` at its start and writes it back later, so two
at once would lose one's record of what it created (last writer wins). ``filelock`` holds an
OS lock on the file (released by the OS if the process dies, so a crash leaves no stale
lock); who holds it (pid, host, command, start time) is written beside it, so the refused
run can name the other one.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import socket
from collections.abc import Iterator
from pathlib import Path

from ..config import Settings
from ..errors import FileError, RefusedError
from ..files import atomic_write, read_text

LOCK_PATH = ".aibox-ops/deploy.lock"
HOLDER_PATH = ".aibox-ops/deploy.lock.json"


@contextlib.contextmanager
def project_lock(settings: Settings, command: str) -> Iterator[None]:
    """Hold the project's deploy lock for ``command``; RefusedError (exit 7) naming the
    other run when it is held, FileError when the folder cannot hold a lock file."""
    from filelock import FileLock, Timeout

    path, holder = settings.path(LOCK_PATH), settings.path(HOLDER_PATH)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(path), timeout=0)
        lock.acquire()
    except Timeout:
        raise RefusedError(f"another aibox-ops run holds {path}: {_describe(holder)}",
                           hint="Wait for it to finish, then run this again (one deploy, "
                                "rollback or destroy at a time per project).",
                           targets=[str(path)]) from None
    except OSError as exc:
        raise FileError(f"{path}: cannot take the deploy lock "
                        f"({exc.strerror or exc})") from None
    try:
        atomic_write(holder, json.dumps({
            "pid": os.getpid(), "host": socket.gethostname(), "command": command,
            "agent": f"{settings.agent_name}@{settings.region}",
            "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}) + "\n")
        yield
    finally:
        with contextlib.suppress(OSError):
            holder.unlink()
        lock.release()


def _describe(holder_path: Path) -> str:
    try:
        info = json.loads(read_text(holder_path) or "{}")
    except (json.JSONDecodeError, FileError):
        info = {}
    if not isinstance(info, dict) or not info.get("pid"):
        return "a run that has not said who it is yet"
    return (f"`aibox-ops {info.get('command')}` of {info.get('agent')}, pid {info.get('pid')} "
            f"on {info.get('host')}, started {info.get('started')}")
