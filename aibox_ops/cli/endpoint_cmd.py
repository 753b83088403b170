"""``aibox-ops endpoint list|set|delete``: named runtime endpoints, each on one version."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from .deploy_cmd import Timeout, Yes
from .options import DryRun, FullHelpGroup
from .output import emit_json, results
from .prompts import confirm
from .runner import run_plan
from .state import AppState

app = typer.Typer(help="Named runtime endpoints: each serves one runtime version "
                       "(DEFAULT follows the latest).",
                  no_args_is_help=True, rich_markup_mode=None, cls=FullHelpGroup)

Name = Annotated[str, typer.Argument(
    metavar="NAME", help="Endpoint name (letters, digits, _; not DEFAULT).")]


@app.command("list")
def list_cmd(ctx: typer.Context) -> None:
    """Show every endpoint of the runtime: status, live and target version."""
    from ..deploy.endpoints import read_endpoints

    state: AppState = ctx.obj
    data = read_endpoints(state.aws(), state.settings())
    if state.json:
        emit_json({"ok": True, "command": "endpoint list", **data})
        return
    out = results(as_json=False)
    out.print(f"runtime {escape(data['runtime_id'])}: versions "
              f"{', '.join(data['versions'][:10]) or 'none'}")
    print_endpoint_table(out, data["endpoints"])


def print_endpoint_table(out, rows: list[dict]) -> None:
    """The endpoints as a table (status shares it)."""
    table = Table(title="endpoints", title_justify="left", show_edge=False, pad_edge=False)
    for column in ("endpoint", "status", "live", "target", "note"):
        table.add_column(column, no_wrap=column != "note")
    for row in rows:
        note = ("follows the latest version" if row["follows_latest"] else
                "created by aibox-ops" if row["created_by_aibox_ops"] else "")
        table.add_row(escape(row["name"]), escape(str(row["status"])),
                      escape(str(row["live_version"] or "-")),
                      escape(str(row["target_version"] or "-")), note)
    out.print(table)


@app.command("set")
def set_cmd(
    ctx: typer.Context,
    name: Name,
    version: Annotated[str | None, typer.Option(
        "--version", metavar="N", help="Runtime version to serve (default: the latest).")
                       ] = None,
    dry_run: DryRun = False,
    yes: Yes = False,
    timeout: Timeout = 900.0,
) -> None:
    """Point endpoint NAME at a runtime version, creating it if absent (no build, no new
    version); waits for READY and health-checks through it."""
    from ..deploy.endpoints import plan_endpoint_set

    state: AppState = ctx.obj
    settings, session = state.settings(), state.aws()
    plan, move = plan_endpoint_set(session, settings, name, version)
    verb = "Create" if move.action == "create" else "Move"
    run_move(state, plan, move, f"{verb} endpoint {name} of {settings.agent_name} on version "
             f"{move.to_version}?", yes=yes, dry_run=dry_run, timeout=timeout)


def run_move(state: AppState, plan: Any, move: Any, question: str, *, yes: bool,
             dry_run: bool, timeout: float) -> None:
    """Show ``plan``; unless a dry run, confirm ``question``, move the endpoint (wait for
    READY, health-check through it) and show the verdict (``endpoint set``, ``rollback
    --endpoint``)."""
    from ..deploy.endpoints import apply_endpoint_move

    settings, session = state.settings(), state.aws()
    extra: dict = move.to_dict()

    def apply(_force: bool) -> list[str]:
        if move.action == "unchanged":
            return []
        confirm(state, question, yes)
        result = apply_endpoint_move(session, settings, move, timeout=timeout)
        extra["health"] = result.health
        return [move.name]

    run_plan(state, plan, apply, dry_run=dry_run, extra=extra)
    show_health(state, extra)


def show_health(state: AppState, extra: dict) -> None:
    """The health check's verdict under the table (``--json``: the ``health`` key)."""
    if extra.get("health") and not state.json:
        results(as_json=False).print(f"health: {escape(extra['health'])}")


@app.command("delete")
def delete_cmd(
    ctx: typer.Context,
    name: Name,
    dry_run: DryRun = False,
    yes: Yes = False,
) -> None:
    """Delete endpoint NAME (only one aibox-ops created; the runtime and its versions stay)."""
    from ..deploy.endpoints import apply_endpoint_delete, plan_endpoint_delete

    state: AppState = ctx.obj
    settings, session = state.settings(), state.aws()
    plan, move = plan_endpoint_delete(session, settings, name)

    def apply(_force: bool) -> list[str]:
        if move.action != "delete":
            return []
        confirm(state, f"Delete endpoint {name} of {settings.agent_name}?", yes)
        return apply_endpoint_delete(session, settings, move)

    run_plan(state, plan, apply, dry_run=dry_run, extra=move.to_dict())
