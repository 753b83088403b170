"""deploy, rollback and destroy trust no local file (issue 18): a runtime id, a created role
name or a history record edited by hand never makes them act on someone else's resources."""

from __future__ import annotations

import json

import pytest

from aibox_ops.config import load_settings
from aibox_ops.deploy.history import HISTORY_PATH
from aibox_ops.deploy.yaml_state import write_project_state
from aibox_ops.errors import ExitCode
from aibox_ops.render import apply_render, plan_render
from tests.helpers import invoke, json_out

REGION, ACCOUNT = "ap-southeast-1", "123456789012"


def other_runtime(aws, name: str = "other_team_agent") -> str:
    """A runtime in moto that this project did not create (with agentcore_moto, a deploy
    that wrongly launched would finish, and the test fail, instead of hanging)."""
    reply = aws.client("bedrock-agentcore-control").create_agent_runtime(
        agentRuntimeName=name, roleArn=f"arn:aws:iam::{ACCOUNT}:role/theirs",
        agentRuntimeArtifact={"containerConfiguration": {
            "containerUri": f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/theirs:v1"}},
        networkConfiguration={"networkMode": "PUBLIC"})
    return reply["agentRuntimeId"]


def point_yaml_at(project, runtime_id: str | None, **more: str):
    settings = load_settings(project, environ={})
    apply_render(project, plan_render(settings))
    write_project_state(settings, {"agent_id": runtime_id, **more})
    return settings


def write_history(project, settings, created: dict, deploys: list | None = None) -> None:
    path = project / HISTORY_PATH
    path.parent.mkdir(parents=True, exist_ok=True)
    key = f"{settings.agent_name}@{settings.region}"
    path.write_text(json.dumps({"version": 1, "targets": {
        key: {"created": created, "deploys": deploys or []}}}))


def error_of(result) -> dict:
    """The error of a --json run (deploy nests it under "error"; others are the error)."""
    doc = json_out(result)
    return doc["error"] if isinstance(doc.get("error"), dict) else doc


def runtime_unchanged(aws, runtime_id: str) -> bool:
    reply = aws.client("bedrock-agentcore-control").get_agent_runtime(agentRuntimeId=runtime_id)
    return reply["agentRuntimeVersion"] == "1" and reply["agentRuntimeArtifact"][
        "containerConfiguration"]["containerUri"].endswith("/theirs:v1")


RECORD = {"time": "2026-01-01T00:00:00+00:00", "action": "deploy", "content_hash": "a" * 64,
          "config_hash": "b", "image_uri": f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/x:old"}


@pytest.mark.parametrize("command", [["deploy", "--yes", "--no-warm"], ["destroy", "--yes"],
                                     ["rollback", "--yes"]])
@pytest.mark.slow  # ~1 s or more: `-m slow` (CI runs it)
def test_another_teams_runtime_named_in_the_yaml_is_never_touched(project, aws, agentcore_moto,
                                                                   command):
    theirs = other_runtime(aws)
    settings = point_yaml_at(project, theirs)
    write_history(project, settings, {}, [RECORD])
    result = invoke("--json", *command, project=project)
    assert result.exit_code == ExitCode.AWS, result.stdout + result.stderr
    error = error_of(result)
    assert error["code"] == "WrongRuntime" and "'other_team_agent'" in error["message"]
    assert runtime_unchanged(aws, theirs)
    assert aws.client("bedrock-agentcore-control").list_agent_runtimes()["agentRuntimes"]
    assert not aws.client("dynamodb").list_tables()["TableNames"]  # nothing provisioned


@pytest.mark.slow  # 0.6 s or more: kept out of the everyday suite
def test_a_runtime_of_our_name_that_we_did_not_create_is_refused(project, aws):
    ours = other_runtime(aws, "my_aibox_agent")
    impostor = other_runtime(aws, "my_aibox_agent_2")
    settings = point_yaml_at(project, impostor)
    write_history(project, settings, {"runtime": ours})
    assert invoke("--json", "destroy", "--yes", project=project).exit_code == ExitCode.AWS
    # Same name as the agent, but not the runtime aibox-ops recorded as created.
    twin = aws.client("bedrock-agentcore-control")
    twin.delete_agent_runtime(agentRuntimeId=impostor)
    settings = load_settings(project, environ={})
    other_region_copy = other_runtime(aws, "my_aibox_agent")  # a second one of our name
    write_project_state(settings, {"agent_id": other_region_copy})
    result = invoke("--json", "destroy", "--yes", project=project)
    assert result.exit_code == ExitCode.AWS
    assert f"aibox-ops created runtime {ours}" in error_of(result)["message"]
    ids = {r["agentRuntimeId"] for r in twin.list_agent_runtimes()["agentRuntimes"]}
    assert {ours, other_region_copy} <= ids


@pytest.mark.slow
def test_a_failed_iam_phase_is_redone_by_the_next_deploy(project, aws, agentcore_moto):
    from aibox_ops.aws import open_session
    from aibox_ops.deploy import DeployOptions, load_history, run_deploy
    from aibox_ops.errors import AwsError

    iam = aws.client("iam")
    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "bedrock-agentcore.amazonaws.com"},
        "Action": "sts:AssumeRole"}]}
    role_arn = iam.create_role(RoleName="my-own-agent-role",
                               AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    big = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{'b' * 10100}"}]}
    iam.put_role_policy(RoleName="my-own-agent-role", PolicyName="team-big",
                        PolicyDocument=json.dumps(big))
    settings = point_yaml_at(project, None, execution_role=role_arn)
    options = DeployOptions(timeout=5, poll=0.05, no_warm=True)
    with pytest.raises(AwsError, match="over IAM's 10240-character limit"):
        run_deploy(open_session(settings.region), settings, options)
    assert load_history(settings).last.iam_applied is False  # the build did reach the runtime
    iam.delete_role_policy(RoleName="my-own-agent-role", PolicyName="team-big")

    again = run_deploy(open_session(settings.region), load_settings(project, environ={}), options)
    phases = {p.name: p for p in again.phases}
    assert again.action == "unchanged" and phases["iam"].status == "ok", phases["iam"].summary
    assert "aibox-ops-data" in iam.list_role_policies(RoleName="my-own-agent-role")["PolicyNames"]
    backup = phases["iam"].detail["backup_id"]
    assert f"`aibox-ops fix-iam --rollback {backup}`" in phases["iam"].summary
    assert load_history(settings).last.iam_applied is True
    third = run_deploy(open_session(settings.region), load_settings(project, environ={}), options)
    assert {p.name: p.status for p in third.phases}["iam"] == "skipped"


HOLD_LOCK = """
import sys
from pathlib import Path
from aibox_ops.config import load_settings
from aibox_ops.deploy.lock import project_lock
with project_lock(load_settings(Path(sys.argv[1]), environ={}), "deploy"):
    print("held", flush=True)
    sys.stdin.read()  # until the test closes our stdin
"""


def test_a_second_deploy_while_one_runs_is_refused_naming_the_other(project, aws):
    import subprocess
    import sys

    from aibox_ops.aws import open_session
    from aibox_ops.deploy.destroy import apply_destroy
    from aibox_ops.deploy.lock import project_lock
    from aibox_ops.errors import RefusedError
    from aibox_ops.plan import Plan

    other = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(project)],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert other.stdout.readline().strip() == "held"
        result = invoke("--json", "deploy", "--yes", "--no-warm", project=project)
        assert result.exit_code == ExitCode.REFUSED, result.stdout + result.stderr
        message = error_of(result)["message"]
        assert f"pid {other.pid}" in message and "`aibox-ops deploy`" in message, message
        assert not (project / HISTORY_PATH).exists()
        settings = load_settings(project, environ={})
        with pytest.raises(RefusedError, match=f"pid {other.pid}"):
            apply_destroy(open_session(settings.region), settings, Plan("destroy", []))
    finally:
        other.stdin.close()
        other.wait(timeout=30)
    with project_lock(settings, "deploy"):  # released when the other run ended
        pass


@pytest.mark.slow
def test_a_runtime_id_the_yaml_write_lost_is_recovered_not_duplicated(project, aws,
                                                                      agentcore_moto,
                                                                      monkeypatch):
    from aibox_ops.aws import open_session
    from aibox_ops.deploy import DeployOptions, load_history, run_deploy, yaml_state
    from aibox_ops.deploy_state import load_deploy_state
    from aibox_ops.errors import FileError

    settings = load_settings(project, environ={})
    real = yaml_state.atomic_write
    yaml_path = settings.path(".bedrock_agentcore.yaml")
    full = {"on": False}

    def disk_full(path, text):
        if full["on"] and path == yaml_path:
            raise FileError(f"{path}: cannot be written (No space left on device)")
        real(path, text)

    monkeypatch.setattr(yaml_state, "atomic_write", disk_full)
    apply_render(project, plan_render(settings))
    full["on"] = True  # from now on (the launch's write-back) the YAML cannot be written
    options = DeployOptions(timeout=5, poll=0.05, no_warm=True)
    with pytest.raises(FileError, match="No space left") as info:
        run_deploy(open_session(settings.region), settings, options)
    assert "the next deploy records it" in info.value.hint
    control = aws.client("bedrock-agentcore-control")
    [first] = control.list_agent_runtimes()["agentRuntimes"]
    assert not load_deploy_state(settings).agent_id  # only the scratch file knows it
    assert load_history(settings).created["runtime"] == first["agentRuntimeId"]

    full["on"] = False
    report = run_deploy(open_session(settings.region), load_settings(project, environ={}),
                        options)
    assert any("recovered" in w for w in report.warnings), report.warnings
    assert report.action == "build" and report.agent_id == first["agentRuntimeId"]
    assert [r["agentRuntimeId"] for r in control.list_agent_runtimes()["agentRuntimes"]] == \
        [first["agentRuntimeId"]]
    assert load_deploy_state(settings).agent_id == first["agentRuntimeId"]


@pytest.mark.parametrize("blocker", [".aibox-ops/logs", ".aibox-ops"])
def test_a_file_where_a_state_folder_belongs_is_a_clear_file_error(project, aws, blocker):
    settings = load_settings(project, environ={})
    apply_render(project, plan_render(settings))
    (project / blocker).parent.mkdir(parents=True, exist_ok=True)
    (project / blocker).write_text("not a folder\n")
    result = invoke("--json", "deploy", "--yes", "--no-warm", project=project)
    assert result.exit_code == ExitCode.FILE, result.stdout + result.stderr
    assert blocker in error_of(result)["message"] and "Traceback" not in result.stderr
    assert not aws.client("dynamodb").list_tables()["TableNames"]


@pytest.mark.slow  # ~1 s or more: `-m slow` (CI runs it)
def test_a_fifo_or_dev_zero_named_py_in_the_agent_is_a_clear_file_error(project, aws):
    import os
    import subprocess
    import sys

    settings = load_settings(project, environ={})
    apply_render(project, plan_render(settings))
    os.mkfifo(project / "agent" / "genai" / "stream.py")
    (project / "agent" / "zero.py").symlink_to("/dev/zero")
    code = ("import sys; from aibox_ops.entry import run; sys.argv = ['aibox-ops', '--json', "
            "'--project', sys.argv[1], 'deploy', '--yes', '--no-warm']; run()")
    # A child with a deadline: on a regression it would block on the FIFO for ever.
    done = subprocess.run([sys.executable, "-c", code, str(project)], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == ExitCode.FILE, done.stdout + done.stderr
    message = json.loads(done.stdout)["error"]["message"]
    assert "not a regular file" in message and ("stream.py" in message or "zero.py" in message)
    assert not aws.client("dynamodb").list_tables()["TableNames"]


def test_an_unknown_key_in_a_history_record_keeps_the_record(project):
    from aibox_ops.deploy import load_history

    settings = load_settings(project, environ={})
    write_history(project, settings, {}, [{**RECORD, "added_by_a_newer_version": 1},
                                          {"time": "x"}, "not a record"])
    [record] = load_history(settings).deploys
    assert record.image_uri == RECORD["image_uri"]


def test_destroy_never_deletes_a_hand_edited_created_role(project, aws):
    iam = aws.client("iam")
    iam.create_role(RoleName="Admin", AssumeRolePolicyDocument="{}")
    settings = point_yaml_at(project, None, execution_role=f"arn:aws:iam::{ACCOUNT}:role/Admin")
    write_history(project, settings, {"execution_role": "Admin"})
    result = invoke("--json", "destroy", "--yes", project=project)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert iam.get_role(RoleName="Admin")["Role"]["RoleName"] == "Admin"
    assert "not the name deploy gives it" in result.stdout
