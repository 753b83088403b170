"""``aibox-ops deploy``: build and launch the agent on AgentCore Runtime, phase by phase."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from ..errors import AiboxError, ExitCode
from .deploy_local import Detach, LocalFlag, Port, deploy_local
from .invocation import as_invoked
from .options import DryRun
from .output import console, emit_json, results, warn
from .prompts import can_ask, confirm
from .state import AppState

Yes = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]
Timeout = Annotated[float, typer.Option(
    "--timeout", metavar="SECONDS", min=1, help="How long to wait for READY (fails after).")]
LOG_DIR = ".aibox-ops/logs"


def deploy(
    ctx: typer.Context,
    dry_run: DryRun = False,
    yes: Yes = False,
    force_build: Annotated[bool, typer.Option(
        "--force-build", help="Build even when the agent content is unchanged.")] = False,
    no_iam: Annotated[bool, typer.Option("--no-iam", help="Skip the fix-iam phase.")] = False,
    no_warm: Annotated[bool, typer.Option(
        "--no-warm", help="Skip the warm-up schedule phase.")] = False,
    timeout: Timeout = 900.0,
    local: LocalFlag = False,
    port: Port = 8080,
    detach: Detach = False,
) -> None:
    """Deploy the agent to AgentCore Runtime (build only when its content changed)."""
    if local:  # on this machine: aibox_ops.local (see docs/local.md)
        return deploy_local(ctx, port, detach)
    from ..deploy import DeployOptions, DeployReport, run_deploy

    state: AppState = ctx.obj
    settings = state.settings()
    where = f"{settings.agent_name} to {settings.region}" + (
        f" (stage {settings.stage})" if settings.stage else "")
    options = DeployOptions(dry_run=dry_run, force_build=force_build, no_iam=no_iam,
                            no_warm=no_warm, timeout=timeout)
    from .progress import PhaseProgress

    if not dry_run:
        if not yes and can_ask():  # the plan (a dry run: reads only) before the question
            preview = DeployReport(settings, replace(options, dry_run=True))
            with PhaseProgress() as progress:
                run_deploy(state.aws(), settings, preview.options, reporter=progress,
                           report=preview)
            render_summary(preview, console())
        confirm(state, f"Deploy {where}?", yes)
    log = DeployLog(settings.path(LOG_DIR), echo=state.verbose, keep=not dry_run)
    log.prepare()  # a bad log folder is a clear FileError now, never a crash mid-launch
    report = DeployReport(settings, options)
    try:
        with PhaseProgress() as progress:
            run_deploy(state.aws(), settings, options, reporter=progress, log=log.write,
                       report=report)
    except KeyboardInterrupt:  # main says "interrupted" (exit 130); say where things stand
        report.log_path = log.relative(settings.project_dir)
        if state.json:
            emit_json({**report.to_dict(), "ok": False, "error": {
                "error": "Interrupted", "message": "interrupted (Ctrl-C)", "exit_code": 130}})
            # One JSON document per run: this one says where the deploy stood, so main's
            # generic "interrupted" document is not printed after it.
            raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
        elif report.log_path:
            console().print(f"[dim]toolkit log: {escape(report.log_path)}[/]")
        raise
    except AiboxError as error:
        report.log_path = log.relative(settings.project_dir)
        _show_build_log(error)
        if state.json:
            emit_json({**report.to_dict(), "ok": False, "error": error.to_dict()})
            error.result_already_emitted = True
        elif report.log_path:
            console().print(f"[dim]toolkit log: {escape(report.log_path)}[/]")
        raise
    report.log_path = log.relative(settings.project_dir)
    for warning in report.warnings:
        warn(warning)
    if state.json:
        emit_json(report.to_dict())
        return
    render_summary(report)


def render_summary(report: Any, out: Any = None) -> None:
    """Phase timings, the runtime and the next commands (stdout, or ``out``)."""
    out = out or results(as_json=False)
    table = Table(title="deploy" + (" (dry run)" if report.options.dry_run else ""),
                  title_justify="left", show_edge=False, pad_edge=False)
    for column in ("phase", "status", "seconds", "detail"):
        table.add_column(column, overflow="fold")
    for phase in report.phases:
        table.add_row(phase.name, phase.status, f"{phase.seconds:.1f}",
                      escape(as_invoked(phase.summary)))
    out.print(table)
    if report.options.dry_run:  # each phase's plan, item by item
        for phase in report.phases:
            for item in (phase.plan.items if phase.plan else []):
                out.print(f"  {phase.name:13} {item.status:9} {escape(item.target)}  "
                          f"[dim]{escape(item.reason)}[/]")
    for label, value in (("action", report.action), ("runtime", report.runtime_arn),
                         ("version", report.runtime_version), ("image", report.image_uri),
                         ("log", report.log_path)):
        if value:
            out.print(f"{label + ':':9} {escape(str(value))}")
    if not report.options.dry_run:
        out.print("next:    " + as_invoked("   ".join(report.next_commands)), markup=False)


def _show_build_log(error: AiboxError) -> None:
    tail = getattr(error, "log_tail", None)
    if tail:
        out = console()
        out.print("[bold]last lines of the CodeBuild log:[/]")
        for line in tail:
            out.print(f"  {escape(line)}")


class DeployLog:
    """The toolkit's output and our notes, in ``.aibox-ops/logs/deploy-<time>.log``."""

    def __init__(self, folder: Path, echo: bool, keep: bool) -> None:
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
        self.path = folder / f"deploy-{stamp}.log"
        self.echo, self.keep, self.lines = echo, keep, 0

    def prepare(self) -> None:
        """Create the log folder (when kept); FileError (exit 4) naming it if it cannot be."""
        if not self.keep:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            from ..errors import FileError

            raise FileError(f"{self.path.parent}: cannot hold the deploy log "
                            f"({exc.strerror or exc})", hint="Move the file of that name "
                            "away; nothing was deployed.") from None

    def write(self, line: str) -> None:
        """One line of log (echoed to stderr with --verbose). A failing write (disk full)
        stops the log, never the deploy: AWS may already hold what the launch created."""
        if self.echo:
            console().print(f"[dim]toolkit:[/] {escape(line)}")
        if not self.keep:
            return
        try:
            with self.path.open("a", encoding="utf-8") as handle:
                handle.write(line + "\n")
        except OSError as exc:
            self.keep = False
            warn(f"{self.path}: the deploy log stopped ({exc.strerror or exc})")
            return
        self.lines += 1

    def relative(self, root: Path) -> str | None:
        """The log's path relative to the project, when anything was written."""
        if not self.lines:
            return None
        try:
            return str(self.path.relative_to(root))
        except ValueError:
            return str(self.path)
