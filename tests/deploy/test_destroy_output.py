"""destroy's human output: each resource with its kind, the plan once when refused, and
"deleted" (not "written") for what went; full ARNs and names, never cut at 80 columns."""

from __future__ import annotations

import json

import pytest

from aibox_ops.config import load_settings
from aibox_ops.deploy.history import load_history, save_history
from aibox_ops.deploy.yaml_state import write_project_state
from aibox_ops.render import apply_render, plan_render
from aibox_ops.toolkit_names import resource_names
from tests.helpers import invoke

TRUST = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "bedrock-agentcore.amazonaws.com"},
    "Action": "sts:AssumeRole"}]}
# The name deploy gives the execution role of the test project's agent (destroy deletes a
# recorded role only under that name: issue 18).
ROLE = resource_names("my_aibox_agent", "ap-southeast-1").execution_role


def deployed(aws, project):
    """A runtime and an execution role in moto, recorded as created by aibox-ops."""
    settings = load_settings(project, environ={})
    apply_render(project, plan_render(settings))
    role = aws.client("iam").create_role(
        RoleName=ROLE, AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]
    runtime = aws.client("bedrock-agentcore-control").create_agent_runtime(
        agentRuntimeName=settings.agent_name, roleArn=role["Arn"],
        agentRuntimeArtifact={"containerConfiguration": {
            "containerUri": "123456789012.dkr.ecr.ap-southeast-1.amazonaws.com/x:latest"}},
        networkConfiguration={"networkMode": "PUBLIC"})
    write_project_state(settings, {"agent_id": runtime["agentRuntimeId"],
                                   "agent_arn": runtime["agentRuntimeArn"],
                                   "execution_role": role["Arn"]})
    history = load_history(settings)
    history.created.update({"runtime": runtime["agentRuntimeId"], "execution_role": ROLE})
    save_history(settings, history)
    return runtime


@pytest.mark.slow  # ~1 s or more: `-m slow` (CI runs it)
def test_status_lists_what_aibox_ops_created(aws, project):
    assert "created by aibox-ops: nothing yet" in invoke("status", project=project).stdout
    runtime = deployed(aws, project)
    shown = invoke("status", project=project)
    assert shown.exit_code == 0, shown.stderr
    lines = shown.stdout.split("created by aibox-ops (destroy removes these):\n", 1)[1]
    assert f"  runtime:               {runtime['agentRuntimeId']}" in lines
    assert f"  execution role:        {ROLE}" in lines


@pytest.mark.slow  # 0.6 s or more: kept out of the everyday suite
def test_a_refused_destroy_names_each_kind_and_prints_its_plan_once(aws, project):
    runtime = deployed(aws, project)
    refused = invoke("destroy", project=project)  # no terminal, no --yes
    assert refused.exit_code == 7
    everything = refused.stdout + refused.stderr
    assert everything.count("destroy (plan)") == 1, everything
    assert "(1 runtime, 1 role)" in refused.stderr
    header = next(line for line in refused.stderr.splitlines() if "status" in line)
    assert header.split()[:2] == ["kind", "┃"] and "file" not in header
    rows = {line.split()[0]: line for line in refused.stderr.splitlines()
            if line.split() and line.split()[0] in ("runtime", "role")}
    assert runtime["agentRuntimeId"] in rows["runtime"]
    assert ROLE in rows["role"]  # the whole name on its line, past 80 columns
    assert max(len(line) for line in refused.stderr.splitlines()) > 80

    gone = invoke("destroy", "--yes", project=project)
    assert gone.exit_code == 0, gone.stderr
    statuses = {line.split()[0]: line.split()[4] for line in gone.stdout.splitlines()
                if line.split() and line.split()[0] in ("runtime", "role")}
    assert statuses == {"runtime": "deleted", "role": "deleted"}, gone.stdout
    assert "written" not in gone.stdout
