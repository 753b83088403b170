"""CI (.ci/run) fails on a uv.lock that does not match pyproject.toml."""

import shlex
import shutil
import subprocess

from tests.helpers import REPO


def _ci_commands() -> list[list[str]]:
    lines = (REPO / ".ci" / "run").read_text().splitlines()
    return [shlex.split(ln) for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]


def test_ci_checks_the_lock_before_any_uv_run_and_keeps_the_readme_test_command():
    commands = _ci_commands()
    uv = [c for c in commands if c[:1] == ["uv"]]
    assert uv[0] == ["uv", "lock", "--check"], uv[0]
    assert ["uv", "run", "pytest"] in uv
    assert "--frozen" not in [arg for c in uv for arg in c]  # --frozen skips the check


def test_the_lock_check_fails_on_a_stale_lock(tmp_path):
    """The same command CI runs, on a copy of this project whose pyproject.toml drifted."""
    uv = shutil.which("uv")
    assert uv, "uv is needed on PATH"
    for name in ("pyproject.toml", "uv.lock", "README.md"):
        shutil.copy(REPO / name, tmp_path / name)
    (tmp_path / "aibox_ops").mkdir()
    (tmp_path / "aibox_ops" / "__init__.py").write_text("")
    check = [uv, "lock", "--check", "--offline", "--quiet"]
    fresh = subprocess.run(check, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert fresh.returncode == 0, fresh.stderr
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('    "httpx>=0.27",\n', ""))
    stale = subprocess.run(check, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert stale.returncode != 0
    assert "needs to be updated" in stale.stderr, stale.stderr  # the lock, not another failure


def test_slow_tests_are_registered_and_ci_runs_them_after_the_everyday_suite(request):
    import tomllib

    options = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["pytest"][
        "ini_options"]
    assert "-m 'not slow'" in options["addopts"]  # the everyday suite leaves them out
    uv = [c for c in _ci_commands() if c[:1] == ["uv"]]
    everyday = uv.index(["uv", "run", "pytest"])
    assert ["uv", "run", "pytest", "-m", "slow"] in uv[everyday + 1:]  # CI still runs them
    assert "--strict-markers" in options["addopts"]  # a misspelt marker fails collection
    assert any(m.startswith("slow:") for m in request.config.getini("markers"))
