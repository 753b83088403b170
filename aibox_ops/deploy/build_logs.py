"""CodeBuild build logs: the tail of the latest build's CloudWatch log stream."""

from __future__ import annotations

import logging

from ..aws import AwsSession, aws_errors
from ..errors import AwsError

log = logging.getLogger(__name__)


def latest_build(session: AwsSession, project: str) -> dict | None:
    """The project's most recent build (id, status, logs), or None."""
    client = session.client("codebuild")
    with aws_errors(f"list builds of {project}"):
        ids = client.list_builds_for_project(projectName=project,
                                             sortOrder="DESCENDING").get("ids") or []
        if not ids:
            return None
        builds = client.batch_get_builds(ids=ids[:1]).get("builds") or []
    return builds[0] if builds else None


def read_build_log_tail(session: AwsSession, project: str, lines: int = 40) -> list[str]:
    """The last ``lines`` lines of the latest build's log; [] when there is none (never
    raises: it is shown next to a build failure that is the real error)."""
    try:
        build = latest_build(session, project)
        if build is None:
            return []
        logs = build.get("logs") or {}
        # CodeBuild's defaults when the reply leaves them out: the project's group, the
        # build id's part after the colon as the stream.
        group = logs.get("groupName") or f"/aws/codebuild/{project}"
        stream = logs.get("streamName") or str(build.get("id", "")).split(":", 1)[-1]
        with aws_errors(f"read build log {group}"):
            reply = session.client("logs").get_log_events(
                logGroupName=group, logStreamName=stream, limit=lines, startFromHead=False)
    except AwsError as error:
        log.info("no build log tail: %s", error.message)
        return []
    return [event["message"].rstrip("\n") for event in reply.get("events", [])]
