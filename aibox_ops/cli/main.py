"""The ``aibox-ops`` command: global options, sub-commands, and the one place errors become
exit codes."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer
from typer.core import TyperGroup

from .. import __version__
from ..errors import AiboxError, ExitCode
from .state import AppState


class AiboxGroup(TyperGroup):
    """Runs a command and maps every error to its documented exit code (nowhere else)."""

    def invoke(self, ctx: typer.Context):  # noqa: D102 - click API
        try:
            return super().invoke(ctx)
        except AiboxError as error:
            state = ctx.obj if isinstance(ctx.obj, AppState) else AppState()
            _report(error, state)
            ctx.exit(int(error.exit_code))
        except KeyboardInterrupt:
            from .output import console

            console().print("interrupted")
            ctx.exit(int(ExitCode.INTERRUPTED))
        except Exception as exc:
            if _is_cli_control_flow(exc):
                raise  # usage errors, --help, typer.Exit: click/typer report these themselves
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
        "--project", "-C", metavar="DIR", help="Project folder (holds pyproject.toml).",
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
    from . import config_cmd, deploy_cmd, ops_cmds, render_cmd, requirements_cmd

    app.command("render")(render_cmd.render)
    app.command("sync-requirements")(requirements_cmd.sync_requirements)
    app.command("config")(config_cmd.show_config)
    app.command("deploy")(deploy_cmd.deploy)
    app.command("status")(ops_cmds.status)
    app.command("logs")(ops_cmds.logs)
    app.command("rollback")(ops_cmds.rollback)
    app.command("destroy")(ops_cmds.destroy)


_register()


def run() -> None:
    """Console-script entry point."""
    app()
