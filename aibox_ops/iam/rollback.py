"""Roll back owned inline policies to a backup: plan it (a statement diff), then restore."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..plan import Change, Plan
from .apply import ApplyResult, put_owned_policies
from .backups import Backup, load_backup
from .documents import OWNED_PREFIX, statement_diff
from .role import read_inline_policy


def plan_rollback(session: Any, backup_dir: Path,
                  backup_id: str | None = None) -> tuple[Plan, Backup]:
    """What restoring a backup (the newest by default) would change on its role."""
    backup = load_backup(backup_dir, backup_id)
    items = []
    for name, text in backup.policies.items():
        current = read_inline_policy(session, backup.role_name, name)
        wanted = json.loads(text) if text is not None else None
        if current is None and text is None:
            status = "unchanged"
        elif current is None:
            status = "create"
        elif text is None:
            status = "delete"
        elif current.text == text or (current.text is None and current.document == wanted):
            status = "unchanged"
        else:
            status = "update"
        diff, summary = statement_diff(name, current.document if current else None, wanted)
        items.append(Change(
            target=name, status=status, kind="iam-policy", payload=text,
            reason=f"restore backup {backup.id}" if status != "unchanged" else "as in the backup",
            diff=diff if status != "unchanged" else "",
            detail={"policy": name, "role": backup.role_name, "action": status,
                    "document": wanted, "statements": summary}))
    return Plan("fix-iam", items), backup


def rollback_role_policies(session: Any, backup_dir: Path,
                           backup_id: str | None = None) -> ApplyResult:
    """Restore a backup (the newest by default) exactly: byte-equal documents, and policies
    that did not exist are deleted. The state it replaces is itself backed up first."""
    backup = load_backup(backup_dir, backup_id)
    return put_owned_policies(session, backup.role_name, backup.policies, backup_dir,
                              OWNED_PREFIX)
