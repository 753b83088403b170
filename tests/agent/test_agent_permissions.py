"""The permissions manifest covers every boto3 operation agent code can call."""

from __future__ import annotations

import ast
import json
import re

import botocore.session
import pytest
from agent_paths import AGENT_DIR, MANIFEST, manifest_operations


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def scanned_operations() -> set[tuple[str, str]]:
    """(service, Operation) for each ``aws.client("svc")...op(`` pattern in agent code."""
    loader = botocore.session.get_session()
    found: set[tuple[str, str]] = set()
    for path in AGENT_DIR.rglob("*.py"):
        tree = ast.parse(path.read_text(), filename=str(path))
        services = {
            node.args[0].value
            for node in ast.walk(tree)
            if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "client"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        }
        called = {
            node.func.attr
            for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
        }
        for service in services:
            ops = loader.get_service_model(service).operation_names
            found |= {(service, op) for op in ops if _snake(op) in called}
    return found


def test_every_scanned_call_is_declared():
    scanned = scanned_operations()
    assert scanned >= {("dynamodb", "GetItem"), ("dynamodb", "Query"), ("dynamodb", "PutItem"),
                       ("secretsmanager", "GetSecretValue"), ("bedrock-runtime", "InvokeModel"),
                       ("polly", "SynthesizeSpeech")}
    assert scanned - manifest_operations() == set()


def test_manifest_is_consistent_and_machine_readable():
    data = json.loads(MANIFEST.read_text())
    assert data["version"] == 1
    loader = botocore.session.get_session()
    for st in data["statements"]:
        assert set(st) >= {"sid", "service", "operations", "actions", "resources"}
        model = loader.get_service_model(st["service"])
        assert set(st["operations"]) <= set(model.operation_names), st["sid"]
        for res in st["resources"]:
            refs = re.findall(r"\$\{env:([A-Z_]+)\}", res["arn"])
            assert all(ref in data["env_defaults"] for ref in refs), res
            if "name_env" in res:
                assert f"${{env:{res['name_env']}}}" in res["arn"]


@pytest.mark.slow  # 0.45 s or more: kept out of the everyday suite
def test_recorder_sees_real_calls(aws, aws_calls):
    from genai.store.settings import SettingsStore

    SettingsStore("missing-table").get()
    assert ("dynamodb", "GetItem") in aws_calls
