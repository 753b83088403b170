"""The account's AgentCore session quota (Service Quotas), which a pool must fit in."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)
SERVICE_CODE = "bedrock-agentcore"
# The quota's name in Service Quotas ("Active session workloads per account" in the AgentCore
# quotas page); matched loosely because AWS renames quotas now and then.
NAME_WORDS = ("active", "session")


@dataclass(frozen=True)
class SessionQuota:
    """How many sessions may be active at once in the account and region (None: unknown)."""

    value: int | None
    name: str | None
    source: str  # "service-quotas", or why it is unknown


def read_session_quota(session: Any) -> SessionQuota:
    """The active-session quota; unknown (never an error) when Service Quotas cannot say."""
    from botocore.exceptions import BotoCoreError, ClientError

    client = session.client("service-quotas", max_attempts=1)
    token: str | None = None
    try:
        while True:
            params = {"ServiceCode": SERVICE_CODE, "MaxResults": 100}
            if token:
                params["NextToken"] = token
            reply = client.list_service_quotas(**params)
            for quota in reply.get("Quotas", []):
                name = str(quota.get("QuotaName", ""))
                if all(word in name.lower() for word in NAME_WORDS):
                    return SessionQuota(int(quota["Value"]), name, "service-quotas")
            token = reply.get("NextToken")
            if not token:
                return SessionQuota(None, None, "no active-session quota listed")
    except (ClientError, BotoCoreError) as exc:
        log.info("session quota unreadable: %s", exc)
        return SessionQuota(None, None, f"Service Quotas unreadable ({type(exc).__name__})")
