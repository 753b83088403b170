"""One session factory for every AWS call aibox-ops makes, and ClientError -> AwsError.

Every client comes from ``AwsSession.client``: made once per (service, region, options)
under a lock (doctor and warm ask from thread pools), and carrying one botocore event hook
that checks every request against the service's model before it is sent
(``aibox_ops.aws.validate``: required members, types, lengths, patterns, enums; moto
accepts much that AWS refuses). Paginators and waiters go through the same hook.

boto3 is imported lazily here so the CLI starts fast; ``AWS_ENDPOINT_URL`` (honoured by
boto3 for every client) points all of it at a moto server in tests.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
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
    # Raised only after the adaptive retries gave up (AWS_MAX_ATTEMPTS).
    "ThrottlingException": "AWS kept throttling after retries; wait a minute and run it again "
                           "(or raise AWS_MAX_ATTEMPTS).",
    "TooManyRequestsException": "AWS kept throttling after retries; wait a minute and run it "
                                "again (or raise AWS_MAX_ATTEMPTS).",
}


@dataclass(frozen=True)
class AwsSession:
    """A boto3 session plus the region it is bound to; clients are made once per run."""

    session: Any  # boto3.Session (typed loosely to keep boto3 out of import time)
    region: str
    _cache: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)
    _lock: Any = field(default_factory=threading.RLock, compare=False, repr=False)

    def client(self, service: str, region: str | None = None,
               max_attempts: int | None = None, *, read_timeout: int = 60,
               pool_size: int | None = None, bearer_token: str | None = None) -> Any:
        """A client with adaptive retries (throttling backs off), sane timeouts and the
        request-validation hook; one per distinct set of arguments, reused for the run.

        The number of attempts is botocore's own setting (``AWS_MAX_ATTEMPTS`` or the
        profile's ``max_attempts``, else 3 in all) unless ``max_attempts`` says otherwise.
        ``pool_size`` sizes the connection pool (many calls in flight from threads);
        ``bearer_token`` makes an unsigned client sending ``Authorization: Bearer`` (runtimes
        with a JWT inbound authorizer).
        """
        key = (service, region or self.region, max_attempts, read_timeout, pool_size,
               bearer_token)
        with self._lock:  # building clients from one boto3 session is not thread-safe
            if key not in self._cache:
                self._cache[key] = self._new_client(service, key[1], max_attempts,
                                                    read_timeout, pool_size, bearer_token)
            return self._cache[key]

    def _new_client(self, service: str, region: str, max_attempts: int | None,
                    read_timeout: int, pool_size: int | None, bearer_token: str | None) -> Any:
        from botocore import UNSIGNED
        from botocore.config import Config

        retries: dict[str, Any] = {"mode": "adaptive"}
        if max_attempts is not None:
            retries["total_max_attempts"] = max_attempts
        options: dict[str, Any] = {"retries": retries, "connect_timeout": 10,
                                   "read_timeout": read_timeout}
        if pool_size is not None:
            options["max_pool_connections"] = pool_size
        if bearer_token:
            options["signature_version"] = UNSIGNED
        with aws_errors(f"create a {service} client"):
            client = self.session.client(service, region_name=region, config=Config(**options))
        client.meta.events.register("provide-client-params", validate_params)
        if bearer_token:
            def add_bearer(request: Any, **_: Any) -> None:
                request.headers["Authorization"] = f"Bearer {bearer_token}"

            client.meta.events.register("before-send", add_bearer)
        return client

    def account_id(self) -> str:
        """The caller's account id (STS GetCallerIdentity, asked once per run)."""
        if "account" not in self._cache:
            self._cache["account"] = self.caller_identity()["Account"]
        return self._cache["account"]

    def caller_identity(self) -> dict[str, str]:
        """Account, ARN and user id of the caller (STS GetCallerIdentity, asked once)."""
        if "identity" not in self._cache:
            with aws_errors("read the caller identity (sts:GetCallerIdentity)"):
                reply = self.client("sts").get_caller_identity()
            self._cache["identity"] = {k: reply[k] for k in ("Account", "Arn", "UserId")}
        return self._cache["identity"]

    def partition(self) -> str:
        """The AWS partition of the session's region (aws, aws-cn, aws-us-gov)."""
        return self.session.get_partition_for_region(self.region)


def validate_params(params: dict[str, Any], model: Any, **_: Any) -> None:
    """botocore ``provide-client-params`` hook: refuse a request the operation's model
    rejects (InvalidRequestError, exit 3, naming each member) before anything is sent."""
    from .validate import check_request

    check_request(model.service_model.service_name, model.name, params)


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
        raise AwsError(f"could not {action}: {code}: {message}",
                       hint=_denied_hint(message) or HINTS.get(code), code=code) from None
    except NoCredentialsError:
        raise AwsError(f"could not {action}: no AWS credentials found",
                       hint="Configure credentials (aws configure / AWS_PROFILE / SSO).",
                       code="NoCredentials") from None
    except BotoCoreError as exc:
        raise AwsError(f"could not {action}: {exc}", code=type(exc).__name__) from None


def _denied_hint(message: str) -> str | None:
    """"Grant ecr:CreateRepository ..." when AWS's message names the permission it refused
    (``calls.call`` names it from the operation even when the message does not)."""
    import re

    found = re.search(r"not authorized to perform:? ([a-z0-9-]+:[A-Za-z0-9]+)", message)
    if not found:
        return None
    on = re.search(r" on resource:? (\S+)", message)
    return (f"Grant {found[1]}" + (f" on {on[1].rstrip('.,')}" if on else "")
            + " to the caller, or run aibox-ops with credentials that have it.")
