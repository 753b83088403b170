"""The execution and CodeBuild roles: reused when they exist, created when they do not.

A role that exists (the user's, the starter toolkit's, or ours from an earlier deploy) is
never changed unless aibox-ops created it; then its base policy is kept current through
fix-iam's one writer (``put_owned_policies``: backup first, writes only what differs). A
new role is waited for with IAM's own ``role_exists`` waiter; that it is assumable by the
service is handled where it is used (``aws.retry.ROLE_PROPAGATION``), not by a fixed sleep.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...aws import AwsSession, aws_errors
from ...aws.calls import call
from ...aws.reads import read_or_none

TAGS = [{"Key": "created-by", "Value": "aibox-ops"}]


@dataclass(frozen=True)
class EnsuredRole:
    """A role the deploy uses: its ARN, and whether this deploy created it."""

    name: str
    arn: str
    created: bool


def read_role(session: AwsSession, name: str) -> dict[str, Any] | None:
    """GetRole's ``Role``, or None when IAM has no role of that name."""
    reply = read_or_none(lambda: call(session, "iam", "GetRole", f"read IAM role {name}",
                                      RoleName=name), not_found=("NoSuchEntity",))
    return reply["Role"] if reply else None


def read_role_arn(session: AwsSession, name: str) -> str | None:
    """The role's ARN, or None when IAM has no role of that name."""
    role = read_role(session, name)
    return role["Arn"] if role else None


def _trust_of(role: dict[str, Any]) -> Any:
    from urllib.parse import unquote

    document = role.get("AssumeRolePolicyDocument")
    return json.loads(unquote(document)) if isinstance(document, str) else document


def ensure_role(session: AwsSession, name: str, trust: dict[str, Any], description: str,
                policy_name: str, policy: dict[str, Any], *, owned: bool, backup_dir: Path,
                record: Callable[[str], None], note: Callable[[str], None]) -> EnsuredRole:
    """The role ``name``: created with ``trust`` and its inline ``policy`` when missing
    (``record(name)`` is called the moment it exists, before the policy is written, so an
    interruption still leaves it known as ours); when it exists, its trust and policy are
    brought to what is wanted only if ``owned`` (aibox-ops created it)."""
    from ...iam.apply import put_owned_policies

    role = read_role(session, name)
    created = role is None
    arn = role["Arn"] if role else None
    if role is not None and owned and _trust_of(role) != trust:
        # Ours, trusted differently (an older aibox-ops, a renamed project): made as wanted.
        note(f"updating the trust policy of IAM role {name}")
        call(session, "iam", "UpdateAssumeRolePolicy", f"update the trust policy of {name}",
             RoleName=name, PolicyDocument=json.dumps(trust))
    if created:
        note(f"creating IAM role {name}")
        reply = call(session, "iam", "CreateRole", f"create IAM role {name}", RoleName=name,
                     AssumeRolePolicyDocument=json.dumps(trust), Description=description,
                     Tags=TAGS)
        arn = reply["Role"]["Arn"]
        record(name)
        with aws_errors(f"wait for IAM role {name}"):
            session.client("iam").get_waiter("role_exists").wait(
                RoleName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 30})
    if created or owned:
        put_owned_policies(session, name, {policy_name: policy}, backup_dir, "aibox-ops-")
    return EnsuredRole(name, str(arn), created)
