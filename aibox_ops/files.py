"""File primitives: atomic writes, tolerant reads and diffs."""

from __future__ import annotations

import contextlib
import difflib
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import FileError, RefusedError

if TYPE_CHECKING:
    from .plan import Plan


def read_text(path: Path) -> str | None:
    """The file's text, or None when it does not exist; other failures raise FileError."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise FileError(f"{path}: is a directory, expected a file") from None
    except PermissionError:
        raise FileError(f"{path}: cannot be read (permission denied)") from None
    except UnicodeDecodeError as exc:
        raise FileError(f"{path}: is not UTF-8 text ({exc.reason})") from None
    except OSError as exc:
        raise FileError(f"{path}: cannot be read ({exc.strerror or exc})") from None


def atomic_write(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temp file and rename: never a half-written file.

    Keeps the mode of a file it replaces. On any failure the temp file is removed and a
    FileError names the path.
    """
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """``atomic_write`` for bytes (zips, archives)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FileError(f"{path.parent}: cannot create folder ({exc.strerror or exc})") from None
    tmp_name = None
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.chmod(tmp_name, path.stat().st_mode & 0o7777)
        except FileNotFoundError:
            os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, path)
        tmp_name = None
    except OSError as exc:
        reason = "permission denied" if isinstance(exc, PermissionError) else exc.strerror
        raise FileError(
            f"{path}: cannot be written ({reason or exc})",
            hint="Check that the folder is writable; no file was changed.",
        ) from None
    finally:
        if tmp_name is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)


def unified_diff(old: str | None, new: str, name: str) -> str:
    """A unified diff from ``old`` (None: absent) to ``new``, labelled with ``name``."""
    lines = difflib.unified_diff(
        (old or "").splitlines(keepends=True),
        new.splitlines(keepends=True),
        fromfile=f"a/{name}" if old is not None else "/dev/null",
        tofile=f"b/{name}",
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


BACKUP_DIR = ".aibox-ops/backups"


def backup_folder(label: str, now: datetime | None = None) -> str:
    """Where one run keeps copies of the user's files: ``.aibox-ops/backups/<label>-<UTC>``."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    return f"{BACKUP_DIR}/{label}-{stamp}"


def backup_files(project_dir: Path, relpaths: list[str], label: str,
                 now: datetime | None = None) -> list[str]:
    """Copy each existing file of ``relpaths`` (relative to the project) into a fresh
    ``backup_folder``, atomically, before something replaces it; returns the copies' paths."""
    folder = backup_folder(label, now)
    written = []
    for rel in relpaths:
        text = read_text(project_dir / rel)
        if text is None:
            continue
        atomic_write(project_dir / folder / rel, text)
        written.append(f"{folder}/{rel}")
    return written


def apply_file_changes(project_dir: Path, plan: Plan, force: bool = False) -> list[str]:
    """Write every changed file item of ``plan`` atomically; returns the paths written.

    Nothing is written when an item needs --force and ``force`` is off, or when a later
    write is bound to fail (read-only folder): the refusal lists every blocked file.
    """
    if plan.blocked and not force:
        names = ", ".join(f"{item.target} ({item.reason})" for item in plan.blocked)
        raise RefusedError(
            f"refusing to overwrite {names}",
            hint="Review the diff above; run again with --force to replace "
                 + ("it" if len(plan.blocked) == 1 else "them") + ".",
            targets=[item.target for item in plan.blocked])
    # Deletions are the caller's to carry out (after the writes, e.g. once a backup exists).
    changes = [item for item in plan.changes if item.kind == "file" and item.status != "delete"]
    for item in changes:
        _check_writable(project_dir / item.target)
    for item in changes:
        atomic_write(project_dir / item.target, item.payload)
    return [item.target for item in changes]


def _check_writable(target: Path) -> None:
    """Fail before the first write when a later one is bound to fail (read-only folder)."""
    folder = target.parent
    while not folder.exists():
        folder = folder.parent
    if not os.access(folder, os.W_OK | os.X_OK) or (target.exists()
                                                   and not os.access(target, os.W_OK)):
        raise FileError(f"{target}: cannot be written (permission denied)",
                        hint="Check that the folder is writable; no file was changed.")
