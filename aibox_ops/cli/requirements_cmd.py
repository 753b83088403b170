"""``aibox-ops sync-requirements``: requirements-agentcore.txt from the agent dependency group."""

from __future__ import annotations

import typer

from ..errors import CheckFailed
from .options import Check, Diff, DryRun, Force
from .output import emit_json, results, show_diff, status_table
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
    written = False
    if not (check or dry_run):
        if plan.blocked and not force:
            show_diff(plan.diff, state.json)
        written = apply_requirements(settings, plan, force=force)
    if check or dry_run or diff:
        show_diff(plan.diff, state.json)
    stale = plan.status != "unchanged"
    ok = not (check and stale)
    if state.json:
        emit_json({"ok": ok, "written": written, **plan.to_dict()})
    else:
        detail = f"{plan.count} requirements" + ("" if plan.pinned else " (not pinned: no uv.lock)")
        status = "written" if written else plan.status
        table = status_table("sync-requirements", [(plan.relpath, status, detail)])
        results(as_json=False).print(table)
    if not ok:
        raise CheckFailed(f"{plan.relpath} is out of date",
                          hint="Run `aibox-ops sync-requirements` to update it.")
