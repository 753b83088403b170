"""Apply an init plan: backups first, then pyproject.toml and the generated files."""

from __future__ import annotations

from pathlib import Path

from ..errors import FileError
from ..files import apply_file_changes
from ..plan import Plan


def apply_init(project_dir: Path, plan: Plan) -> list[str]:
    """Write every changed item in plan order (backups come first, so the user's files are
    safe before anything replaces them), then remove the files the plan deletes (each one
    backed up); returns the paths written or removed. Nothing is written if a later write
    is bound to fail."""
    written = apply_file_changes(project_dir, plan)
    removed = []
    for item in plan.items:
        if item.kind == "file" and item.status == "delete":
            backup = item.detail.get("backup")
            if not backup or not (project_dir / backup).is_file():
                raise FileError(f"{project_dir / item.target}: not removed: its backup "
                                f"{backup} was not written")
            try:
                (project_dir / item.target).unlink(missing_ok=True)
            except OSError as exc:
                raise FileError(f"{project_dir / item.target}: cannot be removed "
                                f"({exc.strerror or exc})") from None
            removed.append(item.target)
    return written + removed
