"""What the CodeBuild build is doing while the toolkit waits for it: a background poller.

The toolkit blocks for the whole build (minutes on real AWS). This watcher asks CodeBuild
(``ListBuildsForProject`` + ``BatchGetBuilds``) every few seconds for the build of the
toolkit's project that did not exist before the launch began, and reports each new phase,
so the deploy display can say "CodeBuild: BUILD" next to its elapsed time. A previous
deploy's build is never shown (the ids listed before the launch are left out, whatever order
the listing comes in). It never fails the deploy: a read that fails is just not reported.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from types import TracebackType

from ..aws import AwsSession, aws_errors
from ..errors import AwsError

INTERVAL = 3.0  # seconds between polls (the toolkit itself polls every second)
DONE = ("SUCCEEDED", "FAILED", "FAULT", "STOPPED", "TIMED_OUT")


def describe_build(build: dict) -> str:
    """``CodeBuild: BUILD (in progress)`` for one ``BatchGetBuilds`` item."""
    phase = str(build.get("currentPhase") or "SUBMITTED")
    status = str(build.get("buildStatus") or "IN_PROGRESS")
    return f"CodeBuild: {phase} ({status.lower().replace('_', ' ')})"


class BuildWatcher:
    """Polls the project's newest build from a daemon thread; ``note`` gets each change.

    Use as a context manager around the blocking launch; ``poll_once`` is the single step
    (what tests drive).
    """

    def __init__(self, session: AwsSession, project: str, note: Callable[[str], None],
                 interval: float = INTERVAL) -> None:
        self.session, self.project, self.note, self.interval = session, project, note, interval
        self.baseline: set[str] = set()
        self.last: str | None = None
        self.finished = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def read_baseline(self) -> None:
        """Remember the builds that exist before the launch (none of them is to be shown;
        none when the project does not exist yet)."""
        self.baseline = set(self._ids() or [])

    def poll_once(self) -> str | None:
        """Read the new build once; report and return its description when it changed."""
        build = self._read_new()
        if build is None:
            return None
        text = describe_build(build)
        self.finished = str(build.get("buildStatus")) in DONE
        if text != self.last and not self._stop.is_set():
            self.last = text
            self.note(text)
            return text
        return None

    def _ids(self) -> list[str] | None:
        try:
            with aws_errors(f"list builds of {self.project}"):
                reply = self.session.client("codebuild").list_builds_for_project(
                    projectName=self.project, sortOrder="DESCENDING")
        except AwsError:  # no project yet, no permission, throttled: nothing to show
            return None
        return [str(i) for i in reply.get("ids") or []]

    def _read_new(self) -> dict | None:
        ids = self._ids()
        if ids is None:
            return None
        new = [i for i in ids if i not in self.baseline]
        if not new:
            return None
        try:
            with aws_errors(f"read build {new[0]}"):
                builds = self.session.client("codebuild").batch_get_builds(
                    ids=new[:1]).get("builds") or []
        except AwsError:
            return None
        return builds[0] if builds else None

    def _run(self) -> None:
        while not self.finished and not self._stop.wait(self.interval):
            self.poll_once()

    def __enter__(self) -> BuildWatcher:
        self.read_baseline()
        self._thread = threading.Thread(target=self._run, name="aibox-build-watch",
                                        daemon=True)
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self._stop.set()
        if self._thread is not None:
            # Not waiting for a slow read to end (Ctrl-C must stay prompt): the thread is a
            # daemon and reports nothing once stopped.
            self._thread.join(timeout=2)
