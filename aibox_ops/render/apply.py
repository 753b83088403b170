"""Apply a render plan: refuse to clobber hand edits, then write each file atomically."""

from __future__ import annotations

from pathlib import Path

from ..files import apply_file_changes
from ..plan import Plan


def apply_render(project_dir: Path, plan: Plan, force: bool = False) -> list[str]:
    """Write every changed file; returns the paths written. Nothing is written if refused."""
    return apply_file_changes(project_dir, plan, force=force)
