"""Direct code deployment end to end against moto: a zip of the code and its arm64 wheels
(installed by uv from a local wheelhouse, no index), uploaded once per content, the
runtime pointed at it with ``codeConfiguration``; no repository, no CodeBuild. A project
with a dependency that has no wheel falls back to the container image, saying why."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from moto_agentcore import builds

from aibox_ops.aws import open_session
from aibox_ops.config import load_settings
from aibox_ops.deploy import DeployOptions, run_deploy
from tests.helpers import make_project
from tests.wheelhouse import make_sdist, make_wheel, uv_binary

FAST = DeployOptions(timeout=5, poll=0.05, no_warm=True)
TOOL = """
[tool.aibox-ops]
agent_name = "code_agent"
region = "ap-southeast-1"
deployment_type = "code"
dependency_source = "requirements"
"""
APP = """\
import json

from purepkg import __name__ as dependency


class App:
    def run(self) -> None:
        print(json.dumps({"serving": dependency}))


app = App()

if __name__ == "__main__":
    app.run()
"""


@pytest.fixture
def code_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    wheels = tmp_path / "wheels"
    make_wheel(wheels, "purepkg", "1.0")
    make_wheel(wheels, "aws-opentelemetry-distro", "0.12.2")
    make_sdist(wheels, "sdonly", "1.0")
    monkeypatch.setenv("UV", uv_binary())
    monkeypatch.setenv("UV_FIND_LINKS", str(wheels))  # uv's own settings: no index at all
    monkeypatch.setenv("UV_NO_INDEX", "1")
    root = make_project(tmp_path / "proj", tool=TOOL, agent=False)
    (root / "agent").mkdir()
    (root / "agent" / "agentcore_app.py").write_text(APP)
    (root / "agent" / "permissions.json").write_text('{"version": 1, "statements": []}\n')
    (root / "requirements-agentcore.txt").write_text("purepkg==1.0\n")
    return root


def _zip_names(aws, uri: str) -> set[str]:
    bucket, _, key = uri[len("s3://"):].partition("/")
    body = aws.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()
    return set(zipfile.ZipFile(io.BytesIO(body)).namelist())


@pytest.mark.slow
def test_code_deploy_uploads_a_zip_and_falls_back_when_a_wheel_is_missing(
        code_project, aws, agentcore_moto, health_peer):
    settings = load_settings(code_project, environ={})
    first = run_deploy(open_session(settings.region), settings, FAST)
    assert first.action == "create" and first.deployment_type == "code", first.warnings
    assert builds("bedrock-agentcore-code_agent-builder") == 0
    assert aws.client("ecr").describe_repositories()["repositories"] == []
    control = aws.client("bedrock-agentcore-control")
    code = control.get_agent_runtime(agentRuntimeId=first.agent_id)[
        "agentRuntimeArtifact"]["codeConfiguration"]
    assert code["runtime"] == "PYTHON_3_12"
    assert code["entryPoint"] == ["opentelemetry-instrument", "agentcore_app.py"]
    assert first.image_uri == f"s3://{code['code']['s3']['bucket']}/{code['code']['s3']['prefix']}"
    names = _zip_names(aws, first.image_uri)
    assert {"agentcore_app.py", "permissions.json", "purepkg/__init__.py"} <= names
    assert not [n for n in names if n.endswith("Dockerfile") or "requirements" in n]

    again = run_deploy(open_session(settings.region), settings, FAST)
    assert again.action == "unchanged"

    (code_project / "requirements-agentcore.txt").write_text("purepkg==1.0\nsdonly==1.0\n")
    fallback = run_deploy(open_session(settings.region), settings, FAST)
    assert fallback.action == "build" and fallback.deployment_type == "container"
    assert any("deployed as a container instead of code" in w and "sdonly" in w
               for w in fallback.warnings), fallback.warnings
    assert builds("bedrock-agentcore-code_agent-builder") == 1

    from aibox_ops.deploy.destroy import apply_destroy, plan_destroy

    session = open_session(settings.region)
    plan = plan_destroy(session, settings)
    code_zip = first.image_uri
    assert any(i.target == code_zip and i.status == "delete" for i in plan.items)
    apply_destroy(session, settings, plan)
    bucket, _, key = code_zip[len("s3://"):].partition("/")
    listed = aws.client("s3").list_objects_v2(Bucket=bucket, Prefix="code_agent/")
    assert listed.get("KeyCount", 0) == 0  # code zips and the build source, all deleted
    assert control.list_agent_runtimes()["agentRuntimes"] == []


@pytest.mark.slow
def test_switching_the_deployment_type_alone_redeploys_in_the_new_kind(
        code_project, aws, agentcore_moto, health_peer):
    container = {"AIBOX_OPS_DEPLOYMENT_TYPE": "container"}
    settings = load_settings(code_project, environ=container)
    first = run_deploy(open_session(settings.region), settings, FAST)
    assert first.deployment_type == "container"
    settings = load_settings(code_project, environ={})  # the project's own: code
    switched = run_deploy(open_session(settings.region), settings, FAST)
    assert switched.action == "build" and switched.deployment_type == "code"
    assert any("deployment_type is now code" in p.summary or
               "deployment_type is now code" in str(p.plan and p.plan.to_dict())
               for p in switched.phases)
    artifact = aws.client("bedrock-agentcore-control").get_agent_runtime(
        agentRuntimeId=first.agent_id)["agentRuntimeArtifact"]
    assert "codeConfiguration" in artifact
    back = run_deploy(open_session(settings.region),
                      load_settings(code_project, environ=container), FAST)
    assert back.action == "build" and back.deployment_type == "container"
