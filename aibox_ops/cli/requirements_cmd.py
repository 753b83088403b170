"""``aibox-ops sync-requirements``: requirements-agentcore.txt from the agent dependency group."""

from __future__ import annotations

import typer

from .options import Check, Diff, DryRun, Force
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
    run_plan(state, plan, lambda force: apply_requirements(settings, plan, force),
             check=check, dry_run=dry_run, diff=diff, force=force)
