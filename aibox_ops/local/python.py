"""Find a Python interpreter of the version the image uses (settings.python_version)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

_PROBE = "import sys; print('%d.%d' % sys.version_info[:2]); print(sys.executable)"


@dataclass(frozen=True)
class Interpreter:
    """A Python to build the local environment with."""

    path: str
    version: str  # "3.12"
    wanted: str  # the image's version
    found_by: str

    @property
    def matches(self) -> bool:
        """Whether it is the version the image runs."""
        return self.version == self.wanted


def find_python(wanted: str) -> Interpreter:
    """The first working interpreter of version ``wanted`` (this one, ``uv python find``,
    ``python<wanted>`` on PATH, pyenv's versions), else this interpreter (``.matches``)."""
    current = f"{sys.version_info[0]}.{sys.version_info[1]}"
    if current == wanted:
        return Interpreter(sys.executable, current, wanted, "this interpreter")
    uv = shutil.which("uv")
    candidates: list[tuple[list[str], str]] = []
    if uv:
        candidates.append(([uv, "python", "find", "--no-project", wanted], "uv python find"))
    named = shutil.which(f"python{wanted}")
    if named:
        candidates.append(([named, "-c", _PROBE], f"python{wanted} on PATH"))
    for installed in _pyenv_versions(wanted):  # pyenv installs its shims may not select
        candidates.append(([str(installed), "-c", _PROBE], "pyenv versions"))
    for command, how in candidates:
        path = _run(command)
        if path and how.startswith("uv"):
            path = _run([path.splitlines()[-1], "-c", _PROBE])
        if path:
            version, _, exe = path.partition("\n")
            if version == wanted and exe:
                return Interpreter(exe.strip(), version, wanted, how)
    return Interpreter(sys.executable, current, wanted, "this interpreter (fallback)")


def _pyenv_versions(wanted: str) -> list[Path]:
    """``$PYENV_ROOT/versions/<wanted>.*/bin/python<wanted>``, newest first."""
    root = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"
    found = [p / "bin" / f"python{wanted}" for p in root.glob(f"{wanted}.*")]
    return sorted((p for p in found if p.exists()), key=_version_key, reverse=True)


def _version_key(path: Path) -> tuple[int, ...]:
    parts = path.parent.parent.name.split(".")
    return tuple(int(p) if p.isdigit() else -1 for p in parts)


def _run(command: list[str]) -> str | None:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=20, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 and done.stdout.strip() else None
