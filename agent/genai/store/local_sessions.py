"""Conversation history in one JSON file, for an agent run without AWS (``deploy --local``).

``SESSION_STORE_FILE`` names the file; when it is set the agent keeps history there instead
of in ``SESSION_TABLE``. Same interface as ``SessionStore`` (``enabled``, ``load``,
``append``): the newest ``max_turns`` turns per session, the newest ``MAX_SESSIONS``
sessions. Writes are atomic (a temporary file, then a rename), so a crash never leaves half
a file; one process writes it (a lock serialises its threads).
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from pathlib import Path
from typing import Any

from genai.store.sessions import MAX_TURN_CHARS, SessionStore

log = logging.getLogger(__name__)
ENV_VAR = "SESSION_STORE_FILE"
MAX_SESSIONS = 1000


class FileSessionStore:
    """Load and append conversation turns in a local JSON file."""

    def __init__(self, path: str | Path, max_turns: int = 20) -> None:
        self.path = Path(path)
        self.max_turns = max(0, max_turns)
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        """Whether turns are kept (a file is named and max_turns > 0)."""
        return bool(str(self.path)) and self.max_turns > 0

    def load(self, session_id: str) -> list[dict[str, str]]:
        """Prior turns, oldest first, as role/content pairs; [] on any failure."""
        if not self.enabled or not session_id:
            return []
        with self._lock:
            turns = self._read().get(session_id, {}).get("turns", [])
        messages: list[dict[str, str]] = []
        for turn in turns[-self.max_turns:]:
            messages.append({"role": "user", "content": str(turn.get("user", ""))})
            messages.append({"role": "assistant", "content": str(turn.get("assistant", ""))})
        return messages

    def append(self, session_id: str, user: str, assistant: str, model_id: str) -> bool:
        """Store one turn; False (and a log line) when it could not be written."""
        if not self.enabled or not session_id:
            return False
        now = time.time()
        with self._lock:
            sessions = self._read()
            entry = sessions.pop(session_id, {"turns": []})
            entry["turns"] = [*entry.get("turns", []), {
                "user": user[:MAX_TURN_CHARS], "assistant": assistant[:MAX_TURN_CHARS],
                "model_id": model_id, "at": now}][-self.max_turns:]
            entry["updated"] = now
            sessions[session_id] = entry  # re-inserted last: the newest session
            kept = dict(list(sessions.items())[-MAX_SESSIONS:])
            try:
                self._write(kept)
            except OSError as exc:
                log.warning("Sessions: cannot write %s (%s)", self.path, exc.strerror or exc)
                return False
        return True

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            log.warning("Sessions: cannot read %s (%s); no history", self.path,
                        type(exc).__name__)
            return {}
        sessions = data.get("sessions") if isinstance(data, dict) else None
        return sessions if isinstance(sessions, dict) else {}

    def _write(self, sessions: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        temp.write_text(json.dumps({"sessions": sessions}, ensure_ascii=False),
                        encoding="utf-8")
        temp.replace(self.path)


def open_session_store(table: str, max_turns: int, ttl_days: int,
                       region: str | None = None) -> SessionStore | FileSessionStore:
    """The file store when ``SESSION_STORE_FILE`` is set, else the SESSION_TABLE store."""
    path = os.environ.get(ENV_VAR, "").strip()
    if path:
        log.info("Sessions: kept in %s (%s)", path, ENV_VAR)
        return FileSessionStore(path, max_turns)
    return SessionStore(table, max_turns, ttl_days, region=region)
