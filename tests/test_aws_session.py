"""The AWS session factory against a real moto server, and error translation."""

import pytest

from aibox_ops.aws import aws_errors, open_session
from aibox_ops.errors import AwsError, ExitCode


def test_session_reaches_the_endpoint_and_reads_the_account(aws):
    session = open_session("ap-southeast-1")
    assert session.account_id() == aws.account_id
    assert session.client("iam").meta.endpoint_url == aws.url


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
