"""Stage the build context: only the agent code, the requirements file and the Dockerfile.

The toolkit zips a folder with its own ignore list, not ``.dockerignore``; so deploy stages
exactly what the image needs into ``.aibox-ops/build/<agent>@<region>/context`` and points
the toolkit there. Never ``.env`` files, tests, docs, ``aibox_ops`` or caches. The content
hash (over every staged path and byte) decides whether a build is needed at all.
"""

from __future__ import annotations

import fnmatch
import hashlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..config import Settings
from ..deploy_state import stash_key
from ..errors import FileError
from ..render.plan import dockerfile_relpath

BUILD_ROOT = ".aibox-ops/build"
# Left out of the agent folder: secrets, tests, caches, local logs.
EXCLUDED_NAMES = (".env", ".env.*", "__pycache__", "*.pyc", "*.pyo", ".pytest_cache", "tests",
                  "test_*.py", "*_test.py", "conftest.py", ".DS_Store", "logs", "tmp",
                  ".mypy_cache", ".ruff_cache", "*.log")


@dataclass(frozen=True)
class BuildContext:
    """What goes into the image: context path -> source file, and the content hash."""

    files: dict[str, Path]
    content_hash: str
    excluded: list[str]

    def to_dict(self) -> dict[str, object]:
        """Machine-readable form."""
        return {"files": sorted(self.files), "content_hash": self.content_hash,
                "excluded": list(self.excluded)}


def build_dir(settings: Settings) -> Path:
    """The staging folder of this agent in this region."""
    return settings.path(BUILD_ROOT) / stash_key(settings.agent_name, settings.region)


def plan_build_context(settings: Settings) -> BuildContext:
    """Pick the files (pure: reads, writes nothing). FileError when a required file is
    missing (run render and sync-requirements first)."""
    root = settings.project_dir
    agent_rel = PurePosixPath(settings.entrypoint).parent
    files: dict[str, Path] = {}
    excluded: list[str] = []
    agent_dir = root / agent_rel
    if not (root / settings.entrypoint).is_file():
        raise FileError(f"{settings.entrypoint}: entrypoint not found; nothing to deploy")
    for folder, dirs, names in os.walk(agent_dir):
        rel_folder = PurePosixPath(Path(folder).relative_to(root).as_posix())
        for name in sorted(dirs):
            if _excluded(name):
                excluded.append(str(rel_folder / name) + "/")
        dirs[:] = sorted(d for d in dirs if not _excluded(d))
        for name in sorted(names):
            rel = str(rel_folder / name)
            if _excluded(name):
                excluded.append(rel)
            else:
                files[rel] = Path(folder) / name
    for rel, label in ((settings.requirements_file, "run `aibox-ops sync-requirements`"),
                       (dockerfile_relpath(settings), "run `aibox-ops render`")):
        if not (root / rel).is_file():
            raise FileError(f"{rel}: not found; {label}")
    files[settings.requirements_file] = root / settings.requirements_file
    files["Dockerfile"] = root / dockerfile_relpath(settings)
    return BuildContext(files, _hash(files), excluded)


def apply_build_context(settings: Settings, context: BuildContext) -> Path:
    """Copy the files into a fresh staging folder (swapped in whole); returns its path."""
    target = build_dir(settings) / "context"
    fresh = target.with_name("context.new")
    try:
        shutil.rmtree(fresh, ignore_errors=True)
        for rel, source in sorted(context.files.items()):
            dest = fresh / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, dest)
        shutil.rmtree(target, ignore_errors=True)
        fresh.rename(target)
    except OSError as exc:
        raise FileError(f"{fresh}: cannot stage the build context ({exc.strerror or exc})"
                        ) from None
    return target


def _excluded(name: str) -> bool:
    return any(fnmatch.fnmatch(name, pattern) for pattern in EXCLUDED_NAMES)


def _hash(files: dict[str, Path]) -> str:
    digest = hashlib.sha256()
    for rel in sorted(files):
        try:
            data = files[rel].read_bytes()
        except OSError as exc:
            raise FileError(f"{files[rel]}: cannot be read ({exc.strerror or exc})") from None
        digest.update(rel.encode() + b"\0" + hashlib.sha256(data).digest())
    return digest.hexdigest()
