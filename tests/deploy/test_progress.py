"""Deploy's live progress: time moves and the build's phase shows while the launch runs.

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
from aibox_ops.deploy.engine.build import run_build
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


def test_launch_progress_moves_on_the_terminal(monkeypatch):
    terminal = io.StringIO()
    monkeypatch.setattr(sys, "stderr", terminal)
    # Like the CLI's console: it follows sys.stderr on every write.
    out = Console(stderr=True, force_terminal=True, width=120, color_system=None)
    clock = Clock()
    with PhaseProgress(out, get_time=clock, auto_refresh=False) as progress:
        progress.start("launch", "Build and launch")
        for seconds, note in ((5, "uploading s3://b/k"), (65, "CodeBuild: BUILD (65 s)"),
                              (130, "CodeBuild: POST_BUILD (130 s)")):
            clock.now = 1000.0 + seconds
            progress.note(note)
            progress.refresh()
        progress.finish(PhaseReport("launch", "Build and launch", "ok", 131.0, "built x"))
    drawn = frames(terminal.getvalue())
    live = [line for line in drawn if "Build and launch ·" in line]
    assert [line.split()[-1] for line in live] == ["0:00:05", "0:01:05", "0:02:10"], drawn
    assert "CodeBuild: BUILD" in live[1] and "CodeBuild: POST_BUILD" in live[2]
    assert any(line.startswith("✓ Build and launch") and "131.0s" in line for line in drawn)
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


def test_the_build_reports_each_phase_with_its_elapsed_time(aws):
    project = _project(aws)
    notes: list[str] = []
    clock = Clock()

    def sleep(seconds: float) -> None:
        clock.now += 30

    build = run_build(open_session("ap-southeast-1"), project, "src/demo/source.zip",
                      "1.dkr.ecr.ap-southeast-1.amazonaws.com/demo:t1", timeout=600, poll=1,
                      note=notes.append, sleep=sleep, clock=clock)
    assert build.image_uri.endswith(":t1") and build.build_id.startswith(project + ":")
    # moto moves a build through its phases as it is read: each one said once, with time.
    assert notes and all(n.startswith("CodeBuild: ") and n.endswith(" s)") for n in notes)
    assert len(notes) == len(set(notes)) == len(build.phases)
    sent = aws.client("codebuild").batch_get_builds(ids=[build.build_id])["builds"][0]
    assert sent["buildStatus"] == "SUCCEEDED"


def test_a_failed_build_names_its_phase(aws, agentcore_moto):
    from aibox_ops.deploy.engine.build import BuildFailed

    project = _project(aws)
    agentcore_moto.build_fails = True
    with pytest.raises(BuildFailed) as info:
        run_build(open_session("ap-southeast-1"), project, "src/demo/source.zip",
                  "1.dkr.ecr.ap-southeast-1.amazonaws.com/demo:t1", timeout=600, poll=0,
                  note=lambda _t: None)
    assert "failed in its BUILD phase" in info.value.message and info.value.exit_code == 5


def test_launch_steps_go_to_the_log_and_the_display():
    from aibox_ops.deploy.pipeline import _Deploy

    notes: list[str] = []
    logged: list[str] = []

    class Reporter:
        def note(self, text: str) -> None:
            notes.append(text)

    run = object.__new__(_Deploy)
    run.log, run.reporter = logged.append, Reporter()
    run._note("creating ECR repository r")
    assert logged == ["info aibox_ops.deploy: creating ECR repository r"]
    assert notes == ["creating ECR repository r"]


@pytest.mark.slow
def test_a_real_launch_reports_the_toolkit_steps_while_the_launch_phase_runs(
        project, aws, agentcore_moto, health_peer):
    """Against moto: notes arrive between the launch's start and finish, and nothing
    replaces the process's stdout/stderr meanwhile (the live display keeps drawing)."""
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
            streams.add((id(sys.stdout), id(sys.stderr)))

    streams: set[tuple[int, int]] = set()
    settings = load_settings(project, environ={})
    run_deploy(open_session(settings.region), settings,
               DeployOptions(timeout=5, poll=0.05, no_warm=True), reporter=Recorder())
    begin, end = events.index(("start", "launch")), events.index(("finish", "launch"))
    during = [text for kind, text in events[begin:end] if kind == "note"]
    assert any(text.startswith("uploading s3://") for text in during), during
    assert any(text.startswith("CodeBuild: ") for text in during), during
    assert streams == {(id(sys.stdout), id(sys.stderr))}
    assert not [e for e in events[:begin] + events[end:] if e[0] == "note"]
