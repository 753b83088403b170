"""``aibox-ops rollback [VERSION]``: point the runtime back at an earlier image.

The image comes from the deploy history or, for versions aibox-ops never deployed (the
starter toolkit's, before adoption), from AgentCore itself: ListAgentRuntimeVersions, then
GetAgentRuntime of that version. A history image is sent with the runtime configuration
the settings define now; an AWS version is sent with its own artifact and environment
(what that image ran with), the rest of the configuration from the settings. The
rolled-back runtime is waited for and health-checked like a deploy, and the rollback is
recorded in the history.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from ..aws import AwsSession
from ..config import Settings
from ..deploy_state import load_deploy_state
from ..errors import AwsError, ConfigError, InputError
from ..plan import Change, Plan
from ..runtime_request import managed_members, runtime_config_params
from .fingerprints import config_digest
from .history import DeployRecord, History, load_history, save_history
from .phases import PhaseReport, Skip
from .runtime_api import (
    RuntimeInfo,
    invocation_arn,
    list_versions,
    read_runtime,
    update_runtime,
    wait_ready,
)

# Versions read one by one (GetAgentRuntime) when looking for the previous image in AWS.
VERSION_READS = 20


@dataclass(frozen=True)
class RollbackTarget:
    """The image to go back to, and where it was found (``history`` or ``aws``)."""

    image_uri: str
    source: str
    time: str = ""
    runtime_version: str | None = None
    content_hash: str = ""
    # For an AWS version: its artifact and environment, sent as they were.
    artifact: dict[str, Any] | None = None
    environment: dict[str, str] | None = None

    @classmethod
    def from_record(cls, record: DeployRecord) -> RollbackTarget:
        """A deploy (or rollback) aibox-ops recorded."""
        return cls(record.image_uri, "history", record.time, record.runtime_version,
                   record.content_hash)

    @classmethod
    def from_version(cls, info: RuntimeInfo) -> RollbackTarget:
        """A runtime version as AgentCore describes it (GetAgentRuntime of that version)."""
        artifact = info.raw.get("agentRuntimeArtifact") or None
        when = info.raw.get("lastUpdatedAt") or info.raw.get("createdAt") or ""
        return cls(info.image_uri or "", "aws", str(when), info.version, "",
                   artifact, dict(info.environment))


@dataclass
class RollbackResult:
    """What rollback planned and did."""

    plan: Plan
    target: RollbackTarget
    runtime_version: str | None = None
    health: str = ""
    detail: dict[str, Any] = field(default_factory=dict)


def plan_rollback(session: AwsSession, settings: Settings, version: str | None = None,
                  ) -> tuple[Plan, RuntimeInfo, RollbackTarget]:
    """Pick the image to go back to (reads the runtime and, when the history has no
    answer, its versions in AWS; writes nothing). Refuses a runtime that is not ours."""
    from .guard import read_own_runtime

    state, history = load_deploy_state(settings), load_history(settings)
    runtime = read_own_runtime(session, settings, state, history)
    if runtime is None:
        raise AwsError(f"no runtime of {settings.agent_name} in {settings.region} to roll back",
                       hint="Deploy first (`aibox-ops deploy`).", code="NotDeployed")
    target = pick_target(history, runtime.image_uri, version,
                         aws=_AwsVersions(session, runtime))
    env = ("its own environment (from AWS)" if target.environment is not None
           else "the configured environment")
    item = Change(settings.agent_name, "update",
                  f"image {runtime.image_uri} -> {target.image_uri} (version "
                  f"{target.runtime_version or '?'} from {target.source}, {target.time}); "
                  f"with {env}", kind="runtime",
                  detail={"from_image": runtime.image_uri, "to_image": target.image_uri,
                          "from_version": runtime.version,
                          "to_version": target.runtime_version, "source": target.source})
    return Plan("rollback", [item]), runtime, target


class _AwsVersions:
    """The runtime's versions in AgentCore, read only when the history has no answer."""

    def __init__(self, session: AwsSession, runtime: RuntimeInfo) -> None:
        self.session, self.runtime = session, runtime
        self._summaries: list[dict[str, Any]] | None = None

    def summaries(self) -> list[dict[str, Any]]:
        if self._summaries is None:
            self._summaries = list_versions(self.session, self.runtime.agent_id)
        return self._summaries

    def numbers(self) -> list[str]:
        return [str(v.get("agentRuntimeVersion")) for v in self.summaries()]

    def read(self, version: str) -> RollbackTarget | None:
        info = read_runtime(self.session, self.runtime.agent_id, version)
        if info is None or not (info.image_uri or info.raw.get("agentRuntimeArtifact")):
            return None
        return RollbackTarget.from_version(info)

    def previous(self, current_image: str | None) -> RollbackTarget | None:
        """The newest earlier version whose image differs from the current one."""
        older = [n for n in self.numbers() if n != str(self.runtime.version)]
        for number in older[:VERSION_READS]:
            target = self.read(number)
            if target is not None and target.image_uri != current_image:
                return target
        return None


def pick_target(history: History, current_image: str | None, version: str | None,
                aws: _AwsVersions | None = None) -> RollbackTarget:
    """The deploy named by ``version`` (runtime version, image tag or content hash prefix)
    or, by default, the latest deploy whose image differs from the current one; from the
    history first, else from the runtime's versions in AWS (``aws``)."""
    records = [r for r in reversed(history.deploys) if r.image_uri]
    if version:
        for record in records:
            tag = record.image_uri.rsplit(":", 1)[-1]
            if version in (record.runtime_version, tag) or \
                    (len(version) >= 6 and record.content_hash.startswith(version)):
                return RollbackTarget.from_record(record)
        if aws is not None and version in aws.numbers():
            target = aws.read(version)
            if target is not None:
                return target
        known = ", ".join(f"{r.runtime_version} ({r.image_uri.rsplit(':', 1)[-1]})"
                          for r in records[:10]) or "none"
        in_aws = ", ".join(aws.numbers()[:20]) if aws is not None else "not read"
        raise InputError([f"rollback VERSION {version!r} is neither in the deploy history "
                          f"(recent: {known}) nor a version of the runtime in AWS "
                          f"(versions: {in_aws or 'none'})"])
    for record in records:
        if record.image_uri != current_image:
            return RollbackTarget.from_record(record)
    target = aws.previous(current_image) if aws is not None else None
    if target is not None:
        return target
    raise ConfigError(["neither the deploy history nor the runtime's versions in AWS hold "
                       "an earlier image to roll back to"],
                      hint="`aibox-ops status` lists the deploys and the runtime's versions.")


def apply_rollback(session: AwsSession, settings: Settings, runtime: RuntimeInfo,
                   target: RollbackTarget, timeout: float = 900.0, poll: float = 5.0,
                   ) -> RollbackResult:
    """Update the runtime to the target image, wait for READY, health-check, record."""
    from .lock import project_lock

    with project_lock(settings, "rollback"):
        return _apply_rollback(session, settings, runtime, target, timeout, poll)


def _apply_rollback(session: AwsSession, settings: Settings, runtime: RuntimeInfo,
                    target: DeployRecord, timeout: float, poll: float) -> RollbackResult:
    from . import hooks

    config = runtime_config_params(settings)
    if target.environment is not None:  # an AWS version: carry its environment forward
        config["environmentVariables"] = dict(target.environment)
    artifact = target.artifact or _recorded_artifact(session, runtime, target)
    update_runtime(session, runtime, target.image_uri, config, artifact=artifact,
                   managed=managed_members(settings))
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


def _recorded_artifact(session: AwsSession, runtime: RuntimeInfo,
                       target: RollbackTarget) -> dict[str, Any] | None:
    """A history target's whole artifact as AgentCore kept it in that version (a code zip's
    Python runtime and entry point included), or None (the version is gone: the artifact is
    built from the URI). A code zip must still be in S3 (the source bucket expires objects
    after 7 days)."""
    from .created import object_exists

    version = read_runtime(session, runtime.agent_id, target.runtime_version) \
        if target.runtime_version else None
    artifact = (version.raw.get("agentRuntimeArtifact") or None) if version else None
    uri = target.image_uri
    if uri.startswith("s3://"):
        bucket, _, key = uri[len("s3://"):].partition("/")
        if not object_exists(session, bucket, key):
            raise AwsError(f"the code package {uri} of that deploy is no longer in S3 (the "
                           "source bucket expires objects after 7 days)",
                           hint="Roll a named endpoint back to that version instead "
                                "(`aibox-ops rollback --endpoint NAME VERSION`: no zip "
                                "needed), or deploy that code again.", code="NoSuchKey")
    return artifact
