"""Read what is scheduled in AWS: the group, its schedules and the scheduler role."""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from ..config import Settings
from .names import OWNER_TAG, POLICY_NAME, group_name, owner_value, role_name
from .target import invoke_shape

SCHEDULE_NAME_RE = re.compile(r"^warm-\d{2,}$")  # names.schedule_name
READ_WORKERS = 8  # GetSchedule for a pool of 50 in parallel, without tripping throttling


@dataclass(frozen=True)
class ScheduleInfo:
    """One schedule as Scheduler stores it, with the ping it sends decoded."""

    name: str
    expression: str
    state: str
    target_arn: str
    role_arn: str
    session_id: str | None
    runtime_arn: str | None
    raw: dict[str, Any] = field(repr=False, compare=False, default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Machine-readable form (without the raw reply)."""
        return {"name": self.name, "expression": self.expression, "state": self.state,
                "target_arn": self.target_arn, "role_arn": self.role_arn,
                "session_id": self.session_id, "runtime_arn": self.runtime_arn}


@dataclass(frozen=True)
class WarmSchedules:
    """Everything ``warm schedule`` manages for one agent in one region, as found in AWS."""

    group_name: str
    group_exists: bool
    group_owned: bool  # tagged by aibox-ops for this agent and region
    role_name: str
    role_arn: str | None
    role_owned: bool
    trust_policy: dict[str, Any] | None
    role_policy: dict[str, Any] | None
    schedules: list[ScheduleInfo]

    @property
    def ours(self) -> list[ScheduleInfo]:
        """The schedules ``warm schedule`` created: its names (``warm-NN``), pinging through
        its own role. Scheduler keeps no tags on a schedule, so these two tell."""
        return [s for s in self.schedules if SCHEDULE_NAME_RE.match(s.name)
                and s.role_arn.rsplit("/", 1)[-1] == self.role_name]

    @property
    def foreign(self) -> list[ScheduleInfo]:
        """Schedules someone else put in the group: never updated or deleted."""
        return [s for s in self.schedules if s not in self.ours]

    @property
    def active(self) -> bool:
        """Whether any enabled schedule pings the runtime."""
        return any(s.state == "ENABLED" for s in self.schedules)

    def to_dict(self) -> dict[str, Any]:
        """Machine-readable form (what ``warm status --json`` prints)."""
        return {"group": {"name": self.group_name, "exists": self.group_exists,
                          "owned": self.group_owned},
                "role": {"name": self.role_name, "arn": self.role_arn,
                         "owned": self.role_owned},
                "active": self.active,
                "schedules": [s.to_dict() for s in self.schedules]}


def read_schedules(session: Any, settings: Settings) -> WarmSchedules:
    """What is scheduled for the configured agent (nothing found is not an error)."""
    from ..aws import aws_errors

    scheduler = session.client("scheduler")
    group = group_name(settings)
    group_exists = group_owned = False
    schedules: list[ScheduleInfo] = []
    with aws_errors(f"read schedule group {group} (scheduler:GetScheduleGroup)"):
        reply = _maybe(scheduler.get_schedule_group, Name=group)
    if reply is not None:
        group_exists = True
        with aws_errors(f"read the tags of schedule group {group}"):
            tags = scheduler.list_tags_for_resource(ResourceArn=reply["Arn"])["Tags"]
        group_owned = {t["Key"]: t["Value"] for t in tags}.get(OWNER_TAG) == \
            owner_value(settings)
        schedules = _read_group_schedules(scheduler, group)
    role = _read_role(session, settings)
    return WarmSchedules(group, group_exists, group_owned, role_name(settings), *role,
                         schedules)


def _read_group_schedules(scheduler: Any, group: str) -> list[ScheduleInfo]:
    from ..aws import aws_errors

    names: list[str] = []
    with aws_errors(f"list the schedules of group {group} (scheduler:ListSchedules)"):
        pages = scheduler.get_paginator("list_schedules").paginate(GroupName=group)
        for page in pages:
            names += [item["Name"] for item in page.get("Schedules", [])]

    def get(name: str) -> dict[str, Any]:
        with aws_errors(f"read schedule {group}/{name} (scheduler:GetSchedule)"):
            return scheduler.get_schedule(Name=name, GroupName=group)

    with ThreadPoolExecutor(max_workers=READ_WORKERS) as pool:
        replies = list(pool.map(get, sorted(names)))
    return [_schedule_info(reply) for reply in replies]


def _schedule_info(reply: dict[str, Any]) -> ScheduleInfo:
    target = reply.get("Target") or {}
    shape = invoke_shape()
    try:
        request = json.loads(target.get("Input") or "{}")
    except ValueError:
        request = {}
    request = request if isinstance(request, dict) else {}
    return ScheduleInfo(reply["Name"], reply.get("ScheduleExpression", ""),
                        reply.get("State", ""), target.get("Arn", ""),
                        target.get("RoleArn", ""), request.get(shape.session_id),
                        request.get(shape.runtime_arn), reply)


def _read_role(session: Any, settings: Settings) -> tuple[Any, ...]:
    from ..aws import aws_errors

    iam = session.client("iam")
    name = role_name(settings)
    with aws_errors(f"read role {name} (iam:GetRole)"):
        reply = _maybe(iam.get_role, RoleName=name)
    if reply is None:
        return (None, False, None, None)
    role = reply["Role"]
    with aws_errors(f"read the tags of role {name} (iam:ListRoleTags)"):
        tags = iam.list_role_tags(RoleName=name)["Tags"]
    owned = {t["Key"]: t["Value"] for t in tags}.get(OWNER_TAG) == owner_value(settings)
    with aws_errors(f"read policy {POLICY_NAME} of role {name} (iam:GetRolePolicy)"):
        policy = _maybe(iam.get_role_policy, RoleName=name, PolicyName=POLICY_NAME)
    return (role["Arn"], owned, policy_document(role.get("AssumeRolePolicyDocument")),
            policy_document(policy["PolicyDocument"]) if policy else None)


def policy_document(value: Any) -> dict[str, Any] | None:
    """A policy document as a dict (IAM returns URL-encoded JSON text; boto3 decodes it)."""
    if value is None or isinstance(value, dict):
        return value
    return json.loads(unquote(value))


def _maybe(call: Any, **params: Any) -> Any:
    """The reply, or None when the resource does not exist."""
    from ..aws.reads import read_or_none

    return read_or_none(lambda: call(**params),
                        not_found=("ResourceNotFoundException", "NoSuchEntity"))
