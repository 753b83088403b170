"""Cold against warm latency: samples, percentiles, a plain recommendation, a text chart."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .ping import PingResult, Sender, ping, ping_once
from .target import health_payload

# Warm-up pays off when a warm ping is clearly faster: at least this much and this ratio.
MIN_GAIN_MS = 100.0
MIN_GAIN_RATIO = 1.5


@dataclass(frozen=True)
class Measurement:
    """Cold and warm samples and what they say."""

    cold: list[PingResult]
    warm: list[PingResult]
    pool: list[PingResult] = field(default_factory=list)  # one ping per pooled session

    def to_dict(self) -> dict[str, Any]:
        """Raw samples and statistics (``warm measure --json``)."""
        return {"cold": summarize(self.cold), "warm": summarize(self.warm),
                "pool": summarize(self.pool) if self.pool else None,
                "samples": {"cold": [r.to_dict() for r in self.cold],
                            "warm": [r.to_dict() for r in self.warm],
                            "pool": [r.to_dict() for r in self.pool]}}


def measure(send: Sender, samples: int, new_session_id: Callable[[], str],
            pool_ids: list[str] | None = None) -> Measurement:
    """``samples`` pings on fresh session ids (cold), ``samples`` on one session after a
    first ping (warm), and one on each pooled session (are the scheduled pings working?)."""
    # One at a time, like the warm samples: concurrent pings would contend with each other
    # and make "cold" look slower than it is.
    cold = ping(send, [new_session_id() for _ in range(samples)], max_in_flight=1)
    warm_id = new_session_id()
    ping_once(send, warm_id, health_payload())  # the cold start of the warm session
    warm = ping(send, [warm_id], count=samples)
    pool = ping(send, pool_ids or [])
    return Measurement(cold, warm, pool)


def percentile(values: list[float], pct: float) -> float | None:
    """Nearest-rank percentile (None for no values)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100.0 * len(ordered)))
    return ordered[rank - 1]


def summarize(results: list[PingResult]) -> dict[str, Any]:
    """Count, failures, p50/p95 and verdict counts of successful pings."""
    ok = [r.latency_ms for r in results if r.ok]
    verdicts: dict[str, int] = {}
    for r in results:
        verdicts[r.verdict] = verdicts.get(r.verdict, 0) + 1
    return {"count": len(results), "failed": len(results) - len(ok),
            "p50_ms": percentile(ok, 50), "p95_ms": percentile(ok, 95), "verdicts": verdicts}


def recommend(m: Measurement, enabled: bool, interval_minutes: int) -> tuple[str, str]:
    """(decision, sentence): keep | enable | change-interval | off | inconclusive."""
    cold, warm = summarize(m.cold), summarize(m.warm)
    if cold["p50_ms"] is None or warm["p50_ms"] is None:
        return ("inconclusive", "Too many pings failed to compare cold and warm latency; "
                "fix the failures first (see the errors above).")
    gain = cold["p50_ms"] - warm["p50_ms"]
    helps = gain >= MIN_GAIN_MS and cold["p50_ms"] >= MIN_GAIN_RATIO * warm["p50_ms"]
    figures = f"cold p50 {cold['p50_ms']:.0f} ms vs warm p50 {warm['p50_ms']:.0f} ms"
    if not helps:
        return ("off", f"Warm-up does not help here ({figures}): turn it off "
                "(warm.enabled = false) and save the pings and the sessions they hold.")
    if not enabled:
        return ("enable", f"Warm sessions answer {gain:.0f} ms faster ({figures}): turn "
                "warm-up on (warm.enabled = true) and run `aibox-ops warm schedule`.")
    pool_cold = sum(1 for r in m.pool if r.verdict == "cold")
    if pool_cold:
        return ("change-interval", f"{pool_cold} of {len(m.pool)} pooled session(s) were "
                f"cold although warm-up is on: ping more often than every {interval_minutes} "
                "min (warm.interval_minutes), or check `aibox-ops warm status`.")
    return ("keep", f"Keep warm-up: warm sessions answer {gain:.0f} ms faster ({figures}).")


def render_histograms(cold: list[PingResult], warm: list[PingResult], bins: int = 10,
                      width: int = 24) -> str:
    """The two latency distributions side by side as text bars (shared bins)."""
    a = [r.latency_ms for r in cold if r.ok]
    b = [r.latency_ms for r in warm if r.ok]
    if not a and not b:
        return "(no successful pings to draw)"
    low, high = min(a + b), max(a + b)
    step = (high - low) / bins or 1.0
    counts = [[0] * bins, [0] * bins]
    for side, values in enumerate((a, b)):
        for v in values:
            counts[side][min(int((v - low) / step), bins - 1)] += 1
    top = max(max(c) for c in counts) or 1
    label_w = len(f"{high:.1f}") * 2 + 5
    lines = [f"{'latency ms':>{label_w}} | {'cold':<{width + 4}}| warm"]
    for i in range(bins):
        label = f"{low + i * step:.1f}-{low + (i + 1) * step:.1f}"
        bars = [("#" * round(counts[s][i] / top * width)).ljust(width) +
                f"{counts[s][i]:>3} " for s in (0, 1)]
        lines.append(f"{label:>{label_w}} | {bars[0]}| {bars[1]}")
    return "\n".join(lines)
