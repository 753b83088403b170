"""Stage the build context: exactly the image's file set, and the Dockerfile.

Deploy stages exactly what the image gets (``render.context.image_files``: the one
definition the Dockerfile's COPY lines and the .dockerignore are made from) into
``.aibox-ops/build/<agent>@<region>/context``, and zips that folder as the build source.
Never ``.env`` files, tests, virtual environments, version control, caches, aibox-ops's
own state, or a symbolic link leading out of the project. The content hash (over every
staged path and byte) decides whether a build is needed at all.
"""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from ..config import Settings
from ..deploy_state import stash_key
from ..errors import FileError
from ..render.context import image_files
from ..render.plan import dockerfile_relpath

BUILD_ROOT = ".aibox-ops/build"
LISTED = 20  # paths an error or warning names before "and N more"


def capped(paths: list[str], limit: int = LISTED) -> str:
    """``a, b, c`` for at most ``limit`` paths, then ``and N more``."""
    shown = ", ".join(paths[:limit])
    return shown + (f" and {len(paths) - limit} more" if len(paths) > limit else "")


@dataclass(frozen=True)
class BuildContext:
    """What goes into the image: context path -> source file, and the content hash.

    ``excluded``: what the image's rules kept out; ``links_out``: symbolic links leading
    out of the project (never followed); ``not_files``: FIFOs, devices, sockets."""

    files: dict[str, Path]
    content_hash: str
    excluded: list[str]
    links_out: list[str] = field(default_factory=list)
    not_files: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        """Machine-readable form."""
        return {"files": sorted(self.files), "content_hash": self.content_hash,
                "excluded": list(self.excluded), "links_out": list(self.links_out),
                "not_files": list(self.not_files)}

    def warnings(self) -> list[str]:
        """What the user should hear about: files their code may expect that stay out."""
        out = []
        if self.links_out:
            out.append(f"{len(self.links_out)} symbolic link(s) lead out of the project and "
                       f"were not staged (never followed): {capped(self.links_out)}")
        if self.not_files:
            out.append(f"{len(self.not_files)} path(s) are not regular files and were not "
                       f"staged: {capped(self.not_files)}")
        return out


def build_dir(settings: Settings) -> Path:
    """The staging folder of this agent in this region."""
    return settings.path(BUILD_ROOT) / stash_key(settings.agent_name, settings.region)


def plan_build_context(settings: Settings) -> BuildContext:
    """Pick the files (pure: reads, writes nothing): the image's file set, the requirements
    file and the Dockerfile. FileError when a required file is missing (run render and
    sync-requirements first)."""
    root = settings.project_dir
    if not (root / settings.entrypoint).is_file():
        raise FileError(f"{settings.entrypoint}: entrypoint not found; nothing to deploy")
    real_root = root.resolve()
    for rel, label in ((settings.requirements_file, "run `aibox-ops sync-requirements`"),
                       (dockerfile_relpath(settings), "run `aibox-ops render`")):
        if not (root / rel).is_file():
            raise FileError(f"{rel}: not found; {label}")
        if not (root / rel).resolve().is_relative_to(real_root):
            raise FileError(f"{rel}: is a symbolic link out of the project "
                            f"({(root / rel).resolve()}); deploy never follows one",
                            hint="Copy the file into the project instead of linking it.")
    image = image_files(settings)
    files = dict(image.files)
    files[settings.requirements_file] = root / settings.requirements_file
    files["Dockerfile"] = root / dockerfile_relpath(settings)
    return BuildContext(files, _hash(files), image.left_out, image.links_out, image.not_files)


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


def _hash(files: dict[str, Path]) -> str:
    digest = hashlib.sha256()
    for rel in sorted(files):
        try:
            data = files[rel].read_bytes()
        except OSError as exc:
            raise FileError(f"{files[rel]}: cannot be read ({exc.strerror or exc})") from None
        digest.update(rel.encode() + b"\0" + hashlib.sha256(data).digest())
    return digest.hexdigest()
