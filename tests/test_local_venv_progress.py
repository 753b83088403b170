"""``deploy --local``'s pip build reports what pip is doing, line by line, as it happens."""

from __future__ import annotations

import subprocess
import sys

import pytest

from aibox_ops.local import venv

PIP_LIKE = ("import sys\n"
            "print('Collecting boto3==1.44.0', flush=True)\n"
            "print('  some detail line', flush=True)\n"
            "print('Installing collected packages: boto3', flush=True)\n"
            "print('oops', file=sys.stderr, flush=True)\n"
            "sys.exit(int(sys.argv[1]))\n")


def test_pip_lines_reach_the_log_and_the_activity_as_they_come(tmp_path):
    seen: list[str] = []
    log_path = tmp_path / "pip.log"
    with log_path.open("w", encoding="utf-8") as log:
        code = venv._run_logged([sys.executable, "-c", PIP_LIKE, "0"], log, {},
                                seen.append)
    assert code == 0
    assert seen == ["pip: Collecting boto3==1.44.0",
                    "pip: Installing collected packages: boto3"]
    assert log_path.read_text().splitlines() == [
        "Collecting boto3==1.44.0", "  some detail line",
        "Installing collected packages: boto3", "oops"]


def test_a_failing_step_still_names_pip_s_last_lines(tmp_path):
    from aibox_ops.errors import DependencyError

    with (tmp_path / "pip.log").open("w", encoding="utf-8") as log, \
            pytest.raises(DependencyError) as info:
        venv._step([sys.executable, "-c", PIP_LIKE, "3"], log, "install x", None)
    assert "(exit 3)" in info.value.message and "oops" in info.value.message


def test_a_step_past_the_timeout_is_killed(tmp_path, monkeypatch):
    monkeypatch.setattr(venv, "PIP_TIMEOUT", 0.2)
    with (tmp_path / "pip.log").open("w", encoding="utf-8") as log, \
            pytest.raises(subprocess.TimeoutExpired):
        venv._run_logged([sys.executable, "-c", "import time; time.sleep(30)"], log, {},
                         lambda _line: None)
