"""Agent settings from the DynamoDB table SETTING_TABLE, cached with a TTL.

Item layout (see docs/agent.md): partition key ``setting_id`` (S) = ``"agent"``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from genai import aws
from genai.model_default import default_model_id
from genai.request import RequestError, ToolConfig, parse_tool_config

log = logging.getLogger(__name__)
SETTINGS_KEY = "agent"
DEFAULT_SYSTEM_PROMPT = "You are a helpful assistant."


@dataclass(frozen=True)
class AgentSettings:
    """Defaults a request falls back to."""

    default_model_id: str = field(default_factory=default_model_id)  # genai/model_default.py
    system_prompt: str = DEFAULT_SYSTEM_PROMPT
    tool_config: ToolConfig = ToolConfig()
    mcp_servers: tuple[dict[str, Any], ...] = field(default_factory=tuple)
    source: str = "defaults"


def settings_from_item(item: dict[str, Any]) -> AgentSettings:
    """Build settings from a deserialised item; bad fields fall back to defaults."""
    base = AgentSettings()
    model = item.get("default_model_id")
    prompt = item.get("system_prompt")
    try:
        overrides = parse_tool_config(item.get("tool_config"))
        tools = ToolConfig(**{**base.tool_config.__dict__, **overrides})
    except RequestError as exc:
        log.warning("Settings: ignoring invalid tool_config (%s)", exc)
        tools = base.tool_config
    servers = item.get("mcp_servers")
    return AgentSettings(
        default_model_id=model if isinstance(model, str) and model else base.default_model_id,
        system_prompt=prompt if isinstance(prompt, str) and prompt else base.system_prompt,
        tool_config=tools,
        mcp_servers=tuple(s for s in servers if isinstance(s, dict))
        if isinstance(servers, list)
        else (),
        source="table",
    )


def _plain(value: Any) -> Any:
    """DynamoDB Decimals to int/float so settings are plain data."""
    from decimal import Decimal

    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_plain(v) for v in value]
    return value


class SettingsStore:
    """Reads the settings item (dynamodb:GetItem) at most once per TTL."""

    def __init__(
        self,
        table: str | None,
        ttl_seconds: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        region: str | None = None,
    ) -> None:
        self.table = table
        self.region = region
        self.ttl_seconds = ttl_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._cached: AgentSettings | None = None
        self._expires = 0.0

    def get(self) -> AgentSettings:
        """Current settings; built-in defaults when the table is unset, missing or denied."""
        now = self._clock()
        if self._cached is not None and now < self._expires:
            return self._cached
        with self._lock:
            if self._cached is None or self._clock() >= self._expires:
                self._cached = self._read()
                self._expires = self._clock() + self.ttl_seconds
            return self._cached

    def _read(self) -> AgentSettings:
        if not self.table:
            if self.table is not None:  # None: no table on purpose (the warm-up's store)
                log.info("Settings: SETTING_TABLE is not set; using built-in defaults")
            return AgentSettings()
        try:
            response = aws.client("dynamodb", self.region).get_item(
                TableName=self.table, Key={"setting_id": {"S": SETTINGS_KEY}}
            )
        except Exception as exc:
            log.warning(
                "Settings: cannot read table %r (%s); using built-in defaults",
                self.table, aws.error_code(exc),
            )
            return AgentSettings()
        raw = response.get("Item")
        if not raw:
            log.info("Settings: no %r item in %r; using defaults", SETTINGS_KEY, self.table)
            return AgentSettings()
        from boto3.dynamodb.types import TypeDeserializer

        deserializer = TypeDeserializer()
        item = {k: _plain(deserializer.deserialize(v)) for k, v in raw.items()}
        return settings_from_item(item)
