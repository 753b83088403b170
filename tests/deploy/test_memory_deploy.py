"""A runtime with an AgentCore Memory, deployed against moto: the
settings keep memory_mode (init reads it from the toolkit's YAML), the YAML keeps the memory
id, and every runtime request keeps the toolkit's
BEDROCK_AGENTCORE_MEMORY_ID, on the first deploy and on the next."""

from __future__ import annotations

import json

import pytest
import yaml

from aibox_ops.aws import open_session
from aibox_ops.config import load_settings
from aibox_ops.deploy import DeployOptions, run_deploy
from aibox_ops.render import apply_render, plan_render

TRUST = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "bedrock-agentcore.amazonaws.com"},
    "Action": "sts:AssumeRole"}]}
FAST = DeployOptions(timeout=5, poll=0.05, no_warm=True)


@pytest.mark.slow
def test_a_runtime_with_memory_keeps_it_on_every_deploy(project, aws, agentcore_moto,
                                                         health_peer):
    environ = {"AIBOX_OPS_MEMORY_MODE": "STM_ONLY"}
    settings = load_settings(project, environ=environ)
    apply_render(project, plan_render(settings))
    path = project / ".bedrock_agentcore.yaml"
    data = yaml.safe_load(path.read_text())
    agent = data["agents"][settings.agent_name]
    assert agent["memory"]["mode"] == "STM_ONLY"
    agent["aws"]["execution_role"] = aws.client("iam").create_role(
        RoleName="memory-agent-role", AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]["Arn"]
    memory_id = aws.client("bedrock-agentcore-control").create_memory(
        name="my_aibox_agent_mem", eventExpiryDuration=30)["memory"]["id"]
    agent["memory"].update(memory_id=memory_id, memory_name="my_aibox_agent_mem")
    path.write_text(yaml.safe_dump(data, sort_keys=False))  # as the toolkit leaves it

    first = run_deploy(open_session(settings.region), settings, FAST)
    control = aws.client("bedrock-agentcore-control")
    env = control.get_agent_runtime(agentRuntimeId=first.agent_id)["environmentVariables"]
    assert env["BEDROCK_AGENTCORE_MEMORY_ID"] == memory_id
    assert {k: v for k, v in env.items() if not k.startswith("BEDROCK_AGENTCORE_MEMORY")} \
        == settings.container_env
    # The Memory's variables are not a configuration change: the next deploy is unchanged.
    settings = load_settings(project, environ=environ)
    again = run_deploy(open_session(settings.region), settings, FAST)
    assert again.action == "unchanged", again
    (project / "agent" / "genai" / "extra.py").write_text("X = 1\n")
    changed = run_deploy(open_session(settings.region), settings, FAST)
    assert changed.action == "build"
    env = control.get_agent_runtime(agentRuntimeId=first.agent_id)["environmentVariables"]
    assert env["BEDROCK_AGENTCORE_MEMORY_ID"] == memory_id
    kept = yaml.safe_load(path.read_text())["agents"][settings.agent_name]["memory"]
    assert (kept["mode"], kept["memory_id"]) == ("STM_ONLY", memory_id)
