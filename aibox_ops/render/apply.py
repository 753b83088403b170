"""Apply a render plan: refuse to clobber hand edits, then write each file atomically."""

from __future__ import annotations

import os

from ..errors import FileError, RefusedError
from ..files import atomic_write
from .plan import RenderedFile, RenderPlan


def apply_render(plan: RenderPlan, force: bool = False) -> list[RenderedFile]:
    """Write every changed file; returns what was written. Nothing is written if refused."""
    if plan.blocked and not force:
        names = ", ".join(f"{f.relpath} ({f.reason})" for f in plan.blocked)
        raise RefusedError(
            f"refusing to overwrite {names}",
            hint="Review the diff above; run again with --force to replace it.",
        )
    for item in plan.changes:
        _preflight(plan, item)
    for item in plan.changes:
        atomic_write(plan.project_dir / item.relpath, item.content)
    return plan.changes


def _preflight(plan: RenderPlan, item: RenderedFile) -> None:
    """Fail before the first write when a later one is bound to fail (read-only folder)."""
    target = plan.project_dir / item.relpath
    folder = target.parent
    while not folder.exists():
        folder = folder.parent
    if not os.access(folder, os.W_OK | os.X_OK) or (target.exists()
                                                   and not os.access(target, os.W_OK)):
        raise FileError(f"{target}: cannot be written (permission denied)",
                        hint="Check that the folder is writable; no file was changed.")
