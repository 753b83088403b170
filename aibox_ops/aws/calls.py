"""One validated AWS request, and one translation of its failure (every service).

Each request is checked against botocore's model by the session's client hook
(``aibox_ops.aws.session``). An AccessDenied answer becomes a message naming the missing
permission and the calling principal ("the caller X lacks ecr:CreateRepository"), for
every service and every command; other failures go through ``aws_errors``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ..errors import AwsError

# botocore service name -> IAM action prefix (the two differ for a few services).
ACTION_PREFIX = {"bedrock-agentcore-control": "bedrock-agentcore",
                 "bedrock-runtime": "bedrock", "logs": "logs", "events": "events"}
DENIED_CODES = frozenset({"AccessDenied", "AccessDeniedException", "UnauthorizedOperation"})


def permission_for(service: str, operation: str) -> str:
    """The IAM action a call needs, e.g. ``iam:PutRolePolicy``."""
    return f"{ACTION_PREFIX.get(service, service)}:{operation}"


def call(session: Any, service: str, operation: str, what: str,
         region: str | None = None, **params: Any) -> dict[str, Any]:
    """Send one request (the client's hook validates it first); failures become AwsError
    naming ``what``.

    ``operation`` is the API name (``PutRolePolicy``); AccessDenied names the permission
    and the caller's ARN.
    """
    from .reads import method_name

    method = getattr(session.client(service, region=region), method_name(operation))
    with _translated(session, service, operation, what):
        return method(**params)


def pages(session: Any, service: str, operation: str, what: str, key: str,
          region: str | None = None, **params: Any) -> list[Any]:
    """Every item under ``key`` across all pages of ``operation`` (botocore's paginator);
    failures as in ``call``."""
    from .reads import paginate

    client = session.client(service, region=region)
    with _translated(session, service, operation, what):
        return list(paginate(client, operation, key, **params))


@contextmanager
def _translated(session: Any, service: str, operation: str, what: str) -> Iterator[None]:
    from .reads import error_code
    from .session import aws_errors

    with aws_errors(what):
        try:
            yield
        except Exception as exc:
            if error_code(exc) in DENIED_CODES:
                raise _denied(session, service, operation, what, exc) from None
            raise


def _denied(session: Any, service: str, operation: str, what: str, exc: Any) -> AwsError:
    permission = permission_for(service, operation)
    try:
        principal = session.caller_identity()["Arn"]
    except AwsError:
        principal = "the caller (sts:GetCallerIdentity failed too)"
    message = exc.response.get("Error", {}).get("Message", "")
    return AwsError(
        f"could not {what}: {principal} is not allowed to call {permission}"
        + (f" ({message})" if message else ""),
        hint=f"Grant {permission} to {principal}, or run aibox-ops with credentials that "
             "have it.",
        code="AccessDenied")

