"""File primitives: atomic writes, tolerant reads and diffs."""

from __future__ import annotations

import contextlib
import difflib
import os
import tempfile
from pathlib import Path

from .errors import FileError


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
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FileError(f"{path.parent}: cannot create folder ({exc.strerror or exc})") from None
    tmp_name = None
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
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
