"""The AWS session factory against a real moto server, and error translation."""

import pytest

from aibox_ops.aws import aws_errors, open_session
from aibox_ops.errors import AwsError, ExitCode


def test_session_reaches_the_endpoint_and_reads_the_account(aws):
    session = open_session("ap-southeast-1")
    assert session.account_id() == aws.account_id
    assert session.client("iam").meta.endpoint_url == aws.url


@pytest.mark.slow  # 0.45 s or more: kept out of the everyday suite
def test_client_error_becomes_aws_error_with_code(aws):
    iam = open_session("ap-southeast-1").client("iam", max_attempts=1)
    with pytest.raises(AwsError) as info, aws_errors("read role nope"):
        iam.get_role(RoleName="nope")
    assert info.value.code == "NoSuchEntity"
    assert info.value.message.startswith("could not read role nope: NoSuchEntity:")
    assert info.value.exit_code == ExitCode.AWS


def test_unknown_profile_is_a_clear_error():
    with pytest.raises(AwsError, match="AWS profile 'ghost' .* does not exist"):
        open_session("ap-southeast-1", profile="ghost")


def test_missing_credentials_are_named(monkeypatch):
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(key)
    session = open_session("ap-southeast-1")
    with pytest.raises(AwsError) as info:
        session.account_id()
    assert info.value.code == "NoCredentials"


def test_botocore_attempts_setting_is_honoured_and_clients_are_reused(aws, monkeypatch):
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "2")
    session = open_session("ap-southeast-1")
    iam = session.client("iam")
    assert iam.meta.config.retries == {"mode": "adaptive", "total_max_attempts": 2}
    assert session.client("iam") is iam
    assert session.client("iam", max_attempts=1).meta.config.retries["total_max_attempts"] == 1
    monkeypatch.delenv("AWS_MAX_ATTEMPTS")
    fresh = open_session("ap-southeast-1").client("iam")
    assert "total_max_attempts" not in fresh.meta.config.retries  # botocore default: 3 in all


@pytest.mark.slow  # 0.45 s or more: kept out of the everyday suite
def test_cli_state_opens_one_session_in_the_settings_region(aws, tmp_path):
    from aibox_ops.cli.state import AppState
    from tests.helpers import make_project

    make_project(tmp_path, tool='[tool.aibox-ops]\nregion = "eu-west-1"\n')
    state = AppState(project=tmp_path)
    session = state.aws()
    assert session is state.aws() and session.region == "eu-west-1"
    assert session.account_id() == aws.account_id
    assert session.partition() == "aws"
    with pytest.raises(AwsError, match="AWS profile 'ghost' .* does not exist"):
        AppState(project=tmp_path, profile="ghost").aws()  # checked before any call


def test_every_client_refuses_a_request_the_model_rejects_before_sending_it(aws):
    from aibox_ops.aws.validate import InvalidRequestError

    iam = open_session("ap-southeast-1").client("iam")
    sent: list[str] = []
    iam.meta.events.register("before-send", lambda request, **_: sent.append(request.url))
    with pytest.raises(InvalidRequestError) as info:
        iam.get_role(RoleName="r" * 65)  # moto would answer NoSuchEntity; AWS refuses it
    assert info.value.problems == ["RoleName: length 65 is above the maximum 64"]
    assert info.value.exit_code == ExitCode.CONFIG
    with pytest.raises(InvalidRequestError, match=r"agentRuntimeId: 'my-agent' does not match"):
        open_session("ap-southeast-1").client("bedrock-agentcore-control").get_agent_runtime(
            agentRuntimeId="my-agent")  # an id is NAME-xxxxxxxxxx
    assert sent == []
    assert iam.list_roles()["Roles"] == [] and len(sent) == 1  # a valid one goes out


def test_paginators_and_waiters_pass_through_the_same_hook(aws):
    from aibox_ops.aws.validate import InvalidRequestError

    iam = open_session("ap-southeast-1").client("iam")
    with pytest.raises(InvalidRequestError, match="PathPrefix"):
        list(iam.get_paginator("list_roles").paginate(PathPrefix="no-leading-slash"))
    with pytest.raises(InvalidRequestError, match="RoleName"):
        iam.get_waiter("role_exists").wait(RoleName="bad name with spaces")


def test_clients_are_created_once_across_threads(aws):
    from concurrent.futures import ThreadPoolExecutor

    session = open_session("ap-southeast-1")
    with ThreadPoolExecutor(16) as pool:
        clients = list(pool.map(lambda _: session.client("sts"), range(64)))
    assert all(c is clients[0] for c in clients)
    assert clients[0].get_caller_identity()["Account"] == aws.account_id


def test_a_bearer_client_is_unsigned_and_sends_the_token(aws):
    session = open_session("ap-southeast-1")
    client = session.client("sts", bearer_token="tok")
    assert client is session.client("sts", bearer_token="tok")
    assert client is not session.client("sts")
    headers: list[dict] = []
    client.meta.events.register("before-send",
                                lambda request, **_: headers.append(dict(request.headers)))
    with pytest.raises(Exception):  # noqa: B017 - moto refuses an unsigned STS call
        client.get_caller_identity()
    assert headers and headers[0]["Authorization"] == "Bearer tok"
