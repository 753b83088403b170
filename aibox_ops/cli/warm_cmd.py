"""``aibox-ops warm ...``: keep real AgentCore sessions warm, schedule it, measure it."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from ..errors import ConfigError, InputError
from .options import Diff, DryRun, FullHelpGroup, duration_option
from .state import AppState

app = typer.Typer(help="Keep runtime sessions warm: pool, pings, schedules, measures.",
                  no_args_is_help=True, rich_markup_mode=None, cls=FullHelpGroup)

Local = Annotated[bool, typer.Option(
    "--local", help="Ping this project's local agent (deploy --local) instead of AWS.")]
Url = Annotated[str | None, typer.Option(
    "--url", metavar="URL", help="Ping the agent served at URL instead (implies --local).")]
Yes = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]


def _target(state: AppState, local: bool, url: str | None) -> tuple[Any, str]:
    """(sender, description): the agent at ``url``, this project's local agent (as
    ``invoke --local`` finds it), or the deployed runtime."""
    from ..invoke.target import local_target
    from ..warm import local_sender, read_runtime, runtime_sender

    if url or local:
        where = url or local_target(state.settings()).address
        return local_sender(where), where
    runtime = read_runtime(state.aws(), state.settings(), with_lifecycle=False)
    return runtime_sender(state.aws(), runtime.arn), runtime.arn


@app.command("ping")
def ping_cmd(
    ctx: typer.Context,
    session_id: Annotated[list[str] | None, typer.Option(
        "--session-id", metavar="ID", help="Session to ping (repeatable; default: the pool).")
    ] = None,
    count: Annotated[int, typer.Option(min=1, max=100, help="Pings per session.")] = 1,
    local: Local = False,
    url: Url = None,
) -> None:
    """Send health pings and report each latency, and whether the session was cold."""
    from ..invoke import new_session_id, session_id_problem
    from ..warm import load_pool, ping
    from ..warm.ping import failure_error
    from .warm_render import render_pings

    state: AppState = ctx.obj
    ids = list(session_id or [])
    for sid in ids:
        if problem := session_id_problem(sid):
            raise InputError([f"--session-id: {problem}"])
    note = None
    if not ids:
        ids = load_pool(state.settings())
    if not ids:
        ids = [new_session_id()]
        note = ("no warm pool yet (`aibox-ops warm sessions` makes one): pinged a fresh "
                "session, which warms nobody")
    send, where = _target(state, local, url)
    results = ping(send, ids, count=count)
    render_pings(state, "warm ping", where, results, note)
    error = failure_error(results)
    if error:
        error.result_already_emitted = state.json
        raise error


@app.command("measure")
def measure_cmd(
    ctx: typer.Context,
    samples: Annotated[int, typer.Option(min=2, max=200, help="Pings per distribution.")] = 10,
    local: Local = False,
    url: Url = None,
) -> None:
    """Cold against warm latency (p50/p95), both distributions drawn, and a recommendation."""
    from ..invoke import new_session_id
    from ..warm import load_pool
    from ..warm.measure import measure, recommend
    from .warm_render import render_measurement

    state: AppState = ctx.obj
    settings = state.settings()
    send, where = _target(state, local, url)
    pool = [] if local or url else load_pool(settings)
    result = measure(send, samples, new_session_id, pool)
    decision = recommend(result, settings.warm.enabled, settings.warm.interval_minutes)
    render_measurement(state, where, result, decision)


@app.command("sessions")
def sessions_cmd(ctx: typer.Context, dry_run: DryRun = False) -> None:
    """Print the pooled session ids (creating missing ones) for a front end to use."""
    from ..warm import apply_pool, plan_pool
    from .warm_render import render_sessions

    state: AppState = ctx.obj
    settings = state.settings()
    pool = plan_pool(settings)
    written = False if dry_run else apply_pool(settings.project_dir, pool)
    render_sessions(state, pool, written, dry_run)


@app.command("schedule")
def schedule_cmd(ctx: typer.Context, dry_run: DryRun = False, diff: Diff = False,
                 yes: Yes = False) -> None:
    """Create or update one EventBridge Scheduler schedule per pooled session."""
    from ..warm import apply_schedules, plan_schedules
    from .prompts import confirm
    from .runner import run_plan

    state: AppState = ctx.obj
    session = state.aws()
    plan = plan_schedules(session, state.settings())

    def apply(_force: bool) -> list[str]:
        if not plan.changes:
            return []
        confirm(state, f"Apply {len(plan.changes)} change(s) to schedules and IAM in "
                f"{session.region}?", yes)
        return apply_schedules(session, plan)

    run_plan(state, plan, apply, dry_run=dry_run, diff=diff)


@app.command("unschedule")
def unschedule_cmd(ctx: typer.Context, dry_run: DryRun = False, yes: Yes = False) -> None:
    """Remove the schedules, their group and the scheduler role that `schedule` created."""
    from ..warm import read_schedules, remove_schedules
    from ..warm.plan import plan_removal
    from .prompts import confirm
    from .runner import run_plan

    state: AppState = ctx.obj
    session, settings = state.aws(), state.settings()
    plan = plan_removal(read_schedules(session, settings))

    def apply(_force: bool) -> list[str]:
        if not plan.changes:
            return []
        confirm(state, f"Delete {len(plan.changes)} warm-up resource(s)?", yes)
        return remove_schedules(session, settings)

    run_plan(state, plan, apply, dry_run=dry_run)


@app.command("status")
def status_cmd(ctx: typer.Context) -> None:
    """Show what is scheduled in AWS, against the pool and the settings."""
    from ..warm import load_pool, read_schedules
    from .warm_render import render_status

    state: AppState = ctx.obj
    settings = state.settings()
    render_status(state, settings, read_schedules(state.aws(), settings), load_pool(settings))


@app.command("run")
def run_cmd(
    ctx: typer.Context,
    every: Annotated[str | None, typer.Option(
        metavar="DURATION", help="Ping interval, e.g. 10m (default: warm.interval_minutes).")
    ] = None,
    for_: Annotated[str, typer.Option(
        "--for", metavar="DURATION", help="Stop after this long, e.g. 1h.")] = "1h",
    local: Local = False,
    url: Url = None,
) -> None:
    """Ping the pool in the foreground every so often (for cron, systemd or CI)."""
    from ..config.build import warm_interval_problem
    from ..warm import load_pool, ping
    from ..warm.loop import run_loop
    from ..warm.ping import failure_error
    from .warm_render import render_loop, render_round

    state: AppState = ctx.obj
    settings = state.settings()
    every_s = duration_option("--every", every) if every else settings.warm.interval_minutes * 60.0
    for_s = duration_option("--for", for_)
    idle = settings.lifecycle.idle_timeout
    if why := warm_interval_problem(every_s, idle, "lifecycle.idle_timeout"):
        source = f"--every {every}" if every else \
            f"'warm.interval_minutes' = {settings.warm.interval_minutes} min"
        raise ConfigError([f"{source} {why}"])
    ids = load_pool(settings)
    if not ids:
        raise ConfigError(["the warm pool is empty"],
                          hint="Run `aibox-ops warm sessions` first (it stores the ids).")
    send, where = _target(state, local, url)
    last: list[Any] = []

    def one_round() -> list[Any]:
        last[:] = ping(send, ids)
        return last

    report = run_loop(one_round, every_s, for_s, on_round=lambda r: render_round(state, r))
    render_loop(state, where, report)
    if not report.last_ok and (error := failure_error(last)):
        error.result_already_emitted = state.json
        raise error
