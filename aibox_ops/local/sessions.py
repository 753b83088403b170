"""Where ``deploy --local`` keeps conversation history: the AWS session table when it is
there, else a JSON file in the project's local-runtime folder (the agent's
``SESSION_STORE_FILE``, agent/genai/store/local_sessions.py).

"There" means this shell's AWS credentials can describe the table the image is configured
with (``SESSION_TABLE`` of ``Settings.container_env``), in the agent's region. Anything else
(no credentials, no such table, no network) keeps history on this machine instead, and the
reason is reported.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from ..config import Settings
from ..errors import AiboxError
from .paths import state_dir

SESSIONS_FILE = "sessions.json"
STORE_ENV = "SESSION_STORE_FILE"


@dataclass(frozen=True)
class SessionStoreChoice:
    """The agent's history store for one local run."""

    kind: str  # "dynamodb" | "file"
    where: str  # the table name, or the file's path
    reason: str  # why this store

    def agent_env(self) -> dict[str, str]:
        """What the agent's environment needs for this store."""
        return {STORE_ENV: self.where} if self.kind == "file" else {}

    def describe(self) -> str:
        """One line for people."""
        if self.kind == "dynamodb":
            return f"DynamoDB table {self.where!r} ({self.reason})"
        return f"kept in {self.where} ({self.reason})"

    def to_dict(self) -> dict[str, Any]:
        """Machine-readable form (``deploy --local --json``)."""
        return asdict(self)


def choose_session_store(settings: Settings, aws: Callable[[], Any]) -> SessionStoreChoice:
    """The AWS table when ``aws()``'s session can describe it (one attempt), else the file."""
    from ..provision import read_table

    local = str(state_dir(settings) / SESSIONS_FILE)
    table = settings.container_env.get("SESSION_TABLE", "")
    if not table:
        return SessionStoreChoice("file", local, "SESSION_TABLE is not set")
    try:
        found = read_table(aws(), table, max_attempts=1)
    except AiboxError as error:
        return SessionStoreChoice("file", local, error.message)  # it names the table
    if found is None:
        return SessionStoreChoice("file", local, f"no table {table!r} in {settings.region}")
    return SessionStoreChoice("dynamodb", table, f"in {settings.region}, with this shell's "
                                                 "AWS credentials")
