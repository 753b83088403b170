"""Backups of owned inline policies, taken before every write (``.aibox-ops/backups/``).

A backup holds each policy's exact text as IAM returned it, or null when the policy did not
exist, so a rollback restores byte-equal documents and deletes policies that were created.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..errors import FileError
from ..files import atomic_write, read_text

BACKUP_DIR = ".aibox-ops/backups"
_ID = re.compile(r"^\d{8}T\d{12}Z$")


@dataclass(frozen=True)
class Backup:
    """One backup: which role, when, and each policy's previous text (None: absent)."""

    id: str
    created: str
    role_name: str
    policies: dict[str, str | None]

    def to_dict(self) -> dict[str, Any]:
        """Machine-readable summary (without the documents)."""
        return {"id": self.id, "created": self.created, "role": self.role_name,
                "policies": {name: ("absent" if text is None else "saved")
                             for name, text in self.policies.items()}}


def save_backup(backup_dir: Path, role_name: str, policies: dict[str, str | None]) -> str:
    """Write a backup file and return its id (a UTC timestamp, unique per microsecond)."""
    now = datetime.now(UTC)
    backup_id = now.strftime("%Y%m%dT%H%M%S%fZ")
    while (backup_dir / f"{backup_id}.json").exists():  # two writes in one microsecond
        now = now.replace(microsecond=(now.microsecond + 1) % 1_000_000)
        backup_id = now.strftime("%Y%m%dT%H%M%S%fZ")
    body = {"id": backup_id, "created": now.isoformat(), "role": role_name,
            "policies": policies}
    atomic_write(backup_dir / f"{backup_id}.json", json.dumps(body, indent=2) + "\n")
    return backup_id


def list_backups(backup_dir: Path) -> list[Backup]:
    """Every backup, oldest first."""
    if not backup_dir.is_dir():
        return []
    return [load_backup(backup_dir, path.stem) for path in sorted(backup_dir.glob("*.json"))
            if _ID.match(path.stem)]


def load_backup(backup_dir: Path, backup_id: str | None = None) -> Backup:
    """One backup by id, or the newest one; FileError names what exists."""
    if backup_id is None:
        ids = sorted(p.stem for p in backup_dir.glob("*.json") if _ID.match(p.stem)) \
            if backup_dir.is_dir() else []
        if not ids:
            raise FileError(f"{backup_dir}: no backups to roll back to")
        backup_id = ids[-1]
    path = backup_dir / f"{backup_id}.json"
    text = read_text(path) if _ID.match(backup_id) else None
    if text is None:
        known = [p.stem for p in sorted(backup_dir.glob("*.json"))] if backup_dir.is_dir() else []
        raise FileError(f"backup {backup_id!r} not found in {backup_dir}",
                        hint="Known backups: " + (", ".join(known) or "none")
                        + " (aibox-ops fix-iam --list-backups).")
    try:
        data = json.loads(text)
        policies = data["policies"]
        if not all(v is None or isinstance(v, str) for v in policies.values()):
            raise TypeError("policies")
        return Backup(data["id"], data["created"], data["role"], dict(policies))
    except (json.JSONDecodeError, KeyError, TypeError, AttributeError) as exc:
        raise FileError(f"{path}: is not a fix-iam backup ({exc})") from None
