"""Deploy history and what aibox-ops created, kept in the project (``.aibox-ops/deploys.json``).

One entry per agent and region (``agent@region``, the same key as the render record's deploy
state), so each stage with its own agent name or region has its own history. Each deploy
records the time, the staged content hash, the image URI and the runtime version; rollback
picks an older image from here. ``created`` lists the AWS resources aibox-ops saw the
toolkit create (they did not exist before the launch): destroy removes only those.
Every write is atomic (temp file + rename), so Ctrl-C never leaves a half-written file.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from ..config import Settings
from ..deploy_state import stash_key
from ..errors import FileError
from ..files import atomic_write, read_text

HISTORY_PATH = ".aibox-ops/deploys.json"
KEEP = 50  # deploys kept per agent and region


@dataclass(frozen=True)
class DeployRecord:
    """One deploy (or rollback) that reached the runtime."""

    time: str  # ISO 8601 UTC
    action: str  # deploy | update | rollback
    content_hash: str
    config_hash: str
    image_uri: str
    runtime_version: str | None = None
    runtime_arn: str | None = None
    build_id: str | None = None
    stage: str | None = None
    iam_applied: bool = False  # set only once the iam phase has finished for this deploy

    def to_dict(self) -> dict[str, Any]:
        """Machine-readable form."""
        return asdict(self)


@dataclass
class History:
    """Deploys (oldest first) and resources aibox-ops created, for one agent in one region."""

    key: str
    deploys: list[DeployRecord] = field(default_factory=list)
    created: dict[str, Any] = field(default_factory=dict)

    @property
    def last(self) -> DeployRecord | None:
        """The latest deploy, if any."""
        return self.deploys[-1] if self.deploys else None

    def to_dict(self) -> dict[str, Any]:
        """Machine-readable form."""
        return {"key": self.key, "created": dict(self.created),
                "deploys": [record.to_dict() for record in self.deploys]}


def load_history(settings: Settings) -> History:
    """The history of the configured agent in the configured region (empty when none)."""
    key = stash_key(settings.agent_name, settings.region)
    entry = _load_all(settings).get(key) or {}
    deploys = []
    known = {f.name for f in fields(DeployRecord)}
    for raw in entry.get("deploys") or []:
        if not isinstance(raw, dict):
            continue
        try:  # a key of a newer format is dropped, never the record (rollback needs it)
            deploys.append(DeployRecord(**{k: v for k, v in raw.items() if k in known}))
        except TypeError:
            continue  # a required field missing: not a record
    created = entry.get("created") if isinstance(entry.get("created"), dict) else {}
    return History(key, deploys, dict(created))


def save_history(settings: Settings, history: History) -> None:
    """Write ``history`` back (atomically), keeping the other agents' and regions' entries."""
    data = _load_all(settings)
    history.deploys = history.deploys[-KEEP:]
    data[history.key] = {"created": history.created,
                         "deploys": [record.to_dict() for record in history.deploys]}
    text = json.dumps({"version": 1, "targets": data}, indent=2, sort_keys=True) + "\n"
    atomic_write(settings.path(HISTORY_PATH), text)


def _load_all(settings: Settings) -> dict[str, Any]:
    path = settings.path(HISTORY_PATH)
    text = read_text(path)
    if text is None:
        return {}
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FileError(f"{path}: is not valid JSON ({exc.msg} at line {exc.lineno})",
                        hint="Fix or move the file; aibox-ops writes it atomically, so it "
                        "was edited by hand or by another tool.") from None
    targets = data.get("targets") if isinstance(data, dict) else None
    return targets if isinstance(targets, dict) else {}
