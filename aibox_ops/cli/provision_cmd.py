"""``aibox-ops provision``: create the agent's missing DynamoDB tables; report secrets."""

from __future__ import annotations

from typing import Annotated

import typer

from .options import DryRun
from .output import console
from .prompts import confirm
from .runner import run_plan
from .state import AppState


def provision(
    ctx: typer.Context,
    dry_run: DryRun = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")
                   ] = False,
) -> None:
    """Create the agent's missing DynamoDB tables and report missing secrets."""
    from ..provision import apply_provision, plan_provision

    state: AppState = ctx.obj
    session = state.aws()
    settings = state.settings()
    plan = plan_provision(session, settings)
    creates = [item.target for item in plan.changes if item.kind == "table"]
    if creates and not dry_run:
        console().print(f"will create in {settings.region}: DynamoDB table(s) "
                        f"{', '.join(creates)} (on-demand, point-in-time recovery, "
                        "deletion protection)")
        confirm(state, "Create them?", yes)
    run_plan(state, plan, lambda _force: apply_provision(session, plan), dry_run=dry_run,
             extra={"region": settings.region})
