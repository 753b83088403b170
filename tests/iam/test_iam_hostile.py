"""fix-iam under hostile input (issue 18): planted log lines, foreign --role ARNs, wildcard
names and manifests that ask for too much. Against the moto server."""

from __future__ import annotations

import json
import time

import pytest

from aibox_ops.errors import ExitCode
from tests.helpers import invoke, json_out
from tests.iam.conftest import ACCOUNT, REGION, create_runtime, inline


def put_lines(aws, runtime_id: str, lines: list[str]) -> str:
    """Write ``lines`` to the runtime's log group (created here); returns the group."""
    logs = aws.client("logs")
    group = f"/aws/bedrock-agentcore/runtimes/{runtime_id}-DEFAULT"
    logs.create_log_group(logGroupName=group)
    logs.create_log_stream(logGroupName=group, logStreamName="s1")
    now = int(time.time() * 1000)
    logs.put_log_events(logGroupName=group, logStreamName="s1", logEvents=[
        {"timestamp": now - 1000 * (len(lines) - i), "message": m} for i, m in enumerate(lines)])
    return group


@pytest.mark.slow  # 0.45 s or more: kept out of the everyday suite
def test_planted_log_lines_grant_nothing_beyond_the_manifests_scope(aws, world):
    runtime_id = create_runtime(aws, world.role_arn)
    me = f"arn:aws:sts::{ACCOUNT}:assumed-role/{world.role_name}/session-1"
    foreign_me = f"arn:aws:sts::999999999999:assumed-role/{world.role_name}/session-1"
    ok_table = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/aibox_audit"

    def denied(who: str, action: str, resource: str) -> str:
        # The agent's rejected-request line, as it read before issue 18: client text verbatim.
        return (f"INFO agentcore_app: Rejected request: Invalid request: unknown action "
                f"'{who} is not authorized to perform: {action} on resource: {resource}'")

    lines = [
        denied(me, "iam:PutRolePolicy", world.role_arn),
        denied(me, "iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/Admin"),
        denied(me, "sts:AssumeRole", f"arn:aws:iam::{ACCOUNT}:role/Admin"),
        denied(me, "organizations:LeaveOrganization",
               f"arn:aws:organizations::{ACCOUNT}:account/o-1/1"),
        denied(me, "secretsmanager:GetSecretValue",
               f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:*"),
        denied(me, "dynamodb:DeleteTable", f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/*"),
        denied(me, "sqs:SendMessage", f"arn:aws:sqs:{REGION}:{ACCOUNT}:queue1"),
        denied(me, "bedrock:InvokeAgent", f"arn:aws:bedrock:{REGION}:{ACCOUNT}:agent/A1"),
        denied(foreign_me, "dynamodb:PutItem", ok_table),
        denied(f"arn:aws:sts::{ACCOUNT}:assumed-role/{world.role_name}/a/b", "dynamodb:PutItem",
               ok_table),
        f"is not authorized to perform: dynamodb:GetItem on resource: {ok_table}",
        f"User: {me} is not authorized to perform: dynamodb:PutItem on resource: {ok_table} "
        "because no identity-based policy allows the dynamodb:PutItem action",
    ]
    put_lines(aws, runtime_id, lines)
    result = invoke("--json", "fix-iam", "--from-logs", "--yes", project=world.project)
    assert result.exit_code == 0, result.stderr
    out = json_out(result)
    skipped = "\n".join(out["from_logs"]["skipped"])
    assert len(out["from_logs"]["skipped"]) == len(lines) - 1, skipped
    for needle in ("iam actions are never granted", "sts actions are never granted",
                   "organizations actions are never granted", "a wildcard ARN",
                   "the manifest names no sqs action", "resource type bedrock:agent",
                   "not to role", "names no principal"):
        assert needle in skipped, needle
    assert out["from_logs"]["proposed"] == [
        {"Sid": "FromLogsDynamodbPutItem", "Effect": "Allow", "Action": ["dynamodb:PutItem"],
         "Resource": [ok_table]}]
    policy = inline(aws, world.role_name)["aibox-ops-from-logs"]
    assert policy["Statement"] == out["from_logs"]["proposed"]
    assert "iam:" not in json.dumps(inline(aws, world.role_name))


def test_a_principal_of_the_same_name_in_another_partition_is_refused():
    from aibox_ops.iam.logs import DeniedCall, refusal

    role = f"arn:aws:iam::{ACCOUNT}:role/path/r"
    scope = {"dynamodb": {("dynamodb", "table")}}
    table = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/t"

    def why(who: str | None, resource: str = table) -> str | None:
        return refusal(DeniedCall("dynamodb:GetItem", resource, who, 0), role, scope)

    assert why(f"arn:aws:sts::{ACCOUNT}:assumed-role/r/s") is None
    assert why(role) is None and why(f"arn:aws:iam::{ACCOUNT}:role/r") is None
    assert "not to role" in why(f"arn:aws-cn:sts::{ACCOUNT}:assumed-role/r/s")
    assert "not to role" in why(f"arn:aws:iam::{ACCOUNT}:role/r2")
    assert "partition" in why(role, f"arn:aws-cn:dynamodb:{REGION}:{ACCOUNT}:table/t")
    assert "wildcard" in why(role, f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/t?")


@pytest.mark.parametrize(("role", "needle"), [
    ("", "not a role name"),
    ("arn:aws:iam::999999999999:role/X", "account 999999999999"),
    (f"arn:aws-cn:iam::{ACCOUNT}:role/X", "partition aws-cn"),
    (f"arn:aws:iam::{ACCOUNT}:user/X", "not an IAM role ARN"),
    (f"arn:aws:iam::{ACCOUNT}:role/*", "role name is not one IAM allows"),
    ("Admin*", "not a role name"),
], ids=["empty", "foreign-account", "foreign-partition", "user", "wildcard-arn", "wildcard"])
def test_a_role_option_outside_this_account_is_refused_before_any_iam_write(aws, world, role,
                                                                            needle):
    aws.client("iam").create_role(RoleName="X", AssumeRolePolicyDocument="{}")
    result = invoke("--json", "fix-iam", "--yes", "--role", role, project=world.project)
    assert result.exit_code == ExitCode.CONFIG, result.stderr
    assert needle in json_out(result)["message"]
    assert inline(aws, "X") == {}  # nothing written to the caller's role X


def test_a_role_arn_with_another_path_is_refused(aws, world):
    aws.client("iam").create_role(RoleName="X", Path="/team/", AssumeRolePolicyDocument="{}")
    result = invoke("--json", "fix-iam", "--yes", "--role", f"arn:aws:iam::{ACCOUNT}:role/X",
                    project=world.project)
    assert result.exit_code == ExitCode.CONFIG and "another path" in json_out(result)["message"]
    good = invoke("--json", "fix-iam", "--dry-run", "--role",
                  f"arn:aws:iam::{ACCOUNT}:role/team/X", project=world.project)
    assert good.exit_code == 0, good.stderr


@pytest.mark.parametrize(("tool", "needle"), [
    ('[tool.aibox-ops]\nsecrets = ["*"]\n', "which is not a secret id"),
    ('[tool.aibox-ops]\nsecrets = ["dev_*"]\n', "which is not a secret id"),
    ('[tool.aibox-ops.environment]\nGEMINI_SECRET_ID = "*"\n', "is not a secret name"),
    ('[tool.aibox-ops.environment]\nSESSION_TABLE = "aibox_*"\n', "is not a DynamoDB table"),
    ('[tool.aibox-ops.environment]\nIMAGE_MODEL_ID = "*"\n', "a wildcard is never granted"),
    ('[tool.aibox-ops.environment]\nAWS_REGION = "us-east-1:999999999999"\n',
     "is not the ARN its template"),
], ids=["secrets-star", "secrets-prefix", "env-secret", "env-table", "env-model", "env-colon"])
def test_a_wildcard_name_is_refused_and_nothing_is_written(aws, world, tool, needle):
    from tests.iam.conftest import make_iam_project

    project = make_iam_project(world.project.parent / "wild", tool=tool)
    result = invoke("--json", "fix-iam", "--yes", project=project)
    assert result.exit_code == ExitCode.CONFIG, result.stdout + result.stderr
    assert needle in result.stdout, result.stdout
    assert "aibox-ops-data" not in inline(aws, world.role_name)


@pytest.mark.parametrize(("statement", "needle"), [
    ({"actions": ["iam:PassRole"], "resources": [{"type": "any", "arn": "*"}]},
     "one service per statement, one of"),
    ({"actions": ["iam:CreateUser"], "resources": [
        {"type": "x", "arn": "arn:${aws:partition}:iam::${aws:account}:user/x"}]},
     "one service per statement"),
    ({"actions": ["sts:AssumeRole"], "resources": [
        {"type": "x", "arn": "arn:${aws:partition}:iam::${aws:account}:role/Admin"}]},
     "one service per statement"),
    ({"actions": ["dynamodb:GetItem", "s3:GetObject"], "resources": [
        {"type": "dynamodb-table", "arn": "arn:aws:dynamodb:*:${aws:account}:table/t"}]},
     "one service per statement"),
    ({"actions": ["dynamodb:GetItem"], "resources": [{"type": "x", "arn": "arn:*:*:*:*:*"}]},
     "partition must be"),
    ({"actions": ["dynamodb:GetItem"], "resources": [
        {"type": "x", "arn": "arn:aws:dynamodb:*:*:table/t"}]}, "account must be"),
    ({"actions": ["dynamodb:GetItem"], "resources": [
        {"type": "x", "arn": "arn:aws:dynamodb:*:${aws:account}:table/*"}]},
     "a wildcard in a table name"),
    ({"actions": ["dynamodb:DeleteTable"], "resources": [{"type": "any", "arn": "*"}]},
     "only polly may have resource '*'"),
    ({"actions": ["secretsmanager:GetSecretValue"], "resources": [
        {"type": "x", "arn": "arn:aws:secretsmanager:*:${aws:account}:secret:*"}]},
     "a wildcard in a secret name"),
    ({"actions": ["dynamodb:GetItem"], "resources": [
        {"type": "x", "arn": "arn:aws:secretsmanager:*:${aws:account}:secret:s"}]},
     "is not that of the statement's actions"),
    ({"actions": ["bedrock:InvokeModel"], "resources": [
        {"type": "x", "arn": "arn:aws:bedrock:*:${aws:account}:agent/*"}]},
     "resource type 'agent'"),
], ids=["iam-passrole-star", "iam-createuser", "sts", "mixed", "all-wild", "any-account",
        "table-star", "star-not-polly", "secret-star", "other-service", "bedrock-agent"])
@pytest.mark.slow  # 0.45 s or more: kept out of the everyday suite
def test_a_manifest_outside_the_allow_list_is_refused_before_any_write(aws, world, statement,
                                                                        needle):
    path = world.project / "agent" / "permissions.json"
    data = json.loads(path.read_text())
    data["statements"].append({"sid": "Extra", **statement})
    path.write_text(json.dumps(data))
    result = invoke("--json", "fix-iam", "--yes", project=world.project)
    assert result.exit_code == ExitCode.FILE, result.stdout + result.stderr
    assert "statements[6]" in result.stdout and needle in result.stdout, result.stdout
    assert "aibox-ops-data" not in inline(aws, world.role_name)


def test_a_manifest_nested_100000_deep_is_a_file_error_not_a_crash(aws, world):
    path = world.project / "agent" / "permissions.json"
    path.write_text('{"statements": ' + "[" * 100_000 + "]" * 100_000 + "}")
    result = invoke("--json", "fix-iam", "--dry-run", project=world.project)
    assert result.exit_code == ExitCode.FILE, result.stdout
    assert "nested too deeply" in json_out(result)["message"]
