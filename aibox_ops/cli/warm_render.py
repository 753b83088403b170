"""Human and ``--json`` output of the warm commands (rich tables on stdout, JSON documents)."""

from __future__ import annotations

from typing import Any

from rich.markup import escape
from rich.table import Table

from .invocation import as_invoked
from .output import console, emit_json, results
from .state import AppState

VERDICT_STYLE = {"warm": "green", "cold": "yellow", "failed": "bold red", "unknown": "dim"}


def _short(session_id: str | None) -> str:
    if not session_id:
        return "-"
    return session_id if len(session_id) <= 24 else f"{session_id[:12]}...{session_id[-8:]}"


def render_pings(state: AppState, command: str, where: str, pings: list[Any],
                 note: str | None) -> None:
    """One row per ping; a summary line; the JSON document with every result."""
    from ..warm.measure import summarize

    if note:
        console().print(f"[yellow]note:[/] {escape(as_invoked(note))}")
    summary = summarize(pings)
    if state.json:
        emit_json({"ok": summary["failed"] == 0, "command": command, "target": where,
                   "summary": summary, "results": [p.to_dict() for p in pings]})
        return
    table = Table(title=f"{command} -> {where}", title_justify="left", show_edge=False)
    for column in ("session", "ms", "verdict", "uptime s", "error"):
        table.add_column(column, justify="right" if column in ("ms", "uptime s") else "left",
                         overflow="fold")
    for p in pings:
        style = VERDICT_STYLE.get(p.verdict, "default")
        table.add_row(escape(_short(p.session_id)), f"{p.latency_ms:.1f}",
                      f"[{style}]{p.verdict}[/]",
                      "-" if p.uptime_s is None else f"{p.uptime_s:.1f}",
                      escape(p.error or ""))
    out = results(False)
    out.print(table)
    out.print(_summary_line(summary))


def _summary_line(s: dict[str, Any]) -> str:
    if s["p50_ms"] is None:
        return f"{s['count']} ping(s), all failed"
    verdicts = ", ".join(f"{n} {v}" for v, n in sorted(s["verdicts"].items()))
    return (f"{s['count']} ping(s): {verdicts}; p50 {s['p50_ms']:.1f} ms, "
            f"p95 {s['p95_ms']:.1f} ms")


def render_measurement(state: AppState, where: str, m: Any,
                       decision: tuple[str, str]) -> None:
    """p50/p95 per distribution, the two histograms side by side, the recommendation."""
    from ..warm.measure import render_histograms, summarize

    if state.json:
        emit_json({"ok": True, "command": "warm measure", "target": where, **m.to_dict(),
                   "recommendation": {"decision": decision[0], "reason": decision[1]}})
        return
    table = Table(title=f"warm measure -> {where}", title_justify="left", show_edge=False)
    for column in ("", "pings", "failed", "p50 ms", "p95 ms", "verdicts"):
        table.add_column(column)
    rows = [("cold (new session)", m.cold), ("warm (same session)", m.warm)]
    if m.pool:
        rows.append(("pool (scheduled)", m.pool))
    for name, samples in rows:
        s = summarize(samples)
        table.add_row(name, str(s["count"]), str(s["failed"]), _ms(s["p50_ms"]),
                      _ms(s["p95_ms"]),
                      ", ".join(f"{n} {v}" for v, n in sorted(s["verdicts"].items())))
    out = results(False)
    out.print(table)
    out.print(escape(render_histograms(m.cold, m.warm)), highlight=False)
    out.print(f"[bold]recommendation ({decision[0]}):[/] {escape(decision[1])}")


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def render_sessions(state: AppState, pool: Any, written: bool, dry_run: bool) -> None:
    """The ids, one a line, and how a client picks one."""
    if state.json:
        emit_json({"ok": True, "command": "warm sessions", "dry_run": dry_run,
                   "written": written, **pool.to_dict()})
        return
    out = results(False)
    for sid in pool.session_ids:
        out.print(sid, markup=False, highlight=False)
    what = ("would write" if dry_run else "wrote") if pool.changed else "unchanged:"
    console().print(f"{what} {len(pool.session_ids)} id(s) in .aibox-ops/warm-sessions.json; "
                    "a client picks one by a stable hash of its user id (docs/warm.md)",
                    markup=False)


def render_status(state: AppState, settings: Any, current: Any, pool: list[str]) -> None:
    """Group, role, each schedule, and how they match the pool and the settings."""
    scheduled = {s.session_id for s in current.schedules}
    missing = [sid for sid in pool if sid not in scheduled]
    stale = [s.name for s in current.schedules if s.session_id not in pool]
    facts = {"enabled": settings.warm.enabled, "interval_minutes":
             settings.warm.interval_minutes, "pool_size": len(pool),
             "unscheduled_pool_ids": missing, "schedules_not_in_pool": stale}
    if state.json:
        emit_json({"ok": True, "command": "warm status", **current.to_dict(), **facts})
        return
    out = results(False)
    group = "missing" if not current.group_exists else \
        ("ok" if current.group_owned else "not created by aibox-ops")
    role = "missing" if not current.role_arn else \
        ("ok" if current.role_owned else "not created by aibox-ops")
    out.print(f"schedule group {current.group_name}: {group}; role {current.role_name}: {role}",
              markup=False)
    table = Table(show_edge=False)
    for column in ("schedule", "expression", "state", "session"):
        table.add_column(column, overflow="fold")
    for s in current.schedules:
        table.add_row(s.name, s.expression, s.state, escape(_short(s.session_id)))
    if current.schedules:
        out.print(table)
    out.print(f"warm.enabled = {str(settings.warm.enabled).lower()}, every "
              f"{settings.warm.interval_minutes} min, pool of {len(pool)}", markup=False)
    if missing or stale:
        out.print(f"[yellow]{len(missing)} pooled id(s) not scheduled, {len(stale)} schedule(s) "
                  f"not in the pool:[/] run `{as_invoked('aibox-ops warm schedule')}`")


def render_round(state: AppState, entry: dict[str, Any]) -> None:
    """One line per round on stderr (never in --json stdout)."""
    errors = f" ({'; '.join(entry['errors'])})" if entry["errors"] else ""
    console().print(f"t+{entry['at_s']:.0f}s: {entry['pings']} ping(s), {entry['cold']} cold, "
                    f"{entry['failed']} failed{errors}", markup=False, highlight=False)


def render_loop(state: AppState, where: str, report: Any) -> None:
    """The run's summary."""
    if state.json:
        emit_json({"ok": report.last_ok, "command": "warm run", "target": where,
                   **report.to_dict()})
        return
    results(False).print(f"{len(report.rounds)} round(s), {report.failed_rounds} with failures",
                         markup=False)
