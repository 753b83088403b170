"""The code package of a direct code deployment: the agent's files plus its Linux arm64
dependencies in one deterministic zip, and the ``agentRuntimeArtifact`` that points
AgentCore Runtime at it (``codeConfiguration`` instead of a container image).

What cannot be deployed this way raises CodeDeployUnsupported with a one-line reason (a
requirement without a wheel, a package over the size limits, no allowed Python runtime):
deploy catches it and falls back to the container image.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..errors import CodeDeployUnsupported, ConfigError, FileError
from .code_wheels import MARKER, ensure_dependencies

__all__ = [
    "ALLOWED_RUNTIMES", "UNZIPPED_LIMIT", "ZIP_LIMIT", "CodeDeployUnsupported", "CodePackage",
    "build_code_package", "check_size", "code_artifact", "python_runtime_for",
]

# AgentCore's quotas page: "Maximum size for a direct code deployment package (compressed):
# 250 MB" and "(uncompressed): 750 MB", neither adjustable. It does not say whether MB means
# 10**6 or 2**20 bytes (Lambda's equally worded limits are MiB); the decimal reading is the
# smaller, so a package under it is under the limit either way.
ZIP_LIMIT = 250 * 10**6
UNZIPPED_LIMIT = 750 * 10**6
# Newest first. PYTHON_3_10 and PYTHON_3_11 are in the service model but refused for
# create/update since 2026-08-31: never chosen.
ALLOWED_RUNTIMES = ("PYTHON_3_14", "PYTHON_3_13", "PYTHON_3_12")
DEFAULT_RUNTIME = "PYTHON_3_12"
ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # the earliest a zip can hold: the same for every build
KEEP_ZIPS = 3  # code-*.zip files kept in cache_dir (the newest), older ones are removed
# What uv (and the cache's marker) write into a --target folder for their own use: never
# part of the package (uv's cache record carries a timestamp, so leaving it in would change
# the zip on a reinstall).
_UV_OWN = (".lock", MARKER)
_UV_OWN_NAMES = ("uv_cache.json",)


@dataclass(frozen=True)
class CodePackage:
    """A built code zip, ready to upload to S3."""

    path: Path
    sha256: str
    zipped_bytes: int
    unzipped_bytes: int
    python_runtime: str
    entry_point: list[str]
    dependencies_key: str
    files: int
    dependencies_cached: bool = field(default=False)  # True: uv did not run for this build
    platform: str = field(default="")  # the uv --python-platform of the dependencies

    def to_dict(self) -> dict[str, object]:
        """Machine-readable form."""
        return {**asdict(self), "path": str(self.path), "entry_point": list(self.entry_point)}


def python_version_of(runtime: str) -> str:
    """``PYTHON_3_12`` -> ``3.12``."""
    if runtime not in ALLOWED_RUNTIMES:
        raise CodeDeployUnsupported(f"{runtime} is not a runtime AgentCore accepts for new "
                                    f"deployments (allowed: {', '.join(ALLOWED_RUNTIMES)})")
    return runtime.removeprefix("PYTHON_").replace("_", ".")


def python_runtime_for(requires_python: str | None) -> str:
    """The newest allowed AgentCore runtime that satisfies ``requires_python``
    (``PYTHON_3_12`` when it is unknown); CodeDeployUnsupported when none does."""
    if not requires_python or not requires_python.strip():
        return DEFAULT_RUNTIME
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    try:
        spec = SpecifierSet(requires_python)
    except InvalidSpecifier:
        raise ConfigError([f"requires-python {requires_python!r} is not a valid version "
                           f"specifier"]) from None
    for runtime in ALLOWED_RUNTIMES:
        # A managed runtime is kept on its minor version's newest patch release: test
        # that (3.12.99 stands for it), so ">=3.12.4" fits PYTHON_3_12.
        if spec.contains(f"{python_version_of(runtime)}.99", prereleases=True):
            return runtime
    raise CodeDeployUnsupported(
        f"requires-python {requires_python!r} allows none of AgentCore's code runtimes "
        f"({', '.join(python_version_of(r) for r in reversed(ALLOWED_RUNTIMES))})")


def check_size(zipped_bytes: int | None, unzipped_bytes: int) -> None:
    """CodeDeployUnsupported when a package is over AgentCore's limits (``zipped_bytes``
    None: only the unzipped size is known yet)."""
    if unzipped_bytes > UNZIPPED_LIMIT:
        raise CodeDeployUnsupported(
            f"the package is {_mb(unzipped_bytes)} unzipped, over AgentCore's "
            f"{_mb(UNZIPPED_LIMIT)} limit for a code deployment")
    if zipped_bytes is not None and zipped_bytes > ZIP_LIMIT:
        raise CodeDeployUnsupported(
            f"zip is {_mb(zipped_bytes)}, over AgentCore's {_mb(ZIP_LIMIT)} limit for a "
            f"code deployment")


def code_artifact(bucket: str, key: str, package: CodePackage) -> dict:
    """The ``agentRuntimeArtifact`` of Create/UpdateAgentRuntime for ``package`` uploaded
    to ``s3://bucket/key``."""
    return {"codeConfiguration": {
        "code": {"s3": {"bucket": bucket, "prefix": key}},
        "runtime": package.python_runtime,
        "entryPoint": list(package.entry_point),
    }}


def build_code_package(files: dict[str, Path], requirements: Path, entry_point: str,
                       python_runtime: str, cache_dir: Path,
                       note: Callable[[str], None] = lambda s: None, *,
                       find_links: Path | None = None, offline: bool = False,
                       then: tuple[str, ...] = ()) -> CodePackage:
    """Zip ``files`` (context path -> source; no Dockerfile) with ``requirements``
    installed for Linux arm64 into ``cache_dir``.

    Dependencies are installed once per requirements/platform/Python and reused; a code
    file wins over a dependency file of the same path. The zip is deterministic and
    written atomically. ``find_links``: install only from that folder of wheels (no
    index); ``offline``: no network (uv's cache and ``find_links`` only).
    CodeDeployUnsupported when it cannot be deployed as code; DependencyError when the
    install fails otherwise; FileError when a file cannot be read or written.
    """
    python_version = python_version_of(python_runtime)
    if entry_point not in files:
        raise FileError(f"{entry_point}: the entry point is not among the staged files")
    deps = ensure_dependencies(requirements, python_version, cache_dir, note,
                               find_links=find_links, offline=offline, then=then)
    entries = _dependency_files(deps.path)
    entries.update(files)  # code wins over a dependency file of the same path
    unzipped = sum(_size(source) for source in entries.values())
    check_size(None, unzipped)
    note(f"zipping {len(entries):,} files ({_mb(unzipped)} unzipped)")
    path, digest, zipped = _write_zip(entries, cache_dir)
    try:
        check_size(zipped, unzipped)
    except CodeDeployUnsupported:
        path.unlink(missing_ok=True)
        raise
    note(f"code package {path.name}: {_mb(zipped)} zipped, {_mb(unzipped)} unzipped "
         f"(limits {_mb(ZIP_LIMIT)} / {_mb(UNZIPPED_LIMIT)})")
    _prune(cache_dir, keep=path)
    return CodePackage(path, digest, zipped, unzipped, python_runtime, [entry_point],
                       deps.key, len(entries), deps.cached, deps.platform)


def _dependency_files(root: Path) -> dict[str, Path]:
    out: dict[str, Path] = {}
    for folder, dirs, names in os.walk(root):
        dirs.sort()
        rel_dir = Path(folder).relative_to(root)
        for name in names:
            rel = (rel_dir / name).as_posix()
            if rel in _UV_OWN or name in _UV_OWN_NAMES:
                continue
            out[rel] = Path(folder) / name
    return out


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError as exc:
        raise FileError(f"{path}: cannot read it for the code package "
                        f"({exc.strerror or exc})") from None


def _write_zip(entries: dict[str, Path], cache_dir: Path) -> tuple[Path, str, int]:
    """Sorted entries, fixed dates and modes: the same files give the same bytes."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    handle, tmp_name = tempfile.mkstemp(prefix=".code-", suffix=".zip.tmp", dir=cache_dir)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(handle, "wb") as raw, zipfile.ZipFile(raw, "w") as archive:
            for rel in sorted(entries):
                source = entries[rel]
                info = zipfile.ZipInfo(rel, date_time=ZIP_DATE)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.create_system = 3  # Unix, so the modes below are honoured
                executable = source.stat().st_mode & (stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
                info.external_attr = (stat.S_IFREG | (0o755 if executable else 0o644)) << 16
                info.file_size = source.stat().st_size
                with source.open("rb") as src, archive.open(info, "w") as dest:
                    while chunk := src.read(1 << 20):
                        dest.write(chunk)
        digest = hashlib.sha256()
        with tmp.open("rb") as done:
            while chunk := done.read(1 << 20):
                digest.update(chunk)
        sha = digest.hexdigest()
        final = cache_dir / f"code-{sha[:20]}.zip"
        zipped = tmp.stat().st_size
        os.replace(tmp, final)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise FileError(f"{cache_dir}: cannot write the code package "
                        f"({exc.strerror or exc})") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return final, sha, zipped


def _prune(cache_dir: Path, keep: Path) -> None:
    def age(path: Path) -> float:
        try:
            return path.stat().st_mtime
        except OSError:
            return 0.0

    zips = sorted((p for p in cache_dir.glob("code-*.zip") if p != keep), key=age,
                  reverse=True)
    for old in zips[KEEP_ZIPS - 1:]:
        with contextlib.suppress(OSError):
            old.unlink()


def _mb(size: int) -> str:
    return f"{size / 10**6:,.1f} MB"
