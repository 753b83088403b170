"""Human output for fix-iam: a table of owned policies and their statements, notes, backups,
and the verification verdicts. (``--json`` output is ``Outcome.to_dict()``.)

Data goes into ``Text`` objects, never markup strings: ARNs hold ``:secret:``, which rich
would otherwise turn into an emoji."""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text

from .output import STATUS_STYLE, results

CHANGE_STYLE = {"added": "green", "removed": "red", "changed": "yellow", "unchanged": "dim"}
VERDICT_STYLE = {"allowed": "green", "denied": "bold red", "not-allowed": "red",
                 "cannot-prove": "yellow"}


def render_role_header(role: dict[str, Any]) -> None:
    """Which role, and how it was found."""
    results(False).print(Text.assemble("role: ", role["arn"],
                                       (f" (found by {role['found_by']})", "dim")))


def render_notes(notes: list[str], as_json: bool) -> None:
    """Things fix-iam decided not to do, and why."""
    for note in notes:
        results(as_json).print(Text.assemble(("note: ", "cyan"), note))


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
            table.add_row(Text(item.target), Text(item.status, style), "", "", "")
        for sid, change in rows:
            st = by_sid.get(sid, {})
            grants = _grants(st) if change != "removed" else ""
            table.add_row(Text(item.target), Text(item.status, style), Text(str(sid)),
                          Text(change, CHANGE_STYLE[change]), Text(grants))
    results(as_json).print(table)


def _grants(st: dict[str, Any]) -> str:
    actions = st.get("Action", [])
    resources = st.get("Resource", [])
    actions = [actions] if isinstance(actions, str) else actions
    resources = [resources] if isinstance(resources, str) else resources
    text = ", ".join(actions) + " on " + ", ".join(resources)
    return text + (" (with condition)" if st.get("Condition") else "")


def render_verification(report: dict[str, Any], as_json: bool, detail: bool = True) -> None:
    """A one-line summary; with ``detail``, a table of the pairs that are not "allowed"."""
    out = results(as_json)
    missing = [c for c in report["checks"] if c["verdict"] != "allowed"]
    total = len(report["checks"])
    if not missing:
        out.print(Text.assemble(("verified: ", "green"),
                                f"{total} action/resource pairs allowed ({report['source']})"))
        return
    if not detail:
        out.print(Text(f"{report['source']}: {len(missing)} of {total} action/resource pairs "
                       "not proven allowed", "yellow"))
        return
    table = Table(title=f"verification ({report['source']})", title_justify="left",
                  show_edge=False, pad_edge=False)
    for column in ("action", "resource", "verdict", "reason"):
        table.add_column(column, overflow="fold")
    for check in missing:
        style = VERDICT_STYLE.get(check["verdict"], "default")
        table.add_row(Text(check["action"]), Text(check["resource"]),
                      Text(check["verdict"], style), Text(check["reason"]))
    out.print(table)


def render_backups(backups: list[dict[str, Any]]) -> None:
    """The backup list, oldest first."""
    table = Table(title="fix-iam backups", title_justify="left", show_edge=False,
                  pad_edge=False)
    for column in ("id", "role", "policies"):
        table.add_column(column, overflow="fold")
    for backup in backups:
        policies = ", ".join(f"{k} ({v})" for k, v in backup["policies"].items())
        table.add_row(Text(backup["id"]), Text(backup["role"]), Text(policies))
    results(False).print(table if backups else "no backups")
