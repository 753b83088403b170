"""The image build: the agent's CodeBuild project (ARM64, Docker) and one build of it.

The project is created once and, when aibox-ops created it, kept as wanted (read, compare,
update only what differs). A project the starter toolkit created is used as it is: every
build carries its own buildspec, source and image tag as overrides, so nothing of a
project aibox-ops does not own is ever changed. The build is watched phase by phase (botocore
has no CodeBuild waiter): each new phase and the elapsed time go to ``note``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ...aws import AwsSession
from ...aws.calls import call
from ...aws.retry import retry_if, retry_transient
from ...errors import AwsError

IMAGE = "aws/codebuild/amazonlinux2-aarch64-standard:3.0"
COMPUTE = "BUILD_GENERAL1_MEDIUM"
TIMEOUT_MINUTES = 30
DONE_OK, DONE_BAD = "SUCCEEDED", ("FAILED", "FAULT", "STOPPED", "TIMED_OUT")
# $IMAGE_URI and $REGISTRY come from the build's environment overrides.
BUILDSPEC = """\
version: 0.2
phases:
  pre_build:
    commands:
      - >-
        aws ecr get-login-password --region "$AWS_DEFAULT_REGION"
        | docker login --username AWS --password-stdin "$REGISTRY"
  build:
    on-failure: ABORT
    commands:
      - docker build --platform linux/arm64 -t "$IMAGE_URI" .
  post_build:
    commands:
      - docker push "$IMAGE_URI"
"""


class BuildFailed(AwsError):
    """CodeBuild failed; ``log_tail`` holds the end of its CloudWatch build log."""

    def __init__(self, message: str, hint: str | None = None,
                 log_tail: list[str] | None = None) -> None:
        super().__init__(message, hint, code="BuildFailed")
        self.log_tail = list(log_tail or [])

    def to_dict(self) -> dict[str, object]:
        return {**super().to_dict(), "log_tail": self.log_tail}


@dataclass(frozen=True)
class Build:
    """A finished build."""

    build_id: str
    image_uri: str
    seconds: float
    phases: list[str]


def project_config(name: str, role_arn: str, source: str) -> dict[str, Any]:
    """The CreateProject/UpdateProject request for the agent's builder."""
    return {"name": name, "serviceRole": role_arn,
            "source": {"type": "S3", "location": source, "buildspec": BUILDSPEC},
            "artifacts": {"type": "NO_ARTIFACTS"},
            "environment": {"type": "ARM_CONTAINER", "image": IMAGE, "computeType": COMPUTE,
                            "privilegedMode": True},
            "timeoutInMinutes": TIMEOUT_MINUTES,
            "tags": [{"key": "created-by", "value": "aibox-ops"}]}


def read_project(session: AwsSession, name: str) -> dict[str, Any] | None:
    """The project, or None when CodeBuild has none of that name."""
    reply = call(session, "codebuild", "BatchGetProjects", f"read CodeBuild project {name}",
                 names=[name])
    return (reply.get("projects") or [None])[0]


def ensure_project(session: AwsSession, name: str, role_arn: str, source: str, *,
                   owned: bool, record: Callable[[str], None], note: Callable[[str], None],
                   current: dict[str, Any] | None = None, new_role: bool = False) -> bool:
    """Create the project when missing (True), or bring an owned one back to what is
    wanted; a project aibox-ops did not create must be an ARM64 Docker builder.
    ``current``: the project as already read (else read here); ``new_role``: the role was
    created by this run (its propagation is waited out)."""
    wanted = project_config(name, role_arn, source)
    current = current if current is not None else read_project(session, name)
    if current is None:
        note(f"creating CodeBuild project {name}")
        retry_transient(lambda: call(session, "codebuild", "CreateProject",
                                     f"create CodeBuild project {name}", **wanted),
                        retry_if(new_role), note=note)
        record(name)
        return True
    environment = current.get("environment") or {}
    if not owned:
        if environment.get("type") != "ARM_CONTAINER" or not environment.get("privilegedMode"):
            raise AwsError(f"CodeBuild project {name} exists but is not an ARM64 Docker "
                           f"builder (type {environment.get('type')}, privileged mode "
                           f"{bool(environment.get('privilegedMode'))})",
                           hint="aibox-ops never changes a project it did not create: "
                                "delete it, or deploy under another agent_name.",
                           code="ProjectUnsuitable")
        return False
    if _differs(current, wanted):
        note(f"updating CodeBuild project {name}")
        update = {k: v for k, v in wanted.items() if k != "tags"}
        retry_transient(lambda: call(session, "codebuild", "UpdateProject",
                                     f"update CodeBuild project {name}", **update),
                        retry_if(new_role), note=note)
    return False


def _differs(current: dict[str, Any], wanted: dict[str, Any]) -> bool:
    env, want_env = current.get("environment") or {}, wanted["environment"]
    return (current.get("serviceRole") != wanted["serviceRole"]
            or (current.get("source") or {}).get("buildspec") != BUILDSPEC
            or any(env.get(k) != v for k, v in want_env.items()))


def run_build(session: AwsSession, project: str, source: str, image_uri: str, *,
              timeout: float, poll: float, note: Callable[[str], None],
              sleep: Callable[[float], None] = time.sleep,
              clock: Callable[[], float] = time.monotonic) -> Build:
    """Start one build of ``source`` into ``image_uri`` and wait for it; BuildFailed
    (with the log's tail) when it fails, AwsError when ``timeout`` passes."""
    from ..build_logs import read_build_log_tail

    registry = image_uri.split("/", 1)[0]
    reply = call(session, "codebuild", "StartBuild", f"start a build of {project}",
                 projectName=project, sourceTypeOverride="S3", sourceLocationOverride=source,
                 buildspecOverride=BUILDSPEC, environmentVariablesOverride=[
                     {"name": "IMAGE_URI", "value": image_uri, "type": "PLAINTEXT"},
                     {"name": "REGISTRY", "value": registry, "type": "PLAINTEXT"}])
    build_id = reply["build"]["id"]
    started = clock()
    phases: list[str] = []
    while True:
        builds = call(session, "codebuild", "BatchGetBuilds", f"read build {build_id}",
                      ids=[build_id]).get("builds") or []
        build = builds[0] if builds else {}
        phase, status = str(build.get("currentPhase") or "SUBMITTED"), str(
            build.get("buildStatus") or "IN_PROGRESS")
        elapsed = clock() - started
        if not phases or phases[-1] != phase:
            phases.append(phase)
            note(f"CodeBuild: {phase} ({elapsed:.0f} s)")
        if status == DONE_OK:
            return Build(build_id, image_uri, elapsed, phases)
        if status in DONE_BAD:
            failed = next((p.get("phaseType") for p in build.get("phases") or []
                           if p.get("phaseStatus") in DONE_BAD), phase)
            raise BuildFailed(f"the image build {build_id} {status.lower()} in its "
                              f"{failed} phase after {elapsed:.0f} s",
                              hint="See the build log below, or `aibox-ops logs --build`.",
                              log_tail=read_build_log_tail(session, project))
        if elapsed >= timeout:
            raise AwsError(f"timed out after {timeout:g} s waiting for build {build_id} "
                           f"(phase {phase})", code="Timeout",
                           hint="The build may still finish: see `aibox-ops logs --build`, "
                                "then deploy again.")
        sleep(poll)
