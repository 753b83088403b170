"""The options and the report of one deploy (the ``--json`` document of deploy)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..config import Settings
from ..plan import Change
from .phases import PhaseReport


@dataclass(frozen=True)
class DeployOptions:
    """Flags of ``aibox-ops deploy``."""

    dry_run: bool = False
    force_build: bool = False
    no_iam: bool = False
    no_warm: bool = False
    timeout: float = 900.0  # seconds to wait for the runtime and DEFAULT endpoint
    poll: float = 5.0


@dataclass
class DeployReport:
    """What a deploy did (or would do), phase by phase."""

    settings: Settings
    options: DeployOptions
    phases: list[PhaseReport] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    action: str = "pending"  # create | build | update | unchanged
    runtime_arn: str | None = None
    agent_id: str | None = None
    runtime_version: str | None = None
    image_uri: str | None = None
    content_hash: str | None = None
    log_path: str | None = None
    requests: list[dict[str, Any]] = field(default_factory=list)  # runtime writes, as sent
    deployment_type: str | None = None  # what the launch deployed: container | code

    @property
    def next_commands(self) -> list[str]:
        """What to run next."""
        return ["aibox-ops status", "aibox-ops logs --follow",
                "aibox-ops invoke '{\"prompt\": \"hello\"}'"]

    def items(self) -> list[Change]:
        """Every planned item of every phase."""
        return [item for phase in self.phases if phase.plan for item in phase.plan.items]

    def to_dict(self) -> dict[str, Any]:
        """The ``--json`` document of deploy."""
        s = self.settings
        return {"ok": all(p.status != "failed" for p in self.phases), "command": "deploy",
                "mode": "dry-run" if self.options.dry_run else "apply",
                "changed": self.action in ("create", "build", "update"),
                "agent_name": s.agent_name, "region": s.region, "stage": s.stage,
                "action": self.action, "runtime_arn": self.runtime_arn,
                "agent_id": self.agent_id, "runtime_version": self.runtime_version,
                "image_uri": self.image_uri, "content_hash": self.content_hash,
                "deployment_type": self.deployment_type,
                "log": self.log_path, "warnings": list(self.warnings), "errors": [],
                "phases": [p.to_dict() for p in self.phases],
                "items": [item.to_dict() for item in self.items()],
                "next": self.next_commands}
