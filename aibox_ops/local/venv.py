"""The agent's isolated environment: a venv built from the requirements file with pip, as
the image does (``pip install -r requirements.txt``), cached by the requirements' hash.

A venv is built in a temporary folder and renamed into place only when pip succeeded, so
an interrupted or failed build never leaves a half environment that later runs would trust.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..config import Settings
from ..errors import DependencyError, FileError
from .paths import pip_log, venvs_dir
from .python import find_python

MARKER = "aibox-ops-venv.json"  # written last: its presence means the build completed
PIP_TIMEOUT = 1800
TAIL_LINES = 15
# The lines of pip's output that say what it is doing (the rest goes to the log only).
PIP_STEPS = ("Collecting", "Downloading", "Using cached", "Building wheel", "Installing",
             "Successfully", "Preparing metadata", "Requirement already satisfied")


@dataclass(frozen=True)
class AgentVenv:
    """A ready environment for the agent."""

    path: Path
    key: str
    python_version: str  # the interpreter it was built with
    wanted_version: str  # the image's Python
    reused: bool
    seconds: float

    @property
    def python(self) -> Path:
        """The environment's interpreter."""
        return self.path / "bin" / "python"

    def to_dict(self) -> dict[str, object]:
        """Machine-readable form."""
        return {"path": str(self.path), "key": self.key, "python": str(self.python),
                "python_version": self.python_version, "image_python": self.wanted_version,
                "reused": self.reused, "seconds": round(self.seconds, 3)}


def requirements_key(settings: Settings, requirements: bytes) -> str:
    """Cache key: the requirements' bytes and the image's Python version."""
    digest = hashlib.sha256()
    digest.update(f"python={settings.python_version}\n".encode())
    digest.update(requirements)
    return digest.hexdigest()[:20]


def ensure_venv(settings: Settings, progress: Callable[[str], None] | None = None,
                activity: Callable[[str], None] | None = None) -> AgentVenv:
    """Reuse the cached venv for the requirements file, or build it with pip.

    ``progress`` gets each step; ``activity`` what pip is doing within it (``pip:
    Collecting boto3``), as pip prints it.
    """
    started = time.monotonic()
    req_path = settings.path(settings.requirements_file)
    try:
        requirements = req_path.read_bytes()
    except OSError as exc:
        raise FileError(f"{req_path}: cannot read the requirements file ({exc.strerror})",
                        hint="Run `aibox-ops sync-requirements` to write it.") from None
    key = requirements_key(settings, requirements)
    target = venvs_dir() / key
    marker = _read_marker(target)
    if marker is None:
        target.parent.mkdir(parents=True, exist_ok=True)
        with _locked(target.with_name(f"{key}.lock")):
            marker = _read_marker(target)  # another run may have built it meanwhile
            if marker is None:
                marker = _build(settings, target, req_path, progress, activity)
                return AgentVenv(target, key, marker["python_version"],
                                 settings.python_version, False, time.monotonic() - started)
    return AgentVenv(target, key, str(marker.get("python_version", "?")),
                     settings.python_version, True, time.monotonic() - started)


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    import fcntl

    with path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _build(settings: Settings, target: Path, requirements: Path,
           progress: Callable[[str], None] | None,
           activity: Callable[[str], None] | None = None) -> dict:
    # Built in place (a venv cannot be moved); the marker is written last, so a folder
    # without it is an unfinished build and is thrown away.
    say = progress or (lambda _message: None)
    say(f"finding Python {settings.python_version}")
    interpreter = find_python(settings.python_version)
    log_path = pip_log(settings)
    say(f"building the agent environment with pip, Python {interpreter.version} "
        f"(log: {log_path})")
    shutil.rmtree(target, ignore_errors=True)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with log_path.open("w", encoding="utf-8") as log:
            _step([interpreter.path, "-m", "venv", str(target)], log,
                  "create the virtual environment", activity)
            # The image's install line, minus --no-cache-dir (a local rebuild may reuse
            # pip's cache; what gets installed is the same).
            _step([str(target / "bin" / "python"), "-m", "pip", "install",
                   "--disable-pip-version-check", "--no-input", "-r", str(requirements)],
                  log, f"install {requirements.name} with pip", activity)
        marker = {"python_version": interpreter.version, "python": interpreter.path,
                  "found_by": interpreter.found_by, "requirements": str(requirements),
                  "built_at": time.time()}
        (target / MARKER).write_text(json.dumps(marker, indent=2), encoding="utf-8")
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)
        raise
    return marker


def _step(command: list[str], log, what: str,
          activity: Callable[[str], None] | None = None) -> None:
    log.write(f"$ {' '.join(command)}\n")
    log.flush()
    env = {k: v for k, v in os.environ.items()
           if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "PIP_REQUIRE_VIRTUALENV")}
    try:
        code = _run_logged(command, log, env, activity or (lambda _line: None))
    except subprocess.TimeoutExpired:
        raise DependencyError(f"could not {what}: pip ran for over {PIP_TIMEOUT} s") from None
    except OSError as exc:
        raise DependencyError(f"could not {what}: {exc}") from None
    if code != 0:
        log.flush()
        tail = tail_lines(Path(log.name), TAIL_LINES)
        raise DependencyError(
            f"could not {what} (exit {code}); pip's last lines:\n"
            + "\n".join(f"  {line}" for line in tail),
            hint=f"Fix the requirement named above (full log: {log.name}); "
                 "pip honours PIP_INDEX_URL / PIP_FIND_LINKS for private or offline indexes.",
        )


def _run_logged(command: list[str], log, env: dict[str, str],
                activity: Callable[[str], None]) -> int:
    """Run ``command``, copying its output to ``log`` line by line and telling ``activity``
    each of pip's progress lines (``Collecting x``, ``Downloading y``, ``Installing ...``)."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               env=env, text=True, errors="replace", bufsize=1)
    timed_out = threading.Event()

    def kill() -> None:
        timed_out.set()
        process.kill()

    timer = threading.Timer(PIP_TIMEOUT, kill)
    timer.daemon = True
    timer.start()
    try:
        assert process.stdout is not None
        for line in process.stdout:
            log.write(line)
            text = line.strip()
            if text.startswith(PIP_STEPS):
                activity(f"pip: {text[:100]}")
        code = process.wait()
    except BaseException:  # Ctrl-C included: pip must not outlive the build
        process.kill()
        process.wait()
        raise
    finally:
        timer.cancel()
    if timed_out.is_set():
        raise subprocess.TimeoutExpired(command, PIP_TIMEOUT)
    return code


def tail_lines(path: Path, count: int) -> list[str]:
    """The last ``count`` non-empty lines of a text file ([] when unreadable)."""
    try:
        with path.open("rb") as handle:
            handle.seek(0, os.SEEK_END)
            handle.seek(max(0, handle.tell() - 16384))
            text = handle.read().decode("utf-8", errors="replace")
    except OSError:
        return []
    return [line for line in text.splitlines() if line.strip()][-count:]


def _read_marker(target: Path) -> dict | None:
    try:
        data = json.loads((target / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not (target / "bin" / "python").exists():
        return None
    return data if isinstance(data, dict) else None
