"""Plan the role's owned inline policies: required access minus what other policies grant.

Reads AWS (the role's documents, the secrets' facts) and returns a ``Plan`` of
``iam-policy`` items, one per owned policy, each with a statement diff. Nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from ..config import Settings
from ..errors import AwsError
from ..plan import Change, Plan
from .access import Requirement, required_access, secret_ids_needed
from .documents import (
    DATA_POLICY,
    INLINE_LIMIT,
    LOGS_POLICY,
    MODELS_POLICY,
    OWNED_POLICIES,
    PolicyDoc,
    build_document,
    policy_for_service,
    policy_size,
    statement_diff,
    statements_of,
)
from .evaluate import evaluate_access
from .logs import group_statements, merge_log_statements
from .manifest import Manifest, load_manifest
from .role import RoleRef, read_role_documents
from .secret_facts import read_secret_facts

COMMAND = "fix-iam"


@dataclass(frozen=True)
class RolePlan:
    """The plan plus what verification needs: the requirements and the documents read."""

    plan: Plan
    role: RoleRef
    requirements: list[Requirement]
    documents: list[PolicyDoc]
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Facts for ``--json`` (the plan itself is in the Outcome)."""
        return {"role": self.role.to_dict(), "notes": list(self.notes),
                "requirements": [r.to_dict() for r in self.requirements]}


def plan_role_policies(session: Any, settings: Settings, role: RoleRef, **kwargs: Any) -> Plan:
    """The plan for the role's owned inline policies (see ``plan_role_access``)."""
    return plan_role_access(session, settings, role, **kwargs).plan


def plan_role_access(session: Any, settings: Settings, role: RoleRef, *,
                     manifest: Manifest | None = None,
                     services: list[str] | None = None,
                     extra_statements: list[dict[str, Any]] | None = None) -> RolePlan:
    """Read the role and plan its owned policies; ``extra_statements`` (from logs) are
    merged into ``aibox-ops-from-logs``."""
    manifest = manifest or load_manifest(settings)
    warnings: list[str] = []
    facts = read_secret_facts(session, secret_ids_needed(settings, manifest), settings.region,
                              warnings)
    _, partition, _, _, account, _ = role.arn.split(":", 5)
    requirements = required_access(settings, manifest, account, partition, services, facts)
    documents = read_role_documents(session, role.name)
    return plan_from_documents(role, requirements, documents, warnings, extra_statements)


def plan_from_documents(role: RoleRef, requirements: list[Requirement],
                        documents: list[PolicyDoc], warnings: list[str] | None = None,
                        extra_statements: list[dict[str, Any]] | None = None) -> RolePlan:
    """The pure half of planning: desired owned documents against the current ones."""
    warnings = list(warnings or [])
    notes: list[str] = []
    owned = {d.name: d for d in documents if d.kind == "inline" and d.name in OWNED_POLICIES}
    others = [d for d in documents if d not in owned.values()]
    elsewhere = evaluate_access(others, requirements)
    grouped: dict[str, list[dict[str, Any]]] = {DATA_POLICY: [], MODELS_POLICY: []}
    held = _held_resources(owned.get(DATA_POLICY), owned.get(MODELS_POLICY))
    for req in requirements:
        checks = elsewhere.for_sid(req.sid)
        for check in checks:
            if check.verdict == "denied":
                warnings.append(f"{check.action} on {check.resource} is {check.reason}: an "
                                "Allow cannot override it, and fix-iam never edits that policy")
        # The resources some action is still missing on elsewhere, plus those fix-iam already
        # grants (it never takes back access the agent needs because another policy, which it
        # does not control, happens to grant it too).
        missing = {c.resource for c in checks if c.verdict != "allowed"}
        keep = [r for r in req.resources if r in missing or r in held.get(req.sid, set())]
        elsewhere_only = [r for r in req.resources if r not in keep]
        if not keep:
            notes.append(f"{req.sid}: already allowed by the role's other policies ("
                         + "; ".join(sorted({c.reason for c in checks})) + "); not added")
            continue
        if elsewhere_only:
            notes.append(f"{req.sid}: " + ", ".join(elsewhere_only)
                         + " already allowed by the role's other policies; not added")
        grouped[policy_for_service(req.service)].append(replace(req, resources=keep).statement())
    desired: dict[str, dict[str, Any] | None] = {
        name: build_document(statements) if statements else None
        for name, statements in grouped.items()}
    if extra_statements:
        granted = others + [PolicyDoc(n, "inline", d) for n, d in desired.items() if d]
        extra_statements = _not_yet_allowed(extra_statements, granted, notes)
    desired[LOGS_POLICY] = _merge_logs(owned.get(LOGS_POLICY), extra_statements)
    if role.permissions_boundary:
        warnings.append(f"role {role.name} has the permissions boundary "
                        f"{role.permissions_boundary}; what it blocks is not evaluated here")
    items = [item for name in OWNED_POLICIES
             if (item := _item(role, name, owned.get(name), desired[name])) is not None]
    errors: list[Any] = []
    size_error = _size_error(role, others, desired)
    if size_error:
        errors.append(size_error)
    plan = Plan(COMMAND, items, warnings, errors)
    return RolePlan(plan, role, requirements, documents, notes)


def _held_resources(*docs: PolicyDoc | None) -> dict[str, set[str]]:
    """Sid -> the resources fix-iam's own statements grant now."""
    held: dict[str, set[str]] = {}
    for doc in docs:
        for st in statements_of(doc.document if doc else None):
            resources = st.get("Resource", [])
            held.setdefault(str(st.get("Sid")), set()).update(
                [resources] if isinstance(resources, str) else resources)
    return held


def _not_yet_allowed(statements: list[dict[str, Any]], granted: list[PolicyDoc],
                     notes: list[str]) -> list[dict[str, Any]]:
    """Drop denied calls that the role's other (or newly planned) policies already allow."""
    keep: dict[str, set[str]] = {}
    for st in statements:
        for action in st["Action"]:
            for resource in st["Resource"]:
                req = Requirement(st["Sid"], action.split(":")[0], [action], [resource])
                if evaluate_access(granted, [req]).ok:
                    notes.append(f"from logs: {action} on {resource} is allowed now; not added")
                else:
                    keep.setdefault(action, set()).add(resource)
    return group_statements(keep)


def _merge_logs(current: PolicyDoc | None,
                extra: list[dict[str, Any]] | None) -> dict[str, Any] | None:
    if not extra:  # an ordinary run leaves the from-logs policy as it is
        return current.document if current else None
    existing = statements_of(current.document if current else None)
    return build_document(merge_log_statements(existing, extra))


def _item(role: RoleRef, name: str, current: PolicyDoc | None,
          desired: dict[str, Any] | None) -> Change | None:
    before = current.document if current else None
    if before is None and desired is None:
        return None
    if before is None:
        status, reason = "create", "new inline policy"
    elif desired is None:
        status, reason = "delete", "nothing left to grant (allowed elsewhere or not needed)"
    elif before == desired:
        status, reason = "unchanged", "up to date"
    else:
        status, reason = "update", "statements differ"
    diff, summary = statement_diff(name, before, desired)
    if status != "unchanged":
        reason += " (" + ", ".join(f"{len(v)} {k}" for k, v in summary.items() if v) + ")"
    return Change(target=name, status=status, reason=reason,
                  diff=diff if status != "unchanged" else "", kind="iam-policy",
                  payload=desired,
                  detail={"policy": name, "role": role.name, "action": status,
                          "document": desired if desired is not None else before,
                          "statements": summary})


def _size_error(role: RoleRef, others: list[PolicyDoc],
                desired: dict[str, dict[str, Any] | None]) -> AwsError | None:
    theirs = sum(policy_size(d.text or d.document) for d in others if d.kind == "inline")
    ours = sum(policy_size(doc) for doc in desired.values() if doc is not None)
    if theirs + ours <= INLINE_LIMIT:
        return None
    return AwsError(
        f"role {role.name}: its inline policies would total {theirs + ours} characters "
        f"(other policies {theirs}, aibox-ops {ours}), over IAM's {INLINE_LIMIT}-character "
        "limit for a role's inline policies; nothing was written",
        hint="Move other inline policies into managed policies, or narrow the settings "
             "(tables/secrets).", code="LimitExceeded")
