"""The pure parts of the IAM library, without AWS: manifest, required access, evaluator,
planning from documents, log parsing."""

from __future__ import annotations

import dataclasses
import json

import pytest

from aibox_ops import iam
from aibox_ops.config import load_settings
from aibox_ops.errors import ConfigError, FileError
from aibox_ops.iam.evaluate import glob_covers, glob_overlaps
from aibox_ops.iam.logs import parse_denials
from tests.iam.conftest import ACCOUNT, make_iam_project, toolkit_execution_policy
from tests.iam.lint import lint_policy

R = "ap-southeast-1"
ROLE = iam.RoleRef("r", f"arn:aws:iam::{ACCOUNT}:role/r", "--role")


def needs(tmp_path, tool: str = "", secrets=None, services=None) -> dict[str, iam.Requirement]:
    settings = load_settings(make_iam_project(tmp_path / "p", tool="[tool.aibox-ops]\n" + tool))
    manifest = iam.load_manifest(settings)
    return {r.sid: r for r in iam.required_access(settings, manifest, ACCOUNT, "aws",
                                                  services, secrets)}


def table(name: str, region: str = R) -> list[str]:
    arn = f"arn:aws:dynamodb:{region}:{ACCOUNT}:table/{name}"
    return [arn, f"{arn}/index/*"]


def test_defaults_come_from_the_container_environment(tmp_path):
    reqs = needs(tmp_path, '[tool.aibox-ops.environment]\nSESSION_TABLE = "prod_sessions"\n')
    assert reqs["SettingsTableRead"].resources == table("aibox_setting")
    assert reqs["SessionTableReadWrite"].resources == table("prod_sessions")
    assert reqs["ProviderApiKeySecrets"].resources == [
        f"arn:aws:secretsmanager:{R}:{ACCOUNT}:secret:dev_openai_api-??????",
        f"arn:aws:secretsmanager:{R}:{ACCOUNT}:secret:dev_gemini_api-??????"]
    assert reqs["BedrockChatModels"].resources[0] == \
        f"arn:aws:bedrock:us-west-2:{ACCOUNT}:inference-profile/*"
    assert reqs["PollySpeech"].statement()["Resource"] == "*"
    assert "SecretsKmsDecrypt" not in reqs  # no secret facts: no customer key known
    for req in reqs.values():
        assert "*" not in "".join(req.actions)


def test_tables_and_secrets_settings_replace_the_environment_names(tmp_path):
    secret_arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:team/key-AbCdEf"
    reqs = needs(tmp_path, f'tables = ["aibox_setting", "audit"]\nsecrets = ["{secret_arn}"]\n')
    # aibox_setting keeps its statement's actions; "audit" (no variable holds it) gets the
    # actions of every DynamoDB statement; aibox_session (not configured) gets nothing.
    assert reqs["SettingsTableRead"].resources == table("aibox_setting") + table("audit")
    assert reqs["SessionTableReadWrite"].resources == table("audit")
    assert reqs["ProviderApiKeySecrets"].resources == [secret_arn]  # a full ARN as it is


@pytest.mark.slow  # 0.45 s or more: kept out of the everyday suite
def test_secret_facts_give_real_arns_and_a_kms_statement_for_customer_keys(tmp_path):
    key = f"arn:aws:kms:{R}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    real = f"arn:aws:secretsmanager:{R}:{ACCOUNT}:secret:dev_gemini_api-Qx12Zw"
    facts = {"dev_gemini_api": iam.SecretFacts(arn=real, kms_key_arn=key)}
    reqs = needs(tmp_path, secrets=facts, services=["secretsmanager"])
    assert set(reqs) == {"ProviderApiKeySecrets", "SecretsKmsDecrypt"}
    assert reqs["ProviderApiKeySecrets"].resources[1] == real
    statement = reqs["SecretsKmsDecrypt"].statement()
    assert statement == {"Sid": "SecretsKmsDecrypt", "Effect": "Allow", "Action": ["kms:Decrypt"],
                         "Resource": [key], "Condition": {"StringEquals": {
                             "kms:ViaService": f"secretsmanager.{R}.amazonaws.com"}}}
    assert lint_policy({"Version": "2012-10-17", "Statement": [statement]}) == []


def test_manifest_problems_name_the_file_and_field(tmp_path):
    project = make_iam_project(tmp_path / "p")
    path = project / "agent" / "permissions.json"
    data = json.loads(path.read_text())
    data["statements"][0]["actions"] = ["dynamodb:*"]
    path.write_text(json.dumps(data))
    settings = load_settings(project)
    with pytest.raises(FileError, match=r"statements\[0\]\.actions has 'dynamodb:\*'"):
        iam.load_manifest(settings)
    data["statements"][0]["actions"] = ["dynamodb:GetItem"]
    data["statements"][0]["resources"][0]["arn"] = "*"
    path.write_text(json.dumps(data))
    with pytest.raises(FileError, match="'\\*' goes with type 'any'"):
        iam.load_manifest(settings)
    data["statements"][0]["resources"][0]["arn"] = (
        "arn:aws:dynamodb:${env:NOPE}:${aws:account}:table/t")
    path.write_text(json.dumps(data))
    with pytest.raises(ConfigError, match=r"\$\{env:NOPE\} is set neither"):
        iam.required_access(settings, iam.load_manifest(settings), ACCOUNT, "aws")
    path.unlink()
    # Adopted (a [tool.aibox-ops] table): a missing manifest is an error naming the path
    # next to the entry point; before adoption it is derived, as init would write it.
    adopted = dataclasses.replace(settings, adopted=True)
    with pytest.raises(FileError, match="permissions.json: not found") as caught:
        iam.load_manifest(adopted)
    assert "`aibox-ops init` to write agent/permissions.json" in caught.value.hint
    assert settings.adopted is False
    derived = iam.load_manifest(settings)
    assert [s.sid for s in derived.statements] == [
        "SessionTable", "SettingTable", "AppSecrets", "BedrockChatModels"]


@pytest.mark.parametrize(("pattern", "target", "covers"), [
    ("arn:aws:s3:::b/*", "arn:aws:s3:::b/k", True),
    ("arn:aws:secretsmanager:*:1:secret:x-*", "arn:aws:secretsmanager:r:1:secret:x-??????", True),
    ("arn:aws:secretsmanager:r:1:secret:x-AbCdEf", "arn:aws:secretsmanager:r:1:secret:x-??????",
     False),
    ("arn:aws:dynamodb:r:1:table/t", "arn:aws:dynamodb:r:1:table/t/index/*", False),
    ("arn:aws:dynamodb:r:1:table/*", "arn:aws:dynamodb:r:1:table/t/index/*", True),
    ("*", "*", True), ("a?c", "abc", True), ("a?c", "a*c", False),
])
def test_glob_cover(pattern, target, covers):
    assert glob_covers(pattern, target) is covers


def test_glob_overlap():
    assert glob_overlaps("arn:x:secret:x-AbCdEf", "arn:x:secret:x-??????")
    assert not glob_overlaps("table/a*", "table/b*")
    assert glob_overlaps("*x", "*y*")


def doc(*statements) -> iam.PolicyDoc:
    return iam.PolicyDoc("p", "inline", {"Version": "2012-10-17", "Statement": list(statements)})


REQ = iam.Requirement("S", "dynamodb", ["dynamodb:GetItem"],
                      [f"arn:aws:dynamodb:{R}:{ACCOUNT}:table/t"])


@pytest.mark.parametrize(("statements", "verdict"), [
    ([{"Effect": "Allow", "Action": "DynamoDB:Get*", "Resource": "*"}], "allowed"),
    ([{"Effect": "Allow", "Action": "dynamodb:*", "Resource": "arn:aws:dynamodb:*:*:table/t"}],
     "allowed"),
    ([{"Effect": "Allow", "Action": "dynamodb:Query", "Resource": "*"}], "not-allowed"),
    ([{"Effect": "Allow", "Action": "*", "Resource": "*"},
      {"Effect": "Deny", "Action": "dynamodb:*", "Resource": "*"}], "denied"),
    ([{"Effect": "Allow", "Action": "*", "Resource": "*"},
      {"Effect": "Deny", "Action": "dynamodb:GetItem", "Resource": "*",
       "Condition": {"Bool": {"aws:SecureTransport": "false"}}}], "cannot-prove"),
    ([{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}], "cannot-prove"),
    ([{"Effect": "Allow", "Action": "dynamodb:GetItem", "NotResource": "arn:aws:s3:::*"}],
     "cannot-prove"),
    ([{"Effect": "Allow", "Action": "*", "Resource": "*"},
      {"Effect": "Deny", "NotAction": "s3:*", "Resource": "*"}], "denied"),
    ([{"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "*",
       "Condition": {"StringEquals": {"aws:RequestedRegion": R}}}], "cannot-prove"),
])
def test_evaluator_verdicts(statements, verdict):
    report = iam.evaluate_access([doc(*statements)], [REQ])
    assert [c.verdict for c in report.checks] == [verdict]
    assert report.ok is (verdict == "allowed")


def test_plan_skips_what_other_policies_grant_and_keeps_the_rest():
    settings_free = [
        iam.Requirement("SettingsTableRead", "dynamodb", ["dynamodb:GetItem"], table("s")),
        iam.Requirement("BedrockImageModel", "bedrock-runtime", ["bedrock:InvokeModel"],
                        ["arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-canvas-v1:0"]),
    ]
    guide = iam.PolicyDoc("DynamoDBAccess", "inline", {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:PutItem"],
         "Resource": f"arn:aws:dynamodb:{R}:{ACCOUNT}:table/*"}]})
    toolkit = iam.PolicyDoc("tk", "inline", json.loads(toolkit_execution_policy()))
    planned = iam.plan_from_documents(ROLE, settings_free, [guide, toolkit])
    assert planned.plan.items == []  # everything is granted elsewhere: nothing to own
    assert len(planned.notes) == 2 and "already allowed" in planned.notes[0]
    alone = iam.plan_from_documents(ROLE, settings_free, [])
    assert [(i.target, i.status) for i in alone.plan.items] == [
        ("aibox-ops-data", "create"), ("aibox-ops-models", "create")]


def test_plan_fails_over_the_inline_limit_with_the_figure():
    big = iam.PolicyDoc("big", "inline", {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{'b' * 10300}"}]})
    planned = iam.plan_from_documents(ROLE, [REQ], [big])
    [error] = planned.plan.errors
    assert "over IAM's 10240-character limit" in error.message and "would total" in error.message


def test_denied_lines_are_parsed_and_grouped():
    line = (f"User: arn:aws:sts::{ACCOUNT}:assumed-role/r/s is not authorized to perform: "
            f"dynamodb:Query on resource: arn:aws:dynamodb:{R}:{ACCOUNT}:table/t/index/gsi. "
            f"User: arn:aws:sts::{ACCOUNT}:assumed-role/r/s is not authorized to perform: "
            f"dynamodb:GetItem on resource: arn:aws:dynamodb:{R}:{ACCOUNT}:table/t/index/gsi")
    denials = parse_denials(line, 5)
    assert [(d.action, d.resource) for d in denials] == [
        ("dynamodb:Query", f"arn:aws:dynamodb:{R}:{ACCOUNT}:table/t/index/gsi"),
        ("dynamodb:GetItem", f"arn:aws:dynamodb:{R}:{ACCOUNT}:table/t/index/gsi")]
    skipped: list[str] = []
    statements = iam.statements_from_denials(denials, f"arn:aws:iam::{ACCOUNT}:role/r",
                                             {"dynamodb": {("dynamodb", "table")}}, skipped)
    assert statements == [{"Sid": "FromLogsDynamodbGetItemQuery", "Effect": "Allow",
                           "Action": ["dynamodb:GetItem", "dynamodb:Query"],
                           "Resource": [f"arn:aws:dynamodb:{R}:{ACCOUNT}:table/t/index/gsi"]}]
    assert skipped == []


def test_toolkit_role_name_matches_the_toolkit_derivation():
    import hashlib

    digest = hashlib.sha256(b"my_aibox_agent").hexdigest()[:10]
    assert iam.toolkit_role_name("my_aibox_agent", R) == \
        f"AmazonBedrockAgentCoreSDKRuntime-{R}-{digest}"
    # ... and equals what the toolkit itself derives.
    from bedrock_agentcore_starter_toolkit.operations.runtime.create_role import (
        _generate_deterministic_suffix,
    )

    for name in ("my_aibox_agent", "Other_Agent2"):
        assert iam.toolkit_role_name(name, R) == \
            f"AmazonBedrockAgentCoreSDKRuntime-{R}-{_generate_deterministic_suffix(name)}"


def test_every_request_of_the_iam_library_goes_through_the_validating_call():
    import re
    from pathlib import Path

    import aibox_ops.iam as package

    for path in Path(package.__file__).parent.glob("*.py"):
        for line in path.read_text().splitlines():
            if re.search(r"\.client\(", line) and path.name != "calls.py":
                assert ".meta.events" in line, f"{path.name}: {line.strip()}"


def test_access_fix_iam_already_grants_is_kept_when_another_policy_grants_it_too():
    req = iam.Requirement("SettingsTableRead", "dynamodb", ["dynamodb:GetItem"], table("s"))
    mine = iam.PolicyDoc(iam.DATA_POLICY, "inline", {"Version": "2012-10-17",
                                                     "Statement": [req.statement()]})
    broad = iam.PolicyDoc("broad", "managed", {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"}]})
    planned = iam.plan_from_documents(ROLE, [req], [mine, broad])
    assert [(i.target, i.status) for i in planned.plan.items] == [("aibox-ops-data", "unchanged")]
    fresh = iam.plan_from_documents(ROLE, [req], [broad])
    assert fresh.plan.items == [] and "already allowed" in fresh.notes[0]
