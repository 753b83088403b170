"""``aibox-ops render``: Dockerfile, .dockerignore and .bedrock_agentcore.yaml from templates."""

from __future__ import annotations

import typer

from .options import Check, Diff, DryRun, Force
from .runner import run_plan
from .state import AppState


def render(
    ctx: typer.Context,
    check: Check = False,
    force: Force = False,
    diff: Diff = False,
    dry_run: DryRun = False,
) -> None:
    """Render the deploy files from templates/ and [tool.aibox-ops]."""
    from ..render import apply_render, plan_render

    state: AppState = ctx.obj
    settings = state.settings()
    plan = plan_render(settings)
    run_plan(state, plan, lambda force: apply_render(settings.project_dir, plan, force),
             check=check, dry_run=dry_run, diff=diff, force=force)
