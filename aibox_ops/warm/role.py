"""The scheduler role's inline policy and its removal.

The policy goes through the same apply/backup code as fix-iam's policies
(``aibox_ops.iam.put_owned_policies``): a backup under ``.aibox-ops`` before any change, and
no write call when the policy is already as wanted.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .names import OWNED_PREFIX, POLICY_NAME
from .requests import checked


def put_role_policy(session: Any, role_name: str, documents: dict[str, dict[str, Any]],
                    backup_dir: Path) -> list[str]:
    """Write the role's inline policy through fix-iam's shared writer (backup first, no call
    when already as wanted); returns the policy names written."""
    from ..iam import put_owned_policies

    return put_owned_policies(session, role_name, documents, backup_dir, OWNED_PREFIX).written


def delete_owned_role(session: Any, role_name: str) -> list[str]:
    """Delete the role's inline policies, then the role (call only for roles aibox-ops
    tagged); returns what was deleted."""
    from ..aws import aws_errors

    iam = session.client("iam")
    removed = []
    with aws_errors(f"list the policies of role {role_name}"):
        names = iam.list_role_policies(**checked(
            "iam", "ListRolePolicies", {"RoleName": role_name}))["PolicyNames"]
    for name in names:
        with aws_errors(f"delete policy {name} of role {role_name}"):
            iam.delete_role_policy(**checked("iam", "DeleteRolePolicy", {
                "RoleName": role_name, "PolicyName": name}))
        removed.append(f"role/{role_name}/policy/{name}")
    with aws_errors(f"delete role {role_name} (iam:DeleteRole)"):
        iam.delete_role(**checked("iam", "DeleteRole", {"RoleName": role_name}))
    removed.append(f"role/{role_name}")
    return removed


__all__ = ["POLICY_NAME", "delete_owned_role", "put_role_policy"]
