"""Names and ownership tags of what ``warm schedule`` creates (pure).

Everything carries the tag ``aibox-ops:warm = <agent>@<region>``: ``unschedule`` and every
update touch a group or role only when it carries that tag, never something a person made.
"""

from __future__ import annotations

import hashlib

from ..config import Settings

OWNER_TAG = "aibox-ops:warm"
ROLE_PATH = "/aibox-ops/"
# fix-iam's put_owned_policies writes only names under an owned prefix: the same one.
OWNED_PREFIX = "aibox-ops-"
POLICY_NAME = "aibox-ops-warm-invoke-runtime"
IAM_NAME_MAX = 64
GROUP_NAME_MAX = 64


def owner_value(settings: Settings) -> str:
    """The tag value naming the agent and region a resource belongs to."""
    return f"{settings.agent_name}@{settings.region}"


def group_name(settings: Settings) -> str:
    """The schedule group of this agent's pings (one per agent; groups are regional)."""
    return _fit(f"aibox-warm-{settings.agent_name}", GROUP_NAME_MAX, owner_value(settings))


def role_name(settings: Settings) -> str:
    """The scheduler role (IAM is global: the region is part of the name)."""
    return _fit(f"aibox-warm-{settings.agent_name}-{settings.region}", IAM_NAME_MAX,
                owner_value(settings))


def schedule_name(index: int) -> str:
    """One schedule per pooled session, by its place in the pool (stable across runs)."""
    return f"warm-{index:02d}"


def _fit(name: str, limit: int, seed: str) -> str:
    if len(name) <= limit:
        return name
    digest = hashlib.sha256(seed.encode()).hexdigest()[:10]
    return f"{name[:limit - 11]}-{digest}"
