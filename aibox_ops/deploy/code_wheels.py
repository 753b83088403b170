"""The dependencies of a code package: the requirements installed for AgentCore's Linux
arm64 runtime with ``uv pip install --target``, once per requirements/platform/Python.

The install is AWS's documented recipe (``uv pip install --python-platform
aarch64-manylinux2014 --python-version 3.12 --target DIR --only-binary :all: -r
requirements.txt``): wheels only, since nothing can be compiled for Graviton here. It runs
into a temporary folder that is renamed to ``deps-<key>`` only when uv succeeded, so a
folder of that name is always a complete install and the next build reuses it untouched.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..errors import CodeDeployUnsupported, DependencyError, FileError

PLATFORM = "aarch64-manylinux2014"  # AgentCore Runtime runs on Graviton (ARM64)
WHEEL_TAG = "manylinux2014_aarch64"  # the same platform as a wheel tag, for messages
INSTALL_TIMEOUT = 1800
TAIL_LINES = 15
KEY_VERSION = "1"  # bump when the install command changes what lands in the folder
# uv's lines that say a requirement has only an sdist (or no wheel for this platform/ABI):
# "Because sdonly==1.0 has no usable wheels and you require ...", "all versions of foo
# have no wheels with a matching platform tag", "Wheels are required for `foo` because ...".
_NO_WHEEL = (
    re.compile(r"(?:Because |and |, )(?:all versions of |only )?([A-Za-z0-9][\w.\-]*"
               r"(?:[=<>!~]=?[\w.*+!\-]+)?) (?:has|have) no (?:usable |matching )?wheels?"),
    re.compile(r"Wheels are required for `([^`]+)`"),
)


@dataclass(frozen=True)
class InstalledDependencies:
    """A complete install of the requirements for one platform and Python version."""

    path: Path
    key: str
    cached: bool  # True: reused from an earlier build, uv did not run


def dependencies_key(requirements_text: str, python_version: str,
                     platform: str = PLATFORM) -> str:
    """Cache key of an install: the requirements' text, the platform and the Python version."""
    digest = hashlib.sha256()
    digest.update(f"v={KEY_VERSION}\nplatform={platform}\npython={python_version}\n".encode())
    digest.update(requirements_text.encode())
    return digest.hexdigest()[:20]


def find_uv() -> str:
    """The uv binary, found as the rest of aibox-ops finds it: ``$UV`` (exported by ``uv
    run``), else ``uv`` on PATH. DependencyError when there is none."""
    uv = os.environ.get("UV") or shutil.which("uv")
    if not uv:
        raise DependencyError("uv not found on PATH; it is needed to install the code "
                              "package's arm64 dependencies",
                              hint="Install it with `pip install uv`.")
    return uv


def ensure_dependencies(requirements: Path, python_version: str, cache_dir: Path,
                        note: Callable[[str], None] = lambda _s: None, *,
                        find_links: Path | None = None,
                        offline: bool = False) -> InstalledDependencies:
    """Reuse ``cache_dir/deps-<key>`` or install ``requirements`` there for Linux arm64.

    CodeDeployUnsupported when a requirement has no matching wheel (it names it);
    DependencyError with the tail of uv's output for any other failure.
    """
    try:
        text = requirements.read_text(encoding="utf-8")
    except OSError as exc:
        raise FileError(f"{requirements}: cannot read the requirements file "
                        f"({exc.strerror or exc})",
                        hint="Run `aibox-ops sync-requirements` to write it.") from None
    key = dependencies_key(text, python_version)
    target = cache_dir / f"deps-{key}"
    if target.is_dir():
        note(f"reusing the arm64 dependencies in {target.name}")
        return InstalledDependencies(target, key, cached=True)
    cache_dir.mkdir(parents=True, exist_ok=True)
    uv = find_uv()
    count = sum(1 for line in text.splitlines()
                if line.strip() and not line.lstrip().startswith(("#", "-")))
    note(f"resolving arm64 wheels ({WHEEL_TAG}, Python {python_version}) for "
         f"{count} requirement(s)")
    fresh = Path(tempfile.mkdtemp(prefix=f".deps-{key}-", dir=cache_dir))
    try:
        output = _install(uv, requirements, fresh, python_version, find_links, offline)
        for line in output.splitlines():
            if line.startswith(("Resolved ", "Installed ", "Prepared ")):
                note(line.strip())
        try:
            fresh.rename(target)
        except OSError:
            if not target.is_dir():  # not a concurrent build that got there first
                raise
            shutil.rmtree(fresh, ignore_errors=True)
    except BaseException:
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    return InstalledDependencies(target, key, cached=False)


def _install(uv: str, requirements: Path, target: Path, python_version: str,
             find_links: Path | None, offline: bool) -> str:
    cmd = [uv, "pip", "install", "--python", sys.executable,
           "--python-platform", PLATFORM, "--python-version", python_version,
           "--target", str(target), "--only-binary", ":all:", "--no-progress",
           "-r", str(requirements.resolve())]
    if find_links is not None:
        cmd += ["--no-index", "--find-links", str(find_links)]
    if offline:
        cmd.append("--offline")
    env = {k: v for k, v in os.environ.items()
           if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "UV_SYSTEM_PYTHON")}
    try:
        proc = subprocess.run(cmd, cwd=requirements.parent, env=env, capture_output=True,
                              text=True, timeout=INSTALL_TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        raise DependencyError(f"`uv pip install` of the arm64 dependencies ran for over "
                              f"{INSTALL_TIMEOUT} s") from None
    except OSError as exc:
        raise DependencyError(f"`uv pip install` could not run: {exc}") from None
    output = "\n".join(part for part in (proc.stdout, proc.stderr) if part)
    if proc.returncode != 0:
        package = no_wheel_package(output)
        if package:
            raise CodeDeployUnsupported(
                f"{package} has no wheel for {WHEEL_TAG} / cp{python_version.replace('.', '')}",
                package=package)
        tail = "\n".join(output.strip().splitlines()[-TAIL_LINES:])
        raise DependencyError(
            f"`uv pip install` of {requirements.name} for {WHEEL_TAG} failed "
            f"(exit {proc.returncode}):\n{tail}",
            hint="Check the requirements file and the package index (or run with the "
                 "network available).")
    return output


def no_wheel_package(output: str) -> str | None:
    """The requirement uv's output says has no usable wheel, if it says so."""
    for pattern in _NO_WHEEL:
        match = pattern.search(output)
        if match:
            return match.group(1)
    return None
