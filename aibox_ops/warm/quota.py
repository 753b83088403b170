"""The account's AgentCore session quota (Service Quotas), which a pool must fit in."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from ..errors import AwsError

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
    from ..aws import aws_errors
    from ..aws.reads import find_first

    def session_quota(quota: dict[str, Any]) -> bool:
        return all(word in str(quota.get("QuotaName", "")).lower() for word in NAME_WORDS)

    try:
        client = session.client("service-quotas", max_attempts=1)
        with aws_errors("list the bedrock-agentcore service quotas"):
            quota = find_first(client, "ListServiceQuotas", "Quotas", session_quota,
                               ServiceCode=SERVICE_CODE, PaginationConfig={"PageSize": 100})
    except AwsError as exc:
        log.info("session quota unreadable: %s", exc)
        return SessionQuota(None, None, f"Service Quotas unreadable ({exc.code})")
    if quota is None:
        return SessionQuota(None, None, "no active-session quota listed")
    return SessionQuota(int(quota["Value"]), str(quota["QuotaName"]), "service-quotas")
