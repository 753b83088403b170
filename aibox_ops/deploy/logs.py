"""``aibox-ops logs``: the runtime's (or the build's) CloudWatch log events.

The runtime logs to ``/aws/bedrock-agentcore/runtimes/{agent_id}-DEFAULT``; CodeBuild to
``/aws/codebuild/{project}``. ``follow`` keeps polling (from the last event seen, without
repeats) until Ctrl-C, or until ``max_polls`` when given (tests).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from typing import Any

from ..aws import AwsSession, aws_errors
from ..aws.reads import paginate, read_or_none
from ..config import Settings
from ..deploy_state import load_deploy_state
from ..errors import AwsError
from .history import load_history

# ANSI/VT escape sequences (CSI, OSC, other ESC forms) and C0/C1 control characters but tab
# and newline: a log line is text anyone who can invoke the runtime may have written.
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"
                      r"|\x1b[@-Z\\-_]|[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean_message(text: str) -> str:
    """A log message without terminal escapes or control characters (trailing newline off)."""
    return _ESCAPES.sub("", text.rstrip("\n"))


def log_group(settings: Settings, build: bool = False) -> str:
    """The runtime's log group (or the CodeBuild project's with ``build``)."""
    state = load_deploy_state(settings)
    if build:
        project = state.codebuild_project or load_history(settings).created.get(
            "codebuild_project")
        if not project:
            raise AwsError(f"no CodeBuild project recorded for {settings.agent_name} in "
                           f"{settings.region}", hint="Deploy first.", code="NotDeployed")
        return f"/aws/codebuild/{project}"
    if not state.agent_id:
        raise AwsError(f"{settings.agent_name} is not deployed in {settings.region}",
                       hint="Deploy first (`aibox-ops deploy`).", code="NotDeployed")
    from ..iam.logs import runtime_log_group

    return runtime_log_group(state.agent_id)


def read_log_events(session: AwsSession, group: str, since_seconds: int,
                    pattern: str | None = None, follow: bool = False, poll: float = 2.0,
                    max_polls: int | None = None, sleep: Callable[[float], None] = time.sleep,
                    now: Callable[[], float] = time.time) -> Iterator[dict[str, Any]]:
    """Yield ``{time, stream, message}`` events oldest first; with ``follow``, keep going."""
    start = int((now() - since_seconds) * 1000)
    seen: set[str] = set()
    polls = 0
    while True:
        params: dict[str, Any] = {"logGroupName": group, "startTime": start}
        if pattern:
            params["filterPattern"] = pattern
        events = read_or_none(lambda p=params: _all_events(session, group, p))
        if events is None:
            raise AwsError(f"log group {group} does not exist (yet)",
                           hint="The runtime writes it on its first start; the build on "
                                "its first run.", code="ResourceNotFoundException")
        for event in events:
            if event["eventId"] in seen:
                continue
            seen.add(event["eventId"])
            start = max(start, event["timestamp"])
            yield {"time": event["timestamp"], "stream": event.get("logStreamName"),
                   "message": clean_message(event["message"])}
        polls += 1
        if not follow or (max_polls is not None and polls >= max_polls):
            return
        sleep(poll)


def _all_events(session: AwsSession, group: str, params: dict[str, Any]) -> list[dict]:
    """Every event FilterLogEvents finds for ``params`` (all pages, botocore's paginator)."""
    with aws_errors(f"read log group {group}"):
        return list(paginate(session.client("logs"), "FilterLogEvents", "events", **params))
