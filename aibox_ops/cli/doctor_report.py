"""Human output of ``aibox-ops doctor``: results grouped by status, the fix under each
problem, and a summary line."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape

from ..doctor.model import Check, CheckResult, summarize
from .invocation import as_invoked

GROUPS = (("fail", "✗", "red", "Failed"), ("error", "✗", "bold red", "Errors"),
          ("warn", "!", "yellow", "Warnings"), ("pass", "✓", "green", "Passed"),
          ("skip", "-", "dim", "Skipped"))


def render_report(out: Console, results: list[CheckResult], verbose: bool = False) -> None:
    """Print every result under its status heading (problems first)."""
    for status, mark, style, heading in GROUPS:
        group = [r for r in results if r.status == status]
        if not group:
            continue
        out.print(f"[bold]{heading}[/]")
        for result in group:
            level = f" [dim]({result.severity})[/]" if status == "fail" else ""
            out.print(f" [{style}]{mark}[/] [bold]{escape(result.id)}[/]{level}: "
                      f"{escape(result.message)}")
            show_evidence = result.problem or verbose
            for line in result.evidence if show_evidence else []:
                out.print(f"     [dim]{escape(line)}[/]")
            if result.problem and result.fix:
                auto = " [dim](doctor --fix can apply it)[/]" if result.fixable else ""
                out.print(f"     [cyan]fix:[/] {escape(as_invoked(result.fix))}{auto}")
        out.print("")
    out.print(render_summary(results))


def render_summary(results: list[CheckResult]) -> str:
    """``12 passed, 1 warning, 2 failed, 0 errors, 3 skipped``."""
    counts = summarize(results)
    return (f"{counts['pass']} passed, {counts['warn']} warning(s), {counts['fail']} failed, "
            f"{counts['error']} error(s), {counts['skip']} skipped")


def render_check_list(out: Console, checks: list[Check]) -> None:
    """``doctor --list``: id, severity, where it looks, title."""
    width = max(len(c.id) for c in checks)
    for check in checks:
        where = "aws" if check.live else "files"
        fix = "  [dim](auto-fix)[/]" if check.plan_fix else ""
        out.print(f"{check.id:<{width}}  {check.severity:<7}  {where:<5}  "
                  f"{escape(check.title)}{fix}")
