"""Stages: [tool.aibox-ops.stages.NAME] overlays, selected by --stage / AIBOX_OPS_STAGE,
with deploy state and history kept apart per agent and region."""

from __future__ import annotations

import pytest

from aibox_ops.config import load_settings
from aibox_ops.deploy.history import DeployRecord, load_history, save_history
from aibox_ops.deploy.yaml_state import write_project_state
from aibox_ops.deploy_state import load_deploy_state
from aibox_ops.errors import ConfigError
from aibox_ops.render import apply_render, plan_render
from tests.helpers import invoke, json_out, make_project

STAGES = """[tool.aibox-ops]
agent_name = "my_aibox_agent"

[tool.aibox-ops.environment]
FEATURE = "base"

[tool.aibox-ops.stages.prod]
agent_name = "my_aibox_prod"
region = "eu-west-1"
tables = ["prod_setting", "prod_session"]

[tool.aibox-ops.stages.prod.environment]
SETTING_TABLE = "prod_setting"
"""


def test_stage_overlays_settings_below_env_and_flags(tmp_path):
    project = make_project(tmp_path, tool=STAGES)
    base = load_settings(project, environ={})
    prod = load_settings(project, environ={"AIBOX_OPS_STAGE": "prod"})
    assert (base.agent_name, base.region, base.stage) == ("my_aibox_agent", "ap-southeast-1",
                                                          None)
    assert (prod.agent_name, prod.region, prod.stage) == ("my_aibox_prod", "eu-west-1", "prod")
    assert prod.container_env["SETTING_TABLE"] == "prod_setting"
    assert prod.container_env["FEATURE"] == "base"  # environment merges key by key
    assert prod.table_names == ["prod_setting", "prod_session"]
    flagged = load_settings(project, flags={"stage": "prod", "region": "us-east-1"},
                            environ={})
    assert flagged.region == "us-east-1" and flagged.agent_name == "my_aibox_prod"


def test_unknown_stage_and_key_are_config_errors(tmp_path):
    project = make_project(tmp_path, tool=STAGES + '\n[tool.aibox-ops.stages.qa]\nlifecycle = 1\n')
    with pytest.raises(ConfigError) as info:
        load_settings(project, environ={"AIBOX_OPS_STAGE": "staging"})
    assert "unknown key 'stages.qa.lifecycle'" in info.value.message
    project = make_project(tmp_path, tool=STAGES)
    with pytest.raises(ConfigError) as info:
        load_settings(project, environ={"AIBOX_OPS_STAGE": "staging"})
    assert "stage 'staging' is not defined" in info.value.message and "prod" in info.value.message


def test_deploy_state_and_history_are_kept_per_stage(tmp_path):
    project = make_project(tmp_path, tool=STAGES)
    dev = load_settings(project, environ={})
    prod = load_settings(project, environ={"AIBOX_OPS_STAGE": "prod"})
    apply_render(project, plan_render(dev))
    write_project_state(dev, {"agent_id": "dev-runtime-1", "account": "123456789012"})
    save_history(dev, load_history(dev).__class__(
        load_history(dev).key, [DeployRecord("t", "deploy", "h", "c", "img:1")]))
    apply_render(project, plan_render(prod))  # switching stage keeps the other agent's entry
    assert not load_deploy_state(prod).deployed and not load_history(prod).deploys
    assert load_deploy_state(dev).agent_id == "dev-runtime-1"
    assert load_history(dev).last.image_uri == "img:1"
    assert load_history(prod).key == "my_aibox_prod@eu-west-1"


def test_global_stage_option_reaches_every_command(tmp_path):
    project = make_project(tmp_path, tool=STAGES)
    doc = json_out(invoke("--json", "--stage", "prod", "config", project=project))
    assert doc["settings"]["stage"] == "prod" and doc["settings"]["region"] == "eu-west-1"
    bad = invoke("--stage", "nope", "config", project=project)
    assert bad.exit_code == 3 and "not defined" in bad.stderr
