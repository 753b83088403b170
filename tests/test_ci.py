"""CI (.ci/run) fails on a uv.lock that does not match pyproject.toml."""

import re
import shlex
import shutil
import subprocess
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.helpers import REPO
from tests.wheelhouse import make_wheel, uv_binary, uv_lock


def _split(line: str) -> tuple[dict[str, str], list[str], list[str]]:
    """A command line as (variables it sets, variables `env -u` unsets, the command)."""
    words = shlex.split(line)
    unset: list[str] = []
    if words[:1] == ["env"]:
        words = words[1:]
        while words[:1] == ["-u"]:
            unset.append(words[1])
            words = words[2:]
    assigned = {}
    while words and re.fullmatch(r"[A-Z_][A-Z0-9_]*=.*", words[0]):
        name, _, value = words.pop(0).partition("=")
        assigned[name] = value
    return assigned, unset, words


def _ci_lines() -> list[str]:
    lines = (REPO / ".ci" / "run").read_text().splitlines()
    return [ln for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]


def _ci_commands() -> list[list[str]]:
    """Each command of .ci/run, without the environment it is given."""
    return [_split(line)[2] for line in _ci_lines()]


def test_ci_checks_the_lock_before_any_uv_run_and_keeps_the_readme_test_command():
    commands = _ci_commands()
    uv = [c for c in commands if c[:1] == ["uv"]]
    assert uv[0] == ["uv", "lock", "--check"], uv[0]
    assert ["uv", "run", "pytest"] in uv
    assert "--frozen" not in [arg for c in uv for arg in c]  # --frozen skips the check


def test_ci_runs_the_readme_test_command_on_a_fresh_uv_cache_and_home():
    """`uv run pytest` exactly, with UV_CACHE_DIR and HOME in a new temporary folder."""
    lines = _ci_lines()
    (line,) = [ln for ln in lines if _split(ln)[2] == ["uv", "run", "pytest"]]
    assigned, unset, _ = _split(line)
    assert {"UV_CACHE_DIR", "HOME"} <= set(assigned), line
    assert {"XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME"} <= set(unset), line
    # Both under a folder the script made with mktemp before that line, nowhere else.
    made = [m.group(1) for ln in lines[:lines.index(line)]
            if (m := re.fullmatch(r'(\w+)="\$\(mktemp -d\)"', ln.strip()))]
    assert made, "no fresh folder made with mktemp -d"
    for name in ("UV_CACHE_DIR", "HOME"):
        assert assigned[name].startswith(f"${made[-1]}/"), (name, assigned[name])
    assert assigned["UV_CACHE_DIR"] != assigned["HOME"]
    readme = (REPO / "README.md").read_text()
    assert "uv run pytest                     # the test suite" in readme


def _copy_project(folder: Path) -> Path:
    folder.mkdir(exist_ok=True)
    for name in ("pyproject.toml", "uv.lock", "README.md"):
        shutil.copy(REPO / name, folder / name)
    (folder / "aibox_ops").mkdir()
    (folder / "aibox_ops" / "__init__.py").write_text("")
    return folder


def test_the_committed_lock_passes_the_lock_check_offline(tmp_path):
    """CI's first command on a copy of this project: an up-to-date lock needs no index."""
    root = _copy_project(tmp_path)
    fresh = subprocess.run([uv_binary(), "lock", "--check", "--offline", "--quiet"], cwd=root,
                           capture_output=True, text=True, timeout=60)
    assert fresh.returncode == 0, fresh.stderr


def _wheels_for_this_project(folder: Path) -> Path:
    """A wheel at every version uv.lock pins for each requirement pyproject.toml declares."""
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    declared = list(pyproject["project"]["dependencies"])
    for group in pyproject["dependency-groups"].values():
        declared += group
    locked: dict[str, list[str]] = {}
    for package in tomllib.loads((REPO / "uv.lock").read_text())["package"]:
        locked.setdefault(canonicalize_name(package["name"]), []).append(package["version"])
    for text in declared:
        req = Requirement(text)
        for version in locked[canonicalize_name(req.name)]:
            make_wheel(folder, req.name, version, extras=req.extras)
    return folder


def test_the_lock_check_fails_on_a_stale_lock(tmp_path):
    """CI's `uv lock --check` on this project's pyproject.toml, before and after it drifts.

    It resolves against wheels made here (one per locked version of every declared
    requirement) rather than PyPI, so it runs offline on an empty uv cache.
    """
    wheels = _wheels_for_this_project(tmp_path / "wheels")
    root = _copy_project(tmp_path / "project")
    locked = uv_lock(root, wheels)  # the lock of these wheels (the real one needs PyPI)
    assert locked.returncode == 0, locked.stderr
    fresh = uv_lock(root, wheels, "--check")
    assert fresh.returncode == 0, fresh.stderr
    pyproject = root / "pyproject.toml"
    text = pyproject.read_text()
    assert '    "httpx>=0.27",\n' in text
    pyproject.write_text(text.replace('    "httpx>=0.27",\n', ""))
    before = (root / "uv.lock").read_text()
    stale = uv_lock(root, wheels, "--check")
    assert stale.returncode != 0
    assert "needs to be updated" in stale.stderr, stale.stderr  # the lock, not another failure
    assert (root / "uv.lock").read_text() == before  # --check never rewrites it

def test_slow_tests_are_registered_and_ci_runs_them_after_the_everyday_suite(request):

    options = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["pytest"][
        "ini_options"]
    assert "-m 'not slow'" in options["addopts"]  # the everyday suite leaves them out
    uv = [c for c in _ci_commands() if c[:1] == ["uv"]]
    everyday = uv.index(["uv", "run", "pytest"])
    assert ["uv", "run", "pytest", "-m", "slow"] in uv[everyday + 1:]  # CI still runs them
    assert "--strict-markers" in options["addopts"]  # a misspelt marker fails collection
    assert any(m.startswith("slow:") for m in request.config.getini("markers"))
