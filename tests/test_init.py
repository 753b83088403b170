"""init: adopt a guide-like project through the CLI, and start one from the bundled agent."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from guide_project import (
    AGENT,
    AGENT_ARN,
    AGENT_ID,
    CODEBUILD,
    DOCKERFILE,
    ECR,
    ROLE_ARN,
    make_guide_project,
    toolkit_yaml,
)
from helpers import REPO, invoke, json_out

from aibox_ops.config import load_settings
from aibox_ops.deploy_state import load_deploy_state
from aibox_ops.render.context import build_context_paths, context_files, image_paths

DOCKERFILE_PATH = f".bedrock_agentcore/{AGENT}/Dockerfile"
IMAGE_CODE = {"agentcore_app.py", "genai/__init__.py", "genai/agents/__init__.py",
              "genai/agents/provider.py", "genai/agents/prompts.py"}


def docker_context(root: Path) -> set[str]:
    """Files a Docker build would send, by .dockerignore's rules: patterns in order, the
    last match wins, a pattern matching a folder matches what is inside it."""
    rules = []
    for line in (root / ".dockerignore").read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        negate = line.startswith("!")
        pattern = line[1:] if negate else line
        regex = re.escape(pattern).replace(r"\*\*/", "(.*/)?").replace(r"\*\*", ".*")
        regex = regex.replace(r"\*", "[^/]*").replace(r"\?", "[^/]")
        rules.append((re.compile(regex + r"\Z"), negate))
    sent = set()
    for path in root.rglob("*"):
        if not path.is_file():
            continue
        rel = path.relative_to(root).as_posix()
        parts = rel.split("/")
        prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
        excluded = False
        for regex, negate in rules:
            if any(regex.match(prefix) for prefix in prefixes):
                excluded = not negate
        if not excluded:
            sent.add(rel)
    return sent


def adopt(root: Path, *args: str):
    result = invoke("--json", "init", "--yes", *args, project=root)
    assert result.exit_code == 0, result.stdout + result.stderr
    return json_out(result)


@pytest.fixture
def guide(tmp_path) -> Path:
    return make_guide_project(tmp_path / "my-aibox")


def test_adopts_the_guide_project(guide):
    out = adopt(guide)
    assert out["ok"] and out["command"] == "init" and out["changed"]
    tool = tomllib.loads((guide / "pyproject.toml").read_text())["tool"]["aibox-ops"]
    assert tool == {
        "agent_name": AGENT, "entrypoint": "agentcore_app.py", "packages": ["genai"],
        "region": "ap-southeast-1", "bedrock_region": "us-west-2",
        "dependency_source": "project", "memory_mode": "NO_MEMORY", "agent_defaults": False,
        "python_version": "3.12", "otel_distro_version": "0.12.2",
        "environment": {"PYTHONUNBUFFERED": "1", "SETTING_TABLE": "prod_aibox_setting",
                        "SESSION_TABLE": "aibox_session", "GEMINI_SECRET_ID": "dev_gemini_api",
                        "OPENAI_SECRET_ID": "dev_openai_api"}}
    text = (guide / "pyproject.toml").read_text()
    # The user's file is edited in place: comments and the setuptools table are kept, and
    # each value says where it came from.
    assert text.startswith("# My AIBOX service")
    assert '"bedrock-agentcore==1.25.0",  # AgentCore runtime app' in text
    assert "[tool.setuptools.packages.find]" in text
    assert 'region = "ap-southeast-1" # from .bedrock_agentcore.yaml (aws.region)' in text
    found = {f["key"]: f["source"] for f in out["detected"]["found"]}
    assert found["packages"] == "imports of agentcore_app.py (transitively)"
    assert found["environment.SETTING_TABLE"] == f"{DOCKERFILE_PATH} (ENV)"
    assert out["detected"]["questions"] == []


def test_adoption_keeps_the_users_files_as_backups(guide):
    yaml_before = (guide / ".bedrock_agentcore.yaml").read_text()
    pyproject_before = (guide / "pyproject.toml").read_text()
    out = adopt(guide)
    backups = sorted((guide / ".aibox-ops" / "backups").glob("init-*"))
    assert len(backups) == 1
    folder = backups[0]
    assert (folder / DOCKERFILE_PATH).read_text() == DOCKERFILE
    assert (folder / ".bedrock_agentcore.yaml").read_text() == yaml_before
    assert (folder / ".dockerignore").read_text() == ".env\n.venv\n"
    assert (folder / "pyproject.toml").read_text() == pyproject_before
    assert "[tool.aibox-ops]" in (guide / "pyproject.toml").read_text()
    written = out["written"]
    assert written.index(f"{folder.relative_to(guide)}/pyproject.toml") < written.index(
        "pyproject.toml")
    # Backups are written before the files they protect are replaced.
    assert written.index(f"{folder.relative_to(guide)}/{DOCKERFILE_PATH}") < written.index(
        DOCKERFILE_PATH)


def test_adopted_dockerfile_copies_exactly_what_the_entry_point_needs(guide):
    adopt(guide)
    dockerfile = (guide / DOCKERFILE_PATH).read_text()
    copies = [line for line in dockerfile.splitlines() if line.startswith("COPY")]
    assert copies == [
        "COPY requirements-agentcore.txt requirements.txt",
        "COPY --chown=bedrock_agentcore:bedrock_agentcore agentcore_app.py /app/agentcore_app.py",
        "COPY --chown=bedrock_agentcore:bedrock_agentcore genai/ /app/genai/",
    ]
    assert 'SETTING_TABLE="prod_aibox_setting"' in dockerfile
    assert dockerfile.rstrip().endswith('"python", "-m", "agentcore_app"]')
    # The build context the .dockerignore lets through is the same list the deploy stages:
    # no tests, docs, .env, virtual environment, scripts or backups.
    assert docker_context(guide) == IMAGE_CODE | {"requirements-agentcore.txt"}
    settings = load_settings(guide, environ={})
    assert image_paths(settings) == ["agentcore_app.py", "genai"]
    assert build_context_paths(settings) == ["requirements-agentcore.txt", "agentcore_app.py",
                                             "genai"]
    assert context_files(settings) == sorted(IMAGE_CODE | {"requirements-agentcore.txt"})
    hadolint = shutil.which("hadolint", path=str(Path(sys.executable).parent)) \
        or shutil.which("hadolint")
    proc = subprocess.run([hadolint, "--no-color", str(guide / DOCKERFILE_PATH)],
                          capture_output=True, text=True, timeout=60)
    assert (proc.returncode, proc.stdout) == (0, ""), proc.stdout + proc.stderr


def test_adopted_yaml_keeps_the_deploy_state_for_the_toolkit(guide, aws):
    from bedrock_agentcore_starter_toolkit.utils.runtime.config import load_config

    adopt(guide)
    agent = load_config(guide / ".bedrock_agentcore.yaml").get_agent_config()
    assert agent.name == AGENT and agent.entrypoint == "agentcore_app.py"
    assert agent.source_path == "."
    assert agent.bedrock_agentcore.agent_id == AGENT_ID
    assert agent.bedrock_agentcore.agent_arn == AGENT_ARN
    assert agent.aws.execution_role == ROLE_ARN and agent.aws.ecr_repository == ECR
    assert agent.codebuild.project_name == CODEBUILD
    state = load_deploy_state(load_settings(guide, environ={}))
    assert state.deployed and state.agent_id == AGENT_ID and state.account == "123456789012"


@pytest.mark.slow  # 0.6 s or more: kept out of the everyday suite
def test_after_adoption_checks_are_green_and_a_second_init_changes_nothing(guide):
    adopt(guide)
    before = {p: p.read_bytes() for p in guide.rglob("*") if p.is_file()}
    for command in ("render", "sync-requirements"):
        result = invoke(command, "--check", project=guide)
        assert result.exit_code == 0, command + result.stdout + result.stderr
    again = adopt(guide)
    assert again["changed"] is False and again["written"] == []
    assert {item["status"] for item in again["items"]} == {"unchanged"}
    assert {p: p.read_bytes() for p in guide.rglob("*") if p.is_file()} == before


def test_dry_run_writes_nothing_and_shows_the_plan(guide):
    before = {p: p.read_bytes() for p in guide.rglob("*") if p.is_file()}
    result = invoke("--json", "init", "--dry-run", project=guide)
    assert result.exit_code == 0, result.stderr
    out = json_out(result)
    assert out["mode"] == "dry-run" and out["written"] == []
    statuses = {item["target"]: item["status"] for item in out["items"]}
    assert statuses["pyproject.toml"] == "update"
    assert statuses[DOCKERFILE_PATH] == "update"
    assert any(t.endswith("/" + DOCKERFILE_PATH) for t in statuses)  # its backup
    assert {p: p.read_bytes() for p in guide.rglob("*") if p.is_file()} == before


def test_without_yes_and_without_a_terminal_init_refuses(guide):
    before = (guide / "pyproject.toml").read_text()
    result = invoke("init", project=guide)
    assert result.exit_code == 7
    assert "--yes" in result.stderr
    assert (guide / "pyproject.toml").read_text() == before


@pytest.mark.slow  # 0.6 s or more: kept out of the everyday suite
def test_what_cannot_be_found_is_asked_or_left_at_its_default(tmp_path):
    root = make_guide_project(tmp_path / "p")
    (root / ".bedrock_agentcore.yaml").unlink()
    shutil.rmtree(root / ".bedrock_agentcore")
    result = invoke("--json", "init", "--dry-run", project=root)
    out = json_out(result)
    assert {q["key"] for q in out["detected"]["questions"]} == {"agent_name", "region"}
    assert any("agent_name: not found; left at the default 'my_aibox_agent'" in w
               for w in out["warnings"])
    refused = invoke("init", project=root)  # no terminal to ask on, no --yes
    assert refused.exit_code == 7 and "agent_name, region" in refused.stderr
    out = adopt(root, "--region", "eu-west-1")
    tool = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["aibox-ops"]
    assert tool["region"] == "eu-west-1" and "agent_name" not in tool
    assert load_settings(root, environ={}).agent_name == "my_aibox_agent"
    # Nothing deployed yet: a new project deploys as code (docs/benchmarks.md); the guide's
    # deployed project keeps its container (test_adopts_the_guide_project).
    assert tool["deployment_type"] == "code"


def test_two_entry_points_are_a_question_not_a_guess(tmp_path):
    root = make_guide_project(tmp_path / "p")
    (root / ".bedrock_agentcore.yaml").write_text(
        toolkit_yaml(root).replace(str(root / "agentcore_app.py"), "elsewhere.py"))
    (root / "other").mkdir()
    (root / "other" / "app.py").write_text((root / "agentcore_app.py").read_text())
    out = json_out(invoke("--json", "init", "--dry-run", project=root))
    question = next(q for q in out["detected"]["questions"] if q["key"] == "entrypoint")
    assert question["choices"] == ["agentcore_app.py", "other/app.py"]


def test_a_project_without_an_entry_point_is_a_config_error(tmp_path):
    root = tmp_path / "p"
    root.mkdir()
    (root / "pyproject.toml").write_text('[project]\nname = "x"\nversion = "0"\n')
    (root / "main.py").write_text("print('hello')\n")
    result = invoke("init", "--yes", project=root)
    assert result.exit_code == 3
    assert "no entry point found" in result.stderr and "--from-bundled" in result.stderr
    assert "[tool.aibox-ops]" not in (root / "pyproject.toml").read_text()


@pytest.mark.slow  # 0.6 s or more: kept out of the everyday suite
def test_from_bundled_creates_a_project_that_renders_clean(tmp_path):
    folder = tmp_path / "new"
    folder.mkdir()
    out = adopt(folder, "--from-bundled", "demo-box")
    assert "pyproject.toml" in out["written"] and "README.md" in out["written"]
    data = tomllib.loads((folder / "pyproject.toml").read_text())
    assert data["project"]["name"] == "demo-box"
    assert data["tool"]["aibox-ops"]["agent_name"] == "demo_box"
    bundled = {p.relative_to(REPO / "agent").as_posix()
               for p in (REPO / "agent").rglob("*")
               if p.is_file() and "__pycache__" not in p.parts}
    created = {p.relative_to(folder / "agent").as_posix()
               for p in (folder / "agent").rglob("*") if p.is_file()}
    assert created == bundled
    for rel in bundled:
        assert (folder / "agent" / rel).read_bytes() == (REPO / "agent" / rel).read_bytes()
    for command in ("render", "sync-requirements"):
        result = invoke(command, "--check", project=folder)
        assert result.exit_code == 0, command + result.stdout + result.stderr
    assert docker_context(folder) >= {"agent/agentcore_app.py", "requirements-agentcore.txt"}
    assert not any(p.startswith(("README", "pyproject")) for p in docker_context(folder))


def test_from_bundled_refuses_a_folder_that_is_not_empty(tmp_path):
    (tmp_path / "notes.txt").write_text("mine\n")
    result = invoke("init", "--yes", "--from-bundled", "demo", project=tmp_path)
    assert result.exit_code == 3 and "is not empty (notes.txt)" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_bundled_dependencies_match_the_agent_group_the_suite_runs_with():
    from aibox_ops.init.bundled import AGENT_DEPENDENCIES

    group = tomllib.loads((REPO / "pyproject.toml").read_text())["dependency-groups"]["agent"]
    assert list(AGENT_DEPENDENCIES) == group


def test_two_entry_points_with_yes_is_a_config_error(tmp_path):
    root = make_guide_project(tmp_path / "p")
    (root / ".bedrock_agentcore.yaml").unlink()
    (root / "other").mkdir()
    (root / "other" / "app.py").write_text((root / "agentcore_app.py").read_text())
    result = invoke("init", "--yes", project=root)
    assert result.exit_code == 3 and "several entry points" in result.stderr


@pytest.mark.slow  # ~1 s or more: `-m slow` (CI runs it)
def test_doctor_finds_nothing_left_that_init_fixes(guide):
    """Runs once doctor (issue 9) is merged: its offline checks on the adopted project."""
    pytest.importorskip("aibox_ops.doctor")
    before = json_out(invoke("--json", "doctor", "--offline", project=guide))
    checks = {c["id"]: c for c in before["checks"]}
    failing = {i for i, c in checks.items() if c["status"] == "fail"}
    # Before init the settings are detected: the one failure is real (the guide's
    # .dockerignore lets genai/.env.local into the image its `COPY . .` builds).
    assert failing == {"secrets-in-image"}, checks
    assert "genai/.env.local" in checks["secrets-in-image"]["evidence"][0]
    assert checks["config"]["status"] == "pass"
    adopt(guide)
    result = invoke("--json", "doctor", "--offline", project=guide)
    checks = {c["id"]: c["status"] for c in json_out(result)["checks"]}
    assert result.exit_code == 0, result.stdout
    assert [i for i, status in checks.items() if status == "fail"] == []
    for fixed in ("config", "missing-requirement", "secrets-in-image", "render-drift",
                  "env-drift", "requirements-drift"):
        assert checks[fixed] == "pass", (fixed, checks)


@pytest.mark.slow  # 0.6 s or more: kept out of the everyday suite
def test_a_root_dockerfile_is_backed_up_and_removed(guide):
    """The toolkit zips the project for CodeBuild and builds a root Dockerfile first: left in
    place, the user's would be built instead of the rendered one."""
    (guide / "Dockerfile").write_text(DOCKERFILE)
    out = adopt(guide)
    assert "Dockerfile" in out["written"]
    item = next(i for i in out["items"] if i["target"] == "Dockerfile")
    assert item["status"] == "delete" and "shadow" in item["reason"]
    assert not (guide / "Dockerfile").exists()
    (backup,) = (guide / ".aibox-ops" / "backups").glob("init-*/Dockerfile")
    assert backup.read_text() == DOCKERFILE
    assert adopt(guide)["written"] == []


@pytest.mark.slow  # 0.6 s or more: kept out of the everyday suite
def test_at_a_terminal_init_asks_then_confirms(tmp_path, monkeypatch):
    import typer.testing
    from typer.testing import CliRunner

    root = make_guide_project(tmp_path / "p")
    (root / ".bedrock_agentcore.yaml").unlink()  # no agent name; the region is in the ENV
    # CliRunner's stdin stands in for a terminal.
    monkeypatch.setattr(typer.testing._NamedTextIOWrapper, "isatty", lambda self: True,
                        raising=False)

    from aibox_ops.cli.main import app

    declined = CliRunner().invoke(app, ["-C", str(root), "init"],
                                  input="support_bot\nn\n")
    assert declined.exit_code == 7, declined.stderr
    assert "Agent name" in declined.stderr and "declined" in declined.stderr
    assert "[tool.aibox-ops]" not in (root / "pyproject.toml").read_text()
    accepted = CliRunner().invoke(app, ["-C", str(root), "init"],
                                  input="support_bot\ny\n")
    assert accepted.exit_code == 0, accepted.stderr
    tool = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["aibox-ops"]
    assert (tool["agent_name"], tool["region"]) == ("support_bot", "ap-southeast-1")
    assert "# from your answer" in (root / "pyproject.toml").read_text()
    assert (root / ".bedrock_agentcore" / "support_bot" / "Dockerfile").is_file()


@pytest.mark.slow  # 0.6 s or more: kept out of the everyday suite
def test_backups_are_kept_out_of_git_but_deploys_json_is_not(guide):
    (guide / ".gitignore").write_text(".venv\n.aibox-ops/\n*.log")
    adopt(guide)
    lines = (guide / ".gitignore").read_text().splitlines()
    assert lines[-2:] == [".aibox-ops/*", "!.aibox-ops/deploys.json"]
    assert lines[0] == ".venv" and "*.log" in lines
    assert ".aibox-ops/" not in lines  # it would keep deploys.json out whatever follows
    assert adopt(guide)["written"] == []
    git = shutil.which("git")
    if git is None:
        pytest.skip("git is not installed: the rules are checked above, not by git")
    subprocess.run([git, "init", "-q", str(guide)], check=True, timeout=30)

    def ignored(rel: str) -> bool:
        return subprocess.run([git, "-C", str(guide), "check-ignore", "-q", rel],
                              timeout=30).returncode == 0

    assert ignored(".aibox-ops/backups/init-x/Dockerfile")
    assert ignored(".aibox-ops/build/a@r/context/agentcore_app.py")
    assert not ignored(".aibox-ops/deploys.json")
