"""``aibox-ops doctor``: diagnose the guide's failure modes before and after deploy."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from ..errors import AiboxError, CheckFailed
from .options import since_option
from .output import console, emit_json, results, show_diff
from .state import AppState

if TYPE_CHECKING:
    from ..doctor import DoctorContext

def _ids(values: list[str] | None) -> list[str]:
    return [part.strip() for value in values or [] for part in value.split(",") if part.strip()]


def doctor(
    ctx: typer.Context,
    offline: Annotated[bool, typer.Option(
        "--offline", help="Only look at the files; skip every check that needs AWS.")] = False,
    fix: Annotated[bool, typer.Option(
        "--fix", help="Apply the automatic fixes (layout, render, requirements, IAM).")] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask before fixing.")] = False,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="With --fix: show what the fixes would change; change nothing.")] = False,
    only: Annotated[list[str] | None, typer.Option(
        "--only", metavar="IDS", help="Run only these checks (comma-separated ids).")] = None,
    skip: Annotated[list[str] | None, typer.Option(
        "--skip", metavar="IDS", help="Skip these checks (comma-separated ids).")] = None,
    list_checks: Annotated[bool, typer.Option("--list", help="List the checks and exit.")] = False,
    fail_on: Annotated[str, typer.Option(
        "--fail-on", metavar="error|warning",
        help="Exit 1 when a result is at or above this level.")] = "error",
    logs: Annotated[bool | None, typer.Option(
        "--logs/--no-logs", help="Scan the runtime's and CodeBuild's CloudWatch logs "
        "(default: on when online).")] = None,
    since: Annotated[str, typer.Option(
        "--since", metavar="DURATION", help="How far back the log scan reads (e.g. 24h, 7d).")
    ] = "24h",
    install_test: Annotated[bool, typer.Option(
        "--install-test", help="pip-install the requirements into a fresh venv (cached) and "
        "import the entry point.")] = False,
) -> None:
    """Diagnose the deployment's known failure modes; --fix applies the automatic fixes."""
    from ..doctor import all_checks, report_dict, run_checks
    from ..doctor.runner import select
    from .doctor_report import render_check_list, render_report

    state: AppState = ctx.obj
    if fail_on not in ("error", "warning"):
        raise typer.BadParameter("must be error or warning", param_hint="--fail-on")
    # Only a log scan reads --since (parsing it loads fix-iam's package: not offline).
    seconds = float(since_option(since)) if (logs or (logs is None and not offline)) else 86400.0
    try:
        checks = select(_ids(only), _ids(skip))
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--only/--skip") from None
    if list_checks:
        chosen = checks if (only or skip) else list(all_checks())
        if state.json:
            emit_json({"ok": True, "checks": [
                {"id": c.id, "title": c.title, "severity": c.severity, "live": c.live,
                 "fixable": c.plan_fix is not None, "fix": c.fix_hint} for c in chosen]})
        else:
            render_check_list(results(False), chosen)
        return
    if "log-scan" in _ids(skip):  # skipping the log scan means not reading the logs
        logs = False
    doctor_ctx = build_context(state, offline, logs, seconds, install_test)
    ids = [c.id for c in checks]
    found = run_checks(doctor_ctx, only=ids)
    if fix:
        found = run_fixes(state, doctor_ctx, found, yes=yes, dry_run=dry_run,
                          offline=offline, logs=logs, seconds=seconds)
    report = report_dict(found, fail_on)
    if state.json:
        emit_json(report)
    else:
        render_report(results(False), found, verbose=state.verbose)
    if not report["ok"]:
        problems = sum(1 for r in found if r.level and (r.level == "error" or
                                                       fail_on == "warning"))
        raise CheckFailed(f"doctor found {problems} problem(s) at or above --fail-on "
                          f"{fail_on}")


def build_context(state: AppState, offline: bool, logs: bool | None, seconds: float,
                  install_test: bool) -> DoctorContext:
    """Settings (or the error that makes them invalid) and, online, the AWS session."""
    from ..doctor import DoctorContext

    settings, error = None, None
    try:
        settings = state.settings()
    except AiboxError as exc:  # invalid settings become the failing `config` result
        error = exc
    session = None
    if not offline:
        try:
            session = state.aws() if settings is not None else _session_without_settings(state)
        except AiboxError:
            session = None  # aws-credentials reports it
    # Settings know the project found by searching upward; without them, the folder given.
    root = settings.project_dir if settings is not None else state.project
    return DoctorContext(settings, session=session, offline=offline, project_dir=root,
                         settings_error=error, logs=(not offline) if logs is None else logs,
                         since_seconds=seconds, install_test=install_test)


def _session_without_settings(state: AppState):
    import os

    from ..aws import open_session
    from ..config.model import DEFAULT_REGION

    region = state.region or os.environ.get("AWS_REGION") or \
        os.environ.get("AWS_DEFAULT_REGION") or DEFAULT_REGION
    return open_session(region, state.profile)


def run_fixes(state: AppState, doctor_ctx: DoctorContext, found: list, *, yes: bool,
              dry_run: bool, offline: bool, logs: bool | None, seconds: float) -> list:
    """Plan, show, confirm and apply the automatic fixes; re-run the checks they affect."""
    from ..doctor import run_checks
    from ..doctor.fixes import apply_fixes, plan_fixes, replace_results
    from .prompts import confirm

    out = console()
    fixes = plan_fixes(doctor_ctx, found)
    todo = [f for f in fixes if f.has_changes and not f.error]
    for item in fixes:
        if item.error:
            out.print(f"[red]cannot fix[/] {', '.join(item.check_ids)}: {item.error}",
                      markup=True)
    if not todo:
        out.print("nothing to fix automatically")
        return found
    for item in todo:
        assert item.plan is not None
        targets = ", ".join(c.target for c in item.plan.changes)
        out.print(f"fix {', '.join(item.check_ids)}: {targets}", markup=False)
        for change in item.plan.changes:
            show_diff(change.diff, True)
    if dry_run:
        out.print("dry run: nothing was changed")
        return found
    confirm(state, f"Apply {len(todo)} fix(es)?", yes)
    apply_fixes(doctor_ctx, todo)
    for item in todo:
        if item.error:
            out.print(f"fix {', '.join(item.check_ids)} failed: {item.error}", markup=False)
        else:
            out.print(f"fixed {', '.join(item.check_ids)}: wrote {', '.join(item.applied)}",
                      markup=False)
    # Files changed: read everything again (settings too) for the affected checks.
    state._settings = None
    fresh_ctx = build_context(state, offline, False, seconds, doctor_ctx.install_test)
    affected = sorted({"config", *(i for f in todo for i in f.check_ids)})
    selected = {r.id for r in found}
    fresh = run_checks(fresh_ctx, only=[i for i in affected if i in selected])
    return replace_results(found, fresh)
