"""One runner for every command that plans then applies: --check, --dry-run, --diff, --force.

A command builds its ``Plan`` (pure) and hands it here with the function that applies it;
the runner shows diffs, applies or refuses, prints the table or the one ``--json`` document
(``Outcome.to_dict``: the same shape for every command) and raises the exit-code error.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import AiboxError, CheckFailed, RefusedError
from ..plan import Outcome, Plan
from .output import done_status, emit_json, print_status_table, results, show_diff, warn
from .state import AppState


def run_plan(
    state: AppState,
    plan: Plan,
    apply: Callable[[bool], list[str]],
    *,
    check: bool = False,
    dry_run: bool = False,
    diff: bool = False,
    force: bool = False,
    extra: dict[str, Any] | None = None,
) -> Outcome:
    """Report ``plan`` and, unless --check/--dry-run, apply it with ``apply(force)``."""
    for warning in plan.warnings:
        warn(warning)
    if plan.errors:
        raise plan.errors[0]
    mode = "check" if check else "dry-run" if dry_run else "apply"
    applied: list[str] = []
    if mode == "apply":
        if plan.blocked and not force:
            for item in plan.blocked:  # show what would be lost; apply then refuses
                show_diff(item.diff, state.json)
        try:
            applied = apply(force)
        except RefusedError as error:
            if state.json or not getattr(error, "plan_shown", False):
                _emit(state, Outcome(plan, mode,
                                     extra={"error": error.to_dict(), **(extra or {})}),
                      ok=False)
            error.result_already_emitted = state.json
            raise
    if mode != "apply" or diff:
        for item in plan.changes:
            show_diff(item.diff, state.json)
    outcome = Outcome(plan, mode, applied, extra or {})
    _emit(state, outcome, ok=outcome.ok)
    if not outcome.ok:
        raise _drift_error(plan)
    return outcome


def _drift_error(plan: Plan) -> AiboxError:
    command = f"aibox-ops {plan.command}"
    if plan.blocked:
        names = ", ".join(f"{item.target} ({item.reason})" for item in plan.blocked)
        hint = (f"`{command}` refuses to overwrite {names}: keep your edits in the template "
                f"or settings, or run `{command} --force` to replace "
                + ("it." if len(plan.blocked) == 1 else "them."))
    else:
        hint = f"Run `{command}` to update them."
    kinds = {item.kind for item in plan.changes}
    noun = f"{kinds.pop()}(s)" if len(kinds) == 1 else "item(s)"
    return CheckFailed(f"{len(plan.changes)} {noun} out of date", hint=hint)


def _emit(state: AppState, outcome: Outcome, ok: bool) -> None:
    if state.json:
        emit_json({**outcome.to_dict(), "ok": ok})
        return
    rows = [(item.kind, item.target, done_status(item.status, item.kind)
             if item.target in outcome.applied else item.status, item.reason)
            for item in outcome.plan.items]
    print_status_table(results(as_json=False), outcome.plan.command, rows)
