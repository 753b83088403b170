"""Apply an init plan: backups first, then pyproject.toml and the generated files."""

from __future__ import annotations

from pathlib import Path

from ..files import apply_file_changes
from ..plan import Plan


def apply_init(project_dir: Path, plan: Plan) -> list[str]:
    """Write every changed item in plan order (backups come first, so the user's files are
    safe before anything replaces them); returns the paths written. Nothing is written if
    a later write is bound to fail."""
    return apply_file_changes(project_dir, plan)
