"""Pure parts: the pool, durations, percentiles, recommendations, the chart, the run loop."""

from __future__ import annotations

import json

import pytest
from warm_helpers import warm_project

from aibox_ops.config import load_settings
from aibox_ops.durations import parse_duration, render_duration
from aibox_ops.errors import FileError
from aibox_ops.warm.loop import run_loop
from aibox_ops.warm.measure import Measurement, percentile, recommend, render_histograms, summarize
from aibox_ops.warm.ping import PingResult, classify
from aibox_ops.warm.pool import POOL_PATH, apply_pool, load_pool, pick_session, plan_pool


def test_pool_is_stable_grows_and_shrinks(tmp_path):
    project = warm_project(tmp_path / "p", sessions=2)
    first = plan_pool(load_settings(project))
    assert first.changed and len(first.session_ids) == 2
    assert all(33 <= len(s) <= 256 for s in first.session_ids)
    apply_pool(project, first)
    assert load_pool(load_settings(project)) == first.session_ids
    assert not plan_pool(load_settings(project)).changed
    warm_project(project, sessions=4)
    grown = plan_pool(load_settings(project))
    assert grown.session_ids[:2] == first.session_ids and len(grown.session_ids) == 4
    warm_project(project, sessions=1)
    assert plan_pool(load_settings(project)).session_ids == first.session_ids[:1]


def test_pool_file_errors_name_the_file(tmp_path):
    project = warm_project(tmp_path / "p")
    (project / ".aibox-ops").mkdir()
    (project / POOL_PATH).write_text("{nope")
    with pytest.raises(FileError, match="warm-sessions.json: is not valid JSON"):
        load_pool(load_settings(project))
    (project / POOL_PATH).write_text(json.dumps({"agents": {"my_aibox_agent": ["short"]}}))
    with pytest.raises(FileError, match="has 5 characters; AgentCore needs 33-256"):
        load_pool(load_settings(project))


def test_pick_session_is_sticky_and_spreads():
    ids = [f"{i:02d}" + "x" * 40 for i in range(5)]
    assert pick_session(ids, "user-1") == pick_session(ids, "user-1")
    assert len({pick_session(ids, f"user-{n}") for n in range(100)}) == 5


@pytest.mark.parametrize(("text", "seconds"), [
    ("90s", 90), ("10m", 600), ("1h30m", 5400), ("2h", 7200), ("45", 45), ("250ms", 0.25)])
def test_durations(text, seconds):
    assert parse_duration(text) == seconds
    assert parse_duration(render_duration(seconds)) == seconds


@pytest.mark.parametrize("text", ["", "ten minutes", "10x", "m10", "0s", "-5m", "1h 30"])
def test_bad_durations_are_refused(text):
    with pytest.raises(ValueError):
        parse_duration(text)


def test_cold_is_a_process_younger_than_the_round_trip():
    answer = {"status": "healthy", "uptime_seconds": 0.4}
    assert classify("s", 1.2, [answer]).verdict == "cold"
    assert classify("s", 0.05, [answer]).verdict == "warm"
    assert classify("s", 0.05, [{"status": "healthy"}]).verdict == "unknown"
    failed = classify("s", 0.05, [{"error": "boom"}])
    assert failed.verdict == "failed" and failed.error == "boom"


def _results(values, verdict="warm"):
    return [PingResult("s" * 40, v, verdict, 1.0) for v in values]


def test_percentiles_and_recommendations():
    assert percentile([5, 1, 3, 2, 4], 50) == 3 and percentile(list(range(1, 101)), 95) == 95
    cold, warm = _results([900, 1000, 1100], "cold"), _results([80, 90, 100])
    m = Measurement(cold, warm)
    assert summarize(cold)["p50_ms"] == 1000
    assert recommend(m, enabled=True, interval_minutes=5)[0] == "keep"
    assert recommend(m, enabled=False, interval_minutes=5)[0] == "enable"
    stale = Measurement(cold, warm, pool=_results([950], "cold"))
    decision, sentence = recommend(stale, enabled=True, interval_minutes=5)
    assert decision == "change-interval" and "every 5 min" in sentence
    same = Measurement(_results([10, 11]), _results([9, 10]))
    assert recommend(same, enabled=True, interval_minutes=5)[0] == "off"
    failed = Measurement([PingResult("s", 1, "failed", error="x")], warm)
    assert recommend(failed, enabled=True, interval_minutes=5)[0] == "inconclusive"


def test_histograms_side_by_side():
    chart = render_histograms(_results([900, 1000, 1100]), _results([80, 90, 100]), bins=4)
    lines = chart.splitlines()
    assert "cold" in lines[0] and "warm" in lines[0] and len(lines) == 5
    first, last = lines[1].split("|"), lines[-1].split("|")
    assert first[2].strip().endswith("3") and last[1].strip().endswith("3")


class FakeClock:
    def __init__(self):
        self.now = 0.0
        self.sleeps: list[float] = []

    def monotonic(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def test_run_loop_keeps_the_rhythm_backs_off_and_stops():
    clock = FakeClock()
    outcomes = iter([True, False, False, True, True, True, True, True, True])

    def ping_round():
        clock.now += 0.5  # a round takes half a second
        ok = next(outcomes)
        return [PingResult("s", 500, "warm" if ok else "failed", error=None if ok else "down")]

    report = run_loop(ping_round, every_s=60, for_s=200, clock=clock)
    assert [r["at_s"] for r in report.rounds] == [0, 60, 65, 75, 135, 195]
    assert clock.sleeps == [59.5, 4.5, 9.5, 59.5, 59.5]
    assert report.failed_rounds == 2 and report.last_ok
    assert report.rounds[1]["errors"] == ["down"]
