"""CodeBuild build logs: the tail of the latest build's CloudWatch log stream."""

from __future__ import annotations

from ..aws import AwsSession, aws_errors
from ..errors import AwsError


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
        logs = (build or {}).get("logs") or {}
        group, stream = logs.get("groupName"), logs.get("streamName")
        if not (group and stream):
            return []
        with aws_errors(f"read build log {group}"):
            reply = session.client("logs").get_log_events(
                logGroupName=group, logStreamName=stream, limit=lines, startFromHead=False)
    except AwsError:
        return []
    return [event["message"].rstrip("\n") for event in reply.get("events", [])]
