"""``provision``: the AWS resources the agent assumes exist, created safely.

Plans the agent's DynamoDB tables (``SETTING_TABLE``, ``SESSION_TABLE``, with the key
schemas agent/genai/store reads and writes) and reports its provider secrets. Tables are
judged against those key schemas only when they are declared (``table_schemas``, or the
image holds the bundled agent's store code); a project's own tables are reported as found,
never created or called wrong. Applying
creates only missing tables (on-demand billing, point-in-time recovery, deletion
protection, TTL on the session table's ``expires_at``) and tags them as created by
aibox-ops; an existing table is never altered, and secrets are only reported (``aibox-ops
secrets set`` stores one). Every request is checked against botocore's model first.
"""

from __future__ import annotations

import json
from typing import Any

from .aws.reads import read_or_none
from .aws.session import aws_errors
from .aws.validate import check_request
from .config import Settings
from .plan import Change, Plan

OWNER_TAG = {"Key": "created-by", "Value": "aibox-ops"}
# Key schemas the agent uses (agent/genai/store/settings.py and sessions.py).
TABLE_SCHEMAS: dict[str, dict[str, Any]] = {
    "SETTING_TABLE": {
        "KeySchema": [{"AttributeName": "setting_id", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "setting_id", "AttributeType": "S"}],
    },
    "SESSION_TABLE": {
        "KeySchema": [{"AttributeName": "session_id", "KeyType": "HASH"},
                      {"AttributeName": "turn", "KeyType": "RANGE"}],
        "AttributeDefinitions": [{"AttributeName": "session_id", "AttributeType": "S"},
                                 {"AttributeName": "turn", "AttributeType": "N"}],
        "ttl_attribute": "expires_at",
    },
}
SECRET_PROVIDERS = {"OPENAI_SECRET_ID": "openai", "GEMINI_SECRET_ID": "gemini"}
# The bundled agent's store code, by its path under /app and a key name it uses: evidence
# that the image's code reads the tables with TABLE_SCHEMAS.
BUNDLED_STORE = {"genai/store/settings.py": '"setting_id"',
                 "genai/store/sessions.py": '"turn"'}


def bundled_schemas(settings: Settings) -> bool:
    """Whether the tables have the bundled agent's key schemas: ``table_schemas`` says so,
    or (unset) the image holds the bundled agent's store code. Otherwise the key schemas
    are the project's own, which aibox-ops does not know."""
    if settings.table_schemas is not None:
        return settings.table_schemas == "bundled"
    from .files import read_text
    from .render.context import image_layout

    layout = image_layout(settings)
    return all(rel in layout and marker in (read_text(layout[rel]) or "")
               for rel, marker in BUNDLED_STORE.items())


def create_table_params(name: str, role: str) -> dict[str, Any]:
    """CreateTable parameters for the agent table ``role`` (SETTING_TABLE/SESSION_TABLE)."""
    schema = TABLE_SCHEMAS[role]
    return {"TableName": name, "KeySchema": schema["KeySchema"],
            "AttributeDefinitions": schema["AttributeDefinitions"],
            "BillingMode": "PAY_PER_REQUEST", "DeletionProtectionEnabled": True,
            "Tags": [OWNER_TAG]}


def plan_provision(session: Any, settings: Settings) -> Plan:
    """Tables (kind "table": create or unchanged) and secrets (kind "secret": unchanged or
    missing, reported only). Reads AWS; writes nothing."""
    env = settings.container_env
    roles = {env[role]: role for role in TABLE_SCHEMAS if env.get(role)}
    items: list[Change] = []
    warnings: list[str] = []
    declared = bundled_schemas(settings)
    for name in settings.table_names:
        role = roles.get(name)
        if not declared:
            items.append(_report_table(session, name, role, warnings))
            continue
        if role is None:
            warnings.append(f"table {name}: not SETTING_TABLE or SESSION_TABLE, so its key "
                            "schema is unknown; aibox-ops does not create it")
            continue
        items.append(_plan_table(session, name, role, warnings))
    providers = {env[var]: p for var, p in SECRET_PROVIDERS.items() if env.get(var)}
    for secret_id in settings.secret_ids:
        items.append(_plan_secret(session, secret_id, providers.get(secret_id), warnings))
    return Plan("provision", items, warnings)


def _plan_table(session: Any, name: str, role: str, warnings: list[str]) -> Change:
    current = read_table(session, name)
    wanted = TABLE_SCHEMAS[role]
    if current is None:
        params = create_table_params(name, role)
        check_request("dynamodb", "CreateTable", params)
        extras = ["point-in-time recovery"]
        if wanted.get("ttl_attribute"):
            extras.append(f"TTL on {wanted['ttl_attribute']}")
        return Change(name, "create", f"missing ({role}); on-demand, deletion protection, "
                      + ", ".join(extras), diff=json.dumps(params, indent=2), kind="table",
                      payload={"role": role, "params": params}, detail={"role": role})
    keys = sorted((k["AttributeName"], k["KeyType"]) for k in current.get("KeySchema", []))
    expected = sorted((k["AttributeName"], k["KeyType"]) for k in wanted["KeySchema"])
    if keys != expected:
        warnings.append(f"table {name} ({role}) exists with key schema {keys}; the agent "
                        f"expects {expected}. aibox-ops never alters an existing table.")
    return Change(name, "unchanged", f"exists ({role}); left as it is", kind="table",
                  detail={"role": role, "key_schema_matches": keys == expected,
                          "table_status": current.get("TableStatus")})


def _report_table(session: Any, name: str, role: str | None, warnings: list[str]) -> Change:
    """A table whose key schema is the project's own: reported as found, never judged
    against the bundled agent's schema, never created."""
    current = read_table(session, name)
    label = f" ({role})" if role else ""
    if current is None:
        warnings.append(f"table {name}{label} does not exist, and its key schema is your "
                        "code's, which aibox-ops does not know: create it yourself (or set "
                        "table_schemas = \"bundled\" if it is the bundled agent's)")
        return Change(name, "missing", "not found; key schema is your code's (not created)",
                      kind="table", detail={"role": role, "key_schema": None})
    keys = [f"{k['AttributeName']} ({k['KeyType']})" for k in current.get("KeySchema", [])]
    return Change(name, "unchanged", f"exists{label}; key schema {', '.join(keys)} (yours: "
                  "not judged); left as it is", kind="table",
                  detail={"role": role, "key_schema": keys,
                          "table_status": current.get("TableStatus")})


def _plan_secret(session: Any, secret_id: str, provider: str | None,
                 warnings: list[str]) -> Change:
    exists = read_secret_exists(session, secret_id)
    how = f"aibox-ops secrets set {provider or secret_id}"
    if exists:
        return Change(secret_id, "unchanged", "exists", kind="secret",
                      detail={"provider": provider})
    warnings.append(f"secret {secret_id} does not exist: set it with `{how}` (reads the "
                    "value from a hidden prompt or stdin)")
    return Change(secret_id, "missing", f"not set: run `{how}`", kind="secret",
                  detail={"provider": provider, "fix": how})


def read_table(session: Any, name: str, max_attempts: int | None = None
               ) -> dict[str, Any] | None:
    """DescribeTable's ``Table``, or None when there is no such table (``max_attempts``:
    botocore's setting unless given)."""
    params = {"TableName": name}
    client = session.client("dynamodb", max_attempts=max_attempts)
    def read() -> dict[str, Any]:
        with aws_errors(f"describe the DynamoDB table {name}"):
            return client.describe_table(**params)["Table"]

    return read_or_none(read)


def read_secret_exists(session: Any, secret_id: str) -> bool:
    """Whether the secret exists (DescribeSecret; no value is read)."""
    params = {"SecretId": secret_id}
    def read() -> Any:
        with aws_errors(f"describe the secret {secret_id}"):
            return session.client("secretsmanager").describe_secret(**params)

    return read_or_none(read) is not None


def apply_provision(session: Any, plan: Plan) -> list[str]:
    """Create the plan's missing tables; returns their names. Nothing else is touched."""
    created: list[str] = []
    for item in plan.items:
        if item.kind == "table" and item.status == "create":
            _create_table(session, item.target, item.payload["role"], item.payload["params"])
            created.append(item.target)
    return created


def _create_table(session: Any, name: str, role: str, params: dict[str, Any]) -> None:
    client = session.client("dynamodb")
    with aws_errors(f"create the DynamoDB table {name}"):
        client.create_table(**params)
        client.get_waiter("table_exists").wait(TableName=name,
                                               WaiterConfig={"Delay": 2, "MaxAttempts": 60})
    backups = {"TableName": name,
               "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True}}
    with aws_errors(f"turn on point-in-time recovery for {name}"):
        client.update_continuous_backups(**backups)
    attribute = TABLE_SCHEMAS[role].get("ttl_attribute")
    if attribute:
        ttl = {"TableName": name,
               "TimeToLiveSpecification": {"Enabled": True, "AttributeName": attribute}}
        with aws_errors(f"turn on TTL for {name}"):
            client.update_time_to_live(**ttl)
