"""secrets set / list against the moto server: the value comes from stdin only, is stored
in the form the agent reads, and never shows up on stdout, stderr or in any log."""

from __future__ import annotations

import json
import logging

import pytest

from aibox_ops.errors import ExitCode
from tests.helpers import REPO, invoke, json_out, make_project

SECRET = "sk-test-Zx81secretvalueQ"


@pytest.fixture
def project(tmp_path):
    return make_project(tmp_path / "proj", tool='[tool.aibox-ops]\nagent_name = "demo"\n')


def _set(project, *args, value=SECRET + "\n"):
    from typer.testing import CliRunner

    from aibox_ops.cli.main import app

    return CliRunner().invoke(app, ["--project", str(project), *args], input=value)


def _agent_reads(secret_string: str) -> str:
    import importlib
    import sys

    sys.path.insert(0, str(REPO / "agent"))
    try:
        keys = importlib.import_module("genai.agents.keys")
    finally:
        sys.path.remove(str(REPO / "agent"))
    return keys._key_from_secret_string(secret_string, "openai")


def test_set_creates_secret_in_the_agents_form_and_never_shows_it(aws, project, caplog):
    caplog.set_level(logging.DEBUG)
    result = _set(project, "--debug", "--json", "secrets", "set", "openai", "--yes")
    logged = caplog.text
    assert result.exit_code == 0, result.output
    assert "DescribeSecret" in logged  # botocore debug logging was on for the run ...
    assert SECRET not in logged  # ... and the value is in none of it
    assert SECRET not in result.stdout and SECRET not in result.stderr
    doc = json_out(result)
    assert doc["secret_id"] == "dev_openai_api" and doc["created"] is True
    stored = aws.client("secretsmanager").get_secret_value(SecretId="dev_openai_api")
    assert json.loads(stored["SecretString"]) == {"api_key": SECRET}
    assert _agent_reads(stored["SecretString"]) == SECRET
    tags = aws.client("secretsmanager").describe_secret(SecretId="dev_openai_api")["Tags"]
    assert {"Key": "created-by", "Value": "aibox-ops"} in tags


@pytest.mark.slow  # 0.45 s or more: kept out of the everyday suite
def test_second_set_stores_a_new_version(aws, project):
    sm = aws.client("secretsmanager")
    sm.create_secret(Name="dev_gemini_api", SecretString="old")
    result = _set(project, "secrets", "set", "dev_gemini_api", "--yes", value="gm-new\n")
    assert result.exit_code == 0, result.output
    assert "updated secret dev_gemini_api" in result.stdout
    assert json.loads(sm.get_secret_value(SecretId="dev_gemini_api")["SecretString"]) == {
        "api_key": "gm-new"}
    assert sm.get_secret_value(SecretId="dev_gemini_api", VersionStage="AWSPREVIOUS")[
        "SecretString"] == "old"


@pytest.mark.parametrize(("args", "value", "code", "needle"), [
    (["secrets", "set", "other_secret", "--yes"], SECRET, ExitCode.CONFIG,
     "not one of the agent's secrets"),
    (["secrets", "set", "openai", "--yes"], "  \n", ExitCode.CONFIG, "is empty"),
    (["secrets", "set", "openai", "--yes"], '{"api_key": "x"}', ExitCode.CONFIG,
     "looks like JSON"),
    (["secrets", "set", "openai"], SECRET, ExitCode.REFUSED, "--yes"),
])
def test_bad_input_writes_nothing(aws, project, args, value, code, needle):
    result = _set(project, *args, value=value)
    assert result.exit_code == code, result.output
    assert needle in result.stderr
    assert SECRET not in result.output
    assert aws.client("secretsmanager").list_secrets()["SecretList"] == []


def test_dry_run_reads_no_value_and_writes_nothing(aws, project):
    result = _set(project, "--json", "secrets", "set", "gemini", "--dry-run")
    assert result.exit_code == 0, result.output
    assert json_out(result)["action"] == "create"
    assert aws.client("secretsmanager").list_secrets()["SecretList"] == []


@pytest.mark.slow  # 0.45 s or more: kept out of the everyday suite
def test_list_shows_names_only(aws, project):
    aws.client("secretsmanager").create_secret(Name="dev_openai_api", SecretString=SECRET)
    result = invoke("--json", "secrets", "list", project=project)
    assert result.exit_code == 0, result.output
    assert json_out(result)["secrets"] == [
        {"secret_id": "dev_gemini_api", "provider": "gemini", "exists": False},
        {"secret_id": "dev_openai_api", "provider": "openai", "exists": True}]
    human = invoke("secrets", "list", project=project)
    assert "secrets set gemini" in human.stdout and SECRET not in human.output


def test_no_value_argument_exists(project):
    result = invoke("secrets", "set", "openai", SECRET, project=project)
    assert result.exit_code == ExitCode.USAGE


def test_requests_pass_botocore_model_and_rejections_hide_the_value():
    from aibox_ops.aws.validate import validate_request
    from aibox_ops.errors import ConfigError
    from aibox_ops.secrets import (
        SecretRef,
        checked_secret_request,
        secret_request,
        secret_string,
    )

    stored = secret_string(SECRET)
    for exists in (False, True):
        operation, params = secret_request(SecretRef("dev_openai_api", "openai"), stored,
                                           exists)
        assert validate_request("secretsmanager", operation, params) == []
    operation, params = secret_request(SecretRef("x" * 600, None), stored, False)
    with pytest.raises(ConfigError) as caught:
        checked_secret_request(SECRET, operation, params)
    assert "Name" in caught.value.message and SECRET not in caught.value.message
