"""The code package (direct code deployment): real uv installs against a wheelhouse built
in tmp_path (offline, no index), real zips, the request checked against botocore's model."""

from __future__ import annotations

import hashlib
import shutil
import stat
import time
import zipfile
from pathlib import Path

import pytest

from aibox_ops.aws.validate import check_request, validate_request
from aibox_ops.deploy import code_package
from aibox_ops.deploy.code_package import (
    ALLOWED_RUNTIMES,
    UNZIPPED_LIMIT,
    ZIP_LIMIT,
    CodeDeployUnsupported,
    CodePackage,
    build_code_package,
    check_size,
    code_artifact,
    python_runtime_for,
)
from aibox_ops.deploy.code_wheels import dependencies_key, no_wheel_package
from aibox_ops.errors import ConfigError, DependencyError, ExitCode, FileError
from tests.wheelhouse import make_sdist, make_wheel, uv_binary

REPO = Path(__file__).resolve().parents[1]
ENTRY = "agent/agentcore_app.py"


@pytest.fixture
def uv_env(monkeypatch: pytest.MonkeyPatch) -> str:
    """uv found the way aibox-ops finds it ($UV), whatever the caller's environment."""
    uv = uv_binary()
    monkeypatch.setenv("UV", uv)
    return uv


def _project(root: Path, requirements: str) -> tuple[dict[str, Path], Path, Path]:
    """Code files, a requirements file and a wheelhouse (purepkg wheel, sdonly sdist)."""
    wheels = root / "wheels"
    make_wheel(wheels, "purepkg", "1.0")
    make_sdist(wheels, "sdonly", "1.0")
    # Native wheels: one for manylinux2014 (= 2_17), one only for the newer manylinux_2_28.
    make_wheel(wheels, "oldnative", "1.0", tag="cp312-cp312-manylinux_2_17_aarch64")
    make_wheel(wheels, "newnative", "1.0", tag="cp312-cp312-manylinux_2_28_aarch64")
    make_wheel(wheels, "x86only", "1.0", tag="cp312-cp312-manylinux_2_17_x86_64")
    code = root / "project"
    (code / "agent").mkdir(parents=True)
    (code / ENTRY).write_text("print('hello')\n")
    (code / "agent" / "tools.py").write_text("TOOLS = []\n")
    script = code / "agent" / "run.sh"
    script.write_text("#!/bin/sh\n")
    script.chmod(0o755)
    req = code / "requirements-agentcore.txt"
    req.write_text(requirements)
    files = {ENTRY: code / ENTRY, "agent/tools.py": code / "agent" / "tools.py",
             "agent/run.sh": script, "requirements-agentcore.txt": req}
    return files, req, wheels


def _build(files: dict[str, Path], req: Path, wheels: Path, cache: Path,
           notes: list[str] | None = None) -> CodePackage:
    return build_code_package(files, req, ENTRY, "PYTHON_3_12", cache,
                              (notes if notes is not None else []).append,
                              find_links=wheels, offline=True)


# --- building --------------------------------------------------------------------------

def test_zip_holds_code_and_dependencies(tmp_path: Path, uv_env: str) -> None:
    files, req, wheels = _project(tmp_path, "# pinned\npurepkg==1.0\n")
    notes: list[str] = []
    package = _build(files, req, wheels, tmp_path / "cache", notes)

    with zipfile.ZipFile(package.path) as archive:
        infos = {info.filename: info for info in archive.infolist()}
        names = set(infos)
        assert {ENTRY, "agent/tools.py", "requirements-agentcore.txt", "purepkg/__init__.py",
                "purepkg-1.0.dist-info/METADATA"} <= names
        # uv's own bookkeeping stays out: its lock file and its timestamped cache record.
        assert ".lock" not in names
        assert not [n for n in names if n.endswith("uv_cache.json")]
        assert archive.read(ENTRY) == b"print('hello')\n"
        assert all(info.date_time == (1980, 1, 1, 0, 0, 0) for info in infos.values())
        assert stat.S_IMODE(infos["agent/run.sh"].external_attr >> 16) == 0o755
        assert stat.S_IMODE(infos[ENTRY].external_attr >> 16) == 0o644
        assert archive.namelist() == sorted(archive.namelist())
        unzipped = sum(info.file_size for info in infos.values())

    assert package.path.parent == tmp_path / "cache"
    assert package.sha256 == hashlib.sha256(package.path.read_bytes()).hexdigest()
    assert package.zipped_bytes == package.path.stat().st_size
    assert package.unzipped_bytes == unzipped
    assert package.files == len(names)
    assert package.python_runtime == "PYTHON_3_12"
    assert package.entry_point == [ENTRY]
    assert package.dependencies_key == dependencies_key(req.read_text(), "3.12")
    assert package.dependencies_cached is False
    assert package.platform == "aarch64-manylinux2014"
    assert (tmp_path / "cache" / f"deps-{package.dependencies_key}").is_dir()
    # Nothing half-written is left behind (only the install's lock file besides).
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == sorted(
        [package.path.name, f"deps-{package.dependencies_key}",
         f".deps-{package.dependencies_key}.lock"])
    assert package.to_dict()["path"] == str(package.path)
    assert package.to_dict()["entry_point"] == [ENTRY]
    assert notes[0].startswith("resolving arm64 wheels")
    assert any(n.startswith(f"zipping {package.files:,} files") for n in notes)
    assert "zipped" in notes[-1] and "limits 250.0 MB / 750.0 MB" in notes[-1]


def test_unchanged_rebuild_reuses_dependencies_and_gives_the_same_bytes(
        tmp_path: Path, uv_env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    files, req, wheels = _project(tmp_path, "purepkg==1.0\n")
    cache = tmp_path / "cache"
    first = _build(files, req, wheels, cache)
    deps = cache / f"deps-{first.dependencies_key}"
    before = deps.stat().st_mtime_ns, deps.stat().st_ino

    # No uv to be found: the second build can only succeed without running it.
    monkeypatch.setenv("UV", str(tmp_path / "no-such-uv"))
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    notes: list[str] = []
    second = _build(files, req, wheels, cache, notes)
    assert second.dependencies_cached is True
    assert (deps.stat().st_mtime_ns, deps.stat().st_ino) == before
    assert not [n for n in notes if n.startswith("resolving")]
    assert notes[0] == f"reusing the arm64 dependencies in {deps.name}"
    assert second.sha256 == first.sha256
    assert second.path.read_bytes() == first.path.read_bytes()

    # A fresh install elsewhere (another machine, a cleared cache) zips to the same bytes.
    monkeypatch.setenv("UV", uv_env)
    elsewhere = _build(files, req, wheels, tmp_path / "other-cache")
    assert elsewhere.dependencies_cached is False
    assert elsewhere.sha256 == first.sha256

    # Changed code: a new zip, the same dependencies (still no uv run).
    monkeypatch.setenv("UV", str(tmp_path / "no-such-uv"))
    (files["agent/tools.py"]).write_text("TOOLS = ['x']\n")
    changed = _build(files, req, wheels, cache)
    assert changed.dependencies_cached is True
    assert changed.sha256 != first.sha256
    assert changed.path != first.path and first.path.is_file()


def test_concurrent_builds_install_once_and_an_interrupted_install_is_cleared(
        tmp_path: Path, uv_env: str) -> None:
    import threading

    files, req, wheels = _project(tmp_path, "purepkg==1.0\n")
    cache = tmp_path / "cache"
    cache.mkdir()
    key = dependencies_key(req.read_text(), "3.12")
    leftover = cache / f".deps-{key}-interrupted"  # a build killed mid-install
    (leftover / "purepkg").mkdir(parents=True)
    results: list[CodePackage] = []
    threads = [threading.Thread(target=lambda: results.append(
        _build(files, req, wheels, cache))) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r.dependencies_cached for r in results) == [False, True]
    assert results[0].sha256 == results[1].sha256
    assert not leftover.exists()
    assert [p.name for p in cache.iterdir() if p.name.startswith("deps-")] == [f"deps-{key}"]


def test_a_code_file_wins_over_a_dependency_file(tmp_path: Path, uv_env: str) -> None:
    files, req, wheels = _project(tmp_path, "purepkg==1.0\n")
    mine = tmp_path / "project" / "purepkg_init.py"
    mine.write_text("MINE = True\n")
    files["purepkg/__init__.py"] = mine
    package = _build(files, req, wheels, tmp_path / "cache")
    with zipfile.ZipFile(package.path) as archive:
        assert archive.read("purepkg/__init__.py") == b"MINE = True\n"
        assert archive.namelist().count("purepkg/__init__.py") == 1


def test_an_sdist_only_requirement_is_unsupported_and_named(tmp_path: Path,
                                                            uv_env: str) -> None:
    files, req, wheels = _project(tmp_path, "purepkg==1.0\nsdonly==1.0\n")
    cache = tmp_path / "cache"
    with pytest.raises(CodeDeployUnsupported) as caught:
        _build(files, req, wheels, cache)
    err = caught.value
    assert err.package == "sdonly==1.0"
    assert err.reason == ("sdonly==1.0 has no wheel for manylinux2014_aarch64 or "
                          "manylinux_2_28_aarch64 / cp312")
    assert err.exit_code == ExitCode.DEPENDENCY
    assert err.to_dict()["reason"] == err.reason
    assert "container" in (err.hint or "")
    assert [p.name for p in cache.iterdir() if not p.name.endswith(".lock")] == []


def test_native_wheels_for_arm64_and_the_manylinux_2_28_fallback(tmp_path: Path,
                                                                uv_env: str) -> None:
    files, req, wheels = _project(tmp_path, "purepkg==1.0\noldnative==1.0\n")
    old = _build(files, req, wheels, tmp_path / "cache")
    assert old.platform == "aarch64-manylinux2014"
    with zipfile.ZipFile(old.path) as archive:
        assert "oldnative/__init__.py" in archive.namelist()

    # A wheel only for manylinux_2_28 (as Pillow 12 ships): the second platform takes it.
    req.write_text("purepkg==1.0\noldnative==1.0\nnewnative==1.0\n")
    notes: list[str] = []
    new = _build(files, req, wheels, tmp_path / "cache", notes)
    assert new.platform == "aarch64-manylinux_2_28"
    assert [n for n in notes if n.startswith("resolving")] == [
        "resolving arm64 wheels (manylinux2014_aarch64, Python 3.12) for 3 requirement(s)",
        "resolving arm64 wheels (manylinux_2_28_aarch64, Python 3.12) for 3 requirement(s)"]
    with zipfile.ZipFile(new.path) as archive:
        names = archive.namelist()
    assert {"newnative/__init__.py", "oldnative/__init__.py"} <= set(names)
    assert ".aibox-ops-deps.json" not in names  # the cache's own marker stays out
    # Reused later, the platform is still known.
    again = _build(files, req, wheels, tmp_path / "cache")
    assert again.dependencies_cached and again.platform == "aarch64-manylinux_2_28"


def test_an_x86_only_wheel_is_unsupported(tmp_path: Path, uv_env: str) -> None:
    files, req, wheels = _project(tmp_path, "x86only==1.0\n")
    with pytest.raises(CodeDeployUnsupported) as caught:
        _build(files, req, wheels, tmp_path / "cache")
    assert caught.value.package == "x86only==1.0"


def test_another_install_failure_is_a_dependency_error_with_uvs_output(
        tmp_path: Path, uv_env: str) -> None:
    files, req, wheels = _project(tmp_path, "purepkg==1.0\nnot-in-the-wheelhouse==2.0\n")
    with pytest.raises(DependencyError) as caught:
        _build(files, req, wheels, tmp_path / "cache")
    assert not isinstance(caught.value, CodeDeployUnsupported)
    assert "not-in-the-wheelhouse" in caught.value.message
    assert "failed (exit" in caught.value.message


def test_uv_not_found_is_a_dependency_error(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    files, req, wheels = _project(tmp_path, "purepkg==1.0\n")
    monkeypatch.delenv("UV", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    with pytest.raises(DependencyError, match="uv not found"):
        _build(files, req, wheels, tmp_path / "cache")


def test_the_entry_point_must_be_staged(tmp_path: Path) -> None:
    files, req, wheels = _project(tmp_path, "purepkg==1.0\n")
    del files[ENTRY]
    with pytest.raises(FileError, match="entry point"):
        _build(files, req, wheels, tmp_path / "cache")


def test_a_missing_requirements_file_is_a_file_error(tmp_path: Path) -> None:
    files, req, wheels = _project(tmp_path, "purepkg==1.0\n")
    req.unlink()
    with pytest.raises(FileError, match="requirements"):
        _build(files, req, wheels, tmp_path / "cache")


def test_a_refused_runtime_is_never_built(tmp_path: Path) -> None:
    files, req, wheels = _project(tmp_path, "purepkg==1.0\n")
    for runtime in ("PYTHON_3_10", "PYTHON_3_11", "NODE_22"):
        with pytest.raises(CodeDeployUnsupported, match="not a runtime AgentCore accepts"):
            build_code_package(files, req, ENTRY, runtime, tmp_path / "cache",
                               find_links=wheels, offline=True)


# --- size limits -------------------------------------------------------------------------

def test_size_limits() -> None:
    check_size(ZIP_LIMIT, UNZIPPED_LIMIT)  # at the limit is allowed
    check_size(None, UNZIPPED_LIMIT)
    with pytest.raises(CodeDeployUnsupported) as caught:
        check_size(262 * 10**6, 400 * 10**6)
    assert caught.value.reason == ("zip is 262.0 MB, over AgentCore's 250.0 MB limit for a "
                                   "code deployment")
    with pytest.raises(CodeDeployUnsupported, match=r"800\.0 MB unzipped, over .*750\.0 MB"):
        check_size(100, 800 * 10**6)
    with pytest.raises(CodeDeployUnsupported, match="unzipped"):
        check_size(None, UNZIPPED_LIMIT + 1)


def test_a_package_over_a_limit_is_refused_and_not_kept(
        tmp_path: Path, uv_env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    files, req, wheels = _project(tmp_path, "purepkg==1.0\n")
    cache = tmp_path / "cache"
    monkeypatch.setattr(code_package, "ZIP_LIMIT", 100)
    with pytest.raises(CodeDeployUnsupported, match="over AgentCore's 0.0 MB limit"):
        _build(files, req, wheels, cache)
    assert list(cache.glob("*.zip")) == [] and list(cache.glob(".code-*")) == []
    # The dependencies stay cached: raising the limit needs no new install.
    monkeypatch.setattr(code_package, "ZIP_LIMIT", ZIP_LIMIT)
    monkeypatch.setattr(code_package, "UNZIPPED_LIMIT", 10)
    monkeypatch.setenv("UV", str(tmp_path / "no-such-uv"))
    with pytest.raises(CodeDeployUnsupported, match="unzipped"):
        _build(files, req, wheels, cache)
    assert list(cache.glob("*.zip")) == []


# --- runtimes ----------------------------------------------------------------------------

@pytest.mark.parametrize(("requires", "runtime"), [
    (None, "PYTHON_3_12"),
    ("", "PYTHON_3_12"),
    (">=3.11", "PYTHON_3_14"),
    (">=3.10,<3.14", "PYTHON_3_13"),
    (">=3.11,<3.13", "PYTHON_3_12"),
    ("==3.12.*", "PYTHON_3_12"),
    ("~=3.12.0", "PYTHON_3_12"),
    (">=3.12.4,<3.13", "PYTHON_3_12"),  # the managed runtime is on 3.12's newest patch
    ("!=3.14.*,>=3.12", "PYTHON_3_13"),
])
def test_python_runtime_for(requires: str | None, runtime: str) -> None:
    assert python_runtime_for(requires) == runtime


@pytest.mark.parametrize("requires", ["<3.12", "==3.11.*", ">=3.15", "<3.10"])
def test_python_runtime_for_refuses_what_no_runtime_fits(requires: str) -> None:
    with pytest.raises(CodeDeployUnsupported, match="allows none of AgentCore's code runtimes"):
        python_runtime_for(requires)


def test_python_runtime_for_an_invalid_specifier_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="not a valid version specifier"):
        python_runtime_for("python3 please")


def test_the_allowed_runtimes_are_in_the_service_model() -> None:
    from aibox_ops.aws.validate import load_service_model

    enum = load_service_model("bedrock-agentcore-control")["shapes"][
        "AgentManagedRuntimeType"]["enum"]
    assert set(ALLOWED_RUNTIMES) <= set(enum)
    assert not {"PYTHON_3_10", "PYTHON_3_11"} & set(ALLOWED_RUNTIMES)


# --- the request -------------------------------------------------------------------------

def _package(runtime: str = "PYTHON_3_13") -> CodePackage:
    return CodePackage(Path("/tmp/code.zip"), "0" * 64, 10, 20, runtime, [ENTRY], "k" * 20, 3)


def _update_request(artifact: dict) -> dict:
    return {"agentRuntimeId": "my_aibox_agent-AbCdEf1234", "agentRuntimeArtifact": artifact,
            "roleArn": "arn:aws:iam::123456789012:role/AgentRuntimeRole",
            "networkConfiguration": {"networkMode": "PUBLIC"}}


BUCKET = "bedrock-agentcore-code-123456789012-ap-southeast-1"


def test_code_artifact() -> None:
    artifact = code_artifact(BUCKET, "my_aibox_agent/code-abc.zip", _package())
    assert artifact == {"codeConfiguration": {
        "code": {"s3": {"bucket": BUCKET, "prefix": "my_aibox_agent/code-abc.zip"}},
        "runtime": "PYTHON_3_13", "entryPoint": [ENTRY]}}
    # The model's every rule, by aibox-ops' own walker (no botocore import: fast).
    check_request("bedrock-agentcore-control", "UpdateAgentRuntime", _update_request(artifact),
                  thorough=False)


@pytest.mark.slow  # botocore's import and model parse: ~0.6 s in a fresh process
def test_code_artifact_passes_botocores_validator() -> None:
    artifact = code_artifact(BUCKET, "my_aibox_agent/code-abc.zip", _package())
    check_request("bedrock-agentcore-control", "UpdateAgentRuntime", _update_request(artifact))


def test_the_model_check_would_catch_a_bad_artifact() -> None:
    # The checks above prove something: a bad bucket name, runtime or entry point is refused.
    artifact = code_artifact("Bad_Bucket", "k", _package("PYTHON_3_9"))
    artifact["codeConfiguration"]["entryPoint"] = []
    problems = validate_request("bedrock-agentcore-control", "UpdateAgentRuntime",
                                _update_request(artifact), thorough=False)
    assert any("bucket" in p for p in problems)
    assert any("PYTHON_3_9" in p for p in problems)
    assert any("entryPoint" in p for p in problems)


# --- uv's messages -----------------------------------------------------------------------

@pytest.mark.parametrize(("output", "package"), [
    ("  × No solution found when resolving dependencies:\n  ╰─▶ Because sdonly==1.0 has no "
     "usable wheels and you require sdonly==1.0, we can conclude ...", "sdonly==1.0"),
    ("  ╰─▶ Because pydantic-core==2.33.2 has no wheels with a matching platform tag (e.g., "
     "`manylinux_2_17_aarch64`) and you require pydantic-core==2.33.2, ...",
     "pydantic-core==2.33.2"),
    ("  ╰─▶ Because all versions of foo-bar have no wheels with a matching Python ABI tag "
     "(e.g., `cp312`) and you require foo-bar, ...", "foo-bar"),
    ("hint: Wheels are required for `lxml` because building from source is disabled", "lxml"),
    ("  ╰─▶ Because missing was not found in the package registry and you require missing",
     None),
])
def test_no_wheel_package(output: str, package: str | None) -> None:
    assert no_wheel_package(output) == package


# --- the real thing ---------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.pip_build
def test_the_bundled_agent_packages_under_the_limit(tmp_path: Path, uv_env: str,
                                                    capsys: pytest.CaptureFixture) -> None:
    """The real requirements against the real registry (network): minutes the first time."""
    files = {str(p.relative_to(REPO)): p for p in sorted((REPO / "agent").rglob("*.py"))
             if "__pycache__" not in p.parts}
    files["requirements-agentcore.txt"] = REPO / "requirements-agentcore.txt"
    notes: list[str] = []
    started = time.monotonic()
    from aibox_ops.config.model import Settings

    version = Settings.__dataclass_fields__["otel_distro_version"].default
    distro = f"aws-opentelemetry-distro=={version}"
    # As deploy builds it: the requirements, then the distro the image installs after them
    # (their opentelemetry/wrapt pins conflict: one resolution of both would fail).
    package = build_code_package(files, REPO / "requirements-agentcore.txt", ENTRY,
                                 "PYTHON_3_12", tmp_path / "cache", notes.append,
                                 then=(distro,))
    seconds = time.monotonic() - started
    with capsys.disabled():
        print(f"\ncode package: {package.zipped_bytes:,} bytes zipped, "
              f"{package.unzipped_bytes:,} unzipped, {package.files:,} files, "
              f"{package.python_runtime}, {seconds:.1f} s\n  " + "\n  ".join(notes))
    assert package.zipped_bytes < ZIP_LIMIT and package.unzipped_bytes < UNZIPPED_LIMIT
    with zipfile.ZipFile(package.path) as archive:
        names = archive.namelist()
    assert ENTRY in names
    assert any(n.startswith("strands/") for n in names)
    assert any(n.startswith("bedrock_agentcore/") for n in names)
    assert any(n.startswith("opentelemetry/instrumentation/") for n in names)
    native = [n for n in names if n.endswith(".so")]
    assert native and not [n for n in native if "x86_64" in n]
    assert any("aarch64" in n for n in native)
    shutil.rmtree(tmp_path / "cache", ignore_errors=True)


def test_then_installs_after_the_requirements_and_wins_like_the_image(tmp_path: Path,
                                                                       uv_env: str) -> None:
    """The image runs two pip installs (requirements, then the OpenTelemetry distro); a
    distro pinning another version of a requirement's package replaces it there. One
    resolution of both would fail instead: the package installs them in the same order."""
    files, req, wheels = _project(tmp_path, "purepkg==1.0\n")
    make_wheel(wheels, "purepkg", "2.0")
    make_wheel(wheels, "distro", "1.0", requires=["purepkg==2.0"])
    package = build_code_package(files, req, ENTRY, "PYTHON_3_12", tmp_path / "cache",
                                 find_links=wheels, offline=True, then=("distro==1.0",))
    with zipfile.ZipFile(package.path) as archive:
        names = set(archive.namelist())
    assert {"distro/__init__.py", "purepkg-2.0.dist-info/METADATA"} <= names
    assert "purepkg-1.0.dist-info/METADATA" not in names
    assert package.dependencies_key == dependencies_key(req.read_text(), "3.12",
                                                        then=("distro==1.0",))
    assert not [p for p in (tmp_path / "cache").iterdir() if p.name.endswith("-then.txt")]
