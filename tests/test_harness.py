"""The moto-server harness itself: real HTTP on loopback, isolated per test."""

import os

import pytest
from botocore.exceptions import EndpointConnectionError


def test_moto_server_speaks_aws_protocols(aws):
    sts = aws.client("sts")
    assert sts.get_caller_identity()["Account"] == aws.account_id
    assert aws.url.startswith("http://127.0.0.1:")
    assert os.environ["AWS_ENDPOINT_URL"] == aws.url


def test_state_is_reset_between_tests_part_one(aws):
    aws.client("iam").create_role(RoleName="leftover", AssumeRolePolicyDocument="{}")
    assert [r["RoleName"] for r in aws.client("iam").list_roles()["Roles"]] == ["leftover"]


def test_state_is_reset_between_tests_part_two(aws):
    assert aws.client("iam").list_roles()["Roles"] == []


def test_without_the_fixture_aws_is_unreachable():
    import boto3
    from botocore.config import Config

    sts = boto3.client("sts", config=Config(retries={"max_attempts": 1}, connect_timeout=1))
    with pytest.raises(EndpointConnectionError):
        sts.get_caller_identity()
