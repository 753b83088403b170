"""Result tables: headed by what they list, full targets, applied items by what happened."""

from __future__ import annotations

import io

from rich.console import Console

from aibox_ops.cli.output import done_status, print_status_table


def render(rows) -> str:
    out = io.StringIO()
    print_status_table(Console(file=out, width=80, soft_wrap=True), "t", rows)
    return out.getvalue()


def test_one_kind_heads_the_column_mixed_kinds_get_a_kind_column():
    tables = render([("table", "aibox_session", "create", "on-demand"),
                     ("table", "aibox_setting", "unchanged", "exists")])
    assert tables.splitlines()[1].split()[0] == "table"
    mixed = render([("table", "aibox_session", "create", ""),
                    ("secret", "dev_openai_api", "missing", "`aibox-ops secrets set openai`")])
    head = mixed.splitlines()[1].split()
    assert head[0] == "kind" and "item" in head and "file" not in head


def test_a_long_path_is_never_cut():
    path = "agent/" + "/".join(["a_rather_long_folder_name"] * 5) + "/agentcore_app.py"
    text = render([("file", path, "update", "template changed " * 8)])
    assert path in text and "…" not in text


def test_applied_items_say_what_happened():
    assert done_status("create", "file") == "written"
    assert done_status("update", "file") == "written"
    assert done_status("delete", "file") == "deleted"
    assert done_status("delete", "role") == "deleted"
    assert done_status("create", "table") == "created"
    assert done_status("update", "iam-policy") == "updated"
    assert done_status("unchanged", "table") == "unchanged"
