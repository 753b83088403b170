"""``aibox-ops sync-requirements``: requirements-agentcore.txt from the agent dependency group."""

from __future__ import annotations

import typer

from .options import Check, Diff, DryRun, Force
from .output import warn
from .runner import run_plan
from .state import AppState


def sync_requirements(
    ctx: typer.Context,
    check: Check = False,
    force: Force = False,
    diff: Diff = False,
    dry_run: DryRun = False,
) -> None:
    """Write requirements-agentcore.txt from pyproject.toml, pinned by uv.lock."""
    from ..requirements import apply_requirements, plan_requirements

    state: AppState = ctx.obj
    settings = state.settings()
    plan = plan_requirements(settings)

    def apply(force: bool) -> list[str]:
        written = apply_requirements(settings, plan, force)
        for path in written:
            if path.startswith(".aibox-ops/backups/"):
                warn(f"your previous {path.split('/', 3)[3]} is kept in {path}")
        return written

    run_plan(state, plan, apply, check=check, dry_run=dry_run, diff=diff, force=force)
