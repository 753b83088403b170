"""Run checks: the explicit order, concurrency for independent work, crash isolation, and
the log scan merged into the results of the failure modes it finds."""

from __future__ import annotations

import traceback
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor

from ..errors import AiboxError
from .context import DoctorContext
from .model import Check, CheckResult, Finding
from .registry import LOG_SCAN, all_checks, check_ids

WORKERS = 8  # AWS reads and `uv export` overlap; the rest is cheap
# Checks that call fix-iam's library, which asks the session for clients directly.
IAM_CHECKS = frozenset({"dynamodb-access", "secrets-access"})


def select(only: Iterable[str] | None = None, skip: Iterable[str] | None = None) -> list[Check]:
    """The checks to run; unknown ids raise ValueError naming them."""
    known = check_ids()
    only_set, skip_set = set(only or []), set(skip or [])
    unknown = sorted((only_set | skip_set) - set(known))
    if unknown:
        raise ValueError(f"unknown check id(s): {', '.join(unknown)} "
                         f"(known: {', '.join(known)})")
    return [check for check in all_checks()
            if (not only_set or check.id in only_set) and check.id not in skip_set]


def run_check(ctx: DoctorContext, check: Check) -> CheckResult:
    """One check; a crash becomes a result with status ``error``."""
    reason = _skip_reason(ctx, check)
    if reason is not None:
        return _result(check, Finding("skip", reason))
    try:
        finding = check.detect(ctx)
    except AiboxError as exc:
        finding = Finding("error", f"could not check: {exc.message}", fix=exc.hint)
    except Exception as exc:  # a bug in one check must not stop the others
        tb = traceback.format_exception_only(type(exc), exc)[-1].strip()
        finding = Finding("error", f"check crashed: {tb}",
                          fix="This is a bug in aibox-ops; run with --debug and report it.",
                          data={"traceback": traceback.format_exc()})
    return _result(check, finding)


def _skip_reason(ctx: DoctorContext, check: Check) -> str | None:
    if "settings" in check.needs and ctx.settings is None:
        return "needs valid settings (see config)"
    if "aws" in check.needs and ctx.offline:
        return "offline (--offline)"
    if "credentials" in check.needs:
        return ctx.aws_unavailable()
    return None


def _result(check: Check, finding: Finding) -> CheckResult:
    problem = finding.status in ("fail", "warn", "error")
    fix = (finding.fix or check.fix_hint) if problem else None
    return CheckResult(check.id, check.title, finding.status, check.severity, finding.message,
                       list(finding.evidence), fix,
                       fixable=bool(check.plan_fix) and finding.fixable
                       and finding.status in ("fail", "warn")
                       and not finding.data.get("manual"),
                       data=dict(finding.data))


def run_checks(ctx: DoctorContext, only: Iterable[str] | None = None,
               skip: Iterable[str] | None = None) -> list[CheckResult]:
    """Run the selected checks (all by default) and return their results in registry order.

    Independent checks run concurrently; shared reads go through ``ctx``'s per-run cache.
    With ``ctx.logs`` (and AWS available) the log scan adds what it finds to the results of
    the selected checks (unless ``log-scan`` is skipped); the ``log-scan`` result itself is
    reported when that check is selected.
    """
    checks = select(only, skip)
    skipped_scan = LOG_SCAN in set(skip or [])
    scan_check = next((c for c in checks if c.id == LOG_SCAN), None)
    checks = [c for c in checks if c.id != LOG_SCAN]
    results: list[CheckResult] = []
    if any(c.id in IAM_CHECKS for c in checks) and ctx.aws_unavailable() is None:
        ctx.open_clients()
    if checks:
        with ThreadPoolExecutor(max_workers=min(WORKERS, len(checks))) as pool:
            results = list(pool.map(lambda check: run_check(ctx, check), checks))
    if ctx.logs and not skipped_scan:
        results = merge_log_scan(ctx, results, scan_check is not None)
    elif scan_check is not None:
        why = _skip_reason(ctx, scan_check) or "--no-logs"
        results.append(_result(scan_check, Finding("skip", why)))
    return results


def merge_log_scan(ctx: DoctorContext, results: list[CheckResult],
                   report: bool = True) -> list[CheckResult]:
    """Scan the logs and put each signature found under its check id; with ``report``, a
    ``log-scan`` result says what was read."""
    from .logs import read_scan, summarize_scan
    from .registry import get_check

    log_check = get_check(LOG_SCAN)

    def own(finding: Finding) -> list[CheckResult]:
        return [_result(log_check, finding)] if report else []

    reason = _skip_reason(ctx, log_check)
    if reason is not None:
        return [*results, *own(Finding("skip", reason))]
    try:
        scan = read_scan(ctx)
    except AiboxError as exc:
        return [*results, *own(Finding("error", f"could not read logs: {exc.message}",
                                       fix=exc.hint))]
    hours = ctx.since_seconds / 3600
    merged = []
    for result in results:
        lines = scan.matches.get(result.id)
        if not lines:
            merged.append(result)
            continue
        count = scan.counts[result.id]
        status = "error" if result.status == "error" else "fail"
        message = f"{result.message}; the logs show this failure {count} time(s) in the " \
            f"last {hours:g} h"
        merged.append(CheckResult(
            result.id, result.title, status, result.severity, message,
            [*result.evidence, *(f"log: {line}" for line in lines)],
            log_fix_hint(result), result.fixable, result.data))
    return [*merged, *own(summarize_scan(ctx, scan, {r.id for r in results}))]


# What to run when the logs show a failure the files and the role alone did not: the
# role may pass on paper while the runtime was denied (another resource, a condition), so
# the denials themselves are the input.
LOG_FIXES = {
    "dynamodb-access": "Grant what the runtime was denied: `aibox-ops fix-iam --from-logs` "
                       "(`--dry-run` shows the policy first).",
    "secrets-access": "Grant what the runtime was denied: `aibox-ops fix-iam --from-logs`; a "
                      "missing provider key: `aibox-ops secrets set NAME`.",
}


def log_fix_hint(result: CheckResult) -> str:
    """The fix to show for a check whose failure the logs found."""
    from .registry import get_check

    if result.status == "pass" or not result.fix:
        return LOG_FIXES.get(result.id) or get_check(result.id).fix_hint
    return result.fix
