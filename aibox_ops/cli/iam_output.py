"""Human output for fix-iam: a table of owned policies and their statements, notes, backups,
and the verification verdicts. (``--json`` output is ``Outcome.to_dict()``.)"""

from __future__ import annotations

from typing import Any

from rich.markup import escape
from rich.table import Table

from .output import STATUS_STYLE, results

CHANGE_STYLE = {"added": "green", "removed": "red", "changed": "yellow", "unchanged": "dim"}
VERDICT_STYLE = {"allowed": "green", "denied": "bold red", "not-allowed": "red",
                 "cannot-prove": "yellow"}


def render_role_header(role: dict[str, Any]) -> None:
    """Which role, and how it was found."""
    results(False).print(f"role: {escape(role['arn'])} [dim](found by {role['found_by']})[/]")


def render_notes(notes: list[str], as_json: bool) -> None:
    """Things fix-iam decided not to do, and why."""
    for note in notes:
        results(as_json).print(f"[cyan]note:[/] {escape(note)}")


def render_statements(items: list[Any], as_json: bool) -> None:
    """One row per statement of every owned policy, with what happens to it."""
    table = Table(title="owned inline policies", title_justify="left", show_edge=False,
                  pad_edge=False)
    for column in ("policy", "action", "statement", "change", "grants"):
        table.add_column(column, overflow="fold")
    for item in items:
        document = item.detail.get("document") or {}
        statements = document.get("Statement", [])
        by_sid = {st.get("Sid"): st for st in statements}
        style = STATUS_STYLE.get(item.status, "default")
        rows = [(sid, change) for change, sids in item.detail.get("statements", {}).items()
                for sid in sids]
        if not rows:
            table.add_row(escape(item.target), f"[{style}]{item.status}[/]", "", "", "")
        for sid, change in rows:
            st = by_sid.get(sid, {})
            grants = _grants(st) if change != "removed" else ""
            table.add_row(escape(item.target), f"[{style}]{item.status}[/]", escape(str(sid)),
                          f"[{CHANGE_STYLE[change]}]{change}[/]", escape(grants))
    results(as_json).print(table)


def _grants(st: dict[str, Any]) -> str:
    actions = st.get("Action", [])
    resources = st.get("Resource", [])
    actions = [actions] if isinstance(actions, str) else actions
    resources = [resources] if isinstance(resources, str) else resources
    text = ", ".join(actions) + " on " + ", ".join(resources)
    return text + (" (with condition)" if st.get("Condition") else "")


def render_verification(report: dict[str, Any], as_json: bool) -> None:
    """Verdicts that are not "allowed" (all of them only with problems)."""
    out = results(as_json)
    missing = [c for c in report["checks"] if c["verdict"] != "allowed"]
    if not missing:
        out.print(f"[green]verified:[/] {len(report['checks'])} action/resource pairs allowed "
                  f"({report['source']})")
        return
    table = Table(title=f"verification ({report['source']})", title_justify="left",
                  show_edge=False, pad_edge=False)
    for column in ("action", "resource", "verdict", "reason"):
        table.add_column(column, overflow="fold")
    for check in missing:
        style = VERDICT_STYLE.get(check["verdict"], "default")
        table.add_row(escape(check["action"]), escape(check["resource"]),
                      f"[{style}]{check['verdict']}[/]", escape(check["reason"]))
    out.print(table)


def render_backups(backups: list[dict[str, Any]]) -> None:
    """The backup list, oldest first."""
    table = Table(title="fix-iam backups", title_justify="left", show_edge=False,
                  pad_edge=False)
    for column in ("id", "role", "policies"):
        table.add_column(column, overflow="fold")
    for backup in backups:
        policies = ", ".join(f"{k} ({v})" for k, v in backup["policies"].items())
        table.add_row(backup["id"], escape(backup["role"]), escape(policies))
    results(False).print(table if backups else "no backups")
