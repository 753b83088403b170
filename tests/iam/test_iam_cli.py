"""``aibox-ops fix-iam`` end to end against the moto server (and a denying local peer)."""

from __future__ import annotations

import time

import pytest

from aibox_ops.errors import ExitCode
from tests.helpers import invoke, json_out
from tests.iam.conftest import (
    ACCOUNT,
    EXPECTED_MODELS,
    IAM_WRITES,
    REGION,
    TEAM_POLICY,
    create_runtime,
    expected_data,
    inline,
)
from tests.iam.lint import lint_policy


@pytest.fixture
def aws_calls(monkeypatch) -> list[tuple[str, str]]:
    """(service, operation) of every request the CLI's session sends."""
    import aibox_ops.aws as aws_package

    calls: list[tuple[str, str]] = []
    real = aws_package.open_session

    def counting(*args, **kwargs):
        session = real(*args, **kwargs)
        session.session.events.register(
            "before-call", lambda model, **_: calls.append(
                (model.service_model.service_name, model.name)))
        return session

    monkeypatch.setattr(aws_package, "open_session", counting)
    return calls


def writes(calls) -> set[str]:
    return {op for service, op in calls if service == "iam"} & IAM_WRITES


@pytest.mark.slow
def test_fix_iam_writes_exact_policies_then_a_rerun_sends_no_iam_write(aws, world, aws_calls):
    result = invoke("--json", "fix-iam", "--yes", project=world.project)
    assert result.exit_code == 0, result.stderr
    out = json_out(result)
    assert out["ok"] and out["changed"] and out["mode"] == "apply"
    assert out["role_arn"] == world.role_arn
    assert out["written"] == ["aibox-ops-data", "aibox-ops-models"]
    assert [(p["name"], p["action"]) for p in out["policies"]] == [
        ("aibox-ops-data", "create"), ("aibox-ops-models", "create")]
    assert out["backup_id"] and out["verification"]["ok"]
    assert out["verification"]["source"] == "read back after apply"
    after = inline(aws, world.role_name)
    assert after["aibox-ops-data"] == expected_data(world)
    assert after["aibox-ops-models"] == EXPECTED_MODELS
    assert after["team-s3-read"] == TEAM_POLICY
    for name in ("aibox-ops-data", "aibox-ops-models"):
        assert lint_policy(after[name]) == []
    assert writes(aws_calls) == {"PutRolePolicy"}

    aws_calls.clear()
    again = invoke("--json", "fix-iam", "--yes", project=world.project)
    assert again.exit_code == 0, again.stderr
    second = json_out(again)
    assert not second["changed"] and second["backup_id"] is None
    assert [p["action"] for p in second["policies"]] == ["unchanged", "unchanged"]
    assert aws_calls and writes(aws_calls) == set()  # no IAM write call at all
    check = invoke("fix-iam", "--check", project=world.project)
    assert check.exit_code == 0, check.stderr


@pytest.mark.slow  # 0.6 s or more: kept out of the everyday suite
def test_dry_run_and_check_write_nothing(aws, world, aws_calls):
    before = inline(aws, world.role_name)
    dry = invoke("fix-iam", "--dry-run", project=world.project)
    assert dry.exit_code == 0, dry.stderr
    assert "+ SettingsTableRead: Allow" in dry.stdout  # the statement diff
    assert "BedrockImageModel: already allowed" in dry.stdout
    assert f"{world.secret_arns['dev_openai_api']}" in dry.stdout  # ":secret:" is no emoji
    assert "not proven allowed" in dry.stdout  # current policies, summarised
    check = invoke("fix-iam", "--check", "--json", project=world.project)  # option after
    assert check.exit_code == ExitCode.CHECK_FAILED
    assert json_out(check)["mode"] == "check" and not json_out(check)["ok"]
    assert writes(aws_calls) == set()
    assert inline(aws, world.role_name) == before
    assert not (world.project / ".aibox-ops").exists()


def test_without_yes_and_without_a_terminal_it_refuses(aws, world):
    result = invoke("fix-iam", project=world.project)
    assert result.exit_code == ExitCode.REFUSED
    assert "--yes" in result.stderr
    assert "aibox-ops-data" not in inline(aws, world.role_name)


@pytest.mark.slow
def test_rollback_and_list_backups_through_the_cli(aws, world):
    assert invoke("fix-iam", "--yes", project=world.project).exit_code == 0
    listed = json_out(invoke("--json", "fix-iam", "--list-backups", project=world.project))
    [backup] = listed["backups"]
    assert backup["policies"] == {"aibox-ops-data": "absent", "aibox-ops-models": "absent"}
    dry = invoke("fix-iam", "--rollback", "--dry-run", project=world.project)
    assert dry.exit_code == 0 and "aibox-ops-data" in inline(aws, world.role_name)
    undo = invoke("--json", "fix-iam", "--rollback", backup["id"], "--yes",
                  project=world.project)
    assert undo.exit_code == 0, undo.stderr
    assert json_out(undo)["rollback_of"] == backup["id"]
    assert set(inline(aws, world.role_name)) == {
        "BedrockAgentCoreRuntimeExecutionPolicy-my_aibox_agent", "team-s3-read"}
    missing = invoke("fix-iam", "--rollback", "20990101T000000000000Z", "--yes",
                     project=world.project)
    assert missing.exit_code == ExitCode.FILE and backup["id"] in missing.stderr


def test_missing_role_is_an_aws_error_naming_candidates(aws, world):
    aws.client("iam").delete_role_policy(RoleName=world.role_name, PolicyName="team-s3-read")
    result = invoke("--json", "fix-iam", "--role", "ghost-role", project=world.project)
    assert result.exit_code == ExitCode.AWS
    out = json_out(result)
    assert "role ghost-role does not exist" in out["message"]
    assert world.role_name in out["hint"] and "--role" in out["hint"]


def test_oversized_inline_policies_fail_with_the_figure(aws, world):
    big = '{"Version":"2012-10-17","Statement":[' + ",".join(
        f'{{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b{i:03d}-'
        f'{"x" * 70}/*"}}' for i in range(90)) + "]}"
    aws.client("iam").put_role_policy(RoleName=world.role_name, PolicyName="big",
                                      PolicyDocument=big)
    result = invoke("fix-iam", "--yes", project=world.project)
    assert result.exit_code == ExitCode.AWS
    assert "10240-character limit" in result.stderr and "would total" in result.stderr
    assert "aibox-ops-data" not in inline(aws, world.role_name)


@pytest.mark.slow
def test_caller_access_denied_names_the_permission_and_principal(aws, world, monkeypatch):
    from tests.iam.deny_peer import DenyingPeer

    who = f"arn:aws:sts::{ACCOUNT}:assumed-role/dev/alice"
    with DenyingPeer(aws.url, {"PutRolePolicy"}, who) as peer:
        monkeypatch.setenv("AWS_ENDPOINT_URL", peer.url)
        result = invoke("--json", "fix-iam", "--yes", project=world.project)
    assert peer.denied == ["PutRolePolicy"]  # asked once: AccessDenied is not retried
    assert result.exit_code == ExitCode.AWS
    out = json_out(result)
    assert "is not allowed to call iam:PutRolePolicy" in out["message"]
    caller = aws.client("sts").get_caller_identity()["Arn"]
    assert caller in out["message"] and out["code"] == "AccessDenied"
    assert "Grant iam:PutRolePolicy" in out["hint"]


@pytest.mark.slow
def test_from_logs_grants_exactly_the_denied_calls_of_this_role(aws, world):
    runtime_id = create_runtime(aws, world.role_arn)
    logs = aws.client("logs")
    group = f"/aws/bedrock-agentcore/runtimes/{runtime_id}-DEFAULT"
    logs.create_log_group(logGroupName=group)
    logs.create_log_stream(logGroupName=group, logStreamName="s1")
    me = f"arn:aws:sts::{ACCOUNT}:assumed-role/{world.role_name}/session-1"
    table = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/aibox_audit"
    lines = [
        f"botocore.errorfactory.AccessDeniedException: An error occurred (AccessDeniedException) "
        f"when calling the PutItem operation: User: {me} is not authorized to perform: "
        f"dynamodb:PutItem on resource: {table} because no identity-based policy allows it",
        f"User: {me} is not authorized to perform: s3:GetObject on resource: "
        "arn:aws:s3:::other-account-bucket/key because no identity-based policy allows it",
        f"User: {me} is not authorized to perform: dynamodb:GetItem on resource: "
        f"arn:aws:dynamodb:{REGION}:999999999999:table/theirs because ...",
        f"User: arn:aws:sts::{ACCOUNT}:assumed-role/other-role/x is not authorized to perform: "
        f"dynamodb:DeleteItem on resource: {table}",
        "INFO an ordinary line",
    ]
    now = int(time.time() * 1000)
    logs.put_log_events(logGroupName=group, logStreamName="s1", logEvents=[
        {"timestamp": now - 1000 * (len(lines) - i), "message": m} for i, m in enumerate(lines)])
    result = invoke("--json", "fix-iam", "--from-logs", "--since", "1h", "--yes",
                    project=world.project)
    assert result.exit_code == 0, result.stderr
    out = json_out(result)
    assert out["from_logs"]["log_group"] == group
    assert len(out["from_logs"]["denials"]) == 4
    skipped = "\n".join(out["from_logs"]["skipped"])
    assert "999999999999" in skipped and "other-role" in skipped
    assert "other-account-bucket/key: a resource of an unknown account" in skipped
    policy = inline(aws, world.role_name)["aibox-ops-from-logs"]
    assert policy == {"Version": "2012-10-17", "Statement": [
        {"Sid": "FromLogsDynamodbPutItem", "Effect": "Allow", "Action": ["dynamodb:PutItem"],
         "Resource": [table]}]}
    assert lint_policy(policy) == []
    rerun = invoke("--json", "fix-iam", "--yes", project=world.project)  # without --from-logs
    assert [p["action"] for p in json_out(rerun)["policies"]] == ["unchanged"] * 3


@pytest.mark.slow  # 0.45 s or more: kept out of the everyday suite
def test_bad_command_lines_are_usage_errors_before_any_aws_call(tmp_path):
    from tests.iam.conftest import make_iam_project

    project = make_iam_project(tmp_path / "p")  # no `aws` fixture: any AWS call would fail
    since = invoke("fix-iam", "--from-logs", "--since", "soon", project=project)
    assert since.exit_code == ExitCode.USAGE and "--since: 'soon' is not a duration" in since.stderr
    stray = invoke("fix-iam", "20260101T000000000000Z", project=project)
    assert stray.exit_code == ExitCode.USAGE and "goes with --rollback" in stray.stderr


def test_an_explicit_deny_elsewhere_fails_verification_after_writing(aws, world):
    guard = ('{"Version":"2012-10-17","Statement":[{"Sid":"NoWrites","Effect":"Deny",'
             '"Action":"dynamodb:PutItem","Resource":"*"}]}')
    aws.client("iam").put_role_policy(RoleName=world.role_name, PolicyName="guard",
                                      PolicyDocument=guard)
    result = invoke("--json", "fix-iam", "--yes", project=world.project)
    assert result.exit_code == ExitCode.CHECK_FAILED
    out = json_out(result)
    assert not out["ok"] and "backup" in out["message"]
    assert "dynamodb:PutItem on arn:aws:dynamodb" in out["message"]
    assert "explicitly denied by policy guard statement NoWrites" in out["message"]
    assert "an Allow cannot override it" in result.stderr  # the planning warning
    assert inline(aws, world.role_name)["guard"]["Statement"][0]["Effect"] == "Deny"
