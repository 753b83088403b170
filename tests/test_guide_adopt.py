"""The guide's project as it is (no [tool.aibox-ops]): settings come from detection, doctor
runs every check without false alarms, offline and against moto, and init writes down what
was detected, the permissions manifest included, without changing the runtime or dropping
data from the image; deploy refuses without that manifest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from guide_project import AGENT, REGION, make_guide_project

from aibox_ops.config import load_settings, setting_origin
from tests.doctor_peer import ControlPlanePeer
from tests.doctor_support import doctor
from tests.helpers import invoke, json_out

TRUST = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "bedrock-agentcore.amazonaws.com"},
    "Action": "sts:AssumeRole"}]}
TABLES = ("prod_aibox_setting", "aibox_session")
SECRETS = ("dev_gemini_api", "dev_openai_api")


@pytest.fixture
def guide(tmp_path) -> Path:
    """The guide's project with its hand-kept requirements file and a .dockerignore that
    keeps every .env file out (the fixture's own lets genai/.env.local in: a real leak)."""
    root = make_guide_project(tmp_path / "my-aibox")
    (root / "requirements-agentcore.txt").write_text(
        "bedrock-agentcore==1.25.0\nstrands-agents==1.62.0\nboto3>=1.35\n")
    (root / ".dockerignore").write_text(".env*\n**/.env*\n.venv\n")
    return root


def test_settings_are_detected_with_their_origins(guide):
    settings = load_settings(guide, environ={})
    assert not settings.adopted and "aibox-ops init" in settings.source
    assert (settings.entrypoint, settings.packages) == ("agentcore_app.py", ["genai"])
    assert (settings.agent_name, settings.region) == (AGENT, REGION)
    assert settings.dependency_source == "project"
    assert settings.table_names == list(TABLES)
    # The image gets the Dockerfile's variables, not the bundled agent's image model.
    assert "IMAGE_MODEL_ID" not in settings.container_env
    assert settings.container_env["SETTING_TABLE"] == "prod_aibox_setting"
    assert setting_origin(settings, "region", environ={}) == \
        "detected from .bedrock_agentcore.yaml (aws.region)"
    assert setting_origin(settings, "entrypoint", environ={}).startswith(
        "detected from .bedrock_agentcore.yaml (entrypoint)")
    assert setting_origin(settings, "environment.SETTING_TABLE", environ={}) == \
        f"detected from .bedrock_agentcore/{AGENT}/Dockerfile (ENV)"


def test_doctor_offline_before_init_has_no_false_alarm(guide):
    code, doc, checks = doctor(guide, "--offline")
    problems = {i: c["message"] for i, c in checks.items() if c["status"] in ("fail", "error")}
    assert problems == {} and code == 0, problems
    assert checks["config"]["status"] == "pass"
    assert "detection" in checks["config"]["message"]
    for check_id in ("render-drift", "requirements-drift"):
        assert checks[check_id]["status"] == "warn", checks[check_id]
        assert "not adopted yet" in checks[check_id]["message"]
        assert "aibox-ops init" in checks[check_id]["fix"]
        assert not checks[check_id]["fixable"]
    assert checks["env-drift"]["status"] == "skip"
    assert "aibox-ops init" in checks["env-drift"]["message"]


def test_secrets_in_image_names_the_env_files_that_exist(tmp_path):
    root = make_guide_project(tmp_path / "p")  # its .dockerignore: ".env" and ".venv"
    _, _, checks = doctor(root, "--offline", "--only", "secrets-in-image")
    evidence = checks["secrets-in-image"]["evidence"]
    assert evidence == [".dockerignore: does not exclude genai/.env.local"]
    assert not any("agent/.env" in line for line in evidence)


def _toolkit_deploy(aws, root: Path) -> str:
    """What `agentcore deploy` leaves: the role and runtime in moto, recorded in the YAML."""
    iam = aws.client("iam")
    role = iam.create_role(RoleName="AmazonBedrockAgentCoreSDKRuntime-guide",
                           AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]
    runtime = aws.client("bedrock-agentcore-control").create_agent_runtime(
        agentRuntimeName=AGENT, roleArn=role["Arn"],
        agentRuntimeArtifact={"containerConfiguration": {
            "containerUri": f"123456789012.dkr.ecr.{REGION}.amazonaws.com/x:latest"}},
        networkConfiguration={"networkMode": "PUBLIC"})
    path = root / ".bedrock_agentcore.yaml"
    data = yaml.safe_load(path.read_text())
    agent = data["agents"][AGENT]
    agent["aws"]["execution_role"] = role["Arn"]
    agent["bedrock_agentcore"].update(agent_id=runtime["agentRuntimeId"],
                                      agent_arn=runtime["agentRuntimeArn"])
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    dynamodb = aws.client("dynamodb", REGION)
    for table in TABLES:
        dynamodb.create_table(TableName=table, BillingMode="PAY_PER_REQUEST",
                              AttributeDefinitions=[{"AttributeName": "id",
                                                     "AttributeType": "S"}],
                              KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
    for secret in SECRETS:
        aws.client("secretsmanager", REGION).create_secret(Name=secret, SecretString="x")
    return runtime["agentRuntimeId"]


@pytest.mark.slow
def test_doctor_against_aws_before_init_runs_the_live_checks(guide, aws, monkeypatch):
    runtime_id = _toolkit_deploy(aws, guide)
    with ControlPlanePeer(aws.url) as peer:
        monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL", peer.url)
        peer.endpoints[runtime_id] = {
            "name": "DEFAULT", "id": "DEFAULT", "status": "READY", "liveVersion": "1",
            "agentRuntimeEndpointArn": f"arn:aws:bedrock-agentcore:{REGION}:123456789012:"
                                       f"runtime/{runtime_id}/runtime-endpoint/DEFAULT",
            "agentRuntimeArn": f"arn:aws:bedrock-agentcore:{REGION}:123456789012:"
                               f"runtime/{runtime_id}",
            "createdAt": 1700000000, "lastUpdatedAt": 1700000000}
        _, _, checks = doctor(guide, "--no-logs")
        for check_id in ("aws-credentials", "runtime-status"):
            assert checks[check_id]["status"] == "pass", checks[check_id]
        # The toolkit's role has no access to the app's tables and secrets (the guide's
        # troubleshooting 4 and 5): a true finding, judged from the derived manifest.
        access = checks["dynamodb-access"]
        assert access["status"] == "fail" and access["fixable"], access
        assert "prod_aibox_setting" in "\n".join(access["evidence"])
        assert checks["secrets-access"]["status"] == "fail"
        fixed = invoke("--json", "fix-iam", "--yes", project=guide)
        assert fixed.exit_code == 0, fixed.stdout + fixed.stderr
        _, _, checks = doctor(guide, "--no-logs", "--only", "dynamodb-access,secrets-access")
        assert {c["status"] for c in checks.values()} == {"pass"}, checks
        # After init the written manifest is the same grant: nothing new fails.
        assert invoke("init", "--yes", project=guide).exit_code == 0
        code, _, checks = doctor(guide, "--no-logs")
        problems = {i: c["message"] for i, c in checks.items()
                    if c["status"] in ("fail", "error")}
        assert {"aws-credentials", "runtime-status", "dynamodb-access",
                "secrets-access"} <= {i for i, c in checks.items() if c["status"] == "pass"}
        # env-drift now compares: the toolkit deployed without environment variables.
        assert set(problems) <= {"env-drift"}, problems


@pytest.mark.slow  # 0.6 s or more: kept out of the everyday suite
def test_init_writes_the_manifest_that_fix_iam_reads(guide):
    assert not (guide / "permissions.json").exists()
    out = json_out(invoke("--json", "init", "--yes", project=guide))
    assert "permissions.json" in out["written"]
    manifest = json.loads((guide / "permissions.json").read_text())
    assert [s["sid"] for s in manifest["statements"]] == [
        "SessionTable", "SettingTable", "AppSecrets", "BedrockChatModels"]
    assert manifest["env_defaults"]["SETTING_TABLE"] == "prod_aibox_setting"
    assert f".bedrock_agentcore/{AGENT}/Dockerfile (ENV)" in manifest["description"]
    secrets = manifest["statements"][2]["resources"]
    assert [r["name_env"] for r in secrets] == ["GEMINI_SECRET_ID", "OPENAI_SECRET_ID"]
    from aibox_ops.iam import load_manifest

    settings = load_settings(guide, environ={})
    assert settings.adopted
    assert load_manifest(settings).path == guide / "permissions.json"
    # The next init keeps the user's (possibly edited) manifest.
    again = json_out(invoke("--json", "init", "--yes", project=guide))
    assert "permissions.json" not in again["written"]


@pytest.mark.slow  # ~1 s or more: `-m slow` (CI runs it)
def test_deploy_refuses_without_the_manifest_before_any_aws_write(guide, aws):
    assert invoke("init", "--yes", project=guide).exit_code == 0
    (guide / "permissions.json").unlink()
    before = (guide / ".bedrock_agentcore.yaml").read_text()
    result = invoke("--json", "deploy", "--yes", project=guide)
    doc = json_out(result)
    assert result.exit_code == 4, doc
    text = json.dumps(doc)
    assert "permissions.json: not found" in text and "aibox-ops init" in text
    assert "agent/permissions.json" not in text
    assert aws.client("iam").list_roles()["Roles"] == []
    assert aws.client("ecr", REGION).describe_repositories()["repositories"] == []
    assert (guide / ".bedrock_agentcore.yaml").read_text() == before
    # --no-iam needs no manifest: the refusal is about IAM only.
    dry = invoke("--json", "deploy", "--dry-run", "--no-iam", project=guide)
    assert "permissions.json" not in dry.stdout


def test_init_keeps_the_runtime_as_the_user_had_it(guide):
    """Memory, the toolkit's auto-create switches and the image's variables survive init."""
    path = guide / ".bedrock_agentcore.yaml"
    data = yaml.safe_load(path.read_text())
    agent = data["agents"][AGENT]
    agent["memory"] = {"mode": "STM_ONLY", "memory_id": "my_aibox_agent_mem-Ab12Cd34Ef",
                       "memory_name": "my_aibox_agent_mem", "event_expiry_days": 30,
                       "was_created_by_toolkit": True}
    agent["aws"]["execution_role_auto_create"] = True
    agent["aws"]["ecr_auto_create"] = False
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    assert load_settings(guide, environ={}).memory_mode == "STM_ONLY"  # before init too
    out = json_out(invoke("--json", "init", "--yes", project=guide))
    assert out["ok"], out
    after = yaml.safe_load(path.read_text())["agents"][AGENT]
    assert after["memory"]["mode"] == "STM_ONLY"
    assert after["memory"]["memory_id"] == "my_aibox_agent_mem-Ab12Cd34Ef"
    assert after["memory"]["was_created_by_toolkit"] is True
    assert after["aws"]["execution_role_auto_create"] is True
    assert after["aws"]["ecr_auto_create"] is False
    settings = load_settings(guide, environ={})
    assert settings.adopted and settings.memory_mode == "STM_ONLY"
    dockerfile = (guide / f".bedrock_agentcore/{AGENT}/Dockerfile").read_text()
    assert "IMAGE_MODEL" not in dockerfile and "prod_aibox_setting" in dockerfile
    assert "IMAGE_MODEL_ID" not in settings.container_env
    # The render right after init changes nothing: the adopted files are what it writes.
    assert invoke("render", "--check", project=guide).exit_code == 0


def test_data_the_image_had_stays_and_whatever_leaves_is_named(guide):
    (guide / "prompts").mkdir()
    (guide / "prompts" / "system.txt").write_text("You are MyAIBOX.\n")
    (guide / "config.yaml").write_text("greeting: hi\n")
    settings = load_settings(guide, environ={})
    assert settings.packages == ["config.yaml", "genai", "prompts"]  # scripts/ is code
    out = json_out(invoke("--json", "init", "--yes", project=guide))
    from aibox_ops.render.context import context_files

    files = set(context_files(load_settings(guide, environ={})))
    assert {"prompts/system.txt", "config.yaml", "genai/agents/prompts.py"} <= files
    dockerfile = (guide / f".bedrock_agentcore/{AGENT}/Dockerfile").read_text()
    assert "prompts/ /app/prompts/" in dockerfile and "config.yaml /app/config.yaml" in dockerfile
    (warning,) = [w for w in out["warnings"] if "would leave it" in w]
    for gone in ("docs/", "tests/", "scripts/", "genai/tests/", "genai/logs/",
                 "genai/agents/__pycache__/", "pyproject.toml", ".bedrock_agentcore.yaml"):
        assert gone in warning, (gone, warning)
    # Kept ones are not named, nor what the user's own .dockerignore already kept out.
    for kept in ("prompts", "config.yaml", ".venv", ".env", "requirements-agentcore.txt"):
        assert f" {kept}," not in warning and f" {kept}/" not in warning, (kept, warning)


def test_the_leaving_list_is_capped(guide):
    for i in range(30):
        (guide / f"notes{i:02}.md").write_text("x\n")
    out = json_out(invoke("--json", "init", "--dry-run", project=guide))
    (warning,) = [w for w in out["warnings"] if "would leave it" in w]
    assert "(+" in warning and "more)" in warning and warning.count("notes") <= 15


@pytest.mark.slow  # 0.6 s or more: kept out of the everyday suite
def test_the_images_python_and_otel_pins_are_kept(guide):
    path = guide / f".bedrock_agentcore/{AGENT}/Dockerfile"
    path.write_text(path.read_text().replace("python:3.12-slim", "python:3.11-slim")
                    .replace("distro==0.12.2", "distro==0.10.0"))
    settings = load_settings(guide, environ={})
    assert (settings.python_version, settings.otel_distro_version) == ("3.11", "0.10.0")
    assert invoke("init", "--yes", project=guide).exit_code == 0
    rendered = path.read_text()
    assert "python:3.11-slim" in rendered and "aws-opentelemetry-distro==0.10.0" in rendered
