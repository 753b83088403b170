"""Deploy's live progress: time moves and the build's phase shows while the toolkit runs.

The display is recorded frame by frame (a rich Console on a fake terminal, a fake clock,
explicit refreshes), never timed.
"""

from __future__ import annotations

import io
import sys

import pytest
from rich.console import Console

from aibox_ops.aws import open_session
from aibox_ops.cli.progress import PhaseProgress, StepProgress
from aibox_ops.deploy import toolkit
from aibox_ops.deploy.build_watch import BuildWatcher
from aibox_ops.deploy.phases import PhaseReport

SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"  # rich's "dots"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def frames(text: str) -> list[str]:
    """The lines a live display drew, in order, spinner frames left out and repeats once."""
    out = []
    for chunk in text.replace("\r", "\n").split("\n"):
        line = chunk.split("\x1b[2K")[-1].strip()
        if line[:1] in SPINNER:
            line = line[1:].strip()
        if line and not line.startswith("\x1b") and (not out or out[-1] != line):
            out.append(line)
    return out


def test_launch_progress_moves_on_the_real_terminal_while_the_toolkit_redirects(monkeypatch):
    terminal = io.StringIO()
    monkeypatch.setattr(sys, "stderr", terminal)  # the terminal, before any redirect
    # Like the CLI's console: it follows sys.stderr on every write.
    out = Console(stderr=True, force_terminal=True, width=120, color_system=None)
    clock, logged = Clock(), []
    with PhaseProgress(out, get_time=clock, auto_refresh=False) as progress:
        progress.start("launch", "Build and launch")
        with toolkit._quiet(logged.append):  # what toolkit.launch wraps the toolkit in
            for seconds, note in ((5, "Uploaded source to S3"), (65, "CodeBuild: BUILD"),
                                  (130, "CodeBuild: POST_BUILD")):
                clock.now = 1000.0 + seconds
                progress.note(note)
                progress.refresh()
            print("a toolkit print")
        progress.finish(PhaseReport("launch", "Build and launch", "ok", 131.0, "built x"))
    drawn = frames(terminal.getvalue())
    live = [line for line in drawn if "Build and launch ·" in line]
    assert [line.split()[-1] for line in live] == ["0:00:05", "0:01:05", "0:02:10"], drawn
    assert "CodeBuild: BUILD" in live[1] and "CodeBuild: POST_BUILD" in live[2]
    assert any(line.startswith("✓ Build and launch") and "131.0s" in line for line in drawn)
    # The toolkit's own output still went to the log only, and no frame went there.
    assert logged == ["a toolkit print"]
    assert "a toolkit print" not in terminal.getvalue()
    assert out._file is None  # unpinned again: the next command's stderr is followed


def test_step_progress_shows_the_step_what_pip_does_and_the_elapsed_time(monkeypatch):
    terminal = io.StringIO()
    monkeypatch.setattr(sys, "stderr", terminal)
    out = Console(stderr=True, force_terminal=True, width=120, color_system=None)
    clock = Clock()
    with StepProgress("preparing the local agent", out, get_time=clock,
                      auto_refresh=False) as progress:
        progress.step("building the agent environment with pip")
        for seconds, note in ((3, "pip: Collecting strands-agents==1.62.0"),
                              (48, "pip: Installing collected packages: boto3, strands")):
            clock.now = 1000.0 + seconds
            progress.note(note)
            progress.refresh()
    live = [line for line in frames(terminal.getvalue()) if "pip:" in line]
    assert [line.split()[-1] for line in live] == ["0:00:03", "0:00:48"], live
    assert live[0].startswith("building the agent environment with pip · pip: Collecting")


def _project(aws) -> str:
    role = aws.client("iam").create_role(
        RoleName="cb", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    aws.client("s3").create_bucket(Bucket="src", CreateBucketConfiguration={
        "LocationConstraint": "ap-southeast-1"})
    aws.client("codebuild").create_project(
        name="bedrock-agentcore-demo-builder", serviceRole=role,
        source={"type": "S3", "location": "src/demo/source.zip"},
        artifacts={"type": "NO_ARTIFACTS"},
        environment={"type": "ARM_CONTAINER", "image": "img", "computeType":
                     "BUILD_GENERAL1_SMALL"})
    return "bedrock-agentcore-demo-builder"


def test_the_build_watcher_reports_the_new_build_s_phase_not_the_previous_one(aws):
    project = _project(aws)
    codebuild = aws.client("codebuild")
    codebuild.start_build(projectName=project)  # a previous deploy's build
    notes: list[str] = []
    watcher = BuildWatcher(open_session("ap-southeast-1"), project, notes.append)
    watcher.read_baseline()
    assert watcher.poll_once() is None and notes == []
    build = codebuild.start_build(projectName=project)["build"]  # the one the toolkit starts
    first = watcher.poll_once()
    phase = codebuild.batch_get_builds(ids=[build["id"]])["builds"][0]
    assert first == notes[0] == (f"CodeBuild: {phase['currentPhase']} "
                                 f"({phase['buildStatus'].lower().replace('_', ' ')})")
    assert watcher.poll_once() is None and len(notes) == 1  # unchanged: said once


@pytest.mark.slow  # 0.45 s or more: kept out of the everyday suite
def test_the_build_watcher_is_quiet_before_the_project_exists(aws):
    notes: list[str] = []
    with BuildWatcher(open_session("ap-southeast-1"), "no-such-builder", notes.append,
                      interval=60) as watcher:
        assert watcher.poll_once() is None
    assert notes == []


@pytest.mark.parametrize("line,note", [
    ("info bedrock_agentcore_starter_toolkit.services.codebuild: Uploaded source to S3: k",
     "Uploaded source to S3: k"),
    ("debug bedrock_agentcore_starter_toolkit.x: Using existing S3 bucket", None),
    ("a bare print", None),
])
def test_toolkit_log_lines_become_the_launch_step(line, note):
    from aibox_ops.deploy.pipeline import _Deploy

    notes: list[str] = []
    logged: list[str] = []

    class Reporter:
        def note(self, text: str) -> None:
            notes.append(text)

    run = object.__new__(_Deploy)
    run.log, run.reporter = logged.append, Reporter()
    run._toolkit_log(line)
    assert logged == [line] and notes == ([note] if note else [])


@pytest.mark.slow
def test_a_real_launch_reports_the_toolkit_steps_while_the_launch_phase_runs(
        project, aws, agentcore_moto, health_peer):
    """The real toolkit against moto: notes arrive between the launch's start and finish."""
    from aibox_ops.config import load_settings
    from aibox_ops.deploy import DeployOptions, run_deploy

    events: list[tuple[str, str]] = []

    class Recorder:
        def start(self, name: str, title: str) -> None:
            events.append(("start", name))

        def finish(self, report) -> None:
            events.append(("finish", report.name))

        def note(self, text: str) -> None:
            events.append(("note", text))

    settings = load_settings(project, environ={})
    run_deploy(open_session(settings.region), settings,
               DeployOptions(timeout=5, poll=0.05, no_warm=True), reporter=Recorder())
    begin, end = events.index(("start", "launch")), events.index(("finish", "launch"))
    during = [text for kind, text in events[begin:end] if kind == "note"]
    assert any("Uploaded source to S3" in text for text in during), during
    assert any("CodeBuild" in text for text in during), during
    assert not [e for e in events[:begin] + events[end:] if e[0] == "note"]
