"""Install aibox-ops as a uv tool into a temporary tool folder, offline.

Why not plain ``uv tool install --offline``: after ``uv sync`` (what CI runs before the
suite) uv's cache holds the locked wheels, but not the package index pages a resolver needs
(``uv sync`` follows the URLs in uv.lock), so an offline tool install cannot resolve a single
dependency (measured: "bedrock-agentcore-starter-toolkit was not found in the cache"). And
the tests must not use the network. So the tool is installed from what the current
environment already has:

- this repository is built into a wheel with ``uv build --offline`` (hatchling, its build
  backend, is in the cache: ``uv sync`` built the editable install with it; measured with
  an empty cache: an editable install, then ``uv build --offline`` succeeds);
- each runtime dependency installed in this environment (the closure of aibox-ops's
  requirements, markers evaluated) is packed back into a wheel from its installed files
  (its ``RECORD``), the same bytes the locked wheel installed;
- ``uv tool install --offline --no-index --find-links DIR`` resolves and installs from that
  folder only, into ``UV_TOOL_DIR`` / ``UV_TOOL_BIN_DIR`` under the test's tmp_path.

The result is a real tool environment of its own (its own interpreter, console script
``aibox-ops``, no access to this environment), which is what a user's machine has.

``project_venv`` makes the other environment such a user has: the project's own ``.venv``
(what ``uv sync`` in the guide's project leaves), installed the same way from the same kind
of wheels, so that aibox-ops can judge the project's imports against it.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Tool:
    """An installed tool: its console script and the environment to run it with."""

    exe: Path
    env: dict[str, str]


def install_tool(tmp: Path, env: dict[str, str]) -> Tool:
    """Build, pack and ``uv tool install`` aibox-ops into ``tmp``; returns the tool."""
    uv = os.environ.get("UV") or shutil.which("uv")  # `uv run` sets UV to itself
    if uv is None:
        raise RuntimeError("uv is neither $UV nor on PATH: the tool install needs it")
    links = tmp / "links"
    links.mkdir(parents=True)
    run_env = {**env, "UV_TOOL_DIR": str(tmp / "tools"), "UV_TOOL_BIN_DIR": str(tmp / "bin"),
               "UV_NO_CONFIG": "1", "UV_PYTHON_DOWNLOADS": "never"}
    _run([uv, "build", "--wheel", "--offline", "--quiet", "-o", str(links), str(REPO)],
         run_env)
    for dist in dependency_closure(["aibox-ops"]):
        pack_installed(dist, links)
    _run([uv, "tool", "install", "--offline", "--no-index", "--find-links", str(links),
          "--quiet", "aibox-ops"], run_env)
    exe = tmp / "bin" / "aibox-ops"
    if not exe.is_file():
        raise RuntimeError(f"uv tool install left no {exe}")
    return Tool(exe, run_env)


def project_venv(venv: Path, requirements: list[str], links: Path,
                 env: dict[str, str]) -> Path:
    """A real virtual environment at ``venv`` holding ``requirements`` (names installed in
    this environment) and what they need, installed offline; returns its python."""
    uv = os.environ.get("UV") or shutil.which("uv")
    if uv is None:
        raise RuntimeError("uv is neither $UV nor on PATH: the venv needs it")
    links.mkdir(parents=True, exist_ok=True)
    names = [Requirement(text).name for text in requirements]
    for dist in dependency_closure(names, include_roots=True):
        pack_installed(dist, links)
    run_env = {**env, "UV_NO_CONFIG": "1", "UV_PYTHON_DOWNLOADS": "never"}
    _run([uv, "venv", "--quiet", "--python", sys.executable, str(venv)], run_env)
    python = venv / "bin" / "python"
    _run([uv, "pip", "install", "--offline", "--no-index", "--find-links", str(links),
          "--quiet", "--python", str(python), *requirements], run_env)
    return python


def dependency_closure(names: list[str], include_roots: bool = False,
                       ) -> list[metadata.Distribution]:
    """The installed distributions ``names`` need at run time (``names`` themselves only
    with ``include_roots``)."""
    roots = {canonicalize_name(name) for name in names}
    seen: dict[str, metadata.Distribution] = {}
    todo: list[tuple[str, frozenset[str]]] = [(name, frozenset()) for name in names]
    done: set[tuple[str, frozenset[str]]] = set()
    while todo:
        current, extras = todo.pop()
        if (current, extras) in done:
            continue
        done.add((current, extras))
        dist = metadata.distribution(current)
        if include_roots or canonicalize_name(current) not in roots:
            seen[canonicalize_name(current)] = dist
        for text in dist.requires or []:
            req = Requirement(text)
            if req.marker is not None and not any(
                    req.marker.evaluate({**default_environment(), "extra": extra})
                    for extra in (extras or {""})):
                continue
            todo.append((req.name, frozenset(req.extras)))
    return list(seen.values())


def pack_installed(dist: metadata.Distribution, out: Path) -> Path:
    """A wheel of ``dist`` made from its installed files (``RECORD``), in ``out``.

    Files outside site-packages (console scripts: the installer writes its own) and byte
    code are left out; RECORD is rewritten for what the wheel holds."""
    info = Path(str(dist._path))  # type: ignore[attr-defined]  # the .dist-info folder
    site = info.parent
    tags = [line.split(":", 1)[1].strip() for line in
            (info / "WHEEL").read_text().splitlines() if line.startswith("Tag:")]
    name = re.sub(r"[-_.]+", "_", dist.metadata["Name"])
    wheel = out / f"{name}-{dist.version}-{_compress(tags)}.whl"
    if wheel.is_file():
        return wheel
    record_name = f"{info.name}/RECORD"
    rows: list[list[str]] = []
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for row in csv.reader(io.StringIO((info / "RECORD").read_text())):
            rel = row[0] if row else ""
            if not rel or rel.startswith("..") or rel == record_name or "__pycache__" in rel \
                    or rel.endswith((".pyc", "INSTALLER", "direct_url.json", "REQUESTED")):
                continue
            data = (site / rel).read_bytes()
            archive.writestr(rel, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
            rows.append([rel, f"sha256={digest.decode()}", str(len(data))])
        rows.append([record_name, "", ""])
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(rows)
        archive.writestr(record_name, buffer.getvalue())
    return wheel


def _compress(tags: list[str]) -> str:
    parts = [sorted({tag.split("-")[i] for tag in tags}) for i in range(3)]
    return "-".join(".".join(p) for p in parts)


def _run(argv: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=600,
                            check=False, cwd=os.getcwd())
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[:3])} failed ({result.returncode}):\n"
                           f"{result.stdout}\n{result.stderr}")
