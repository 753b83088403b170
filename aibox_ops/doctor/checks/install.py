"""``install-test``: install the requirements file into a fresh virtual environment, as the
container's pip does, and import the entry point from a copy of the image's files (not the
project folder); catches ModuleNotFoundError with no Docker and no AWS. Environments are
cached by the hash of the requirements file."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from ...config import Settings
from ...requirements.sources import dependency_home
from ..context import DoctorContext
from ..model import Finding, failed, passed, skipped

INSTALL_TIMEOUT = 900  # seconds: a cold install of the agent's requirements from PyPI
IMPORT_TIMEOUT = 120
MISSING_RE = re.compile(r"ModuleNotFoundError: No module named '([^']+)'")


def cache_root() -> Path:
    """Where tested environments are kept: ``$XDG_CACHE_HOME/aibox-ops`` (~/.cache/...)."""
    base = os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"),
                        "aibox-ops")
    return Path(base) / "install-test"


def env_key(requirements: str, python: str) -> str:
    """Cache key: the requirements text and the Python version."""
    return hashlib.sha256(f"{python}\n{requirements}".encode()).hexdigest()[:16]


def prepare_env(requirements: str, req_path: Path) -> tuple[Path, bool]:
    """A venv with the requirements installed: (its python, whether it came from cache).

    Uses uv (pip-compatible, fast) when available, else the venv's own pip. A failed install
    leaves nothing in the cache.
    """
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    target = cache_root() / env_key(requirements, python)
    venv_python = target / "bin" / "python"
    if (target / ".complete").is_file() and venv_python.exists():
        return venv_python, True
    shutil.rmtree(target, ignore_errors=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    uv = os.environ.get("UV") or shutil.which("uv")
    if uv:
        steps = [[uv, "venv", "--quiet", "--python", sys.executable, str(target)],
                 [uv, "pip", "install", "--quiet", "--python", str(venv_python),
                  "-r", str(req_path)]]
    else:
        steps = [[sys.executable, "-m", "venv", str(target)],
                 [str(venv_python), "-m", "pip", "install", "--quiet", "--disable-pip-version"
                  "-check", "-r", str(req_path)]]
    for step in steps:
        proc = subprocess.run(step, capture_output=True, text=True, timeout=INSTALL_TIMEOUT,
                              check=False)
        if proc.returncode != 0:
            shutil.rmtree(target, ignore_errors=True)
            detail = (proc.stderr or proc.stdout).strip().splitlines()
            raise InstallFailed(detail[-5:] if detail else [f"exit {proc.returncode}"])
    (target / ".complete").write_text(requirements, encoding="utf-8")
    return venv_python, False


class InstallFailed(Exception):
    """pip could not install the requirements file."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


def import_entry(python: Path, agent_dir: Path, module: str) -> subprocess.CompletedProcess:
    """Import the entry module the way the container does (``agent_dir`` plays ``/app``)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env.update({"DOCKER_CONTAINER": "1", "LOG_TO_FILE": "false", "PYTHONDONTWRITEBYTECODE": "1"})
    code = f"import importlib; importlib.import_module({module!r})"
    return subprocess.run([str(python), "-I", "-c", f"import sys; sys.path.insert(0, "
                           f"{str(agent_dir)!r}); {code}"],
                          cwd=agent_dir, capture_output=True, text=True, env=env,
                          timeout=IMPORT_TIMEOUT, check=False)


def stage_image_code(settings: Settings, app: Path) -> None:
    """Copy the image's agent code into ``app`` laid out as ``/app`` in the image
    (``render.context.image_layout``), so the import sees what the container sees, not the
    project folder (a data folder left out of the image fails here as it would there)."""
    from ...render.context import image_layout

    for rel, source in image_layout(settings).items():
        dest = app / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, dest)


def _in_project(settings, name: str) -> bool:
    return settings.path(name).is_dir() or settings.path(f"{name}.py").is_file()


def detect_install_test(ctx: DoctorContext) -> Finding:
    """Fail when installing the requirements or importing the entry point fails."""
    if not ctx.install_test:
        return skipped("not requested (pass --install-test)")
    settings = ctx.agent_settings()
    assert settings is not None
    req_path = settings.path(settings.requirements_file)
    requirements = ctx.read(settings.requirements_file)
    if requirements is None:
        return failed(f"{settings.requirements_file} does not exist")
    try:
        python, cached = prepare_env(requirements, req_path)
    except InstallFailed as exc:
        return failed(f"pip cannot install {settings.requirements_file}", exc.lines)
    except subprocess.TimeoutExpired:
        return failed(f"installing {settings.requirements_file} took over {INSTALL_TIMEOUT} s")
    try:
        with tempfile.TemporaryDirectory(prefix="aibox-ops-app-") as app:
            stage_image_code(settings, Path(app))
            proc = import_entry(python, Path(app), settings.entry_module)
    except OSError as exc:
        return failed(f"cannot copy the image's files to import them ({exc})")
    except subprocess.TimeoutExpired:
        return failed(f"importing {settings.entry_module} took over {IMPORT_TIMEOUT} s "
                      "(does it start the server at import time?)")
    how = "cached environment" if cached else "fresh environment"
    if proc.returncode != 0:
        lines = [ln for ln in proc.stderr.strip().splitlines() if ln.strip()]
        missing = MISSING_RE.findall(proc.stderr)
        local = [m.split(".")[0] for m in missing if _in_project(settings, m.split(".")[0])]
        if local:
            return failed(f"importing {settings.entry_module} fails: {local[0]!r} is in the "
                          f"project but not in the image ({how})", lines[-3:],
                          fix=f"Add {local[0]!r} to 'packages' in [tool.aibox-ops].")
        if missing:
            return failed(f"importing {settings.entry_module} fails: no module named "
                          f"{', '.join(repr(m) for m in missing)} ({how})", lines[-3:],
                          fix=f"Add the distribution providing {missing[0]!r} to "
                              f"{dependency_home(settings)}"
                              + ("" if settings.dependency_source == "requirements"
                                 else ", `uv lock`, `aibox-ops sync-requirements`") + ".")
        return failed(f"importing {settings.entry_module} fails ({how})", lines[-5:])
    return passed(f"{settings.requirements_file} installs and {settings.entry_module} imports "
                  f"from the image's files ({how})")
