"""``aibox-ops fix-iam``: grant the runtime role exactly what the permissions manifest lists."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from ..errors import AwsError, CheckFailed
from .invocation import as_invoked
from .options import Check, DryRun, since_option
from .output import show_diff
from .prompts import confirm
from .runner import run_plan
from .state import AppState

Yes = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]
Role = Annotated[str | None, typer.Option(
    "--role", metavar="NAME|ARN", help="The role to fix (default: found from the deployment).")]
FromLogs = Annotated[bool, typer.Option(
    "--from-logs", help="Also grant calls the runtime's logs show were denied (--since).")]
Since = Annotated[str, typer.Option(
    "--since", metavar="AGE", help="How far back --from-logs reads: 30m, 1h, 2d.")]
# typer's click has no option with an optional value: `--rollback [BACKUP_ID]` is a flag
# plus an optional argument.
Rollback = Annotated[bool, typer.Option(
    "--rollback", help="Restore a backup of the owned policies: BACKUP_ID, else the newest.")]
BackupId = Annotated[str | None, typer.Argument(
    metavar="BACKUP_ID", help="With --rollback: the backup to restore.", show_default=False)]
ListBackups = Annotated[bool, typer.Option("--list-backups", help="List the backups.")]


def fix_iam(
    ctx: typer.Context,
    dry_run: DryRun = False,
    check: Check = False,
    yes: Yes = False,
    role: Role = None,
    from_logs: FromLogs = False,
    since: Since = "1h",
    rollback: Rollback = False,
    backup_id: BackupId = None,
    list_backups: ListBackups = False,
) -> None:
    """Grant the runtime role exactly what the permissions manifest (permissions.json next
    to the entry point) lists.

    DynamoDB, Secrets Manager (and their KMS key), Bedrock and Polly, in inline policies
    aibox-ops owns (aibox-ops-data, aibox-ops-models, aibox-ops-from-logs); other policies
    are never touched. Backs up before writing; --rollback restores.
    """
    from .. import iam

    state: AppState = ctx.obj
    if backup_id is not None and not rollback:
        raise typer.BadParameter(f"{backup_id!r}: a BACKUP_ID goes with --rollback",
                                 param_hint="BACKUP_ID")
    seconds = since_option(since) if from_logs else 0  # bad input fails before any AWS call
    settings = state.settings()
    backup_dir = settings.path(iam.BACKUP_DIR)
    if list_backups:
        return _list_backups(state, backup_dir)
    session = state.aws()
    if rollback:
        return _rollback(state, session, backup_dir, backup_id, check, dry_run, yes)
    from ..deploy_state import load_deploy_state

    deploy = load_deploy_state(settings)
    ref = iam.find_role(session, settings, deploy, explicit=role)
    log_info: dict[str, Any] | None = None
    statements = None
    manifest = iam.load_manifest(settings)
    if from_logs:
        statements, log_info = _read_logs(session, settings, deploy, ref, since, seconds,
                                          manifest)
    planned = iam.plan_role_access(session, settings, ref, manifest=manifest,
                                   extra_statements=statements)
    plan = planned.plan
    current = iam.evaluate_access(planned.documents, planned.requirements)
    extra: dict[str, Any] = {
        "role_arn": ref.arn, "role": ref.to_dict(), "backup_id": None,
        "policies": [{"name": i.target, "action": i.status, "document": i.detail["document"]}
                     for i in plan.items],
        "notes": planned.notes,
        "verification": {"source": "current policies (nothing written)", **current.to_dict()},
        **({"from_logs": log_info} if log_info is not None else {}),
    }
    if not state.json:
        from .iam_output import render_notes, render_role_header, render_statements

        render_role_header(ref.to_dict())
        render_notes(planned.notes + (log_info or {}).get("skipped", []), state.json)
        render_statements(plan.items, state.json)

    def apply(_force: bool) -> list[str]:
        if not plan.changes:
            return []
        for item in plan.changes:
            show_diff(item.diff, state.json)
        confirm(state, f"Write {len(plan.changes)} owned inline policy change(s) to role "
                f"{ref.name}?", yes)
        result = iam.apply_role_policies(session, ref.name, plan, backup_dir)
        extra["backup_id"] = result.backup_id
        report = iam.verify_role_access(session, ref.name, planned.requirements)
        extra["verification"] = {"source": "read back after apply", **report.to_dict()}
        if not report.ok:
            _verification_failed(state, ref.name, result.backup_id, extra["verification"])
        return result.applied

    run_plan(state, plan, apply, check=check, dry_run=dry_run, extra=extra)
    verification = extra["verification"]
    if not state.json:
        from .iam_output import render_verification

        render_verification(verification, state.json, detail=bool(extra["backup_id"]))
        if extra["backup_id"]:
            from .output import console

            console().print(f"backup: {extra['backup_id']} (undo with "
                            f"`{as_invoked('aibox-ops fix-iam --rollback')}`)", markup=False)


def _verification_failed(state: AppState, role_name: str, backup_id: str | None,
                         verification: dict[str, Any]) -> None:
    if not state.json:
        from .iam_output import render_verification

        render_verification(verification, state.json)
    missing = [f"{c['action']} on {c['resource']}: {c['verdict']} ({c['reason']})"
               for c in verification["checks"] if c["verdict"] != "allowed"]
    error = CheckFailed(
        f"role {role_name}: written (backup {backup_id}), but reading it back does not prove "
        f"every required call allowed: " + "; ".join(missing),
        hint="An explicit Deny, a condition or NotAction/NotResource elsewhere on the role is "
             "in the way; fix-iam never edits other policies. Undo with "
             "`aibox-ops fix-iam --rollback`.")
    error.result_already_emitted = False  # the runner emits nothing when apply raises
    raise error


def _read_logs(session: Any, settings: Any, deploy: Any, ref: Any, since: str,
               seconds: int, manifest: Any) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    from .. import iam

    runtime_id = iam.find_runtime_id(session, settings, deploy)
    if not runtime_id:
        raise AwsError(f"--from-logs: no deployed runtime found for agent {settings.agent_name}",
                       hint="Deploy first; the runtime's log group holds the AccessDenied lines.")
    group = iam.runtime_log_group(runtime_id)
    try:
        denials = iam.read_denied_calls(session, group, seconds)
    except AwsError as error:
        if error.code == "ResourceNotFoundException":
            error.hint = f"The log group {group} does not exist yet: invoke the agent first."
        raise
    skipped: list[str] = []
    statements = iam.statements_from_denials(denials, ref.arn, iam.log_scope(manifest), skipped)
    return statements, {"log_group": group, "since": since,
                        "denials": [d.to_dict() for d in denials], "skipped": skipped,
                        "proposed": statements}


def _rollback(state: AppState, session: Any, backup_dir: Any, backup_id: str | None,
              check: bool, dry_run: bool, yes: bool) -> None:
    from .. import iam

    plan, backup = iam.plan_rollback(session, backup_dir, backup_id)
    extra: dict[str, Any] = {"role": backup.role_name, "rollback_of": backup.id,
                             "backup_id": None}

    def apply(_force: bool) -> list[str]:
        if not plan.changes:
            return []
        for item in plan.changes:
            show_diff(item.diff, state.json)
        confirm(state, f"Restore backup {backup.id} on role {backup.role_name}?", yes)
        result = iam.rollback_role_policies(session, backup_dir, backup.id)
        extra["backup_id"] = result.backup_id
        return result.applied

    run_plan(state, plan, apply, check=check, dry_run=dry_run, extra=extra)


def _list_backups(state: AppState, backup_dir: Any) -> None:
    from .. import iam

    backups = [b.to_dict() for b in iam.list_backups(backup_dir)]
    if state.json:
        from .output import emit_json

        emit_json({"ok": True, "command": "fix-iam", "backups": backups})
        return
    from .iam_output import render_backups

    render_backups(backups)
