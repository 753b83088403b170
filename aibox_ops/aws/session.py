"""One session factory for every AWS call aibox-ops makes, and ClientError -> AwsError.

boto3 is imported lazily here so the CLI starts fast; ``AWS_ENDPOINT_URL`` (honoured by
boto3 for every client) points all of it at a moto server in tests.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from ..errors import AwsError

# Errors whose fix is the same whatever the call: say it once, here.
HINTS = {
    "AccessDenied": "The caller lacks an IAM permission for this call; see the message.",
    "AccessDeniedException": "The caller lacks an IAM permission for this call; see the message.",
    "ExpiredToken": "Your AWS credentials expired; refresh them (e.g. `aws sso login`).",
    "ExpiredTokenException": "Your AWS credentials expired; refresh them (e.g. `aws sso login`).",
    "InvalidClientTokenId": "The AWS access key is not valid for this account or region.",
    "UnrecognizedClientException": "The AWS access key is not valid for this account/region.",
}


@dataclass(frozen=True)
class AwsSession:
    """A boto3 session plus the region it is bound to."""

    session: Any  # boto3.Session (typed loosely to keep boto3 out of import time)
    region: str

    def client(self, service: str, region: str | None = None, max_attempts: int = 3) -> Any:
        """A client with standard retries and sane timeouts."""
        from botocore.config import Config

        config = Config(retries={"max_attempts": max_attempts, "mode": "standard"},
                        connect_timeout=10, read_timeout=60)
        with aws_errors(f"create a {service} client"):
            return self.session.client(service, region_name=region or self.region, config=config)

    def account_id(self) -> str:
        """The caller's account id (STS GetCallerIdentity)."""
        with aws_errors("read the caller identity (sts:GetCallerIdentity)"):
            return self.client("sts").get_caller_identity()["Account"]


def open_session(region: str, profile: str | None = None) -> AwsSession:
    """A session for ``profile`` (else ``AWS_PROFILE``, else the default chain) in
    ``region``; a profile that does not exist is an AwsError (exit 5) here, at once."""
    import boto3
    from botocore.exceptions import ProfileNotFound

    from .profile import check_profile

    check_profile(profile)
    try:
        return AwsSession(boto3.Session(profile_name=profile, region_name=region), region)
    except ProfileNotFound:
        raise AwsError(f"AWS profile '{profile}' not found in your AWS config",
                       hint="Check --profile / AWS_PROFILE and ~/.aws/config.") from None


@contextmanager
def aws_errors(action: str) -> Iterator[None]:
    """Turn botocore failures inside the block into AwsError naming ``action``."""
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

    try:
        yield
    except ClientError as exc:
        error = exc.response.get("Error", {})
        code = error.get("Code", "Unknown")
        message = error.get("Message", str(exc))
        raise AwsError(f"could not {action}: {code}: {message}", hint=HINTS.get(code),
                       code=code) from None
    except NoCredentialsError:
        raise AwsError(f"could not {action}: no AWS credentials found",
                       hint="Configure credentials (aws configure / AWS_PROFILE / SSO).",
                       code="NoCredentials") from None
    except BotoCoreError as exc:
        raise AwsError(f"could not {action}: {exc}", code=type(exc).__name__) from None
