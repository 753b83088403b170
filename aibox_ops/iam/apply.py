"""Write owned inline policies: back up first, write only what differs, never others.

``put_owned_policies`` is the one writer (fix-iam's policies, warm's scheduler role policy,
rollbacks): it refuses any name outside the owned prefix, reads the current text of each
policy, writes nothing when all are already as wanted, checks the 10,240-character inline
limit, saves a backup, then puts/deletes. ``backups.py`` holds the backup files.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..aws.calls import call
from ..errors import AwsError, RefusedError
from ..plan import Plan
from .access import Requirement
from .backups import save_backup
from .documents import INLINE_LIMIT, OWNED_PREFIX, document_text, policy_size
from .evaluate import AccessReport, evaluate_access
from .role import read_inline_policy, read_role_documents

Document = dict[str, Any] | str  # a str is written byte for byte (rollbacks)


@dataclass(frozen=True)
class ApplyResult:
    """What a write did: the backup taken (None when nothing was written) and the policies
    put or deleted."""

    role_name: str
    backup_id: str | None
    written: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)

    @property
    def applied(self) -> list[str]:
        """Every policy name that changed."""
        return [*self.written, *self.deleted]

    def to_dict(self) -> dict[str, Any]:
        """Machine-readable form."""
        return {"role": self.role_name, "backup_id": self.backup_id,
                "written": list(self.written), "deleted": list(self.deleted)}


def apply_role_policies(session: Any, role_name: str, plan: Plan,
                        backup_dir: Path) -> ApplyResult:
    """Apply a ``plan_role_policies`` plan: its changed items, through ``put_owned_policies``."""
    documents = {item.target: item.payload for item in plan.changes}
    return put_owned_policies(session, role_name, documents, backup_dir, OWNED_PREFIX)


def put_owned_policies(session: Any, role_name: str,
                       documents: Mapping[str, Document | None], backup_dir: Path,
                       owned_prefix: str) -> ApplyResult:
    """Make the role's inline policies ``documents`` (None deletes one); returns the backup.

    Makes no IAM write call when every policy is already as wanted.
    """
    foreign = [name for name in documents if not name.startswith(owned_prefix)]
    if foreign or not owned_prefix:
        raise RefusedError(f"refusing to write policies aibox-ops does not own: "
                           f"{', '.join(foreign) or '(empty owned prefix)'}",
                           targets=foreign)
    current = {name: read_inline_policy(session, role_name, name) for name in documents}
    todo = {name: doc for name, doc in documents.items()
            if not _same(current[name], doc)}
    if not todo:
        return ApplyResult(role_name, None)
    _check_size(session, role_name, documents)
    backup_id = save_backup(backup_dir, role_name,
                            {name: (doc.text or document_text(doc.document)) if doc else None
                             for name, doc in current.items() if name in todo})
    written, deleted = [], []
    for name, doc in todo.items():
        if doc is None:
            if current[name] is not None:
                call(session, "iam", "DeleteRolePolicy", f"delete policy {name} of role "
                     f"{role_name}", RoleName=role_name, PolicyName=name)
                deleted.append(name)
            continue
        call(session, "iam", "PutRolePolicy", f"write policy {name} of role {role_name}",
             RoleName=role_name, PolicyName=name, PolicyDocument=document_text(doc))
        written.append(name)
    return ApplyResult(role_name, backup_id, written, deleted)


def _same(current: Any, wanted: Document | None) -> bool:
    if current is None or wanted is None:
        return current is None and wanted is None
    if isinstance(wanted, str):
        return current.text == wanted if current.text is not None else \
            current.document == json.loads(wanted)
    return current.document == wanted


def _check_size(session: Any, role_name: str, documents: Mapping[str, Document | None]) -> None:
    others = [d for d in read_role_documents(session, role_name)
              if d.kind == "inline" and d.name not in documents]
    theirs = sum(policy_size(d.text or d.document) for d in others)
    ours = sum(policy_size(doc) for doc in documents.values() if doc is not None)
    if theirs + ours > INLINE_LIMIT:
        raise AwsError(f"role {role_name}: its inline policies would total {theirs + ours} "
                       f"characters (other policies {theirs}, aibox-ops {ours}), over IAM's "
                       f"{INLINE_LIMIT}-character limit; nothing was written",
                       code="LimitExceeded")


def verify_role_access(session: Any, role_name: str,
                       requirements: list[Requirement]) -> AccessReport:
    """Read the role's policies back and evaluate every requirement against them."""
    return evaluate_access(read_role_documents(session, role_name), requirements)

