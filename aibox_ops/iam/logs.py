"""``--from-logs``: AccessDenied lines in the runtime's log group -> minimal statements.

AWS services word a refused call as ``... is not authorized to perform: ACTION on
resource: ARN ...``. Each such (action, resource) pair in the window becomes an Allow for
exactly that action on exactly that ARN, and only when the line passes every rule of
``refusal``: anyone who can make the agent log text could otherwise plant a line (issue 18).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Any

from ..aws.calls import pages
from .manifest import Manifest, arn_service_and_type

# Never granted from a log line, whatever the manifest says: access to these is access to
# every other permission.
NEVER_FROM_LOGS = frozenset({"iam", "sts", "organizations"})
_SESSION = re.compile(r"^[\w+=,.@-]{1,64}$")  # an STS role session name

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
    for event in pages(session, "logs", "FilterLogEvents", f"read log group {log_group}",
                       "events", **params):
        found += parse_denials(event.get("message", ""), event.get("timestamp", 0))
    return found


def log_scope(manifest: Manifest) -> dict[str, set[tuple[str, str]]]:
    """Action prefix -> the (ARN service, resource type) pairs the manifest names for it."""
    scope: dict[str, set[tuple[str, str]]] = {}
    for statement in manifest.statements:
        for action in statement.actions:
            prefix = action.split(":")[0]
            pairs = scope.setdefault(prefix, set())
            pairs.update(arn_service_and_type(r.arn) for r in statement.resources
                         if r.arn != "*")
    return scope


def refusal(denial: DeniedCall, role_arn: str,
            scope: dict[str, set[tuple[str, str]]]) -> str | None:
    """Why a denied call is never granted from logs (None: it may be proposed).

    The principal must be the role itself (its full ARN, account included, or an STS session
    of it); the resource an exact ARN (no ``*``/``?``) in the role's partition and account;
    the action of a service, and the resource of a type, that the manifest already names;
    never IAM, STS or Organizations.
    """
    partition, account, name = _role_parts(role_arn)
    own = (role_arn, f"arn:{partition}:iam::{account}:role/{name}")
    who = denial.principal
    if not who:
        return "the line names no principal (AWS's own denials do); never granted from logs"
    session_prefix = f"arn:{partition}:sts::{account}:assumed-role/{name}/"
    if who not in own and not (who.startswith(session_prefix)
                                and _SESSION.match(who[len(session_prefix):])):
        return f"denied to {who}, not to role {role_arn}"
    if "*" in denial.resource or "?" in denial.resource:
        return "a wildcard ARN; only exact ARNs are granted from logs"
    parts = denial.resource.split(":", 5)
    if len(parts) < 6 or parts[1] != partition:
        return "not an ARN of the role's partition"
    if parts[4] != account:
        # An ARN without an account (S3) cannot be proven to be this account's.
        whose = f"account {parts[4]}" if parts[4] else "an unknown account (no account in its ARN)"
        return f"a resource of {whose}, not {account}; never granted from logs"
    service = denial.action.split(":")[0]
    if service in NEVER_FROM_LOGS:
        return f"{service} actions are never granted from logs"
    if service not in scope:
        return (f"the manifest names no {service} action; only services it names are "
                "granted from logs")
    kind = arn_service_and_type(denial.resource)
    if kind not in scope[service]:
        named = ", ".join(sorted(f"{s}:{t}" for s, t in scope[service])) or "none"
        return (f"resource type {kind[0]}:{kind[1] or '(none)'} is not one the manifest names "
                f"for {service} ({named})")
    return None


def _role_parts(role_arn: str) -> tuple[str, str, str]:
    parts = role_arn.split(":", 5)
    return parts[1], parts[4], parts[5].rsplit("/", 1)[-1]


def statements_from_denials(denials: list[DeniedCall], role_arn: str,
                            scope: dict[str, set[tuple[str, str]]],
                            skipped: list[str]) -> list[dict[str, Any]]:
    """Minimal Allow statements for the denied calls ``refusal`` lets through (pure).

    Every other call is left out and named, with the reason, in ``skipped``. Actions that
    were denied on the same set of resources share a statement.
    """
    by_action: dict[str, set[str]] = {}
    for denial in denials:
        why = refusal(denial, role_arn, scope)
        if why is not None:
            skipped.append(f"{denial.action} on {denial.resource}: {why}")
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
