"""Conversation history per AgentCore session in SESSION_TABLE (bounded).

One item per turn: ``session_id`` (S, partition) + ``turn`` (N, sort, microseconds since
the epoch), ``user`` / ``assistant`` texts, ``model_id``, ``created_at`` and ``expires_at``
(N, for DynamoDB TTL). Loading reads only the newest ``max_turns`` items.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime

from genai import aws

log = logging.getLogger(__name__)
MAX_TURN_CHARS = 50_000


class SessionStore:
    """Load and append conversation turns (dynamodb:Query, dynamodb:PutItem)."""

    def __init__(
        self, table: str, max_turns: int = 20, ttl_days: int = 30, region: str | None = None
    ) -> None:
        self.table = table
        self.region = region
        self.max_turns = max(0, max_turns)
        self.ttl_days = ttl_days

    @property
    def enabled(self) -> bool:
        """Whether a table is configured."""
        return bool(self.table) and self.max_turns > 0

    def load(self, session_id: str) -> list[dict[str, str]]:
        """Prior turns, oldest first, as role/content pairs; [] on any failure."""
        if not self.enabled or not session_id:
            return []
        try:
            response = aws.client("dynamodb", self.region).query(
                TableName=self.table,
                KeyConditionExpression="session_id = :s",
                ExpressionAttributeValues={":s": {"S": session_id}},
                ScanIndexForward=False,
                Limit=self.max_turns,
            )
        except Exception as exc:
            code = aws.error_code(exc)
            log.warning("Sessions: cannot read %r (%s); no history", self.table, code)
            return []
        turns: list[dict[str, str]] = []
        for item in reversed(response.get("Items", [])):
            turns.append({"role": "user", "content": item.get("user", {}).get("S", "")})
            turns.append({"role": "assistant", "content": item.get("assistant", {}).get("S", "")})
        return turns

    def append(self, session_id: str, user: str, assistant: str, model_id: str) -> bool:
        """Store one turn; False (and a log line) when it could not be written."""
        if not self.enabled or not session_id:
            return False
        now = time.time()
        item = {
            "session_id": {"S": session_id},
            "turn": {"N": str(time.time_ns() // 1000)},
            "user": {"S": user[:MAX_TURN_CHARS]},
            "assistant": {"S": assistant[:MAX_TURN_CHARS]},
            "model_id": {"S": model_id},
            "created_at": {"S": datetime.fromtimestamp(now, UTC).isoformat()},
            "expires_at": {"N": str(int(now + self.ttl_days * 86400))},
        }
        try:
            aws.client("dynamodb", self.region).put_item(
                TableName=self.table,
                Item=item,
                ConditionExpression="attribute_not_exists(turn)",
            )
        except Exception as exc:
            log.warning("Sessions: cannot write %r (%s)", self.table, aws.error_code(exc))
            return False
        return True
