"""The dependencies of a code package: the requirements installed for AgentCore's Linux
arm64 runtime with ``uv pip install --target``, once per requirements/platform/Python.

The install is AWS's documented recipe (``uv pip install --python-platform
aarch64-manylinux2014 --python-version 3.12 --target DIR --only-binary :all: -r
requirements.txt``): wheels only, since nothing can be compiled for Graviton here. When a
requirement has no manylinux2014 wheel it is tried once more for manylinux_2_28, as the
starter toolkit's own code packager does (Pillow 12, for one, ships aarch64 wheels for
manylinux_2_28 only). It runs into a temporary folder that is renamed to ``deps-<key>`` only
when uv succeeded, so a folder of that name is always a complete install and the next build
reuses it untouched.
"""

from __future__ import annotations

import hashlib
import json
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

# AgentCore Runtime runs on Graviton (ARM64). The documented platform first; then the one
# the starter toolkit falls back to (bedrock_agentcore_starter_toolkit/utils/runtime/
# package.py tries manylinux2014, manylinux_2_17 (the same), manylinux_2_28).
PLATFORMS = ("aarch64-manylinux2014", "aarch64-manylinux_2_28")
WHEEL_TAGS = {"aarch64-manylinux2014": "manylinux2014_aarch64",
              "aarch64-manylinux_2_28": "manylinux_2_28_aarch64"}  # for messages
MARKER = ".aibox-ops-deps.json"  # in the folder: which platform it was installed for
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
    platform: str  # the uv --python-platform it was installed for


def dependencies_key(requirements_text: str, python_version: str,
                     platforms: tuple[str, ...] = PLATFORMS, then: tuple[str, ...] = ()) -> str:
    """Cache key of an install: the requirements' text, the platforms, the Python version
    and the requirements installed after them (``then``)."""
    digest = hashlib.sha256()
    digest.update(f"v={KEY_VERSION}\nplatform={','.join(platforms)}\n"
                  f"python={python_version}\n".encode())
    digest.update(requirements_text.encode())
    if then:
        digest.update(("\nthen:\n" + "\n".join(then)).encode())
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
                        find_links: Path | None = None, offline: bool = False,
                        then: tuple[str, ...] = ()) -> InstalledDependencies:
    """Reuse ``cache_dir/deps-<key>`` or install ``requirements`` there for Linux arm64,
    then ``then`` (requirement lines) on their own into the same folder: the image's two
    ``pip install`` steps (the requirements, then the OpenTelemetry distro, whose pins may
    differ from the requirements': the later install wins, as pip's does in the image).

    CodeDeployUnsupported when a requirement has no matching wheel (it names it);
    DependencyError with the tail of uv's output for any other failure.
    """
    try:
        text = requirements.read_text(encoding="utf-8")
    except OSError as exc:
        raise FileError(f"{requirements}: cannot read the requirements file "
                        f"({exc.strerror or exc})",
                        hint="Run `aibox-ops sync-requirements` to write it.") from None
    key = dependencies_key(text, python_version, then=then)
    target = cache_dir / f"deps-{key}"
    if target.is_dir():
        note(f"reusing the arm64 dependencies in {target.name}")
        return InstalledDependencies(target, key, True, _platform_of(target))
    cache_dir.mkdir(parents=True, exist_ok=True)
    from filelock import FileLock, Timeout

    # One install per key at a time: a second deploy of the same requirements waits for
    # the first and reuses its folder instead of resolving again.
    try:
        with FileLock(str(cache_dir / f".deps-{key}.lock"), timeout=INSTALL_TIMEOUT):
            if target.is_dir():
                note(f"reusing the arm64 dependencies in {target.name}")
                return InstalledDependencies(target, key, True, _platform_of(target))
            for stale in cache_dir.glob(f".deps-{key}-*"):  # an interrupted earlier install
                shutil.rmtree(stale, ignore_errors=True)
            platform = _install_fresh(text, requirements, python_version, cache_dir, key,
                                      note, find_links, offline, then)
    except Timeout:
        raise DependencyError(f"{cache_dir}: another build has held the lock on deps-{key} "
                              f"for over {INSTALL_TIMEOUT} s") from None
    return InstalledDependencies(target, key, False, platform)


def _install_fresh(text: str, requirements: Path, python_version: str, cache_dir: Path,
                   key: str, note: Callable[[str], None], find_links: Path | None,
                   offline: bool, then: tuple[str, ...] = ()) -> str:
    """Install into a temporary folder, renamed to ``deps-<key>`` when uv succeeded; the
    platform it was installed for."""
    uv = find_uv()
    target = cache_dir / f"deps-{key}"
    count = sum(1 for line in text.splitlines()
                if line.strip() and not line.lstrip().startswith(("#", "-")))
    fresh = Path(tempfile.mkdtemp(prefix=f".deps-{key}-", dir=cache_dir))
    second = cache_dir / f".deps-{key}-then.txt"
    try:
        if then:
            second.write_text("".join(f"{line}\n" for line in then), encoding="utf-8")
        missing: list[str] = []
        for platform in PLATFORMS:
            note(f"resolving arm64 wheels ({WHEEL_TAGS[platform]}, Python {python_version}) "
                 f"for {count} requirement(s)")
            ok, output = _install(uv, requirements, fresh, python_version, platform,
                                  find_links, offline)
            if ok and then:
                note(f"then {', '.join(then)} (as the image installs it)")
                ok, output = _install(uv, second, fresh, python_version, platform,
                                      find_links, offline)
            if ok:
                break
            missing.append(output)  # the requirement without a wheel for this platform
            shutil.rmtree(fresh, ignore_errors=True)
            fresh.mkdir()
        else:
            tags = " or ".join(WHEEL_TAGS[p] for p in PLATFORMS)
            raise CodeDeployUnsupported(
                f"{missing[-1]} has no wheel for {tags} / cp{python_version.replace('.', '')}",
                package=missing[-1])
        for line in output.splitlines():
            if line.startswith(("Resolved ", "Installed ", "Prepared ")):
                note(line.strip())
        (fresh / MARKER).write_text(json.dumps({"platform": platform,
                                                "python_version": python_version}) + "\n",
                                    encoding="utf-8")
        fresh.rename(target)
    except OSError as exc:
        shutil.rmtree(fresh, ignore_errors=True)
        raise FileError(f"{target}: cannot store the installed dependencies "
                        f"({exc.strerror or exc})") from None
    except BaseException:
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    finally:
        second.unlink(missing_ok=True)
    return platform


def _platform_of(target: Path) -> str:
    try:
        return str(json.loads((target / MARKER).read_text(encoding="utf-8"))["platform"])
    except (OSError, ValueError, KeyError, TypeError):
        return "unknown"


def _install(uv: str, requirements: Path, target: Path, python_version: str, platform: str,
             find_links: Path | None, offline: bool) -> tuple[bool, str]:
    """(True, uv's output) when it installed; (False, the requirement) when one has no
    wheel for ``platform``; DependencyError for any other failure."""
    cmd = [uv, "pip", "install", "--python", sys.executable,
           "--python-platform", platform, "--python-version", python_version,
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
            return False, package
        tail = "\n".join(output.strip().splitlines()[-TAIL_LINES:])
        raise DependencyError(
            f"`uv pip install` of {requirements.name} for {WHEEL_TAGS[platform]} failed "
            f"(exit {proc.returncode}):\n{tail}",
            hint="Check the requirements file and the package index (or run with the "
                 "network available).")
    return True, output


def no_wheel_package(output: str) -> str | None:
    """The requirement uv's output says has no usable wheel, if it says so."""
    for pattern in _NO_WHEEL:
        match = pattern.search(output)
        if match:
            return match.group(1)
    return None
