"""init trusts no file it finds (issue 18): a package symlinked out of the project is not
adopted; a FIFO or /dev/zero named *.py neither hangs nor crashes it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from tests.guide_project import make_guide_project
from tests.helpers import invoke, json_out


def test_a_package_symlinked_out_of_the_project_is_not_adopted(tmp_path):
    root = make_guide_project(tmp_path / "p")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.move(root / "genai", elsewhere / "genai")
    (root / "genai").symlink_to(elsewhere / "genai")
    result = invoke("--json", "init", "--dry-run", project=root)
    assert result.exit_code == 0, result.stdout + result.stderr
    out = json_out(result)
    packages = next(f["value"] for f in out["detected"]["found"] if f["key"] == "packages")
    assert "genai" not in packages
    assert any(w.startswith(f"genai -> {(elsewhere / 'genai').resolve()}: a symbolic link out "
                            "of the project; not adopted") for w in out["warnings"]), out


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
@pytest.mark.slow  # ~1 s or more: `-m slow` (CI runs it)
def test_a_fifo_or_dev_zero_named_py_neither_hangs_nor_crashes_init(tmp_path):
    root = make_guide_project(tmp_path / "p")
    os.mkfifo(root / "pipe.py")
    (root / "zero.py").symlink_to("/dev/zero")
    os.mkfifo(root / "genai" / "agents" / "stream.py")
    # In a child process with a deadline: on a regression it would block on the FIFO.
    code = ("import sys; from aibox_ops.entry import run; "
            "sys.argv = ['aibox-ops', '--json', '--project', sys.argv[1], 'init', '--dry-run']; "
            "run()")
    done = subprocess.run([sys.executable, "-c", code, str(root)], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert '"entrypoint"' in done.stdout
