"""Apply a warm-up plan, and remove everything it created; never leaves half a group behind.

Writes go in dependency order (pool file, role, its policy, group, schedules). When a write
fails, whatever this run created is deleted again (schedules, then the group, then the role)
before the error is raised, so a failed first run leaves no half-created schedule group.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..config import Settings
from ..errors import AiboxError, AwsError, RefusedError
from ..plan import Plan
from .pool import apply_pool
from .read import read_schedules
from .role import delete_owned_role, put_role_policy

log = logging.getLogger(__name__)
# A new IAM role takes a few seconds to be assumable by Scheduler, which then answers
# CreateSchedule with a ValidationException about the execution role: retry for a while.
ROLE_WAIT_SECONDS = 40.0
ROLE_NOT_READY = ("execution role", "assume")


def apply_schedules(session: Any, plan: Plan,
                    sleep: Callable[[float], None] = time.sleep) -> list[str]:
    """Apply ``plan`` (from ``plan_schedules``); returns the targets written.

    Unchanged items make no call at all. On failure, resources created by this call are
    removed again and the error (AwsError, exit 5) names what failed and what was undone.
    """
    if plan.errors:
        raise plan.errors[0]
    if plan.blocked:
        raise RefusedError("the plan has items aibox-ops did not create",
                           targets=[i.target for i in plan.blocked])
    from ..aws import aws_errors

    iam, scheduler = session.client("iam"), session.client("scheduler")
    written: list[str] = []
    created: list[tuple[str, dict[str, Any]]] = []  # (kind, payload) to undo on failure
    role_created_now = False
    try:
        for item in plan.changes:
            payload = item.payload or {}
            if item.kind == "file":
                apply_pool(Path(payload["project_dir"]), payload["pool"])
            elif item.kind == "role":
                role_created_now = _apply_role(iam, item.status, payload)
                if role_created_now:
                    created.append(("role", payload))
            elif item.kind == "iam-policy":
                put_role_policy(session, payload["role_name"], payload["documents"],
                                Path(payload["backup_dir"]))
            elif item.kind == "schedule-group":
                with aws_errors(f"create schedule group {payload['Name']}"):
                    scheduler.create_schedule_group(**payload)
                created.append(("group", payload))
            elif item.kind == "schedule" and item.status == "delete":
                with aws_errors(f"delete schedule {item.target}"):
                    scheduler.delete_schedule(**payload)
            elif item.kind == "schedule":
                _put_schedule(scheduler, item.status, payload, role_created_now, sleep)
                if item.status == "create":
                    created.append(("schedule", payload))
            written.append(item.target)
    except BaseException as error:  # Ctrl-C too: never leave half a group behind
        undone = _undo(session, created)
        if isinstance(error, AiboxError):
            if undone:
                error.message += f" (undone: {', '.join(undone)})"
                error.args = (error.message,)
            raise
        if not isinstance(error, Exception):
            raise
        raise AwsError(f"warm schedule failed: {error}; undone: {', '.join(undone) or '-'}"
                       ) from error
    return written


def remove_schedules(session: Any, settings: Settings) -> list[str]:
    """Delete this agent's schedules, their group and the scheduler role, when aibox-ops
    created them (tagged); returns what was deleted. Foreign resources are refused."""
    from ..aws import aws_errors

    current = read_schedules(session, settings)
    scheduler = session.client("scheduler")
    removed: list[str] = []
    if current.group_exists and not current.group_owned:
        raise RefusedError(f"schedule group {current.group_name} was not created by aibox-ops "
                           "warm: leaving it alone",
                           targets=[f"schedule-group/{current.group_name}"])
    if current.role_arn and not current.role_owned:
        raise RefusedError(f"IAM role {current.role_name} was not created by aibox-ops warm: "
                           "leaving it alone", targets=[f"role/{current.role_name}"])
    if current.group_exists:
        for info in current.ours:  # never a schedule someone else put in the group
            with aws_errors(f"delete schedule {current.group_name}/{info.name}"):
                scheduler.delete_schedule(Name=info.name, GroupName=current.group_name)
            removed.append(f"schedule/{current.group_name}/{info.name}")
    if current.group_exists and not current.foreign:  # deleting it deletes what it holds
        with aws_errors(f"delete schedule group {current.group_name}"):
            scheduler.delete_schedule_group(Name=current.group_name)
        removed.append(f"schedule-group/{current.group_name}")
    if current.role_arn:
        removed += delete_owned_role(session, current.role_name)
    return removed


def _apply_role(iam: Any, status: str, payload: dict[str, Any]) -> bool:
    from ..aws import aws_errors

    name = payload["RoleName"]
    if status == "create":
        with aws_errors(f"create role {name} (iam:CreateRole)"):
            iam.create_role(**payload)
        return True
    with aws_errors(f"update the trust policy of role {name} (iam:UpdateAssumeRolePolicy)"):
        iam.update_assume_role_policy(
            RoleName=name, PolicyDocument=payload["AssumeRolePolicyDocument"])
    return False


def _put_schedule(scheduler: Any, status: str, params: dict[str, Any], wait_for_role: bool,
                  sleep: Callable[[float], None]) -> None:
    from ..aws import aws_errors

    operation = "CreateSchedule" if status == "create" else "UpdateSchedule"
    call = scheduler.create_schedule if status == "create" else scheduler.update_schedule
    waited, delay = 0.0, 2.0
    while True:
        try:
            with aws_errors(f"{operation} {params['GroupName']}/{params['Name']}"):
                call(**params)
            return
        except AwsError as exc:
            not_ready = all(word in exc.message.lower() for word in ROLE_NOT_READY)
            if not (wait_for_role and not_ready and waited < ROLE_WAIT_SECONDS):
                raise
            log.info("scheduler role not assumable yet; retrying in %.0f s", delay)
            sleep(delay)
            waited += delay
            delay = min(delay * 2, 10.0)


def _undo(session: Any, created: list[tuple[str, dict[str, Any]]]) -> list[str]:
    """Delete what this run created, newest first; best effort (failures are logged)."""
    undone: list[str] = []
    scheduler = session.client("scheduler")
    for kind, payload in reversed(created):
        with contextlib.suppress(Exception):
            if kind == "schedule":
                scheduler.delete_schedule(Name=payload["Name"], GroupName=payload["GroupName"])
                undone.append(f"schedule {payload['Name']}")
            elif kind == "group":
                scheduler.delete_schedule_group(Name=payload["Name"])
                undone.append(f"schedule group {payload['Name']}")
            elif kind == "role":
                delete_owned_role(session, payload["RoleName"])
                undone.append(f"role {payload['RoleName']}")
    if len(undone) < len(created):
        log.warning("could not undo everything this run created: %s", created)
    return undone

