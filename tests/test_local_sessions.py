"""deploy --local's history store: the AWS session table when it is there (moto), else a
local file, with the reason; and the model line deploy --local prints from the health action."""

from __future__ import annotations

from aibox_ops.aws import open_session
from aibox_ops.cli.deploy_local import model_line
from aibox_ops.config import load_settings
from aibox_ops.local.sessions import choose_session_store
from aibox_ops.provision import create_table_params
from tests.helpers import make_project


def _settings(tmp_path, tool: str = '[tool.aibox-ops]\nagent_name = "demo"\n'):
    return load_settings(make_project(tmp_path / "proj", tool=tool), environ={})


def test_the_aws_table_when_it_exists_else_a_local_file(tmp_path, aws):
    settings = _settings(tmp_path)
    session = open_session(settings.region)
    local = settings.path(".aibox-ops/local/sessions.json")
    missing = choose_session_store(settings, lambda: session)
    assert (missing.kind, missing.where) == ("file", str(local))
    assert missing.reason == "no table 'aibox_session' in ap-southeast-1"
    assert missing.agent_env() == {"SESSION_STORE_FILE": str(local)}
    aws.client("dynamodb").create_table(**create_table_params("aibox_session", "SESSION_TABLE"))
    found = choose_session_store(settings, lambda: session)
    assert (found.kind, found.where) == ("dynamodb", "aibox_session")
    assert found.agent_env() == {}  # the agent keeps using SESSION_TABLE
    assert found.describe().startswith("DynamoDB table 'aibox_session' (in ap-southeast-1")


def test_unreachable_aws_or_no_table_set_keeps_history_locally(tmp_path):
    settings = _settings(tmp_path)  # the harness's endpoint refuses every connection
    choice = choose_session_store(settings, lambda: open_session(settings.region))
    assert choice.kind == "file"
    assert choice.reason.startswith("could not describe the DynamoDB table aibox_session")
    unset = _settings(tmp_path / "b", tool='[tool.aibox-ops]\nagent_name = "demo"\n'
                      '[tool.aibox-ops.environment]\nSESSION_TABLE = ""\n')
    called: list[int] = []
    choice = choose_session_store(unset, lambda: called.append(1))
    assert (choice.kind, choice.reason, called) == ("file", "SESSION_TABLE is not set", [])


def test_model_line_says_what_a_prompt_gets():
    assert model_line(None) is None and model_line({"model_id": ""}) is None
    assert model_line({"model_id": "gpt-4.1-mini", "source": "OPENAI_API_KEY",
                       "configured": True}) == \
        "  model:   gpt-4.1-mini (from OPENAI_API_KEY; --model picks another)"
    assert "the first model OPENAI_BASE_URL lists" in model_line(
        {"model_id": "openai/?", "source": "OPENAI_BASE_URL", "configured": True})
    nothing = model_line({"model_id": "global.anthropic.claude-sonnet-4-6", "source": "bedrock",
                          "configured": False, "hint": "no model is configured: set X"})
    assert nothing == "  [yellow]model:[/]   no model is configured: set X"
