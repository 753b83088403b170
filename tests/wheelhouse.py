"""A folder of wheels the test makes, so `uv lock` resolves offline on an empty uv cache.

`uv lock --offline` against PyPI only works when the uv cache already holds the index pages
(a developer's machine, never a fresh one). Resolving against wheels built here needs no cache
and no network: `uv lock --offline --no-index --find-links DIR`.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import zipfile
from collections.abc import Iterable
from pathlib import Path

import pytest


def uv_binary() -> str:
    """The uv CI uses: the one `uv run` runs under (it exports UV), else uv on PATH."""
    uv = os.environ.get("UV") or shutil.which("uv")
    if not uv:
        pytest.fail("uv not found: run the suite with `uv run pytest`, or put uv on PATH")
    return uv


def make_wheel(folder: Path, name: str, version: str, requires: Iterable[str] = (),
               extras: Iterable[str] = (), tag: str = "py3-none-any") -> Path:
    """Write a minimal wheel ``name==version`` into ``folder``; its path.

    ``requires`` become Requires-Dist lines, ``extras`` Provides-Extra lines (so a
    ``name[extra]`` requirement resolves without a warning); ``tag`` is its one wheel tag
    (pure Python unless told, e.g. ``cp312-cp312-manylinux_2_28_aarch64``).
    """
    folder.mkdir(parents=True, exist_ok=True)
    dist = re.sub(r"[-_.]+", "_", name).lower()
    info = f"{dist}-{version}.dist-info"
    metadata = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}"]
    metadata += [f"Provides-Extra: {extra}" for extra in extras]
    metadata += [f"Requires-Dist: {req}" for req in requires]
    files = {
        f"{dist}/__init__.py": "",
        f"{info}/METADATA": "\n".join(metadata) + "\n",
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: tests\n"
                         f"Root-Is-Purelib: {'true' if tag.endswith('none-any') else 'false'}\n"
                         f"Tag: {tag}\n",
    }
    record = [f"{path},," for path in files] + [f"{info}/RECORD,,"]
    files[f"{info}/RECORD"] = "\n".join(record) + "\n"
    wheel = folder / f"{dist}-{version}-{tag}.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for path, text in files.items():
            archive.writestr(path, text)
    return wheel


def make_sdist(folder: Path, name: str, version: str) -> Path:
    """Write a minimal source distribution ``name==version`` (no wheel) into ``folder``."""
    import io
    import tarfile

    folder.mkdir(parents=True, exist_ok=True)
    base = f"{re.sub(r'[-_.]+', '_', name).lower()}-{version}"
    pkg_info = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n".encode()
    sdist = folder / f"{base}.tar.gz"
    with tarfile.open(sdist, "w:gz") as archive:
        info = tarfile.TarInfo(f"{base}/PKG-INFO")
        info.size = len(pkg_info)
        archive.addfile(info, io.BytesIO(pkg_info))
    return sdist


def uv_lock(project: Path, wheels: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`uv lock ARGS` in ``project`` resolving only against ``wheels`` (offline, no index)."""
    cmd = [uv_binary(), "lock", *args, "--offline", "--no-index", "--find-links", str(wheels),
           "--quiet"]
    return subprocess.run(cmd, cwd=project, capture_output=True, text=True, timeout=120)
