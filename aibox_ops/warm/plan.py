"""Plan the warm-up schedules (reads AWS, writes nothing): pool file, role, group, schedules."""

from __future__ import annotations

import difflib
import json
from pathlib import Path
from typing import Any

from ..config import Settings
from ..config.build import warm_interval_problem
from ..deploy_state import DeployState
from ..errors import ConfigError, RefusedError
from ..iam.backups import BACKUP_DIR
from ..plan import Change, Plan
from .names import (
    OWNER_TAG,
    POLICY_NAME,
    ROLE_PATH,
    owner_value,
    schedule_name,
)
from .policies import invoke_policy, scheduler_trust_policy
from .pool import POOL_PATH, Pool, plan_pool
from .quota import SessionQuota, read_session_quota
from .read import WarmSchedules, read_schedules
from .runtime import RuntimeRef, read_runtime
from .target import health_payload, invoke_shape, target_arn, target_input

COMMAND = "warm schedule"
# A ping older than a minute is worthless (the next one is due soon): no long retries.
RETRY_POLICY = {"MaximumEventAgeInSeconds": 60, "MaximumRetryAttempts": 2}


def plan_schedules(session: Any, settings: Settings, state: DeployState | None = None,
                   *, runtime: RuntimeRef | None = None,
                   quota: SessionQuota | None = None) -> Plan:
    """What ``warm schedule`` would create, update or delete (reads AWS, writes nothing).

    Problems that stop an apply (warm-up disabled, interval vs the runtime's idle timeout,
    a pool over the session quota, resources aibox-ops did not create) are in
    ``Plan.errors``. Raises AwsError (code NotDeployed) when there is no runtime.
    """
    if not settings.warm.enabled:
        raise ConfigError(["'warm.enabled' = false: warm-up pings are turned off"],
                          hint="Set enabled = true under [tool.aibox-ops.warm] to schedule "
                               "them.")
    runtime = runtime or read_runtime(session, settings, state)
    quota = quota or read_session_quota(session)
    current = read_schedules(session, settings)
    account, partition = session.account_id(), session.partition()
    pool = plan_pool(settings)
    return build_plan(settings, runtime, current, pool, quota, account, partition)


def build_plan(settings: Settings, runtime: RuntimeRef, current: WarmSchedules, pool: Pool,
               quota: SessionQuota, account: str, partition: str) -> Plan:
    """The plan from what was read (pure)."""
    errors: list[Any] = []
    warnings: list[str] = []
    interval = settings.warm.interval_minutes
    if runtime.idle_timeout is not None:
        why = warm_interval_problem(interval * 60, runtime.idle_timeout,
                                    "the deployed runtime's idleRuntimeSessionTimeout")
        if why:
            errors.append(ConfigError([f"'warm.interval_minutes' = {interval} min {why}"],
                                      hint="Lower warm.interval_minutes, or raise "
                                           "lifecycle.idle_timeout and redeploy."))
    if quota.value is None:
        warnings.append(f"could not read the account's active-session quota ({quota.source}); "
                        f"the pool keeps {len(pool.session_ids)} session(s) busy for good")
    elif len(pool.session_ids) > quota.value:
        errors.append(ConfigError([
            f"'warm.sessions' = {len(pool.session_ids)} is more than the account's "
            f"'{quota.name}' quota of {quota.value} sessions in {settings.region}"],
            hint="Lower warm.sessions, or ask AWS for a higher quota."))
    items = [_pool_item(settings, pool)]
    group = current.group_name
    role_arn = current.role_arn or f"arn:{partition}:iam::{account}:role{ROLE_PATH}" \
                                   f"{current.role_name}"
    tags = [{"Key": OWNER_TAG, "Value": owner_value(settings)}]
    trust = scheduler_trust_policy(account, partition, settings.region, group)
    items.append(_role_item(current, trust, tags, errors))
    backup_dir = settings.path(BACKUP_DIR)
    items.append(_policy_item(current, invoke_policy(runtime.arn), backup_dir))
    items.append(_group_item(current, tags, errors))
    wanted: dict[str, dict[str, Any]] = {}
    for index, session_id in enumerate(pool.session_ids):
        name = schedule_name(index)
        wanted[name] = schedule_params(settings, runtime.arn, session_id, name, group,
                                       role_arn, partition)
    existing = {s.name: s for s in current.ours} if current.group_owned else {}
    for name, params in wanted.items():
        items.append(_schedule_item(group, name, params, existing.get(name)))
    for name in sorted(set(existing) - set(wanted)):
        items.append(Change(f"schedule/{group}/{name}", "delete",
                            "its session is no longer in the pool", kind="schedule",
                            payload={"Name": name, "GroupName": group}))
    return Plan(COMMAND, items, warnings, errors)


def schedule_params(settings: Settings, runtime_arn: str, session_id: str, name: str,
                    group: str, role_arn: str, partition: str = "aws") -> dict[str, Any]:
    """The CreateSchedule/UpdateSchedule request for one pooled session."""
    minutes = settings.warm.interval_minutes
    return {
        "Name": name,
        "GroupName": group,
        "ScheduleExpression": f"rate({minutes} minute{'s' if minutes != 1 else ''})",
        "FlexibleTimeWindow": {"Mode": "OFF"},
        "State": "ENABLED",
        "Description": f"aibox-ops warm: keeps {settings.agent_name} session {name} warm",
        "Target": {
            "Arn": target_arn(partition),
            "RoleArn": role_arn,
            "Input": target_input(runtime_arn, session_id, health_payload(settings.warm.action)),
            "RetryPolicy": dict(RETRY_POLICY),
        },
    }


def comparable(params: dict[str, Any]) -> dict[str, Any]:
    """The parts of a schedule that ``warm schedule`` manages, normalised for comparing."""
    target = params.get("Target") or {}
    try:
        input_doc = json.loads(target.get("Input") or "null")
    except ValueError:
        input_doc = target.get("Input")
    return {
        "ScheduleExpression": params.get("ScheduleExpression"),
        "State": params.get("State"),
        "FlexibleTimeWindow": params.get("FlexibleTimeWindow"),
        "Description": params.get("Description"),
        "Target": {"Arn": target.get("Arn"), "RoleArn": target.get("RoleArn"),
                   "Input": input_doc, "RetryPolicy": target.get("RetryPolicy")},
    }


def _pool_item(settings: Settings, pool: Pool) -> Change:
    status = "unchanged" if not pool.changed else "create" if not pool.stored else "update"
    reason = {"unchanged": f"{len(pool.session_ids)} session id(s) kept",
              "create": f"{len(pool.session_ids)} new session id(s)",
              "update": f"pool resized {len(pool.stored)} -> {len(pool.session_ids)}"}[status]
    return Change(POOL_PATH, status, reason, diff=_diff(pool.stored, pool.session_ids, POOL_PATH),
                  kind="file",
                  payload={"project_dir": str(settings.project_dir), "pool": pool},
                  detail={"session_ids": list(pool.session_ids)})


def _role_item(current: WarmSchedules, trust: dict[str, Any], tags: list[dict[str, str]],
               errors: list[Any]) -> Change:
    target = f"role/{current.role_name}"
    payload = {"RoleName": current.role_name, "Path": ROLE_PATH,
               "AssumeRolePolicyDocument": json.dumps(trust), "Tags": tags,
               "Description": "EventBridge Scheduler role of aibox-ops warm-up pings"}
    if current.role_arn is None:
        return Change(target, "create", "scheduler role (trusted by scheduler.amazonaws.com "
                      "for this account only)", diff=_diff(None, trust, target), kind="role",
                      payload=payload)
    if not current.role_owned:
        errors.append(RefusedError(
            f"IAM role {current.role_name} exists but was not created by aibox-ops warm "
            f"(no {OWNER_TAG} tag): refusing to change it", targets=[target],
            hint="Delete or rename that role, or use another agent_name."))
        return Change(target, "foreign", "not created by aibox-ops", kind="role")
    if current.trust_policy != trust:
        return Change(target, "update", "trust policy differs",
                      diff=_diff(current.trust_policy, trust, target), kind="role",
                      payload=payload)
    return Change(target, "unchanged", "trust policy as planned", kind="role")


def _policy_item(current: WarmSchedules, document: dict[str, Any],
                 backup_dir: Path) -> Change:
    target = f"role/{current.role_name}/policy/{POLICY_NAME}"
    payload = {"role_name": current.role_name, "documents": {POLICY_NAME: document},
               "backup_dir": str(backup_dir)}
    if current.role_policy == document:
        return Change(target, "unchanged", "invoke this runtime only", kind="iam-policy")
    status = "create" if current.role_policy is None else "update"
    return Change(target, status, "allow bedrock-agentcore:InvokeAgentRuntime on this runtime",
                  diff=_diff(current.role_policy, document, target), kind="iam-policy",
                  payload=payload)


def _group_item(current: WarmSchedules, tags: list[dict[str, str]],
                errors: list[Any]) -> Change:
    target = f"schedule-group/{current.group_name}"
    if not current.group_exists:
        return Change(target, "create", "a group of its own for this agent's pings",
                      kind="schedule-group",
                      payload={"Name": current.group_name, "Tags": tags})
    if not current.group_owned:
        errors.append(RefusedError(
            f"schedule group {current.group_name} exists but was not created by aibox-ops "
            f"warm (no {OWNER_TAG} tag): refusing to change it", targets=[target],
            hint="Delete or rename that group, or use another agent_name."))
        return Change(target, "foreign", "not created by aibox-ops", kind="schedule-group")
    return Change(target, "unchanged", "exists", kind="schedule-group")


def _schedule_item(group: str, name: str, params: dict[str, Any], existing: Any) -> Change:
    target = f"schedule/{group}/{name}"
    detail = {"expression": params["ScheduleExpression"],
              "session_id": json.loads(params["Target"]["Input"]).get(invoke_shape().session_id)}
    if existing is None:
        return Change(target, "create", f"ping {params['ScheduleExpression']}",
                      diff=_diff(None, comparable(params), target), kind="schedule",
                      payload=params, detail=detail)
    before, after = comparable(existing.raw), comparable(params)
    if before == after:
        return Change(target, "unchanged", params["ScheduleExpression"], kind="schedule",
                      detail=detail)
    changed = ", ".join(k for k in after if before.get(k) != after[k])
    return Change(target, "update", f"{changed} changed (updated in place)",
                  diff=_diff(before, after, target), kind="schedule", payload=params,
                  detail=detail)


def _diff(before: Any, after: Any, name: str) -> str:
    def lines(doc: Any) -> list[str]:
        if doc is None:
            return []
        return (json.dumps(doc, indent=2, sort_keys=True) + "\n").splitlines(keepends=True)

    return "".join(difflib.unified_diff(lines(before), lines(after), f"a/{name}", f"b/{name}"))


def plan_removal(current: WarmSchedules) -> Plan:
    """What ``warm unschedule`` deletes (pure): schedules, group, role; foreign ones refused."""
    items: list[Change] = []
    errors: list[Any] = []
    if current.group_exists:
        if not current.group_owned:
            errors.append(RefusedError(
                f"schedule group {current.group_name} was not created by aibox-ops warm: "
                "leaving it alone", targets=[f"schedule-group/{current.group_name}"]))
        else:
            items += [Change(f"schedule/{current.group_name}/{s.name}", "delete",
                             f"pings session {s.session_id}", kind="schedule")
                      for s in current.ours]
            items += [Change(f"schedule/{current.group_name}/{s.name}", "unchanged",
                             "not created by aibox-ops warm: kept", kind="schedule")
                      for s in current.foreign]
            # Deleting a group deletes every schedule in it: kept while others' remain.
            items.append(Change(f"schedule-group/{current.group_name}",
                                "unchanged" if current.foreign else "delete",
                                f"kept: it holds {len(current.foreign)} schedule(s) aibox-ops "
                                "did not create" if current.foreign else
                                "created by aibox-ops warm", kind="schedule-group"))
    if current.role_arn:
        if not current.role_owned:
            errors.append(RefusedError(
                f"IAM role {current.role_name} was not created by aibox-ops warm: leaving it "
                "alone", targets=[f"role/{current.role_name}"]))
        else:
            items.append(Change(f"role/{current.role_name}", "delete",
                                "scheduler role created by aibox-ops warm", kind="role"))
    return Plan("warm unschedule", items, [], errors)
