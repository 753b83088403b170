"""``warm run``: ping the pool every so often in the foreground, for cron, systemd or CI."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from .ping import PingResult

FIRST_RETRY_S = 5.0  # after a failed round, retry after 5 s, 10 s, 20 s ... (never > every)


class Clock(Protocol):
    """Time source of the loop (a fake one in tests)."""

    def monotonic(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    """The real clock."""

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


@dataclass
class LoopReport:
    """What a run did: one entry per round."""

    rounds: list[dict[str, Any]] = field(default_factory=list)

    @property
    def failed_rounds(self) -> int:
        """Rounds in which at least one ping failed."""
        return sum(1 for r in self.rounds if r["failed"])

    @property
    def last_ok(self) -> bool:
        """Whether the last round's pings all answered."""
        return bool(self.rounds) and not self.rounds[-1]["failed"]

    def to_dict(self) -> dict[str, Any]:
        """Machine-readable form."""
        return {"rounds": self.rounds, "failed_rounds": self.failed_rounds,
                "last_ok": self.last_ok}


def run_loop(ping_round: Callable[[], list[PingResult]], every_s: float, for_s: float,
             clock: Clock | None = None,
             on_round: Callable[[dict[str, Any]], None] | None = None) -> LoopReport:
    """Ping a round now, then every ``every_s`` seconds until ``for_s`` seconds have passed.

    A round with failures is retried sooner with exponential backoff (5 s, 10 s, ... capped
    at ``every_s``) so a flaky runtime is neither hammered nor left to go cold; a good round
    returns to the normal rhythm. Never raises for failed pings; stops on its own.
    """
    clock = clock or SystemClock()
    report = LoopReport()
    start = clock.monotonic()
    end = start + for_s
    backoff = FIRST_RETRY_S
    while True:
        at = clock.monotonic()
        results = ping_round()
        failed = sum(1 for r in results if not r.ok)
        entry = {"at_s": round(at - start, 3), "pings": len(results), "failed": failed,
                 "cold": sum(1 for r in results if r.verdict == "cold"),
                 "errors": sorted({r.error for r in results if r.error})[:3]}
        report.rounds.append(entry)
        if on_round:
            on_round(entry)
        if failed:
            wait = min(backoff, every_s)
            backoff *= 2
        else:
            wait, backoff = every_s, FIRST_RETRY_S
        next_at = at + wait
        if next_at >= end:
            return report
        clock.sleep(max(0.0, next_at - clock.monotonic()))
