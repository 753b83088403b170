"""Write requirements-agentcore.txt (atomically), refusing to replace a hand-written file."""

from __future__ import annotations

from ..config import Settings
from ..files import apply_file_changes
from ..plan import Plan


def apply_requirements(settings: Settings, plan: Plan, force: bool = False) -> list[str]:
    """Write the file when it changed; returns the paths written. Planning errors (imports
    no requirement provides) are raised before anything is written."""
    if plan.errors:
        raise plan.errors[0]
    return apply_file_changes(settings.project_dir, plan, force=force)
