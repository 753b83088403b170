"""The ``aibox-ops`` command: global options, sub-commands, and the one place errors become
exit codes."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer

from .. import __version__
from ..errors import AiboxError, ExitCode
from .options import FullHelpGroup
from .state import AppState


class AiboxGroup(FullHelpGroup):
    """Runs a command and maps every error to its documented exit code (nowhere else).

    Global options (the group's own, such as ``--json`` or ``--region``) are accepted after
    the command name too: ``parse_args`` moves them in front of it, for every command.
    """

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:  # noqa: D102
        args = hoist_global_options(args, global_options(self.params), set(self.commands))
        wants_json = "--json" in _before_separator(args)  # click consumes ``args`` in place
        try:
            return super().parse_args(ctx, args)
        except Exception as exc:
            if _is_usage_error(exc) and wants_json:
                _emit_usage_error(exc)
            raise

    def invoke(self, ctx: typer.Context):  # noqa: D102 - click API
        try:
            return super().invoke(ctx)
        except AiboxError as error:
            state = ctx.obj if isinstance(ctx.obj, AppState) else AppState()
            _report(error, state)
            ctx.exit(int(error.exit_code))
        except KeyboardInterrupt:
            from .output import console

            state = ctx.obj if isinstance(ctx.obj, AppState) else AppState()
            if state.json:  # a --json run always ends with one JSON document
                interrupted = AiboxError("interrupted (Ctrl-C)", hint="Run the command again; "
                                         "what was written so far is whole (atomic writes).")
                interrupted.exit_code = ExitCode.INTERRUPTED
                _report(interrupted, state)
            else:
                console().print("interrupted")
            ctx.exit(int(ExitCode.INTERRUPTED))
        except Exception as exc:
            if _is_cli_control_flow(exc):
                # usage errors, --help, typer.Exit: click/typer report these themselves
                # (an unknown command fails before the callback has set up ctx.obj)
                wants_json = ctx.obj.json if isinstance(ctx.obj, AppState) else bool(
                    ctx.params.get("json_output"))
                if _is_usage_error(exc) and wants_json:
                    _emit_usage_error(exc)
                raise
            # Anything else is a bug: say so; the traceback only with --debug.
            state = ctx.obj if isinstance(ctx.obj, AppState) else AppState()
            if state.debug:
                raise
            internal = AiboxError(
                f"internal error: {type(exc).__name__}: {exc}",
                hint="Run again with --debug for the traceback, and report it.",
            )
            _report(internal, state)
            ctx.exit(int(ExitCode.INTERNAL))


def _is_cli_control_flow(exc: Exception) -> bool:
    # typer vendors its own copy of click, so match on the defining package.
    return type(exc).__module__.split(".")[0] in ("click", "typer")


def _is_usage_error(exc: Exception) -> bool:
    return _is_cli_control_flow(exc) and any(
        cls.__name__ == "UsageError" for cls in type(exc).__mro__)


def _emit_usage_error(exc: Exception) -> None:
    """--json promises one document on stdout, usage errors included (click still prints
    its own message on stderr)."""
    from .output import emit_json

    message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
    emit_json({"ok": False, "error": "UsageError", "message": message, "hint": None,
               "exit_code": int(ExitCode.USAGE)})


def _before_separator(args: list[str]) -> list[str]:
    return args[: args.index("--")] if "--" in args else args


def global_options(params: list) -> dict[str, bool]:
    """The group's options that may also follow the command: name -> takes a value.

    Eager options (``--version``) are left out: after a command they mean nothing."""
    out: dict[str, bool] = {}
    for param in params:
        if getattr(param, "param_type_name", "") != "option" or param.is_eager:
            continue
        for name in (*param.opts, *param.secondary_opts):
            out[name] = not (param.is_flag or param.count)
    return out


def hoist_global_options(args: list[str], options: dict[str, bool],
                         commands: set[str]) -> list[str]:
    """Move global options found after the command name in front of it (``render --json``
    -> ``--json render``). Stops at ``--``; a value-taking option with no value is left
    where it is, for click to report."""

    def width(arg: str, rest: list[str]) -> int:
        name, has_value = arg.split("=", 1)[0], "=" in arg
        if name not in options:
            return 0
        if options[name] and not has_value:
            return 2 if rest[1:] else 0
        return 1

    i = 0
    while i < len(args) and args[i] != "--":
        step = width(args[i], args[i:])
        if step:
            i += step
        elif args[i].startswith("-"):
            i += 1  # not ours: click reports it
        else:
            break
    if i >= len(args) or args[i] not in commands:
        return args
    moved: list[str] = []
    rest: list[str] = []
    tail = args[i + 1 :]
    j = 0
    while j < len(tail):
        if tail[j] == "--":
            rest.extend(tail[j:])
            break
        step = width(tail[j], tail[j:])
        (moved if step else rest).extend(tail[j : j + max(step, 1)])
        j += max(step, 1)
    return [*args[:i], *moved, args[i], *rest]


def _report(error: AiboxError, state: AppState) -> None:
    from .output import report_error

    if state.debug:
        logging.getLogger("aibox_ops").exception("%s", error.message)
    report_error(error, state.json)


app = typer.Typer(
    cls=AiboxGroup,
    name="aibox-ops",
    help="Ops toolkit for the MyAIBOX agent on AWS Bedrock AgentCore Runtime.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"aibox-ops {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    project: Annotated[Path, typer.Option(
        "--project", "-C", metavar="DIR",
        help="Where to look for the project: this folder or the nearest above it with a "
             "pyproject.toml ([tool.aibox-ops] preferred).",
        exists=True, file_okay=False, resolve_path=True)] = Path("."),
    profile: Annotated[str | None, typer.Option(
        metavar="NAME", help="AWS profile to use.")] = None,
    region: Annotated[str | None, typer.Option(
        metavar="REGION", help="AWS region (overrides settings).")] = None,
    stage: Annotated[str | None, typer.Option(
        metavar="NAME",
        help="Stage: apply [tool.aibox-ops.stages.NAME] (or AIBOX_OPS_STAGE).")] = None,
    json_output: Annotated[bool, typer.Option(
        "--json", help="Machine-readable JSON on stdout; messages go to stderr.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Say more.")] = False,
    debug: Annotated[bool, typer.Option(
        "--debug", help="Debug logging, and tracebacks on errors.")] = False,
    version: Annotated[bool, typer.Option(
        "--version", callback=_version, is_eager=True, help="Show the version and exit.")] = False,
) -> None:
    """Render deploy files, sync requirements and operate the MyAIBOX agent."""
    ctx.obj = AppState(project=project, profile=profile, region=region, stage=stage,
                       json=json_output,
                       verbose=verbose or debug, debug=debug)
    if verbose or debug:
        logging.basicConfig(
            level=logging.DEBUG if debug else logging.INFO,
            format="%(levelname)s %(name)s: %(message)s",
        )
        logging.getLogger("aibox_ops").setLevel(logging.DEBUG if debug else logging.INFO)


def _register() -> None:
    from . import (
        config_cmd,
        deploy_cmd,
        doctor_cmd,
        endpoint_cmd,
        fix_iam_cmd,
        init_cmd,
        invoke_cmd,
        ops_cmds,
        provision_cmd,
        render_cmd,
        requirements_cmd,
        secrets_cmd,
        warm_cmd,
    )

    app.command("render")(render_cmd.render)
    app.command("sync-requirements")(requirements_cmd.sync_requirements)
    app.command("config")(config_cmd.show_config)
    app.command("init")(init_cmd.init)
    app.command("deploy")(deploy_cmd.deploy)
    app.command("status")(ops_cmds.status)
    app.command("logs")(ops_cmds.logs)
    app.command("rollback")(ops_cmds.rollback)
    app.add_typer(endpoint_cmd.app, name="endpoint")
    app.command("destroy")(ops_cmds.destroy)
    app.command("fix-iam")(fix_iam_cmd.fix_iam)
    app.add_typer(warm_cmd.app, name="warm")
    app.command("doctor")(doctor_cmd.doctor)
    app.command("invoke")(invoke_cmd.invoke)
    app.command("provision")(provision_cmd.provision)
    app.add_typer(secrets_cmd.secrets_app, name="secrets")


_register()


def run() -> None:
    """Console-script entry point (see ``aibox_ops.entry`` for Ctrl-C during start-up)."""
    app()
