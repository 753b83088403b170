"""Deploy history and what aibox-ops created, kept in the project (``.aibox-ops/deploys.json``).

One entry per agent and region (``agent@region``, the same key as the render record's deploy
state), so each stage with its own agent name or region has its own history. Each deploy
records the time, the staged content hash, the image URI and the runtime version; rollback
picks an older image from here. ``created`` lists the AWS resources aibox-ops saw the
toolkit create (they did not exist before the launch): destroy removes only those;
``created["endpoints"]`` names the runtime endpoints ``aibox-ops endpoint set`` created.
``endpoints`` records each move of a named endpoint (``endpoint set``, ``rollback --endpoint``):
kept apart from ``deploys``, whose last record is what the DEFAULT endpoint serves.
Every write is atomic (temp file + rename), so Ctrl-C never leaves a half-written file.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from typing import Any, TypeVar

from ..config import Settings
from ..deploy_state import stash_key
from ..errors import FileError
from ..files import atomic_write, read_text

HISTORY_PATH = ".aibox-ops/deploys.json"
KEEP = 50  # deploys (and endpoint moves) kept per agent and region
T = TypeVar("T")


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


@dataclass(frozen=True)
class EndpointRecord:
    """One move of a named endpoint to a runtime version (no build, no new version)."""

    time: str  # ISO 8601 UTC
    action: str  # create | set | rollback | delete
    endpoint: str
    from_version: str | None
    to_version: str | None  # None: deleted
    runtime_id: str
    stage: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Machine-readable form."""
        return asdict(self)


@dataclass
class History:
    """Deploys (oldest first), endpoint moves and resources aibox-ops created, for one
    agent in one region."""

    key: str
    deploys: list[DeployRecord] = field(default_factory=list)
    created: dict[str, Any] = field(default_factory=dict)
    endpoints: list[EndpointRecord] = field(default_factory=list)

    @property
    def last(self) -> DeployRecord | None:
        """The latest deploy, if any."""
        return self.deploys[-1] if self.deploys else None

    def to_dict(self) -> dict[str, Any]:
        """Machine-readable form."""
        return {"key": self.key, "created": dict(self.created),
                "deploys": [record.to_dict() for record in self.deploys],
                "endpoints": [record.to_dict() for record in self.endpoints]}


def load_history(settings: Settings) -> History:
    """The history of the configured agent in the configured region (empty when none)."""
    key = stash_key(settings.agent_name, settings.region)
    entry = _load_all(settings).get(key) or {}
    deploys = _records(DeployRecord, entry.get("deploys"))
    created = entry.get("created") if isinstance(entry.get("created"), dict) else {}
    return History(key, deploys, dict(created), _records(EndpointRecord, entry.get("endpoints")))


def _records(cls: type[T], raws: Any) -> list[T]:
    known = {f.name for f in fields(cls)}
    out: list[T] = []
    for raw in raws if isinstance(raws, list) else []:
        if not isinstance(raw, dict):
            continue
        try:  # a key of a newer format is dropped, never the record (rollback needs it)
            out.append(cls(**{k: v for k, v in raw.items() if k in known}))
        except TypeError:
            continue  # a required field missing: not a record
    return out


def save_history(settings: Settings, history: History) -> None:
    """Write ``history`` back (atomically), keeping the other agents' and regions' entries."""
    data = _load_all(settings)
    history.deploys = history.deploys[-KEEP:]
    history.endpoints = history.endpoints[-KEEP:]
    data[history.key] = {"created": history.created,
                         "deploys": [record.to_dict() for record in history.deploys]}
    if history.endpoints:
        data[history.key]["endpoints"] = [record.to_dict() for record in history.endpoints]
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
