"""One container environment: what `config` shows is what the image gets, and the defaults
in the settings, in agent/permissions.json and in the agent itself agree."""

import json
import re

from aibox_ops.config import load_settings
from aibox_ops.config.model import DEFAULT_APP_ENV, IMAGE_FIXED_ENV
from aibox_ops.errors import ConfigError
from aibox_ops.render import plan_render
from tests.helpers import REPO, invoke, json_out, make_project

MANIFEST = json.loads((REPO / "agent" / "permissions.json").read_text())


def _dockerfile_env(text: str) -> dict[str, str]:
    return dict(re.findall(r'^(?:ENV |\s+)([A-Z_][A-Z0-9_]*)="([^"]*)"', text, re.M))


def test_config_shows_exactly_the_environment_the_image_gets(tmp_path):
    make_project(tmp_path, tool='[tool.aibox-ops.environment]\nMODEL_NAME = "m"\n')
    shown = json_out(invoke("--json", "config", project=tmp_path))["settings"]["container_env"]
    plan = plan_render(load_settings(tmp_path, environ={}))
    dockerfile = plan.items[0].payload
    assert _dockerfile_env(dockerfile) == shown
    assert shown["LOG_TO_FILE"] == "false" and shown["DOCKER_CONTAINER"] == "1"
    assert shown["MODEL_NAME"] == "m"


def test_the_fixed_image_values_cannot_be_overridden(tmp_path):
    make_project(tmp_path, tool='[tool.aibox-ops.environment]\nLOG_TO_FILE = "true"\n')
    try:
        load_settings(tmp_path, environ={})
    except ConfigError as error:
        assert "environment.LOG_TO_FILE' = 'true': the image always sets LOG_TO_FILE=false" \
            in error.message
    else:
        raise AssertionError("LOG_TO_FILE=true was accepted")


def test_settings_defaults_equal_the_manifest_env_defaults(tmp_path):
    make_project(tmp_path)
    env = load_settings(tmp_path, environ={}).container_env
    defaults = MANIFEST["env_defaults"]
    assert {k: env[k] for k in defaults} == defaults
    assert set(DEFAULT_APP_ENV) - {"PYTHONUNBUFFERED"} <= set(defaults)
    assert not set(IMAGE_FIXED_ENV) & set(defaults)


def test_agent_region_defaults_equal_the_settings_defaults(monkeypatch):
    import sys

    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "BEDROCK_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.syspath_prepend(str(REPO / "agent"))
    monkeypatch.delitem(sys.modules, "genai.config", raising=False)  # restored at teardown
    from genai import config as agent_config

    assert agent_config.default_region() == MANIFEST["env_defaults"]["AWS_REGION"]
    assert agent_config.AgentEnv.from_env().bedrock_region == \
        MANIFEST["env_defaults"]["BEDROCK_REGION"]


def test_agent_image_model_defaults_equal_the_manifest(monkeypatch):
    monkeypatch.syspath_prepend(str(REPO / "agent"))
    from genai.tools import media

    defaults = MANIFEST["env_defaults"]
    agent_defaults = (media.IMAGE_MODEL_ID, media.IMAGE_MODEL_REGION)
    assert agent_defaults == (defaults["IMAGE_MODEL_ID"], defaults["IMAGE_MODEL_REGION"])
    # Tables and secret ids have no default inside the agent on purpose: an unset variable
    # turns that feature off there. The image always sets them (test above).
