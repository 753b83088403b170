"""``aibox-ops rollback [VERSION]``: point the runtime back at an earlier image.

The image comes from the deploy history; the runtime configuration (environment included)
is the one the settings define now, sent in full. The rolled-back runtime is waited for
and health-checked like a deploy, and the rollback is recorded in the history.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from ..aws import AwsSession
from ..config import Settings
from ..deploy_state import load_deploy_state
from ..errors import AwsError, ConfigError
from ..plan import Change, Plan
from ..runtime_request import runtime_config_params
from .fingerprints import config_digest
from .history import DeployRecord, History, load_history, save_history
from .phases import PhaseReport, Skip
from .runtime_api import (
    RuntimeInfo,
    invocation_arn,
    update_runtime,
    wait_ready,
)


@dataclass
class RollbackResult:
    """What rollback planned and did."""

    plan: Plan
    target: DeployRecord
    runtime_version: str | None = None
    health: str = ""
    detail: dict[str, Any] = field(default_factory=dict)


def plan_rollback(session: AwsSession, settings: Settings, version: str | None = None,
                  ) -> tuple[Plan, RuntimeInfo, DeployRecord]:
    """Pick the image to go back to (pure apart from reading the runtime)."""
    from .guard import read_own_runtime

    state, history = load_deploy_state(settings), load_history(settings)
    runtime = read_own_runtime(session, settings, state, history)
    if runtime is None:
        raise AwsError(f"no runtime of {settings.agent_name} in {settings.region} to roll back",
                       hint="Deploy first (`aibox-ops deploy`).", code="NotDeployed")
    target = pick_target(history, runtime.image_uri, version)
    item = Change(settings.agent_name, "update",
                  f"image {runtime.image_uri} -> {target.image_uri} (deployed {target.time})",
                  kind="runtime", detail={"from_image": runtime.image_uri,
                                          "to_image": target.image_uri,
                                          "from_version": runtime.version})
    return Plan("rollback", [item]), runtime, target


def pick_target(history: History, current_image: str | None,
                version: str | None) -> DeployRecord:
    """The record named by ``version`` (runtime version, image tag or content hash
    prefix), else the latest deploy whose image differs from the current one."""
    records = [r for r in reversed(history.deploys) if r.image_uri]
    if version:
        for record in records:
            tag = record.image_uri.rsplit(":", 1)[-1]
            if version in (record.runtime_version, tag) or \
                    (len(version) >= 6 and record.content_hash.startswith(version)):
                return record
        known = ", ".join(f"{r.runtime_version} ({r.image_uri.rsplit(':', 1)[-1]})"
                          for r in records[:10]) or "none"
        raise ConfigError([f"rollback VERSION {version!r} is not in the deploy history "
                           f"(recent: {known})"])
    for record in records:
        if record.image_uri != current_image:
            return record
    raise ConfigError(["the deploy history has no earlier image to roll back to"],
                      hint="`aibox-ops status` lists the deploys.")


def apply_rollback(session: AwsSession, settings: Settings, runtime: RuntimeInfo,
                   target: DeployRecord, timeout: float = 900.0, poll: float = 5.0,
                   ) -> RollbackResult:
    """Update the runtime to the target image, wait for READY, health-check, record."""
    from .lock import project_lock

    with project_lock(settings, "rollback"):
        return _apply_rollback(session, settings, runtime, target, timeout, poll)


def _apply_rollback(session: AwsSession, settings: Settings, runtime: RuntimeInfo,
                    target: DeployRecord, timeout: float, poll: float) -> RollbackResult:
    from . import hooks

    config = runtime_config_params(settings)
    update_runtime(session, runtime, target.image_uri, config)
    ready, _ = wait_ready(session, runtime.agent_id, timeout, poll)
    phase = PhaseReport("health", "Health invocation")
    try:
        arn = invocation_arn(ready, settings.region, session.account_id())
        health = hooks.health_check(session, settings, arn, phase)
    except Skip as skip:
        health = f"skipped: {skip}"
    history = load_history(settings)
    history.deploys.append(DeployRecord(
        time=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), action="rollback",
        content_hash=target.content_hash, config_hash=config_digest(config),
        image_uri=target.image_uri, runtime_version=ready.version, runtime_arn=ready.arn,
        stage=settings.stage))
    save_history(settings, history)
    plan = Plan("rollback", [])
    return RollbackResult(plan, target, ready.version, health)
