"""provision against the moto server: tables with the agent's key schemas, on-demand,
PITR, deletion protection, TTL; an existing table untouched; secrets reported."""

from __future__ import annotations

import pytest

from aibox_ops.aws import open_session
from aibox_ops.config import load_settings
from aibox_ops.errors import ExitCode
from aibox_ops.provision import apply_provision, create_table_params, plan_provision
from tests.helpers import invoke, json_out, make_project


@pytest.fixture
def project(tmp_path):
    return make_project(tmp_path / "proj", tool='[tool.aibox-ops]\nagent_name = "demo"\n'
                        'table_schemas = "bundled"\n')


def _plan(project):
    settings = load_settings(project)
    return settings, plan_provision(open_session(settings.region), settings)


def test_plan_reads_only(aws, project):
    _settings, plan = _plan(project)
    assert [(i.target, i.kind, i.status) for i in plan.items] == [
        ("aibox_setting", "table", "create"), ("aibox_session", "table", "create"),
        ("dev_gemini_api", "secret", "missing"), ("dev_openai_api", "secret", "missing")]
    assert aws.client("dynamodb").list_tables()["TableNames"] == []
    assert any("aibox-ops secrets set openai" in w for w in plan.warnings)


def test_create_params_pass_botocore_model():
    from aibox_ops.aws.validate import check_request

    for name, role in (("a_setting", "SETTING_TABLE"), ("a_session", "SESSION_TABLE")):
        check_request("dynamodb", "CreateTable", create_table_params(name, role))


@pytest.mark.slow  # 0.6 s or more: kept out of the everyday suite
def test_provision_creates_tables_as_the_agent_needs(aws, project):
    result = invoke("--json", "provision", "--yes", project=project)
    assert result.exit_code == 0, result.output
    doc = json_out(result)
    assert doc["written"] == ["aibox_setting", "aibox_session"]
    ddb = aws.client("dynamodb")
    setting = ddb.describe_table(TableName="aibox_setting")["Table"]
    session = ddb.describe_table(TableName="aibox_session")["Table"]
    assert setting["KeySchema"] == [{"AttributeName": "setting_id", "KeyType": "HASH"}]
    assert session["KeySchema"] == [{"AttributeName": "session_id", "KeyType": "HASH"},
                                    {"AttributeName": "turn", "KeyType": "RANGE"}]
    assert {a["AttributeName"]: a["AttributeType"] for a in session["AttributeDefinitions"]} \
        == {"session_id": "S", "turn": "N"}
    for table in (setting, session):
        assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
        assert table["DeletionProtectionEnabled"] is True
        backups = ddb.describe_continuous_backups(TableName=table["TableName"])
        pitr = backups["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
        assert pitr["PointInTimeRecoveryStatus"] == "ENABLED"
        tags = ddb.list_tags_of_resource(ResourceArn=table["TableArn"])["Tags"]
        assert {"Key": "created-by", "Value": "aibox-ops"} in tags
    ttl = ddb.describe_time_to_live(TableName="aibox_session")["TimeToLiveDescription"]
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires_at"}
    # The agent's own write works against the new table's schema.
    ddb.put_item(TableName="aibox_session", Item={
        "session_id": {"S": "s" * 33}, "turn": {"N": "1"}, "user": {"S": "hi"}})
    # A second run changes nothing.
    again = json_out(invoke("--json", "provision", "--yes", project=project))
    assert again["written"] == [] and {i["status"] for i in again["items"]} >= {"unchanged"}


def test_existing_table_is_never_altered(aws, project):
    ddb = aws.client("dynamodb")
    ddb.create_table(TableName="aibox_setting", BillingMode="PROVISIONED",
                     ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1},
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
    before = ddb.describe_table(TableName="aibox_setting")["Table"]
    result = invoke("--json", "provision", "--yes", project=project)
    assert result.exit_code == 0, result.output
    doc = json_out(result)
    assert doc["written"] == ["aibox_session"]
    item = next(i for i in doc["items"] if i["target"] == "aibox_setting")
    assert item["status"] == "unchanged" and item["key_schema_matches"] is False
    assert any("never alters an existing table" in w for w in doc["warnings"])
    after = ddb.describe_table(TableName="aibox_setting")["Table"]
    for key in ("KeySchema", "ProvisionedThroughput", "TableArn"):
        assert after[key] == before[key]
    assert after.get("DeletionProtectionEnabled") in (None, False)
    pitr = ddb.describe_continuous_backups(TableName="aibox_setting")[
        "ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
    assert pitr["PointInTimeRecoveryStatus"] == "DISABLED"


def test_dry_run_and_refusal_without_yes_write_nothing(aws, project):
    dry = invoke("--json", "provision", "--dry-run", project=project)
    assert dry.exit_code == 0 and json_out(dry)["mode"] == "dry-run"
    refused = invoke("provision", project=project)  # CliRunner: no terminal, no --yes
    assert refused.exit_code == ExitCode.REFUSED
    assert "--yes" in refused.stderr
    assert aws.client("dynamodb").list_tables()["TableNames"] == []


@pytest.mark.slow  # ~1 s or more: `-m slow` (CI runs it)
def test_existing_secret_reported(aws, project):
    aws.client("secretsmanager").create_secret(Name="dev_openai_api", SecretString="x")
    settings, plan = _plan(project)
    assert plan.item("dev_openai_api").status == "unchanged"
    assert plan.item("dev_gemini_api").status == "missing"
    assert apply_provision(open_session(settings.region), plan) == [
        "aibox_setting", "aibox_session"]


@pytest.mark.slow  # 0.45 s or more: kept out of the everyday suite
def test_a_projects_own_tables_are_reported_not_judged(aws, tmp_path):
    """A guide-like project's tables have its own code's key schemas: an existing one with
    another schema is reported as found (no "the agent expects ..."), a missing one is
    reported and never created with the bundled agent's schema."""
    root = make_project(tmp_path / "own", tool='[tool.aibox-ops]\nagent_name = "demo"\n')
    ddb = aws.client("dynamodb")
    ddb.create_table(TableName="aibox_setting", BillingMode="PAY_PER_REQUEST",
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
    result = invoke("--json", "provision", "--yes", project=root)
    assert result.exit_code == 0, result.output
    doc = json_out(result)
    assert doc["written"] == []
    items = {i["target"]: i for i in doc["items"] if i["kind"] == "table"}
    assert items["aibox_setting"]["status"] == "unchanged"
    assert items["aibox_setting"]["key_schema"] == ["pk (HASH)"]
    assert "key_schema_matches" not in items["aibox_setting"]
    assert items["aibox_session"]["status"] == "missing"
    assert not any("expects" in w for w in doc["warnings"])
    assert any("aibox_session" in w and "create it yourself" in w for w in doc["warnings"])
    assert ddb.list_tables()["TableNames"] == ["aibox_setting"]


def test_the_bundled_agents_store_code_declares_its_schemas(aws, tmp_path):
    import shutil

    from aibox_ops.provision import bundled_schemas
    from tests.helpers import REPO

    root = make_project(tmp_path / "bundled", tool='[tool.aibox-ops]\nagent_name = "demo"\n')
    assert not bundled_schemas(load_settings(root))
    shutil.copytree(REPO / "agent" / "genai" / "store", root / "agent" / "genai" / "store")
    assert bundled_schemas(load_settings(root))
    _settings, plan = _plan(root)
    assert plan.item("aibox_setting").status == "create"


def test_table_schemas_is_checked(tmp_path):
    root = make_project(tmp_path / "bad", tool='[tool.aibox-ops]\ntable_schemas = "mine"\n')
    result = invoke("provision", "--dry-run", project=root)
    assert result.exit_code == ExitCode.CONFIG
    assert "'table_schemas' = 'mine' must be \"bundled\" or \"own\"" in result.stderr
