"""Pure pieces of doctor: Dockerfile reading, .dockerignore rules, redaction, model table,
request validation before sending."""

from __future__ import annotations

import pytest

from aibox_ops.doctor.checks.image import dockerignore_excludes
from aibox_ops.doctor.checks.models import supports_streaming_tools
from aibox_ops.doctor.dockerfile import env_values, final_user, parse_dockerfile
from aibox_ops.doctor.redact import redact
from tests.doctor_support import check, dockerfile, healthy_project


def test_dockerfile_continuations_comments_and_env_forms():
    text = ('FROM x\n# comment\nENV A=1 \\\n    # inside\n    B="two words"\nENV C 3\n'
            "USER 1000\n")
    instructions = parse_dockerfile(text)
    assert [i.keyword for i in instructions] == ["FROM", "ENV", "ENV", "USER"]
    assert env_values(instructions) == {"A": ("1", 3), "B": ("two words", 3), "C": ("3", 6)}
    assert final_user(instructions) == ("1000", 7)


@pytest.mark.parametrize(("rules", "path", "excluded"), [
    (".env*\n", ".env", True),
    ("**/.env*\n", "agent/.env", True),
    ("**/.env*\n", ".env", True),
    (".env\n!.env\n", ".env", False),
    ("tests\n", ".env", False),
    ("*.env\n", ".env", True),
])
def test_dockerignore_rules(rules, path, excluded):
    assert dockerignore_excludes(rules, path) is excluded


@pytest.mark.parametrize("secret", [
    "AKIAIOSFODNN7EXAMPLE", "sk-proj-abcdefghijklmnop1234",
    "AIzaSyA1234567890abcdefghijklmnopqrstu",
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.abcdefghijklmnop"])
def test_redact_hides_credential_shapes(secret):
    assert secret not in redact(f"failed with {secret} here")


def test_redact_keeps_secret_references_and_hides_secret_values():
    assert redact("OPENAI_SECRET_ID=dev_openai_api") == "OPENAI_SECRET_ID=dev_openai_api"
    assert redact("password=hunter2 token: abc123") == "password=[REDACTED] token: [REDACTED]"
    assert redact("Authorization: Bearer abcdefghij123") == "Authorization: Bearer [REDACTED]"


@pytest.mark.parametrize("text", [
    "not authorized to perform: secretsmanager:GetSecretValue on resource",
    "User: arn:aws:sts::123456789012:assumed-role/R/s is not authorized to perform: "
    "secretsmanager:DescribeSecret on resource: "
    "arn:aws:secretsmanager:us-west-2:123456789012:secret:dev_gemini_api-AbCdEf",
    "secret_id: dev_openai_api",
])
def test_redact_keeps_iam_actions_and_arns(text):
    """An action (``secretsmanager:GetSecretValue``) or an ARN names things, holds no secret:
    masking it would hide the very permission doctor reports as missing."""
    assert redact(text) == text


def test_redact_still_hides_a_secret_after_a_colon():
    assert redact("secret:hunter2 secretsmanager=abc") == \
        "secret:[REDACTED] secretsmanager=[REDACTED]"


@pytest.mark.parametrize(("model", "ok"), [
    ("global.anthropic.claude-sonnet-4-6", True), ("us.amazon.nova-pro-v1:0", True),
    ("meta.llama3-1-70b-instruct-v1:0", False), ("amazon.titan-text-express-v1", False),
    ("gemini-2.5-flash", True), ("acme.unknown-model-v1", None)])
def test_streaming_tool_use_table(model, ok):
    assert supports_streaming_tools(model) is ok


@pytest.mark.parametrize(("run", "status"), [
    ("RUN uv pip install --system -r requirements.txt", "pass"),
    ("RUN python -m venv /opt/venv && /opt/venv/bin/pip install -r requirements.txt", "fail"),
    ("RUN pip install -r other.txt", "fail"),
])
def test_container_install_variants(tmp_path, run, status):
    root = healthy_project(tmp_path)
    path = dockerfile(root)
    text = path.read_text()
    start = text.index("RUN pip install")
    end = text.index("\n\n", start)
    path.write_text(text[:start] + run + text[end:])
    assert check(root, "container-install")["status"] == status


def test_requests_are_validated_before_they_are_sent(tmp_path):
    from aibox_ops.aws import open_session
    from aibox_ops.doctor import DoctorContext
    from aibox_ops.doctor.aws_reads import CONTROL, call
    from aibox_ops.errors import AiboxError

    ctx = DoctorContext(None, session=open_session("ap-southeast-1"), offline=False,
                        project_dir=tmp_path)
    # The endpoint is port 9 (nothing listens): only a request refused before sending
    # fails with a validation message.
    with pytest.raises(AiboxError, match="agentRuntimeId"):
        call(ctx, CONTROL, "GetAgentRuntimeEndpoint", agentRuntimeId="",
             endpointName="DEFAULT")


def test_match_signature_names_the_check_and_redacts():
    from aibox_ops.doctor.logs import match_signature

    assert match_signature("all good") is None
    check_id, line = match_signature(
        "botocore AccessDeniedException: not authorized to perform: dynamodb:GetItem "
        "token=abcdef123456")
    assert check_id == "dynamodb-access" and "abcdef123456" not in line


def test_layout_fix_inserts_into_an_existing_setuptools_table_keeping_the_rest():
    import tomllib

    from aibox_ops.doctor.checks.layout import add_packages_find

    text = ('[project]\nname = "x"  # keep me\n\n[tool.setuptools]\nzip-safe = false\n\n'
            "[tool.ruff]\nline-length = 100\n")
    out = add_packages_find(text, ["genai*"], ["tests*"])
    data = tomllib.loads(out)
    assert data["tool"]["setuptools"]["zip-safe"] is False
    assert data["tool"]["setuptools"]["packages"]["find"] == {"include": ["genai*"],
                                                              "exclude": ["tests*"]}
    assert data["tool"]["ruff"] == {"line-length": 100}
    assert out.replace('[tool.setuptools.packages.find]\ninclude = ["genai*"]\n'
                       'exclude = ["tests*"]\n\n', "") == text


def test_code_deploy_warns_when_the_python_has_no_code_runtime(tmp_path):
    from aibox_ops.config import load_settings
    from aibox_ops.doctor import DoctorContext
    from aibox_ops.doctor.checks.code_deploy import detect_code_deploy
    from tests.helpers import make_project

    root = make_project(tmp_path / "p")
    for environ, status in (({}, "pass"), ({"AIBOX_OPS_DEPLOYMENT_TYPE": "code"}, "pass"),
                            ({"AIBOX_OPS_DEPLOYMENT_TYPE": "code",
                              "AIBOX_OPS_PYTHON_VERSION": "3.11"}, "warn")):
        finding = detect_code_deploy(DoctorContext(load_settings(root, environ=environ),
                                                   session=None, offline=True))
        assert finding.status == status, (environ, finding)
    assert "PYTHON_3_12" in finding.message and finding.fix
