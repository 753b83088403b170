"""The pool of warm session ids: stable, stored in the project, one list per agent.

AgentCore runs every ``runtimeSessionId`` in its own microVM and only requests that reuse a
session id land on a warm one, so the ids that get pinged must be the ids clients use. They
are generated once and kept in ``.aibox-ops/warm-sessions.json`` (commit it, or copy the ids
into the front end's configuration).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..config import Settings
from ..errors import FileError
from ..files import atomic_write, read_text

POOL_PATH = ".aibox-ops/warm-sessions.json"
# AgentCore's runtimeSessionId is 33-256 characters (botocore's model: min 33).
MIN_SESSION_ID = 33
MAX_SESSION_ID = 256


@dataclass(frozen=True)
class Pool:
    """The session ids kept warm for one agent, and whether the file must change."""

    agent_name: str
    session_ids: list[str]
    stored: list[str]  # what the file holds now (may be longer or shorter)

    @property
    def changed(self) -> bool:
        """Whether the stored ids differ from the ids the settings ask for."""
        return self.session_ids != self.stored

    def to_dict(self) -> dict[str, Any]:
        """Machine-readable form."""
        return {"agent_name": self.agent_name, "path": POOL_PATH,
                "session_ids": list(self.session_ids), "changed": self.changed}


def new_pool_session_id(agent_name: str, index: int) -> str:
    """A fresh pool id: ``warm-<agent>-<nn>-<32 hex>`` (46+ characters, valid for AgentCore).

    The prefix makes pooled sessions recognisable in the runtime's logs.
    """
    return f"warm-{agent_name}-{index:02d}-{uuid.uuid4().hex}"[:MAX_SESSION_ID]


def load_pool(settings: Settings) -> list[str]:
    """The stored session ids for the configured agent ([] when there are none yet)."""
    path = settings.path(POOL_PATH)
    text = read_text(path)
    if text is None:
        return []
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FileError(f"{path}: is not valid JSON (line {exc.lineno}: {exc.msg})",
                        hint="Fix it or delete it; `aibox-ops warm sessions` writes "
                             "a new pool.") from None
    agents = data.get("agents") if isinstance(data, dict) else None
    ids = agents.get(settings.agent_name, []) if isinstance(agents, dict) else None
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise FileError(f"{path}: 'agents.{settings.agent_name}' must be a list of strings")
    for sid in ids:
        if not MIN_SESSION_ID <= len(sid) <= MAX_SESSION_ID:
            raise FileError(f"{path}: session id {sid!r} has {len(sid)} characters; "
                            f"AgentCore needs {MIN_SESSION_ID}-{MAX_SESSION_ID}")
    return ids


def plan_pool(settings: Settings, stored: list[str] | None = None) -> Pool:
    """The ids the settings ask for: the stored ones first (stable), new ones appended."""
    stored = load_pool(settings) if stored is None else stored
    wanted = settings.warm.sessions
    ids = list(stored[:wanted])
    ids += [new_pool_session_id(settings.agent_name, i) for i in range(len(ids), wanted)]
    return Pool(settings.agent_name, ids, list(stored))


def apply_pool(project_dir: Path, pool: Pool) -> bool:
    """Store the pool (other agents' ids in the file are kept); True when the file changed."""
    if not pool.changed:
        return False
    path = project_dir / POOL_PATH
    text = read_text(path)
    data: dict[str, Any] = {}
    if text is not None:
        try:
            loaded = json.loads(text)
            data = loaded if isinstance(loaded, dict) else {}
        except json.JSONDecodeError:
            data = {}
    agents = data.get("agents") if isinstance(data.get("agents"), dict) else {}
    agents[pool.agent_name] = list(pool.session_ids)
    data = {"comment": "Warm session ids kept by `aibox-ops warm`; see docs/warm.md.",
            "agents": agents}
    atomic_write(path, json.dumps(data, indent=2) + "\n")
    return True


def pick_session(session_ids: list[str], client_key: str) -> str:
    """The pooled id a client should use: a stable hash of its key (e.g. a user id) picks
    one, so a user keeps landing on the same warm microVM and users spread over the pool."""
    if not session_ids:
        raise ValueError("the warm pool is empty")
    digest = hashlib.sha256(client_key.encode("utf-8")).digest()
    return session_ids[int.from_bytes(digest[:8], "big") % len(session_ids)]
