"""Phase bookkeeping for the deploy pipeline: timing, status, plan, and a reporter hook.

The library never draws anything: it tells a ``Reporter`` when a phase starts and ends and
what a long phase is doing meanwhile (``note``), and the CLI turns that into a spinner with
elapsed time on stderr.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..plan import Plan

PHASES: tuple[tuple[str, str], ...] = (
    ("preflight", "Preflight checks"),
    ("prerequisites", "Tables and secrets"),
    ("render", "Render deploy files"),
    ("requirements", "Sync requirements"),
    ("stage", "Stage build context"),
    ("launch", "Build and launch"),
    ("wait", "Wait for READY"),
    ("iam", "Fix IAM permissions"),
    ("health", "Health invocation"),
    ("warm", "Warm-up schedule"),
)


class Skip(Exception):
    """Raised inside a phase: nothing to do, with the reason."""


@dataclass
class PhaseReport:
    """One phase's outcome."""

    name: str
    title: str
    status: str = "pending"  # ok | skipped | planned | failed
    seconds: float = 0.0
    summary: str = ""
    detail: dict[str, Any] = field(default_factory=dict)
    plan: Plan | None = None

    def to_dict(self) -> dict[str, Any]:
        """Machine-readable form."""
        out: dict[str, Any] = {"name": self.name, "status": self.status,
                               "seconds": round(self.seconds, 3), "summary": self.summary,
                               **self.detail}
        if self.plan is not None:
            out["plan"] = self.plan.to_dict()
        return out


class Reporter(Protocol):
    """Told when each phase starts and ends (the CLI draws progress from this)."""

    def start(self, name: str, title: str) -> None: ...  # noqa: D102

    def finish(self, report: PhaseReport) -> None: ...  # noqa: D102

    def note(self, text: str) -> None: ...  # noqa: D102  (what the running phase does now;
    # may be called from another thread, e.g. the CodeBuild watcher)


class NullReporter:
    """Reports nothing (library use, tests)."""

    def start(self, name: str, title: str) -> None:  # noqa: D102
        pass

    def finish(self, report: PhaseReport) -> None:  # noqa: D102
        pass

    def note(self, text: str) -> None:  # noqa: D102
        pass


def run_phase(reports: list[PhaseReport], reporter: Reporter, name: str,
              body: Callable[[PhaseReport], str], dry_run: bool = False) -> PhaseReport:
    """Run one phase: time it, record ok/planned/skipped/failed, re-raise failures."""
    title = dict(PHASES)[name]
    report = PhaseReport(name, title)
    reports.append(report)
    reporter.start(name, title)
    started = time.perf_counter()
    try:
        report.summary = body(report)
        report.status = "planned" if dry_run else "ok"
    except Skip as skip:
        report.status, report.summary = "skipped", str(skip)
    except BaseException as error:  # Ctrl-C included: the phase is marked failed, then raised
        report.status = "failed"
        report.summary = "interrupted" if isinstance(error, KeyboardInterrupt) else \
            getattr(error, "message", None) or type(error).__name__
        raise
    finally:
        report.seconds = time.perf_counter() - started
        reporter.finish(report)
    return report
