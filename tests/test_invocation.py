"""Hints name the command the way the user ran aibox-ops (``uv run aibox-ops``, ``uvx``...)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from aibox_ops.cli.invocation import COMMANDS, as_invoked, invoked_as
from tests.helpers import invoke, make_project

SCRIPT = "/home/me/proj/.venv/bin/aibox-ops"


def nowhere(_name: str) -> str | None:
    return None


@pytest.mark.parametrize("argv0,environ,which,expected", [
    (SCRIPT, {"UV_RUN_RECURSION_DEPTH": "1"}, lambda n: SCRIPT, "uv run aibox-ops"),
    ("/x/lib/python3.11/site-packages/aibox_ops/__main__.py", {}, nowhere,
     "python -m aibox_ops"),
    ("/x/lib/python3.11/site-packages/aibox_ops/__main__.py",
     {"UV_RUN_RECURSION_DEPTH": "1"}, nowhere, "uv run python -m aibox_ops"),
    ("/usr/bin/pytest", {"UV_RUN_RECURSION_DEPTH": "1"}, nowhere, "aibox-ops"),  # embedded
])
def test_the_prefix_follows_how_it_was_run(argv0, environ, which, expected):
    assert invoked_as(argv0, environ, which) == expected


@pytest.mark.parametrize("source,expected", [
    (None, "uvx aibox-ops"), ("/src/aibox-ops", "uvx --from /src/aibox-ops aibox-ops")])
def test_uvx_names_where_it_came_from(source, expected, monkeypatch):
    from aibox_ops.cli import invocation

    monkeypatch.setattr(invocation, "_installed_from", lambda: source)
    assert invoked_as("/root/.cache/uv/archive-v0/AbC12/bin/aibox-ops",
                      {"UV_RUN_RECURSION_DEPTH": "1"}, nowhere) == expected


def test_on_path_it_is_the_bare_name_and_a_venv_script_its_path(tmp_path):
    script = tmp_path / ".venv" / "bin" / "aibox-ops"
    script.parent.mkdir(parents=True)
    script.write_text("#!/bin/sh\n")
    assert invoked_as(str(script), {}, lambda _n: str(script)) == "aibox-ops"  # pipx, uv tool
    assert invoked_as(str(script), {}, nowhere, cwd=tmp_path) == ".venv/bin/aibox-ops"
    other = tmp_path / "elsewhere" / "aibox-ops"
    other.parent.mkdir()
    other.write_text("#!/bin/sh\n")  # another aibox-ops on PATH is not this one
    assert invoked_as(str(script), {}, lambda _n: str(other), cwd=tmp_path) == \
        ".venv/bin/aibox-ops"


def test_only_command_mentions_are_rewritten():
    text = ("Run `aibox-ops fix-iam --from-logs`; aibox-ops --help; policy aibox-ops-data in "
            "[tool.aibox-ops]; what aibox-ops created; aibox-ops secrets set NAME")
    assert as_invoked(text, prefix="uv run aibox-ops") == (
        "Run `uv run aibox-ops fix-iam --from-logs`; uv run aibox-ops --help; policy "
        "aibox-ops-data in [tool.aibox-ops]; what aibox-ops created; "
        "uv run aibox-ops secrets set NAME")
    assert as_invoked(text, prefix="aibox-ops") == text


def test_every_command_of_the_app_is_known():
    from aibox_ops.cli.main import app

    names = {c.name for c in app.registered_commands} | {g.name for g in app.registered_groups}
    assert names == set(COMMANDS)


def test_hints_through_uv_run_say_uv_run(tmp_path, monkeypatch):
    make_project(tmp_path)
    monkeypatch.setattr(sys, "argv", [SCRIPT, "render", "--check"])
    monkeypatch.setenv("UV_RUN_RECURSION_DEPTH", "1")
    result = invoke("render", "--check", project=tmp_path)
    assert result.exit_code == 1
    assert "Run `uv run aibox-ops render` to update them." in result.stderr
    assert "run `uv run aibox-ops sync-requirements`" in result.stderr  # the warning too
    doc = invoke("--json", "render", "--check", project=tmp_path)
    assert "`aibox-ops render`" in doc.stdout  # JSON keeps the canonical name


@pytest.mark.slow  # 0.6 s or more: kept out of the everyday suite
def test_python_dash_m_hints_say_python_dash_m(tmp_path):
    make_project(tmp_path)
    env = {k: v for k, v in __import__("os").environ.items() if k != "UV_RUN_RECURSION_DEPTH"}
    proc = subprocess.run([sys.executable, "-m", "aibox_ops", "-C", str(tmp_path), "render",
                           "--check"], capture_output=True, text=True, timeout=60, env=env,
                          cwd=Path(tmp_path))
    assert proc.returncode == 1, proc.stderr
    assert "Run `python -m aibox_ops render` to update them." in proc.stderr


@pytest.mark.parametrize("group", ["warm", "secrets", None])
def test_help_summaries_are_whole(group):
    result = invoke(*([group] if group else []), "--help")
    assert result.exit_code == 0
    commands = result.stdout.split("Commands:", 1)[1]
    assert "..." not in commands, result.stdout
    if group == "warm":
        assert "both distributions drawn" in " ".join(result.stdout.split())
