"""The CLI over the deploy library: one JSON document, exit codes, confirmation, faults."""

from __future__ import annotations

import json

import pytest

from aibox_ops.deploy.history import HISTORY_PATH
from tests.helpers import invoke, json_out


@pytest.mark.slow
def test_cli_deploy_status_logs_destroy_flow(project, aws, agentcore_moto, monkeypatch):
    monkeypatch.setenv("AIBOX_OPS_WARM__ENABLED", "true")  # the warm phase runs for real
    result = invoke("--json", "deploy", "--yes", "--timeout", "5", project=project)
    assert result.exit_code == 0, result.stderr
    doc = json_out(result)  # the toolkit's prints never reach stdout
    assert doc["ok"] and doc["action"] == "create" and doc["image_uri"]
    assert [p["name"] for p in doc["phases"]][:3] == ["preflight", "prerequisites", "render"]
    log = (project / doc["log"]).read_text()
    assert "CodeBuild" in log  # the toolkit's own messages went to the deploy log

    again = invoke("deploy", "--yes", "--no-warm", project=project)  # human output
    assert again.exit_code == 0, again.stderr
    assert "unchanged" in again.stdout and doc["image_uri"] in again.stdout
    assert "Preflight checks" in again.stderr  # one progress line per phase, on stderr
    human = invoke("status", project=project)
    assert human.exit_code == 0 and "READY" in human.stdout and "LOG_TO_FILE=false" in human.stdout

    warm_phase = [p for p in doc["phases"] if p["name"] == "warm"][0]
    assert warm_phase["status"] == "ok", warm_phase
    status = json_out(invoke("--json", "status", project=project))
    assert status["deployed"] and status["runtime"]["status"] == "READY"
    assert status["schedules"]["schedules"], status["schedules"]
    assert status["runtime"]["environment"]["LOG_TO_FILE"] == "false"
    assert status["deploys"][0]["image_uri"] == doc["image_uri"]

    group = f"/aws/bedrock-agentcore/runtimes/{doc['agent_id']}-DEFAULT"
    logs_client = aws.client("logs")
    logs_client.create_log_group(logGroupName=group)
    logs_client.create_log_stream(logGroupName=group, logStreamName="s1")
    import time

    now = int(time.time() * 1000)
    logs_client.put_log_events(logGroupName=group, logStreamName="s1", logEvents=[
        {"timestamp": now - 1000, "message": "INFO started"},
        {"timestamp": now - 500, "message": "ERROR boom"}])
    shown = json_out(invoke("--json", "logs", "--since", "5m", "--filter", "ERROR",
                            project=project))
    assert [e["message"] for e in shown["events"]] == ["ERROR boom"]
    plain = invoke("logs", "--since", "5m", project=project)
    assert "INFO started" in plain.stdout and "ERROR boom" in plain.stdout

    rollback = invoke("--json", "rollback", "--dry-run", project=project)
    assert rollback.exit_code == 3 and "an earlier image" in json_out(rollback)["message"]

    refused = invoke("destroy", project=project)  # no terminal, no --yes
    assert refused.exit_code == 7 and "--yes" in refused.stderr
    planned = json_out(invoke("--json", "destroy", "--dry-run", project=project))
    assert {i["kind"] for i in planned["items"]} >= {"runtime", "codebuild-project", "role"}
    assert aws.client("bedrock-agentcore-control").list_agent_runtimes()["agentRuntimes"]
    gone = invoke("--json", "destroy", "--yes", project=project)
    assert gone.exit_code == 0, gone.stderr
    assert aws.client("bedrock-agentcore-control").list_agent_runtimes()["agentRuntimes"] == []
    assert json.loads((project / HISTORY_PATH).read_text())["targets"][
        "my_aibox_agent@ap-southeast-1"]["created"] == {}
    assert aws.client("scheduler").list_schedules()["Schedules"] == []


def test_deploy_without_yes_and_terminal_is_refused(project, aws):
    result = invoke("deploy", project=project)
    assert result.exit_code == 7 and "--yes" in result.stderr
    assert not (project / ".bedrock_agentcore.yaml").exists()


@pytest.mark.slow  # ~1 s or more: `-m slow` (CI runs it)
def test_no_credentials_is_a_clear_aws_error(project, monkeypatch):
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(key)
    result = invoke("--json", "deploy", "--dry-run", project=project)
    assert result.exit_code == 5
    assert "no AWS credentials" in json_out(result)["error"]["message"]
    assert "Traceback" not in result.stderr


@pytest.mark.slow  # ~1 s or more: `-m slow` (CI runs it)
def test_wrong_account_stops_in_preflight(project, aws):
    from aibox_ops.config import load_settings
    from aibox_ops.deploy.yaml_state import write_project_state
    from aibox_ops.render import apply_render, plan_render

    settings = load_settings(project, environ={})
    apply_render(project, plan_render(settings))
    write_project_state(settings, {"account": "999999999999", "agent_id": "a-1"})
    result = invoke("--json", "deploy", "--yes", project=project)
    assert result.exit_code == 5
    error = json_out(result)["error"]
    assert error["code"] == "WrongAccount" and "999999999999" in error["message"]


@pytest.mark.parametrize("command", [["logs"], ["fix-iam", "--from-logs"], ["doctor"]])
def test_a_bad_since_is_the_same_usage_error_everywhere(project, command):
    """One parser, one exit code: `--since 5x` is exit 2 naming the flag, before any AWS call."""
    result = invoke(*command, "--since", "5x", project=project)
    assert result.exit_code == 2, result.stdout + result.stderr
    assert "--since" in result.stderr and "'5x' is not a duration" in result.stderr


@pytest.mark.parametrize("command", ["status", "logs"])
def test_commands_on_an_undeployed_agent(project, aws, command):
    result = invoke("--json", command, project=project)
    if command == "status":
        assert result.exit_code == 0 and json_out(result)["deployed"] is False
    else:
        assert result.exit_code == 5 and "not deployed" in json_out(result)["message"]


@pytest.mark.slow  # ~1 s or more: `-m slow` (CI runs it)
def test_doctor_preflight_stops_a_deploy_before_anything_is_built(project, aws):
    entry = project / "agent" / "agentcore_app.py"
    text = entry.read_text()
    # The container runs `python -m agentcore_app`: a __main__ block that does real work
    # (instead of only starting the server) is the guide's failure doctor's main-guard finds.
    entry.write_text(text.replace('if __name__ == "__main__":\n    sys.exit(main(sys.argv[1:]))',
                                  'if __name__ == "__main__":\n    print(health())\n'))
    # --timeout: should preflight ever let this through, the READY wait fails fast instead
    # of hanging the suite.
    result = invoke("--json", "deploy", "--yes", "--no-warm", "--timeout", "20",
                    project=project)
    assert result.exit_code == 1, result.stderr
    doc = json_out(result)
    assert "main-guard" in doc["error"]["message"], doc
    assert [p["status"] for p in doc["phases"]][-1] == "failed"
    assert aws.client("ecr").describe_repositories()["repositories"] == []
    assert aws.client("bedrock-agentcore-control").list_agent_runtimes()["agentRuntimes"] == []


@pytest.mark.slow  # ~1 s or more: `-m slow` (CI runs it)
def test_dry_run_prints_each_phase_plan_and_writes_nothing(project, aws, agentcore_moto):
    result = invoke("deploy", "--dry-run", "--no-warm", project=project)
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "render" in out and "create" in out and ".bedrock_agentcore.yaml" in out
    assert "my_aibox_agent" in out and "no runtime yet" not in result.stderr
    assert not (project / ".bedrock_agentcore.yaml").exists()
    assert aws.client("dynamodb").list_tables()["TableNames"] == []


@pytest.mark.slow
def test_failed_build_shows_its_log_tail_and_doctors_diagnosis(project, aws, agentcore_moto,
                                                               monkeypatch):
    import time

    logs = aws.client("logs")  # what CodeBuild logged before the build failed
    group, stream = "/aws/codebuild/bedrock-agentcore-my_aibox_agent-builder", "b1"
    logs.create_log_group(logGroupName=group)
    logs.create_log_stream(logGroupName=group, logStreamName=stream)
    now = int(time.time() * 1000)
    logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=[
        {"timestamp": now, "message": "Step 5/9 : RUN python -c 'import genai'"},
        {"timestamp": now + 1, "message": "ModuleNotFoundError: No module named 'strands_tools'"}])
    agentcore_moto.build_fails, agentcore_moto.build_log = True, (group, stream)
    result = invoke("--json", "deploy", "--yes", "--no-warm", project=project)
    assert result.exit_code == 5
    error = json_out(result)["error"]
    assert error["code"] == "BuildFailed"
    assert error["log_tail"][-1] == "ModuleNotFoundError: No module named 'strands_tools'"
    assert "doctor --only missing-requirement" in error["hint"]
    assert "ModuleNotFoundError" in result.stderr  # the tail is shown to a person too
    assert aws.client("bedrock-agentcore-control").list_agent_runtimes()["agentRuntimes"] == []


@pytest.mark.slow  # ~1 s or more: `-m slow` (CI runs it)
def test_ctrl_c_during_deploy_is_a_clean_interrupted_130(project, aws, agentcore_moto,
                                                         monkeypatch):
    from aibox_ops.deploy import hooks

    def interrupted(*_args, **_kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(hooks, "provision", interrupted)
    result = invoke("deploy", "--yes", project=project)
    assert result.exit_code == 130, result.output
    assert "KeyboardInterrupt" not in result.stdout + result.stderr
    assert result.stderr.rstrip().endswith("interrupted")
    assert "✗ Tables and secrets" in result.stderr
    as_json = invoke("--json", "deploy", "--yes", project=project)
    assert as_json.exit_code == 130
    doc = json_out(as_json)
    assert doc["ok"] is False and doc["error"]["exit_code"] == 130
    assert doc["phases"][-1] == {**doc["phases"][-1], "name": "prerequisites",
                                 "status": "failed", "summary": "interrupted"}


@pytest.mark.slow  # ~1 s or more: `-m slow` (CI runs it)
def test_deploy_shows_its_plan_before_asking(project, aws, agentcore_moto, monkeypatch):
    from typer.testing import CliRunner

    from aibox_ops.cli import deploy_cmd, prompts
    from aibox_ops.cli.main import app

    monkeypatch.setattr(prompts, "can_ask", lambda: True)  # as on a terminal
    monkeypatch.setattr(deploy_cmd, "can_ask", lambda: True)
    result = CliRunner().invoke(app, ["--project", str(project), "deploy", "--no-warm"],
                                input="n\n")
    assert result.exit_code == 7, result.output
    question = result.stderr.index("Deploy my_aibox_agent to ap-southeast-1?")
    plan = result.stderr.index("deploy (dry run)")
    assert plan < question
    assert "create" in result.stderr[plan:question]  # the runtime would be created
    assert ".bedrock_agentcore.yaml" in result.stderr[plan:question]
    assert not (project / ".bedrock_agentcore.yaml").exists()  # declined: nothing written
    assert aws.client("dynamodb").list_tables()["TableNames"] == []
