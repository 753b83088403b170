"""``aibox-ops status``, ``logs``, ``rollback`` and ``destroy``: operate a deployed runtime."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer
from rich.markup import escape

from ..errors import RefusedError
from .deploy_cmd import Timeout, Yes
from .deploy_local import LocalFlag, destroy_local
from .options import DryRun, since_option
from .output import emit_json, print_status_table, results, warn
from .prompts import confirm
from .runner import run_plan
from .state import AppState


def status(ctx: typer.Context) -> None:
    """Show the runtime, its endpoints and versions, environment, recent deploys and
    warm-up schedules."""
    from ..deploy.status import read_status

    state: AppState = ctx.obj
    data = read_status(state.aws(), state.settings())
    if state.json:
        emit_json({"ok": True, "command": "status", **data})
        return
    for warning in data["warnings"]:
        warn(warning)
    out = results(as_json=False)
    runtime, endpoint = data["runtime"] or {}, data["endpoint"] or {}
    rows = [("agent", f"{data['agent_name']} in {data['region']}"
             + (f" (stage {data['stage']})" if data["stage"] else "")),
            ("runtime", f"{runtime.get('status', 'not deployed')} "
             f"{runtime.get('arn') or ''}".strip()),
            ("version", runtime.get("version")), ("image", runtime.get("image_uri")),
            ("role", runtime.get("role")),
            ("endpoint", f"DEFAULT {endpoint.get('status')} (live version "
             f"{endpoint.get('live_version')})" if endpoint else None)]
    for label, value in rows:
        if value:
            out.print(f"{label + ':':10} {escape(str(value))}")
    if runtime.get("environment"):
        out.print("environment:")
        for key, value in runtime["environment"].items():
            out.print(f"  {key}={escape(value)}", markup=False)
    if data.get("versions"):
        outside = [v["version"] for v in data["versions"] if not v["in_history"]]
        out.print(f"versions:  {', '.join(str(v['version']) for v in data['versions'][:10])}"
                  + (f" (not deployed by aibox-ops: {', '.join(map(str, outside[:10]))}; "
                     "`aibox-ops rollback VERSION` goes back to any)" if outside else ""),
                  markup=False)
    if data.get("endpoints"):
        from .endpoint_cmd import print_endpoint_table

        print_endpoint_table(out, data["endpoints"])
    if data["deploys"]:
        out.print("recent deploys:")
        for record in data["deploys"]:
            out.print(f"  {record['time']}  {record['action']:8} v{record['runtime_version']}  "
                      f"{record['image_uri']}", markup=False)
    if data.get("endpoint_moves"):
        out.print("recent endpoint moves:")
        for move in data["endpoint_moves"]:
            out.print(f"  {move['time']}  {move['action']:8} {move['endpoint']}  "
                      f"v{move['from_version'] or '-'} -> v{move['to_version'] or '-'}",
                      markup=False)
    _show_created(out, data["created"])
    if data["schedules"] is not None:
        warm = data["schedules"]
        out.print(f"warm-up: {len(warm['schedules'])} schedule(s), "
                  f"{'active' if warm['active'] else 'inactive'}")


# How status names what the deploy history records as created by aibox-ops.
CREATED_LABELS = {"runtime": "runtime", "codebuild_project": "CodeBuild project",
                  "codebuild_role": "CodeBuild role", "execution_role": "execution role",
                  "ecr_repository": "ECR repository", "source_key": "build source (S3 key)",
                  "endpoints": "endpoints"}


def _show_created(out, created: dict) -> None:
    """What aibox-ops created in AWS (destroy removes exactly these, and the warm-up)."""
    rows = [(CREATED_LABELS.get(key, key.replace("_", " ")),
             ", ".join(map(str, value)) if isinstance(value, list) else value)
            for key, value in created.items() if value]
    if not rows:
        out.print("created by aibox-ops: nothing yet")
        return
    out.print("created by aibox-ops (destroy removes these):")
    for label, value in rows:
        out.print(f"  {label + ':':22} {value}", markup=False)


def logs(
    ctx: typer.Context,
    follow: Annotated[bool, typer.Option("--follow", "-f", help="Keep tailing until Ctrl-C.")
                      ] = False,
    since: Annotated[str, typer.Option(metavar="AGE", help="Start this far back (30s, 15m, "
                                       "1h, 2d).")] = "1h",
    build: Annotated[bool, typer.Option("--build", help="CodeBuild logs instead of the "
                                        "runtime's.")] = False,
    filter_pattern: Annotated[str | None, typer.Option(
        "--filter", metavar="PATTERN", help="CloudWatch Logs filter pattern.")] = None,
) -> None:
    """Show the runtime's CloudWatch logs (or the build's with --build)."""
    from ..deploy.logs import log_group, read_log_events

    state: AppState = ctx.obj
    settings = state.settings()
    seconds = since_option(since)
    group = log_group(settings, build=build)
    events: list[dict] = []
    out = results(as_json=state.json)
    try:
        for event in read_log_events(state.aws(), group, seconds, filter_pattern, follow):
            if state.json:
                events.append(event)
                continue
            stamp = dt.datetime.fromtimestamp(event["time"] / 1000, dt.UTC)
            out.print(f"{stamp:%Y-%m-%d %H:%M:%S} {event['message']}", markup=False,
                      highlight=False)
    except KeyboardInterrupt:
        pass  # --follow ends with Ctrl-C: a normal end, not an error
    if state.json:
        emit_json({"ok": True, "command": "logs", "group": group, "events": events})


def rollback(
    ctx: typer.Context,
    version: Annotated[str | None, typer.Argument(
        help="Runtime version (from the history or the runtime's versions in AWS, the "
             "starter toolkit's included), image tag or content hash "
             "(default: the previous image).")] = None,
    endpoint: Annotated[str | None, typer.Option(
        "--endpoint", metavar="NAME",
        help="Move this named endpoint back to VERSION (a runtime version; default: the one "
             "before the version it serves) instead: no build, no new version.")] = None,
    dry_run: DryRun = False,
    yes: Yes = False,
    timeout: Timeout = 900.0,
) -> None:
    """Point the runtime back at an earlier image and health-check it (with --endpoint:
    move a named endpoint back to an earlier version)."""
    if endpoint is not None:
        return _rollback_endpoint(ctx, endpoint, version, dry_run, yes, timeout)
    from ..deploy.rollback import apply_rollback, plan_rollback

    state: AppState = ctx.obj
    settings, session = state.settings(), state.aws()
    plan, runtime, target = plan_rollback(session, settings, version)

    def apply(_force: bool) -> list[str]:
        confirm(state, f"Roll {settings.agent_name} back to {target.image_uri}?", yes)
        result = apply_rollback(session, settings, runtime, target, timeout=timeout)
        extra["runtime_version"], extra["health"] = result.runtime_version, result.health
        return [settings.agent_name]

    extra: dict = {"to_image": target.image_uri, "from_image": runtime.image_uri,
                   "to_version": target.runtime_version, "source": target.source}
    run_plan(state, plan, apply, dry_run=dry_run, extra=extra)


def _rollback_endpoint(ctx: typer.Context, name: str, version: str | None, dry_run: bool,
                       yes: bool, timeout: float) -> None:
    """``rollback --endpoint NAME [VERSION]``: UpdateAgentRuntimeEndpoint, wait, health."""
    from ..deploy.endpoints import plan_endpoint_rollback
    from .endpoint_cmd import run_move

    state: AppState = ctx.obj
    settings = state.settings()
    plan, move = plan_endpoint_rollback(state.aws(), settings, name, version)
    run_move(state, plan, move, f"Move endpoint {name} of {settings.agent_name} from version "
             f"{move.from_version} back to {move.to_version}?", yes=yes, dry_run=dry_run,
             timeout=timeout)


def destroy(
    ctx: typer.Context,
    dry_run: DryRun = False,
    yes: Yes = False,
    keep_images: Annotated[bool, typer.Option(
        "--keep-images", help="Keep the ECR repository and its images.")] = False,
    local: LocalFlag = False,
) -> None:
    """Remove the runtime and what deploy or the starter toolkit created (never what you
    supplied)."""
    if local:  # stop the local agent (see docs/local.md)
        return destroy_local(ctx)
    from ..deploy.destroy import apply_destroy, plan_destroy

    state: AppState = ctx.obj
    settings, session = state.settings(), state.aws()
    plan = plan_destroy(session, settings, keep_images=keep_images)

    def apply(_force: bool) -> list[str]:
        doomed = [item for item in plan.items if item.status == "delete"]
        if not doomed:
            return []
        shown = not yes and not state.json
        if shown:  # show what goes (each with its kind) before asking
            rows = [(i.kind, i.target, i.status, i.reason) for i in plan.items]
            print_status_table(results(as_json=True), "destroy (plan)", rows)
        kinds: dict[str, int] = {}
        for item in doomed:
            kinds[item.kind] = kinds.get(item.kind, 0) + 1
        what = ", ".join(f"{n} {kind}" for kind, n in kinds.items())
        try:
            confirm(state, f"Delete {len(doomed)} resource(s) of {settings.agent_name} in "
                    f"{settings.region} ({what})?", yes)
        except RefusedError as error:
            error.plan_shown = shown  # the runner does not print the plan a second time
            raise
        return apply_destroy(session, settings, plan)

    run_plan(state, plan, apply, dry_run=dry_run)
