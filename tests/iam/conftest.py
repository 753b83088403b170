"""A deployed-looking world in moto: the toolkit's execution role (its own policy template),
an unrelated inline policy, the agent's two tables (one with a GSI) and both secrets (one
encrypted with a customer-managed KMS key)."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pytest

from tests.helpers import REPO, make_project

AGENT = "my_aibox_agent"
REGION = "ap-southeast-1"
ACCOUNT = "123456789012"
TEAM_POLICY = {"Version": "2012-10-17", "Statement": [
    {"Sid": "TeamBucketRead", "Effect": "Allow", "Action": "s3:GetObject",
     "Resource": "arn:aws:s3:::team-bucket/*"}]}


IAM_WRITES = {"PutRolePolicy", "DeleteRolePolicy", "AttachRolePolicy", "DetachRolePolicy",
              "CreateRole", "DeleteRole", "UpdateAssumeRolePolicy", "CreatePolicy",
              "CreatePolicyVersion", "PutRolePermissionsBoundary"}


def table(name: str) -> list[str]:
    arn = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{name}"
    return [arn, f"{arn}/index/*"]


def expected_data(world) -> dict:
    return {"Version": "2012-10-17", "Statement": [
        {"Sid": "SettingsTableRead", "Effect": "Allow", "Action": ["dynamodb:GetItem"],
         "Resource": table("aibox_setting")},
        {"Sid": "SessionTableReadWrite", "Effect": "Allow",
         "Action": ["dynamodb:PutItem", "dynamodb:Query"], "Resource": table("aibox_session")},
        {"Sid": "ProviderApiKeySecrets", "Effect": "Allow",
         "Action": ["secretsmanager:GetSecretValue"],
         "Resource": [world.secret_arns["dev_openai_api"], world.secret_arns["dev_gemini_api"]]},
        {"Sid": "SecretsKmsDecrypt", "Effect": "Allow", "Action": ["kms:Decrypt"],
         "Resource": [world.key_arn],
         "Condition": {"StringEquals": {
             "kms:ViaService": f"secretsmanager.{REGION}.amazonaws.com"}}}]}


EXPECTED_MODELS = {"Version": "2012-10-17", "Statement": [
    {"Sid": "BedrockChatModels", "Effect": "Allow",
     "Action": ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"],
     "Resource": [f"arn:aws:bedrock:us-west-2:{ACCOUNT}:inference-profile/*"]},
    {"Sid": "PollySpeech", "Effect": "Allow", "Action": ["polly:SynthesizeSpeech"],
     "Resource": "*"}]}


def count_calls(session, service: str) -> list[str]:
    """Operation names of every request the session's clients send to ``service``."""
    calls: list[str] = []
    session.session.events.register(
        f"before-call.{service}", lambda model, **_: calls.append(model.name))
    return calls


_CLIENTS: dict[tuple[str, str], object] = {}


def client(aws, service: str):
    """One boto3 client per server and service, reused across tests (moto is reset, the
    endpoint stays): building a client costs more than the requests these tests make."""
    key = (aws.url, service)
    if key not in _CLIENTS:
        _CLIENTS[key] = aws.client(service)
    return _CLIENTS[key]


def inline(aws, role_name: str) -> dict[str, dict]:
    """The role's inline policies as moto holds them."""
    client_ = client(aws, "iam")
    names = client_.list_role_policies(RoleName=role_name)["PolicyNames"]
    return {n: client_.get_role_policy(RoleName=role_name, PolicyName=n)["PolicyDocument"]
            for n in names}


def create_runtime(aws, role_arn: str, name: str = AGENT) -> str:
    """A runtime in moto's AgentCore control plane; returns its id."""
    reply = client(aws, "bedrock-agentcore-control").create_agent_runtime(
        agentRuntimeName=name, roleArn=role_arn,
        agentRuntimeArtifact={"containerConfiguration": {
            "containerUri": f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/x:latest"}},
        networkConfiguration={"networkMode": "PUBLIC"})
    return reply["agentRuntimeId"]


@dataclass
class World:
    project: Path
    role_name: str
    role_arn: str
    secret_arns: dict[str, str]
    key_arn: str


@lru_cache(maxsize=4)
def toolkit_execution_policy(agent: str = AGENT, region: str = REGION) -> str:
    """The starter toolkit's own execution policy, rendered from its template."""
    import importlib.util

    import jinja2

    # Locate the template without importing the toolkit (its import costs ~0.6 s).
    spec = importlib.util.find_spec("bedrock_agentcore_starter_toolkit")
    root = Path(next(iter(spec.submodule_search_locations)))
    template = (root / "utils/runtime/templates/execution_role_policy.json.j2").read_text()
    text = jinja2.Template(template).render(
        deployment_type="container", has_ecr_repository=True,
        ecr_repository_name=f"bedrock-agentcore-{agent}", partition="aws", region=region,
        account_id=ACCOUNT, agent_name=agent, is_a2a_protocol=False, memory_enabled=False)
    json.loads(text)  # must be valid JSON
    return text


def make_iam_project(root: Path, tool: str = "") -> Path:
    project = make_project(root, tool=tool)
    shutil.copy(REPO / "agent" / "permissions.json", project / "agent" / "permissions.json")
    return project


_LOADER: list[object] = []


@pytest.fixture(autouse=True)
def _one_botocore_loader(monkeypatch):
    """Every boto3 session of these tests shares one botocore data loader, so the service
    models (JSON, most of the CPU of a CLI run in a test) are parsed once per test session
    instead of once per CLI invocation. Same files, same behaviour."""
    import boto3
    import botocore.loaders
    import botocore.session

    if not _LOADER:
        _LOADER.append(botocore.loaders.create_loader())
    real = boto3.Session

    def session(*args, **kwargs):
        if "botocore_session" not in kwargs:
            core = botocore.session.get_session()
            core.register_component("data_loader", _LOADER[0])
            kwargs["botocore_session"] = core
        return real(*args, **kwargs)

    monkeypatch.setattr(boto3, "Session", session)


@pytest.fixture
def world(aws, tmp_path) -> World:
    """The toolkit-like role, tables, secrets and a project (see ``build_world``)."""
    return build_world(aws, tmp_path)


def build_world(aws, tmp_path: Path) -> World:
    """Create the deployed-looking world in the moto server behind ``aws``."""
    from aibox_ops.iam import toolkit_role_name

    iam = client(aws, "iam")
    name = toolkit_role_name(AGENT, REGION)
    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "bedrock-agentcore.amazonaws.com"},
        "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}}}]}
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    iam.put_role_policy(RoleName=name, PolicyName=f"BedrockAgentCoreRuntimeExecutionPolicy-{AGENT}",
                        PolicyDocument=toolkit_execution_policy())
    iam.put_role_policy(RoleName=name, PolicyName="team-s3-read",
                        PolicyDocument=json.dumps(TEAM_POLICY))
    ddb = client(aws, "dynamodb")
    key = [{"AttributeName": "pk", "KeyType": "HASH"}]
    attrs = [{"AttributeName": "pk", "AttributeType": "S"}]
    ddb.create_table(TableName="aibox_setting", KeySchema=key, AttributeDefinitions=attrs,
                     BillingMode="PAY_PER_REQUEST")
    ddb.create_table(
        TableName="aibox_session", KeySchema=key, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=attrs + [{"AttributeName": "user", "AttributeType": "S"}],
        GlobalSecondaryIndexes=[{"IndexName": "by-user",
                                 "KeySchema": [{"AttributeName": "user", "KeyType": "HASH"}],
                                 "Projection": {"ProjectionType": "ALL"}}])
    key_arn = client(aws, "kms").create_key(Description="aibox secrets")["KeyMetadata"]["Arn"]
    sm = client(aws, "secretsmanager")
    secrets = {
        "dev_openai_api": sm.create_secret(Name="dev_openai_api", SecretString="sk-x")["ARN"],
        "dev_gemini_api": sm.create_secret(Name="dev_gemini_api", SecretString="g-x",
                                           KmsKeyId=key_arn)["ARN"],
    }
    project = make_iam_project(tmp_path / "proj")
    return World(project, name, arn, secrets, key_arn)
