"""The scheduler role's inline policy and its removal.

The policy goes through the same apply/backup code as fix-iam's policies
(``aibox_ops.iam.put_owned_policies``): a backup under ``.aibox-ops`` before any change, and
no write call when the policy is already as wanted.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .names import OWNED_PREFIX, POLICY_NAME


def put_role_policy(session: Any, role_name: str, documents: dict[str, dict[str, Any]],
                    backup_dir: Path) -> list[str]:
    """Write the role's inline policy through fix-iam's shared writer (backup first, no call
    when already as wanted); returns the policy names written."""
    from ..iam import put_owned_policies

    return put_owned_policies(session, role_name, documents, backup_dir, OWNED_PREFIX).written


def delete_owned_role(session: Any, role_name: str) -> list[str]:
    """Delete the scheduler role (call only for roles aibox-ops tagged): fix-iam's one role
    deleter, which also detaches managed policies someone attached."""
    from ..iam import delete_role

    return delete_role(session, role_name)


__all__ = ["POLICY_NAME", "delete_owned_role", "put_role_policy"]
