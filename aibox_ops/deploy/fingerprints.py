"""Fingerprints that let deploy skip work whose inputs have not changed.

Each is a sha256 over exactly what the skipped work reads; a stamp file in the staging
folder keeps the fingerprint of the last run that passed.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from ..config import Settings
from ..render.context import image_files


def requirements_inputs_key(settings: Settings) -> str:
    """Hash of everything the requirements check reads: pyproject.toml, uv.lock, the
    requirements file and the image's Python files (and the settings naming them)."""
    digest = hashlib.sha256(f"{settings.dependency_group}\0{settings.requirements_file}"
                            .encode())
    paths = [settings.path("pyproject.toml"), settings.path("uv.lock"),
             settings.path(settings.requirements_file),
             *sorted(p for rel, p in image_files(settings).files.items()
                     if rel.endswith(".py"))]
    return _with_files(digest, paths)


def doctor_inputs_key(settings: Settings) -> str:
    """Hash of what doctor's offline checks read: the settings, the image's files, the
    dependency and generated files, and any ``.env*`` at the root or in the agent folder.
    Equal keys: the checks would give the same results, so a passed run need not be
    repeated."""
    root = settings.project_dir
    digest = hashlib.sha256(repr(settings).encode())
    names = ["pyproject.toml", "uv.lock", settings.requirements_file, ".dockerignore",
             ".bedrock_agentcore.yaml", f".bedrock_agentcore/{settings.agent_name}/Dockerfile"]
    paths = [root / name for name in names] + sorted(root.glob(".env*"))
    paths += sorted(settings.agent_dir.glob(".env*")) if not settings.root_entrypoint else []
    paths += [path for _, path in sorted(image_files(settings).files.items())]
    return _with_files(digest, paths)


def _with_files(digest: Any, paths: list[Path]) -> str:
    """Fold each file's path and content hash (a missing file counts as such) into ``digest``."""
    for path in paths:
        try:
            data = path.read_bytes()
        except OSError:
            data = b"<missing>"
        digest.update(str(path).encode() + b"\0" + hashlib.sha256(data).digest())
    return digest.hexdigest()


def config_digest(value: Any) -> str:
    """Stable hash of the runtime configuration (decides in-place updates)."""
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()
