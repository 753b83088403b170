"""doctor's dynamodb-access and secrets-access through fix-iam's library, on moto; --fix
applies fix-iam's plan and the checks pass on the re-run."""

from __future__ import annotations

import pytest

from tests.doctor_support import doctor, healthy_project
from tests.test_doctor_live import deploy

TABLES = ("aibox_setting", "aibox_session")
SECRETS = ("dev_gemini_api", "dev_openai_api")


def resources(aws, tables=TABLES, secrets=SECRETS):
    ddb = aws.client("dynamodb")
    for name in tables:
        ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                         AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                         KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
    sm = aws.client("secretsmanager")
    for name in secrets:
        sm.create_secret(Name=name, SecretString="x")


IDS = "dynamodb-access,secrets-access"


@pytest.mark.slow  # ~1 s or more: `-m slow` (CI runs it)
def test_role_without_access_fails_and_fix_grants_it(aws, tmp_path):
    root = healthy_project(tmp_path)
    resources(aws)
    _, role = deploy(aws, root)
    code, _, by_id = doctor(root, "--no-logs", "--only", IDS)
    assert code == 1
    ddb, sm = by_id["dynamodb-access"], by_id["secrets-access"]
    assert ddb["status"] == "fail" and ddb["fixable"], (ddb["message"], ddb["fix"])
    assert any("dynamodb:GetItem" in e and "aibox_setting" in e for e in ddb["evidence"])
    assert sm["status"] == "fail"
    assert any("secretsmanager:GetSecretValue" in e for e in sm["evidence"])
    code, _, by_id = doctor(root, "--no-logs", "--only", IDS, "--fix", "--yes")
    assert by_id["dynamodb-access"]["status"] == "pass", by_id["dynamodb-access"]
    assert by_id["secrets-access"]["status"] == "pass", by_id["secrets-access"]
    assert code == 0
    names = aws.client("iam").list_role_policies(RoleName=role["RoleName"])["PolicyNames"]
    assert names and all(n.startswith("aibox-ops") for n in names)


@pytest.mark.slow  # ~1 s or more: `-m slow` (CI runs it)
def test_missing_table_and_secret_are_reported(aws, tmp_path):
    root = healthy_project(tmp_path)
    resources(aws, tables=("aibox_setting",), secrets=("dev_gemini_api",))
    deploy(aws, root)
    _, _, by_id = doctor(root, "--no-logs", "--only", IDS, "--fix", "--yes")  # re-checked
    assert by_id["dynamodb-access"]["status"] == "fail"
    assert any("table aibox_session does not exist" in e
               for e in by_id["dynamodb-access"]["evidence"])
    assert by_id["secrets-access"]["status"] == "fail"
    assert any("secret dev_openai_api does not exist" in e
               for e in by_id["secrets-access"]["evidence"])
    # After fix-iam granted the access, only creating them helps: --fix is not offered,
    # the commands that create them are named.
    for check_id, command in (("dynamodb-access", "`aibox-ops provision`"),
                              ("secrets-access", "`aibox-ops secrets set dev_openai_api`")):
        assert not by_id[check_id]["fixable"], by_id[check_id]
        assert command in by_id[check_id]["fix"] and "fix-iam" not in by_id[check_id]["fix"]
    code, _, again = doctor(root, "--no-logs", "--only", IDS, "--fix", "--yes")
    assert code == 1 and again == by_id  # nothing to fix automatically, nothing changed


@pytest.mark.slow  # ~1 s or more: `-m slow` (CI runs it)
def test_before_the_first_deploy_the_access_checks_are_skipped(aws, tmp_path):
    root = healthy_project(tmp_path)
    _, _, by_id = doctor(root, "--no-logs", "--only", IDS)
    for check_id in IDS.split(","):
        assert by_id[check_id]["status"] == "skip"
        assert "nothing deployed yet" in by_id[check_id]["message"]
