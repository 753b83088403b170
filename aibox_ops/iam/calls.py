"""Every AWS request the IAM library makes (validated against botocore's model by the
session's client hook, ``aibox_ops.aws.session``).

One place turns an AccessDenied answer into a message naming the missing permission and
the calling principal, so that ``fix-iam`` can say "the caller X lacks iam:PutRolePolicy".
"""

from __future__ import annotations

from typing import Any

from ..errors import AwsError

# botocore service name -> IAM action prefix (the two differ for a few services).
ACTION_PREFIX = {"bedrock-agentcore-control": "bedrock-agentcore"}
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
    from botocore import xform_name
    from botocore.exceptions import ClientError

    from ..aws import aws_errors

    method = getattr(session.client(service, region=region), xform_name(operation))
    with aws_errors(what):
        try:
            return method(**params)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code", "") in DENIED_CODES:
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

