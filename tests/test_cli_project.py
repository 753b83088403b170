"""The project a command works on: finding it, refusing near-miss tables and bad layouts."""

import pytest

from aibox_ops.errors import ExitCode
from tests.helpers import invoke, json_out, make_project


@pytest.mark.parametrize("table", ["aibox_ops", "aiboxops", "aibox-op", "aibox_ops.x",
                                   "AIBOX-OPS"])
def test_near_miss_table_is_a_config_error(tmp_path, table):
    make_project(tmp_path, tool=f'[tool.{table}]\nregion = "eu-west-1"\n')
    result = invoke("--json", "render", project=tmp_path)
    assert result.exit_code == ExitCode.CONFIG, result.stderr
    name = table.split(".")[0]
    assert f"[tool.{name}] is not read by aibox-ops (did you mean [tool.aibox-ops]?)" \
        in result.stderr
    assert "pyproject.toml:8:" in result.stderr  # the line of the table header
    assert json_out(result)["exit_code"] == ExitCode.CONFIG
    assert not (tmp_path / ".dockerignore").exists()


def test_other_tool_tables_are_fine(tmp_path):
    make_project(tmp_path, tool='[tool.ruff]\nline-length = 100\n[tool.aibox]\nx = 1\n')
    assert invoke("config", project=tmp_path).exit_code == 0
