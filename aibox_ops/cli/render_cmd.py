"""``aibox-ops render``: Dockerfile, .dockerignore and .bedrock_agentcore.yaml from templates."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from ..errors import CheckFailed
from .options import Check, Diff, DryRun, Force
from .output import emit_json, results, show_diff, status_table, warn
from .state import AppState

if TYPE_CHECKING:
    from ..render import RenderPlan


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
    plan = plan_render(state.settings())
    for warning in plan.warnings:
        warn(warning)
    written: list[str] = []
    if not (check or dry_run):
        if plan.blocked and not force:
            for item in plan.blocked:  # show what would be lost; apply_render then refuses
                show_diff(item.diff, state.json)
        written = [f.relpath for f in apply_render(plan, force=force)]
    if check or dry_run or diff:
        for item in plan.changes:
            show_diff(item.diff, state.json)
    ok = not (check and plan.changes)
    _emit(state, plan, written, ok=ok)
    if not ok:
        raise CheckFailed(f"{len(plan.changes)} file(s) out of date",
                          hint="Run `aibox-ops render` to update them.")


def _emit(state: AppState, plan: RenderPlan, written: list[str], ok: bool) -> None:
    if state.json:
        emit_json({"ok": ok, "written": written, "warnings": plan.warnings,
                   "files": [f.to_dict() for f in plan.files]})
        return
    rows = [(f.relpath, "written" if f.relpath in written else f.status, f.reason)
            for f in plan.files]
    results(as_json=False).print(status_table("render", rows))
