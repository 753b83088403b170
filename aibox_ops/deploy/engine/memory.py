"""The agent's AgentCore Memory (``memory_mode`` STM_ONLY or STM_AND_LTM).

Reused when the YAML names one that exists, or found by the starter toolkit's name
(``{agent}_mem-...``); created otherwise with the toolkit's strategies, and waited for with
botocore's own ``MemoryCreated`` waiter.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ...aws import AwsSession, aws_errors
from ...aws.calls import call
from ...aws.reads import find_first, read_or_none

CONTROL = "bedrock-agentcore-control"
EVENT_EXPIRY_DAYS = 30
LONG_TERM = [
    {"userPreferenceMemoryStrategy": {"name": "UserPreferences",
                                      "namespaces": ["/users/{actorId}/preferences/"]}},
    {"semanticMemoryStrategy": {"name": "SemanticFacts",
                                "namespaces": ["/users/{actorId}/facts/"]}},
    {"summaryMemoryStrategy": {"name": "SessionSummaries",
                               "namespaces": ["/summaries/{actorId}/{sessionId}/"]}},
]


@dataclass(frozen=True)
class EnsuredMemory:
    """The Memory the runtime is linked to."""

    memory_id: str
    arn: str
    name: str
    created: bool

    def environment(self) -> dict[str, str]:
        """What the runtime's environment carries for it (the toolkit's variables)."""
        return {"BEDROCK_AGENTCORE_MEMORY_ID": self.memory_id,
                "BEDROCK_AGENTCORE_MEMORY_NAME": self.name}


def ensure_memory(session: AwsSession, mode: str, name: str, recorded_id: str | None, *,
                  record: Callable[[str], None], note: Callable[[str], None],
                  ) -> EnsuredMemory | None:
    """The Memory for ``mode`` (None for NO_MEMORY): the recorded one, the toolkit's by
    name, or a new one (``record(id)`` called as soon as it exists)."""
    if mode == "NO_MEMORY":
        return None
    if recorded_id:
        reply = read_or_none(lambda: call(session, CONTROL, "GetMemory",
                                          f"read Memory {recorded_id}", memoryId=recorded_id))
        if reply is not None:
            memory = reply["memory"]
            return EnsuredMemory(memory["id"], memory["arn"], memory.get("name") or name,
                                 False)
    with aws_errors("list AgentCore Memories"):
        found = find_first(session.client(CONTROL), "ListMemories", "memories",
                           lambda m: str(m.get("id", "")).startswith(name + "-"))
    if found is not None:
        return EnsuredMemory(found["id"], found["arn"], name, False)
    note(f"creating Memory {name} ({mode})")
    params: dict[str, Any] = {"name": name, "clientToken": str(uuid.uuid4()),
                              "eventExpiryDuration": EVENT_EXPIRY_DAYS,
                              "description": f"Memory of {name[:-4]} ({mode})"}
    if mode == "STM_AND_LTM":
        params["memoryStrategies"] = LONG_TERM
    memory = call(session, CONTROL, "CreateMemory", f"create Memory {name}", **params)["memory"]
    record(memory["id"])
    note(f"waiting for Memory {memory['id']} to be ACTIVE")
    with aws_errors(f"wait for Memory {memory['id']} to be ACTIVE"):
        session.client(CONTROL).get_waiter("memory_created").wait(
            memoryId=memory["id"], WaiterConfig={"Delay": 2, "MaxAttempts": 150})
    return EnsuredMemory(memory["id"], memory["arn"], name, True)
