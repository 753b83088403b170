"""Staging the guide's project (root-level entry point beside ``genai/``): exactly the image's
file set, whatever else the project folder holds (a virtual environment, .git, aibox-ops's
own backups and earlier staging, a symbolic link to a secret outside the project)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from aibox_ops.config import load_settings
from aibox_ops.deploy.context import (
    apply_build_context,
    build_dir,
    capped,
    plan_build_context,
)
from aibox_ops.deploy.fingerprints import doctor_inputs_key, requirements_inputs_key
from aibox_ops.errors import FileError
from aibox_ops.render import apply_render, plan_render
from aibox_ops.render.context import image_files
from tests.guide_project import AGENT, make_guide_project
from tests.test_requirements_env import fake_dist

IMAGE_CODE = {"agentcore_app.py", "genai/__init__.py", "genai/agents/__init__.py",
              "genai/agents/provider.py", "genai/agents/prompts.py"}
TOOL_TABLE = """
[tool.aibox-ops]
agent_name = "my_aibox_agent"
entrypoint = "agentcore_app.py"
packages = ["genai"]
dependency_source = "requirements"
region = "ap-southeast-1"
"""


@pytest.fixture
def guide(tmp_path: Path) -> Path:
    """The guide's project with everything a real one accumulates around the code."""
    root = make_guide_project(tmp_path / "proj")
    with (root / "pyproject.toml").open("a") as fh:
        fh.write(TOOL_TABLE)
    (root / "requirements-agentcore.txt").write_text(
        "bedrock-agentcore==1.25.0\nstrands-agents==1.62.0\nboto3==1.40.0\n")
    site = root / ".venv/lib/python3.12/site-packages"
    for dist, version, module in (("bedrock-agentcore", "1.25.0", "bedrock_agentcore"),
                                  ("strands-agents", "1.62.0", "strands"),
                                  ("boto3", "1.40.0", "boto3")):
        fake_dist(site, dist, version, module)
    extra = {
        ".venv/bin/python": "",
        ".git/config": "[core]\n",
        ".git/objects/ab/cdef": "blob",
        ".aibox-ops/backups/20260101/pyproject.toml": "old\n",
        f".aibox-ops/build/{AGENT}@ap-southeast-1/context/agentcore_app.py": "stale\n",
        f".aibox-ops/build/{AGENT}@ap-southeast-1/context/.venv/x.py": "stale\n",
        "env2/pyvenv.cfg": "home = /usr/bin\n",  # a virtual environment by another name
        "env2/lib/site.py": "",
    }
    for rel, text in extra.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (tmp_path / ".env").write_text("OPENAI_API_KEY=sk-outside-the-project\n")
    os.symlink("../../.env", root / "genai" / "settings.txt")  # -> tmp_path/.env
    os.symlink("../.aibox-ops", root / "genai" / "state")  # into aibox-ops's own state
    os.symlink("agents/prompts.py", root / "genai" / "alias.py")  # inside: followed
    os.symlink(".", root / "genai" / "loop")  # a loop: walked once
    return root


def test_guide_stage_holds_exactly_the_image_files(guide: Path) -> None:
    settings = load_settings(guide, environ={})
    context = plan_build_context(settings)
    expected = IMAGE_CODE | {"genai/alias.py", "requirements-agentcore.txt", "Dockerfile"}
    assert set(context.files) == expected
    assert context.files["genai/alias.py"] == (guide / "genai/agents/prompts.py").resolve()
    assert context.links_out == ["genai/settings.txt", "genai/state"]
    assert any("genai/settings.txt" in w for w in context.warnings())
    assert "genai/tests/" in context.excluded and "genai/logs/" in context.excluded

    staged = apply_build_context(settings, context)
    on_disk = {p.relative_to(staged).as_posix() for p in staged.rglob("*") if p.is_file()}
    assert on_disk == expected
    assert not any(p.is_symlink() for p in staged.rglob("*"))
    assert "sk-outside" not in "".join(p.read_text() for p in staged.rglob("*") if p.is_file())
    assert staged == build_dir(settings) / "context"

    # Staging again (the earlier staging now inside .aibox-ops) changes nothing: no nesting.
    again = plan_build_context(settings)
    assert set(again.files) == expected and again.content_hash == context.content_hash


def test_guide_with_the_rendered_dockerignore_is_not_refused(guide: Path) -> None:
    """The rendered .bedrock_agentcore.yaml and .dockerignore never enter the context."""
    settings = load_settings(guide, environ={})
    apply_render(guide, plan_render(settings), force=True)
    assert (guide / ".dockerignore").read_text().startswith("#")
    context = plan_build_context(settings)
    assert set(context.files) == IMAGE_CODE | {"genai/alias.py", "requirements-agentcore.txt",
                                               "Dockerfile"}


def test_whole_project_image_leaves_out_venv_git_and_state(guide: Path,
                                                           monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    """A ``COPY . .`` image (the project folder itself as the image path) still never
    takes the virtual environments, .git, aibox-ops's state or the toolkit's files."""
    from aibox_ops.render import context as image

    settings = load_settings(guide, environ={})
    monkeypatch.setattr(image, "image_paths", lambda _settings: ["."])
    files = image_files(settings)
    assert not [f for f in files.files if f.startswith((".venv", ".git", ".aibox-ops", "env2",
                                                        ".bedrock_agentcore", ".dockerignore"))]
    assert {"agentcore_app.py", "pyproject.toml", "docs/index.md"} <= set(files.files)
    assert {".venv/", ".git/", ".aibox-ops/", "env2/", ".bedrock_agentcore.yaml"} <= \
        set(files.left_out)
    assert files.links_out == ["genai/settings.txt", "genai/state"]


def test_fifo_is_not_read(guide: Path) -> None:
    settings = load_settings(guide, environ={})
    os.mkfifo(guide / "genai" / "pipe.py")
    context = plan_build_context(settings)  # returns: the FIFO is never opened
    assert context.not_files == ["genai/pipe.py"]
    assert "genai/pipe.py" not in context.files


def test_fingerprints_read_only_the_image_files(guide: Path) -> None:
    settings = load_settings(guide, environ={})
    keys = doctor_inputs_key(settings), requirements_inputs_key(settings)
    (guide / ".venv/lib/python3.12/site-packages/strands/x.py").write_text("")
    (guide / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    assert (doctor_inputs_key(settings), requirements_inputs_key(settings)) == keys
    (guide / "genai" / "agents" / "provider.py").write_text("import json\n")
    assert doctor_inputs_key(settings) != keys[0]
    assert requirements_inputs_key(settings) != keys[1]


def test_the_upload_is_the_staged_context_whole_and_byte_stable(tmp_path: Path) -> None:
    """No second filter: what the toolkit's own ignore list dropped (``build/`` folders,
    ``*.log``) is uploaded when the image has it, and the same files give the same zip."""
    import zipfile

    from aibox_ops.deploy.engine.source import zip_files

    (tmp_path / "x").write_text("x = 1\n")
    files = {f"agent/build/m{i:02}.py": tmp_path / "x" for i in range(45)}
    files["agent/run.log"] = tmp_path / "x"
    first = zip_files(files, tmp_path / "a.zip").read_bytes()
    assert zip_files(files, tmp_path / "b.zip").read_bytes() == first
    assert set(zipfile.ZipFile(tmp_path / "a.zip").namelist()) == set(files)
    assert capped(["a", "b"]) == "a, b"
    assert capped([str(i) for i in range(45)]).endswith("19 and 25 more")


@pytest.mark.slow
def test_guide_project_deploys_with_only_the_image_files_uploaded(guide, aws, agentcore_moto,
                                                                  health_peer):
    """The whole pipeline on the guide's layout (moto): it deploys, and the
    uploaded source.zip holds the image's files only (nothing of .venv, .git, .aibox-ops,
    no secret reached through the link), also on the redeploy after an earlier staging."""
    import io
    import json
    import zipfile

    from aibox_ops.aws import open_session
    from aibox_ops.deploy import DeployOptions, run_deploy
    from tests.guide_project import CODEBUILD_ROLE, ROLE_ARN

    for arn, service in ((ROLE_ARN, "bedrock-agentcore"), (CODEBUILD_ROLE, "codebuild")):
        trust = {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": f"{service}.amazonaws.com"},
            "Action": "sts:AssumeRole"}]}  # the roles the YAML records exist
        aws.client("iam").create_role(RoleName=arn.rsplit("/", 1)[1],
                                      AssumeRolePolicyDocument=json.dumps(trust))
    settings = load_settings(guide, environ={})
    apply_render(guide, plan_render(settings), force=True)
    options = DeployOptions(timeout=5, poll=0.05, no_warm=True, no_iam=True)
    report = run_deploy(open_session(settings.region), settings, options)
    assert report.action == "create", report
    assert any("genai/settings.txt" in w for w in report.warnings)
    body = aws.client("s3").get_object(
        Bucket=f"bedrock-agentcore-codebuild-sources-123456789012-{settings.region}",
        Key=f"{AGENT}/source.zip")["Body"].read()
    archive = zipfile.ZipFile(io.BytesIO(body))
    assert set(archive.namelist()) == IMAGE_CODE | {"genai/alias.py", "Dockerfile",
                                                    "requirements-agentcore.txt"}
    assert b"sk-outside" not in b"".join(archive.read(n) for n in archive.namelist())

    (guide / "genai" / "agents" / "extra.py").write_text("X = 1\n")
    again = run_deploy(open_session(settings.region), settings, options)
    assert again.action == "build"
    staged = build_dir(settings) / "context"
    assert not (staged / ".aibox-ops").exists() and (staged / "genai/agents/extra.py").is_file()


def test_a_requirements_file_linked_out_of_the_project_is_refused(guide: Path) -> None:
    outside = guide.parent / "shared-requirements.txt"
    outside.write_text("boto3==1.40.0\n")
    (guide / "requirements-agentcore.txt").unlink()
    (guide / "requirements-agentcore.txt").symlink_to(outside)
    with pytest.raises(FileError) as caught:
        plan_build_context(load_settings(guide, environ={}))
    assert "requirements-agentcore.txt: is a symbolic link out of the project" in \
        caught.value.message
