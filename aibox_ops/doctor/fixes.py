"""``doctor --fix``: plan the automatic fixes of failing checks (shared Plan shape), apply
them, and re-run the checks they affect."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..errors import AiboxError
from ..plan import Plan
from .context import DoctorContext
from .model import CheckResult
from .registry import get_check


@dataclass
class FixPlan:
    """One automatic fix: the checks it addresses, its plan, and what happened."""

    check_ids: list[str]
    plan: Plan | None
    apply: Callable[[DoctorContext, Plan], list[str]]
    error: str | None = None
    applied: list[str] = field(default_factory=list)

    @property
    def has_changes(self) -> bool:
        """Whether applying would change anything."""
        return self.plan is not None and bool(self.plan.changes)


def plan_fixes(ctx: DoctorContext, results: list[CheckResult]) -> list[FixPlan]:
    """A plan per distinct fix of the fixable results (both IAM checks share one plan)."""
    out: dict[object, FixPlan] = {}
    for result in results:
        if not result.fixable:
            continue
        check = get_check(result.id)
        assert check.plan_fix is not None and check.apply_fix is not None
        key = check.plan_fix
        if key in out:
            out[key].check_ids.append(result.id)
            continue
        try:
            plan = check.plan_fix(ctx)
            out[key] = FixPlan([result.id], plan, check.apply_fix)
        except AiboxError as exc:
            out[key] = FixPlan([result.id], None, check.apply_fix, error=exc.message)
    return list(out.values())


def apply_fixes(ctx: DoctorContext, fixes: list[FixPlan]) -> None:
    """Apply each fix that has changes; a failing fix is recorded and the others go on."""
    for fix in fixes:
        if not fix.has_changes or fix.error:
            continue
        assert fix.plan is not None
        try:
            fix.applied = fix.apply(ctx, fix.plan)
        except AiboxError as exc:
            fix.error = exc.message + (f" ({exc.hint})" if exc.hint else "")


def replace_results(results: list[CheckResult], fresh: list[CheckResult]) -> list[CheckResult]:
    """``results`` with the re-run ones swapped in (order kept)."""
    by_id = {r.id: r for r in fresh}
    return [by_id.get(r.id, r) for r in results]
