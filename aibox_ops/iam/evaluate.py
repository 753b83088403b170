"""Does a set of policy documents allow what the agent needs? A small, honest evaluator.

``iam:SimulatePrincipalPolicy`` is not available everywhere (moto lacks it), so fix-iam
reads the role's documents and evaluates them itself. It is sound rather than complete: it
answers "allowed" only when an unconditional Allow covers every resource the requirement
names (ARN wildcards on both sides are compared as patterns) and no Deny may apply. An
explicit Deny that certainly applies is "denied"; conditions, NotAction/NotResource in an
Allow and Denies that may apply give "cannot-prove"; nothing matching is "not-allowed".
Permissions boundaries, SCPs and resource policies are outside what it sees.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .access import Requirement
from .documents import PolicyDoc

VERDICTS = ("allowed", "denied", "not-allowed", "cannot-prove")


@dataclass(frozen=True)
class Check:
    """The verdict for one action on one resource."""

    action: str
    resource: str
    verdict: str
    reason: str
    sid: str = ""  # the requirement it belongs to

    def __iter__(self):  # unpacks as (action, resource, verdict, reason)
        return iter((self.action, self.resource, self.verdict, self.reason))


@dataclass(frozen=True)
class AccessReport:
    """Verdicts for every (action, resource) of a list of requirements."""

    checks: list[Check]

    @property
    def ok(self) -> bool:
        """Whether every required call is proven allowed."""
        return all(check.verdict == "allowed" for check in self.checks)

    @property
    def missing(self) -> list[Check]:
        """Checks that are not proven allowed."""
        return [check for check in self.checks if check.verdict != "allowed"]

    def for_sid(self, sid: str) -> list[Check]:
        """The checks of one requirement."""
        return [check for check in self.checks if check.sid == sid]

    def to_dict(self) -> dict[str, Any]:
        """Machine-readable form."""
        return {"ok": self.ok, "checks": [
            {"sid": c.sid, "action": c.action, "resource": c.resource, "verdict": c.verdict,
             "reason": c.reason} for c in self.checks]}


def evaluate_access(documents: Iterable[PolicyDoc],
                    requirements: Iterable[Requirement]) -> AccessReport:
    """Evaluate every action of every requirement on each of its resources (pure)."""
    statements = [(doc.name, i, st) for doc in documents
                  for i, st in enumerate(_statements(doc.document))]
    checks = [_check(statements, req, action, resource)
              for req in requirements for action in req.actions for resource in req.resources]
    return AccessReport(checks)


def _statements(document: dict[str, Any]) -> list[dict[str, Any]]:
    raw = document.get("Statement", []) if isinstance(document, dict) else []
    return [st for st in ([raw] if isinstance(raw, dict) else raw) if isinstance(st, dict)]


def _as_list(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else [v for v in value or [] if isinstance(v, str)]


def _check(statements: list[tuple[str, int, dict[str, Any]]], req: Requirement, action: str,
           resource: str) -> Check:
    def result(verdict: str, reason: str) -> Check:
        return Check(action, resource, verdict, reason, req.sid)

    maybe_denied = None
    for name, index, st in statements:
        if st.get("Effect") != "Deny":
            continue
        where = _where(name, index, st)
        match = _match(st, action, resource)
        if match == "all" and not st.get("Condition"):
            return result("denied", f"explicitly denied by {where}")
        if match != "none":
            maybe_denied = maybe_denied or f"a Deny in {where} may apply"
    if maybe_denied:
        return result("cannot-prove", maybe_denied)
    unproven = partial = None
    for name, index, st in statements:
        if st.get("Effect") != "Allow":
            continue
        where = _where(name, index, st)
        if "NotAction" in st or "NotResource" in st:
            if _match(st, action, resource) != "none":
                unproven = unproven or f"{where} uses NotAction/NotResource"
            continue
        match = _match(st, action, resource)
        if match == "all":
            condition = st.get("Condition")
            if not condition or condition == req.condition:
                return result("allowed", f"allowed by {where}")
            unproven = unproven or f"{where} allows it only under a condition"
        elif match == "some":
            partial = partial or f"{where} allows only part of the resource pattern"
    if unproven:
        return result("cannot-prove", unproven)
    return result("not-allowed", partial or "no statement allows it")


def _where(name: str, index: int, st: dict[str, Any]) -> str:
    sid = st.get("Sid")
    return f"policy {name} statement {sid or f'#{index + 1}'}"


def _match(st: dict[str, Any], action: str, resource: str) -> str:
    """How much of (action, resource) the statement's action/resource part covers:
    "all", "some" (overlaps) or "none"."""
    action = action.lower()
    if "NotAction" in st:
        excluded = [p.lower() for p in _as_list(st["NotAction"])]
        action_in = not any(glob_covers(p, action) for p in excluded)
    else:
        action_in = any(glob_covers(p.lower(), action) for p in _as_list(st.get("Action")))
    if not action_in:
        return "none"
    if "NotResource" in st:
        excluded = _as_list(st["NotResource"])
        if any(glob_covers(p, resource) for p in excluded):
            return "none"
        return "some" if any(glob_overlaps(p, resource) for p in excluded) else "all"
    patterns = _as_list(st.get("Resource"))
    if any(glob_covers(p, resource) for p in patterns):
        return "all"
    return "some" if any(glob_overlaps(p, resource) for p in patterns) else "none"


def glob_covers(pattern: str, target: str) -> bool:
    """Whether every string the ``target`` pattern matches is matched by ``pattern``
    (IAM wildcards: ``*`` any run, ``?`` one character). Sound, possibly incomplete."""
    return _covers(pattern, target)


@lru_cache(maxsize=4096)
def _covers(p: str, t: str) -> bool:
    if not p:
        return not t
    if p[0] == "*":
        return _covers(p[1:], t) or (bool(t) and _covers(p, t[1:]))
    if not t or t[0] == "*":
        return False
    if p[0] == "?" or p[0] == t[0] and t[0] != "?":
        return _covers(p[1:], t[1:])
    return False


def glob_overlaps(a: str, b: str) -> bool:
    """Whether some string matches both IAM wildcard patterns."""
    return _overlaps(a, b)


@lru_cache(maxsize=4096)
def _overlaps(a: str, b: str) -> bool:
    if a and a[0] == "*":
        return _overlaps(a[1:], b) or (bool(b) and _overlaps(a, b[1:]))
    if b and b[0] == "*":
        return _overlaps(a, b[1:]) or (bool(a) and _overlaps(a[1:], b))
    if not a or not b:
        return not a and not b
    if a[0] == "?" or b[0] == "?" or a[0] == b[0]:
        return _overlaps(a[1:], b[1:])
    return False
