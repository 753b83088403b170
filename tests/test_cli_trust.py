"""--json runs end with one JSON document even when Ctrl-C stops them (issue 18)."""

from __future__ import annotations

import json

import pytest

from aibox_ops.errors import ExitCode
from tests.helpers import invoke, make_project


@pytest.mark.parametrize("command", [["render"], ["config"]])
def test_a_json_run_stopped_by_ctrl_c_prints_one_json_document(tmp_path, monkeypatch,
                                                               command):
    import aibox_ops.cli.state as state
    import aibox_ops.render as render_pkg

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    target = (render_pkg, "plan_render") if command == ["render"] else (state, "load_settings")
    monkeypatch.setattr(*target, interrupted)
    make_project(tmp_path)
    result = invoke("--json", *command, project=tmp_path)
    assert result.exit_code == ExitCode.INTERRUPTED
    doc = json.loads(result.stdout)
    assert doc["ok"] is False and doc["exit_code"] == 130 and "interrupted" in doc["message"]
    plain = invoke(*command, project=tmp_path)
    assert plain.stdout == "" and "interrupted" in plain.stderr
