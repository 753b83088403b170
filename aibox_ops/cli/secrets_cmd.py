"""``aibox-ops secrets set NAME`` / ``secrets list``: the agent's provider keys."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.markup import escape

from ..errors import InputError
from .invocation import as_invoked
from .options import DryRun, FullHelpGroup
from .output import console, emit_json, results
from .prompts import confirm
from .state import AppState

secrets_app = typer.Typer(help="Store and list the agent's provider API keys.",
                          no_args_is_help=True, rich_markup_mode=None, cls=FullHelpGroup)


@secrets_app.command("set")
def set_secret(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(
        metavar="NAME", help="openai, gemini, or one of the agent's secret ids.")],
    dry_run: DryRun = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")
                   ] = False,
) -> None:
    """Store a secret's value, read from a hidden prompt or stdin (never an argument)."""
    from ..provision import read_secret_exists
    from ..secrets import apply_secret, resolve_secret

    state: AppState = ctx.obj
    settings = state.settings()
    ref = resolve_secret(settings, name)
    session = state.aws()
    exists = read_secret_exists(session, ref.secret_id)
    action = "store a new version of" if exists else "create"
    if dry_run:
        _report(state, {"ok": True, "command": "secrets set", "mode": "dry-run",
                        "secret_id": ref.secret_id, "provider": ref.provider,
                        "exists": exists, "action": action},
                f"would {action} secret {ref.secret_id} in {settings.region}")
        return
    confirm(state, f"{action.capitalize()} secret {ref.secret_id} in {settings.region}?", yes)
    value = _read_value(ref.secret_id)
    result = apply_secret(session, ref, value)
    del value
    _report(state, {"ok": True, "command": "secrets set", "mode": "apply", **result},
            f"{'created' if result['created'] else 'updated'} secret {ref.secret_id} "
            f"(version {result['version_id']}); the value is not shown")


@secrets_app.command("list")
def list_secrets_cmd(ctx: typer.Context) -> None:
    """Show the agent's secrets and whether each exists (names only, never values)."""
    from ..secrets import list_secrets

    state: AppState = ctx.obj
    rows = list_secrets(state.aws(), state.settings())
    if state.json:
        emit_json({"ok": True, "command": "secrets list", "secrets": rows})
        return
    out = results(as_json=False)
    if not rows:
        out.print("the agent reads no secrets (OPENAI_SECRET_ID / GEMINI_SECRET_ID unset)")
    for row in rows:
        status = "[green]exists[/]" if row["exists"] else "[yellow]missing[/]"
        fix = "" if row["exists"] else (
            f"  [dim]({escape(as_invoked('aibox-ops secrets set'))} "
            f"{escape(row['provider'] or row['secret_id'])})[/]")
        out.print(f"{escape(row['secret_id'])}  {escape(row['provider'] or '-')}  "
                  f"{status}{fix}")


def _read_value(secret_id: str) -> str:
    if sys.stdin.isatty():
        import getpass

        value = getpass.getpass(f"value for {secret_id} (hidden): ")
    else:
        value = sys.stdin.read()
    if not value.strip():
        raise InputError(["secret value: is empty (type it at the prompt or pipe it in)"])
    return value


def _report(state: AppState, document: dict, message: str) -> None:
    if state.json:
        emit_json(document)
    else:
        console(stderr=False).print(escape(message))
