"""The doctor's data model: a ``Check`` (what to look for) and its ``CheckResult``.

Checks never print: ``detect`` returns a ``Finding`` and the runner turns it into a
``CheckResult`` with the check's id, title, severity and fix. The CLI renders results.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..plan import Plan
    from .context import DoctorContext

STATUSES = ("pass", "warn", "fail", "skip", "error")
SEVERITIES = ("error", "warning")
# What a check needs before it can run; the runner skips it with a reason otherwise.
NEEDS = ("settings", "aws")


@dataclass(frozen=True)
class Finding:
    """What a detection found: a status, one line, evidence lines, an optional specific fix."""

    status: str
    message: str
    evidence: list[str] = field(default_factory=list)
    fix: str | None = None  # overrides the check's fix hint when the finding knows better
    data: dict[str, Any] = field(default_factory=dict)  # for the check's automatic fix
    # False when the check's automatic fix would change nothing for this finding (e.g. a
    # secret that does not exist: fix-iam cannot create it), so `--fix` is not offered.
    fixable: bool = True


def passed(message: str, evidence: list[str] | None = None) -> Finding:
    """The problem is not there."""
    return Finding("pass", message, list(evidence or []))


def failed(message: str, evidence: list[str] | None = None, fix: str | None = None,
           **data: Any) -> Finding:
    """The problem is there (reported at the check's severity)."""
    return Finding("fail", message, list(evidence or []), fix, data)


def warned(message: str, evidence: list[str] | None = None, fix: str | None = None,
           **data: Any) -> Finding:
    """Something worth a look that is not the failure itself."""
    return Finding("warn", message, list(evidence or []), fix, data)


def skipped(reason: str) -> Finding:
    """The check could not run here (offline, no credentials, nothing deployed, ...)."""
    return Finding("skip", reason)


@dataclass(frozen=True)
class Check:
    """One failure mode: a stable id, how to detect it, how to fix it."""

    id: str
    title: str
    severity: str  # error | warning: how a "fail" counts against --fail-on
    detect: Callable[[DoctorContext], Finding]
    fix_hint: str
    needs: frozenset[str] = frozenset()
    # The automatic fix: a plan (the shared Plan shape, shown before applying) and the
    # function that applies it, returning what it changed (paths, policy names).
    plan_fix: Callable[[DoctorContext], Plan] | None = None
    apply_fix: Callable[[DoctorContext, Plan], list[str]] | None = None

    @property
    def live(self) -> bool:
        """Whether the check reads AWS."""
        return "aws" in self.needs


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check: the ``--json`` item of ``aibox-ops doctor``."""

    id: str
    title: str
    status: str
    severity: str
    message: str
    evidence: list[str] = field(default_factory=list)
    fix: str | None = None
    fixable: bool = False
    data: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def problem(self) -> bool:
        """Whether this result reports a problem (fail, warn or a crashed check)."""
        return self.status in ("fail", "warn", "error")

    @property
    def level(self) -> str | None:
        """error | warning | None: how the result counts against ``--fail-on``."""
        if self.status == "error":
            return "error"
        if self.status == "fail":
            return self.severity
        if self.status == "warn":
            return "warning"
        return None

    def to_dict(self) -> dict[str, Any]:
        """The public ``--json`` shape of one check."""
        return {"id": self.id, "title": self.title, "status": self.status,
                "severity": self.severity, "message": self.message,
                "evidence": list(self.evidence), "fix": self.fix, "fixable": self.fixable}


def at_or_above(result: CheckResult, fail_on: str) -> bool:
    """Whether ``result`` makes a run with ``--fail-on fail_on`` fail."""
    level = result.level
    if level is None:
        return False
    return level == "error" or fail_on == "warning"


def blocking(results: list[CheckResult]) -> list[CheckResult]:
    """Results that stop a deploy (deploy's preflight): status ``fail`` at severity ``error``,
    and ``error`` there too: a check that crashed cannot vouch for the project."""
    return [r for r in results if r.status in ("fail", "error") and r.severity == "error"]


def summarize(results: list[CheckResult]) -> dict[str, int]:
    """Counts by status (every status present, zeros included), plus the total."""
    counts = {status: 0 for status in STATUSES}
    for result in results:
        counts[result.status] += 1
    return {**counts, "total": len(results)}


def report_dict(results: list[CheckResult], fail_on: str = "error") -> dict[str, Any]:
    """The ``doctor --json`` document: ``{"ok", "summary", "checks"}``."""
    return {"ok": not any(at_or_above(r, fail_on) for r in results),
            "summary": summarize(results),
            "checks": [r.to_dict() for r in results]}
