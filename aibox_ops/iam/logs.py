"""``--from-logs``: AccessDenied lines in the runtime's log group -> minimal statements.

AWS services word a refused call as ``... is not authorized to perform: ACTION on
resource: ARN ...``. Each such (action, resource) pair in the window becomes an Allow for
exactly that action on exactly that ARN, never for another account's resources and never
for a role other than the one being fixed.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Any

from .calls import call

DENIED = re.compile(
    r"(?:(?P<who>arn:[\w-]+:(?:sts|iam)::\d{12}:[^\s]+)\s+)?is not authorized to perform:?\s+"
    r"(?P<action>[a-z0-9-]+:[A-Za-z0-9]+)\s+on resource:?\s+(?P<resource>arn:[^\s\"',;)]+)")


@dataclass(frozen=True)
class DeniedCall:
    """One refused call found in the logs."""

    action: str
    resource: str
    principal: str | None
    timestamp: int  # ms since the epoch

    def to_dict(self) -> dict[str, Any]:
        """Machine-readable form."""
        return {"action": self.action, "resource": self.resource,
                "principal": self.principal, "timestamp": self.timestamp}


def runtime_log_group(agent_id: str) -> str:
    """The runtime's log group (DEFAULT endpoint)."""
    return f"/aws/bedrock-agentcore/runtimes/{agent_id}-DEFAULT"


def parse_denials(message: str, timestamp: int = 0) -> list[DeniedCall]:
    """Every ``is not authorized to perform`` pair in one log message (pure)."""
    return [DeniedCall(m["action"], m["resource"].rstrip("."), m["who"], timestamp)
            for m in DENIED.finditer(message)]


def read_denied_calls(session: Any, log_group: str, since_seconds: int,
                      now_ms: int | None = None) -> list[DeniedCall]:
    """AccessDenied pairs logged in the last ``since_seconds`` (FilterLogEvents)."""
    now_ms = now_ms if now_ms is not None else int(time.time() * 1000)
    params: dict[str, Any] = {"logGroupName": log_group,
                              "startTime": now_ms - since_seconds * 1000, "endTime": now_ms,
                              "filterPattern": '"is not authorized to perform"'}
    found: list[DeniedCall] = []
    while True:
        reply = call(session, "logs", "FilterLogEvents", f"read log group {log_group}",
                     **params)
        for event in reply.get("events", []):
            found += parse_denials(event.get("message", ""), event.get("timestamp", 0))
        if not reply.get("nextToken"):
            return found
        params["nextToken"] = reply["nextToken"]


def statements_from_denials(denials: list[DeniedCall], account: str, role_name: str,
                            skipped: list[str]) -> list[dict[str, Any]]:
    """Minimal Allow statements for the denied calls of ``role_name`` in ``account`` (pure).

    Calls by other principals, and resources in another account, are left out and named in
    ``skipped``. Actions that were denied on the same set of resources share a statement.
    """
    by_action: dict[str, set[str]] = {}
    for denial in denials:
        if denial.principal and f":assumed-role/{role_name}/" not in denial.principal \
                and not denial.principal.endswith(f":role/{role_name}"):
            skipped.append(f"{denial.action} on {denial.resource}: denied to "
                           f"{denial.principal}, not to role {role_name}")
            continue
        parts = denial.resource.split(":")
        owner = parts[4] if len(parts) >= 6 else ""
        if owner != account:
            # An ARN without an account (S3) cannot be proven to be this account's.
            whose = f"account {owner}" if owner else "an unknown account (no account in its ARN)"
            skipped.append(f"{denial.action} on {denial.resource}: a resource of {whose}, "
                           f"not {account}; never granted from logs")
            continue
        by_action.setdefault(denial.action, set()).add(denial.resource)
    return group_statements(by_action)


def merge_log_statements(current: list[dict[str, Any]],
                         new: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The union of two lists of from-logs statements, regrouped (pure)."""
    by_action: dict[str, set[str]] = {}
    for statement in [*current, *new]:
        actions = statement.get("Action", [])
        resources = statement.get("Resource", [])
        for action in [actions] if isinstance(actions, str) else actions:
            by_action.setdefault(action, set()).update(
                [resources] if isinstance(resources, str) else resources)
    return group_statements(by_action)


def group_statements(by_action: dict[str, set[str]]) -> list[dict[str, Any]]:
    """One Allow per set of resources, holding every action denied on exactly that set."""
    groups: dict[tuple[str, ...], list[str]] = {}
    for action, resources in by_action.items():
        groups.setdefault(tuple(sorted(resources)), []).append(action)
    statements = []
    for resources, actions in sorted(groups.items(), key=lambda kv: sorted(kv[1])):
        service = actions[0].split(":")[0]
        sid = "FromLogs" + "".join(p.capitalize() for p in re.split(r"[^A-Za-z0-9]", service))
        sid += "".join(a.split(":")[1] for a in sorted(actions))[:60]
        statements.append({"Sid": sid, "Effect": "Allow", "Action": sorted(actions),
                           "Resource": list(resources)})
    return statements
