"""``aibox-ops deploy``: from the repository to a healthy AgentCore runtime, phase by phase.

preflight -> prerequisites -> render -> requirements -> stage -> launch -> wait -> iam ->
health -> warm. Each phase is timed and reported; with ``dry_run`` each one plans and
nothing is written locally or created in AWS (read-only AWS calls only). A build happens
only when the staged content differs from the last deploy's (or with ``force_build``); a
configuration-only change updates the runtime in place with the last image.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from ..aws import AwsSession
from ..config import Settings
from ..config.model import MEMORY_ENV_VARS
from ..deploy_state import DeployState, load_deploy_state
from ..errors import AwsError, FileError, RefusedError
from ..files import atomic_write, read_text
from ..plan import Change, Plan
from ..runtime_request import managed_members, runtime_config_params
from . import hooks
from .context import BuildContext, apply_build_context, build_dir, plan_build_context
from .fingerprints import config_digest, doctor_inputs_key, requirements_inputs_key
from .history import DeployRecord, History, load_history, save_history
from .phases import NullReporter, PhaseReport, Reporter, Skip, run_phase
from .recover import recovered_state
from .report import DeployOptions, DeployReport
from .runtime_api import (
    RuntimeInfo,
    artifact_kind,
    invocation_arn,
    update_runtime,
    wait_ready,
)


def run_deploy(session: AwsSession, settings: Settings, options: DeployOptions,
               reporter: Reporter | None = None, log: Callable[[str], None] | None = None,
               report: DeployReport | None = None) -> DeployReport:
    """Run (or, with ``options.dry_run``, plan) every phase; raises the first failure.

    Pass ``report`` to keep the partial phase list when a phase fails.
    """
    from .lock import project_lock

    def run() -> DeployReport:  # the history is read inside the lock
        return _Deploy(session, settings, options, reporter or NullReporter(),
                       log or (lambda _line: None),
                       report or DeployReport(settings, options)).run()

    if options.dry_run:  # writes nothing: no lock (and no .aibox-ops folder)
        return run()
    with project_lock(settings, "deploy"):
        return run()


class _Deploy:
    def __init__(self, session: AwsSession, settings: Settings, options: DeployOptions,
                 reporter: Reporter, log: Callable[[str], None], report: DeployReport) -> None:
        self.session, self.s, self.opts = session, settings, options
        self.reporter, self.log, self.report = reporter, log, report
        self.state: DeployState = load_deploy_state(settings)
        self.history: History = load_history(settings)
        self.context: BuildContext | None = None
        self.context_dir: Path | None = None
        self.runtime: RuntimeInfo | None = None
        self.build_id: str | None = None
        self.config = runtime_config_params(settings)
        # The requested deployment type counts as configuration (only when not the
        # default: hashes of earlier container deploys stay as they were).
        self.config_hash = config_digest(self.config if settings.deployment_type == "container"
                                         else {**self.config,
                                               "deploymentType": settings.deployment_type})
        self.plans: dict[str, Plan] = {}
        self.recheck: list[str] = []

    def run(self) -> DeployReport:
        dry = self.opts.dry_run
        for name, body, writes in (
            ("preflight", self.preflight, False), ("prerequisites", self.prerequisites, True),
            ("render", self.render, True), ("requirements", self.requirements, True),
            ("stage", self.stage, True), ("launch", self.launch, True),
            ("wait", self.wait, True), ("iam", self.iam, True),
            ("health", self.health, True), ("warm", self.warm, True),
        ):
            run_phase(self.report.phases, self.reporter, name, body, dry_run=dry and writes)
        return self.report

    # -- phases ------------------------------------------------------------------------

    def preflight(self, phase: PhaseReport) -> str:
        from ..render import plan_render
        from ..requirements import plan_requirements
        from .guard import check_image_files

        check_image_files(self.s)  # before anything reads the agent's files
        if not self.opts.no_iam:  # the IAM phase grants from it: missing or bad stops here,
            from ..iam import load_manifest  # before anything in AWS is changed

            load_manifest(self.s)
        # Planned once: the render and requirements phases apply these same plans. The
        # requirements check (uv export + an import scan, ~0.8 s) is skipped when none of
        # its inputs changed since it last passed.
        self.plans = {"render": plan_render(self.s)}
        self.requirements_key = requirements_inputs_key(self.s)
        if read_text(self._requirements_stamp()) != self.requirements_key:
            self.plans["requirements"] = plan_requirements(self.s)
        for plan in self.plans.values():
            if plan.errors:
                raise plan.errors[0]
            if plan.blocked:
                names = ", ".join(f"{i.target} ({i.reason})" for i in plan.blocked)
                hint = (f"Keep your edits in the templates or settings, or run "
                        f"`aibox-ops {plan.command} --force` first." if self.s.adopted else
                        "Not adopted yet: run `aibox-ops init` first (it writes the detected "
                        "settings down and adopts these files, keeping a backup of each).")
                raise RefusedError(f"deploy would overwrite {names}", hint=hint,
                                   targets=[i.target for i in plan.blocked])
        doctor_stamp = build_dir(self.s) / "doctor.passed"
        if read_text(doctor_stamp) == doctor_inputs_key(self.s):
            doctor_note, failed = "doctor: offline checks passed before; project unchanged", []
        else:
            doctor_note, failed = hooks.run_doctor_offline(self.s)
            if not failed and not self.opts.dry_run:
                atomic_write(doctor_stamp, doctor_inputs_key(self.s))
        if failed:
            if not any(plan.changes for plan in self.plans.values()):
                raise hooks.doctor_failure(failed)
            # The render/requirements phases may fix these (e.g. .dockerignore not yet
            # written): checked again once they have run, before anything is built.
            self.recheck = [r.id for r in failed]
            doctor_note += f" (re-checked after render: {', '.join(self.recheck)})"
        identity = self.session.caller_identity()
        account = identity["Account"]
        if self.state.account and self.state.account != account:
            raise AwsError(
                f"the deploy state of {self.s.agent_name} in {self.s.region} belongs to account "
                f"{self.state.account}, but your credentials are for account {account}",
                hint="Switch profile (--profile) or stage (--stage), or deploy a new agent "
                     "name for this account.", code="WrongAccount")
        from .guard import read_own_runtime

        # Before anything is written: the runtime the YAML names must be this agent's.
        self.state = recovered_state(self.session, self.s, self.state, self.history,
                                     self.opts.dry_run, self.report.warnings)
        self.runtime = read_own_runtime(self.session, self.s, self.state, self.history)
        phase.detail = {"account": account, "caller": identity["Arn"]}
        return f"account {account} ({identity['Arn']}); {doctor_note}"

    def prerequisites(self, phase: PhaseReport) -> str:
        return hooks.provision(self.session, self.s, phase, self.opts.dry_run)

    def render(self, phase: PhaseReport) -> str:
        from ..render import apply_render

        plan = phase.plan = self.plans["render"]
        if self.opts.dry_run:
            return f"{len(plan.changes)} file(s) would change"
        written = apply_render(self.s.project_dir, plan)
        return f"{len(written)} file(s) written" if written else "up to date"

    def requirements(self, phase: PhaseReport) -> str:
        from ..requirements import apply_requirements

        if "requirements" not in self.plans:
            return "up to date (pyproject.toml, uv.lock and agent code unchanged since checked)"
        plan = phase.plan = self.plans["requirements"]
        if self.opts.dry_run:
            return f"{len(plan.changes)} file(s) would change"
        written = apply_requirements(self.s, plan)
        atomic_write(self._requirements_stamp(), requirements_inputs_key(self.s))
        return "written" if written else "up to date"

    def stage(self, phase: PhaseReport) -> str:
        if self.recheck and not self.opts.dry_run:
            _, failed = hooks.run_doctor_offline(self.s, only=self.recheck)
            if failed:
                raise hooks.doctor_failure(failed)
            atomic_write(build_dir(self.s) / "doctor.passed", doctor_inputs_key(self.s))
        try:
            context = self.context = plan_build_context(self.s)
        except FileError as error:
            if self.opts.dry_run:
                raise Skip(f"after render and sync-requirements ({error.message})") from None
            raise
        self.report.content_hash = context.content_hash
        phase.detail = {"content_hash": context.content_hash, "files": len(context.files),
                        "excluded": context.excluded, "links_out": context.links_out,
                        "not_files": context.not_files}
        self.report.warnings += context.warnings()
        if not self.opts.dry_run:
            self.context_dir = apply_build_context(self.s, context)
        return f"{len(context.files)} files, sha256 {context.content_hash[:12]}"

    def launch(self, phase: PhaseReport) -> str:
        state, last = self.state, self.history.last
        runtime = self.runtime  # read and proven ours in preflight
        stale = bool(state.agent_id) and runtime is None
        if stale:
            self.report.warnings.append(
                f"runtime {state.agent_id} recorded in .bedrock_agentcore.yaml no longer "
                "exists (deleted outside aibox-ops): a new runtime will be created")
        if self.context is None:  # dry run before the first render: content unknown
            self.report.action = "create" if runtime is None else "build"
            return f"{self.report.action}: build context not staged yet (dry run)"
        same = (runtime is not None and last is not None and not self.opts.force_build
                and last.content_hash == self.context.content_hash
                and runtime.image_uri == last.image_uri
                # The deployed kind is the one asked for (or the last deploy asked for this
                # same configuration and fell back from code to the container).
                and (artifact_kind(runtime.raw) == self.s.deployment_type
                     or last.config_hash == self.config_hash))
        deployed_env = {k: v for k, v in runtime.environment.items()
                        if k not in MEMORY_ENV_VARS} if runtime is not None else None
        if same and last.config_hash == self.config_hash \
                and deployed_env == self.s.container_env:
            action, reason = "unchanged", f"same content and configuration as {last.time}"
        elif same:
            action, reason = "update", "configuration changed; same image, no build"
        else:
            action = "create" if runtime is None else "build"
            reason = ("no runtime yet" if runtime is None else
                      "--force-build" if self.opts.force_build else
                      f"deployment_type is now {self.s.deployment_type}"
                      if last is not None and last.content_hash == self.context.content_hash
                      and artifact_kind(runtime.raw) != self.s.deployment_type
                      else "agent content changed")
        self.report.action = action
        phase.plan = Plan("deploy", [Change(
            self.s.agent_name, "unchanged" if action == "unchanged" else
            "create" if action == "create" else "update", reason, kind="runtime",
            detail={"action": action, "content_hash": self.context.content_hash,
                    "config_hash": self.config_hash,
                    "environment": self.s.container_env})])
        if self.opts.dry_run:
            return f"{action}: {reason}"
        if action == "unchanged":
            self._use(runtime, last.image_uri)
            raise Skip(f"nothing to build or update ({reason}; --force-build rebuilds)")
        if action == "update":
            update_runtime(self.session, runtime, last.image_uri, self.config,
                           artifact=runtime.raw.get("agentRuntimeArtifact"),
                           managed=managed_members(self.s))
            self._use(runtime, last.image_uri)
            return f"runtime updated in place with {last.image_uri}"
        self._launch(stale)
        if self.report.deployment_type == "code":
            return f"code package {self.report.image_uri}"
        return f"built {self.report.image_uri}"

    def wait(self, phase: PhaseReport) -> str:
        if self.opts.dry_run:
            return f"would wait up to {self.opts.timeout:.0f} s for READY"
        if self.report.action == "unchanged":
            raise Skip("runtime unchanged")
        runtime, endpoint = wait_ready(self.session, self.report.agent_id or "",
                                       self.opts.timeout, self.opts.poll, note=self._note)
        self.runtime = runtime
        self.report.runtime_arn = runtime.arn
        self.report.runtime_version = runtime.version
        phase.detail = {"runtime_status": runtime.status,
                        "endpoint_status": endpoint.get("status"),
                        "endpoint_version": endpoint.get("liveVersion")}
        self._record()
        return f"runtime version {runtime.version} READY; DEFAULT endpoint READY"

    def iam(self, phase: PhaseReport) -> str:
        if self.opts.no_iam:
            raise Skip("--no-iam")
        last = self.history.last
        if (self.report.action == "unchanged" and last is not None and last.iam_applied
                and self._manifest_in_content()):
            # Same agent content (permissions.json included) and configuration as the last
            # deploy, whose iam phase finished: nothing new to grant.
            raise Skip("unchanged since the last deploy; `aibox-ops fix-iam --check` verifies")
        summary = hooks.fix_iam(self.session, self.s, load_deploy_state(self.s), phase,
                                self.opts.dry_run)
        if not self.opts.dry_run and last is not None:
            # Recorded only now: a failed or interrupted iam phase is redone next deploy.
            self.history.deploys[-1] = replace(last, iam_applied=True)
            save_history(self.s, self.history)
        return summary

    def _manifest_in_content(self) -> bool:
        """Whether the permissions manifest is part of the hashed build context (the bundled
        layout's agent/permissions.json); beside a root-level entry point it is not, so an
        edit of it would go unseen by the content hash."""
        from ..iam.manifest import manifest_relpath

        return bool(self.context) and manifest_relpath(self.s) in self.context.files

    def health(self, phase: PhaseReport) -> str:
        if self.opts.dry_run:
            return "would invoke {\"action\": \"health\"}"
        if self.runtime is None or not self.report.runtime_arn:
            raise Skip("no runtime")
        arn = invocation_arn(self.runtime, self.s.region, self.session.account_id())
        return hooks.health_check(self.session, self.s, arn, phase)

    def warm(self, phase: PhaseReport) -> str:
        if self.opts.no_warm:
            raise Skip("--no-warm")
        return hooks.warm(self.session, self.s, load_deploy_state(self.s), phase,
                          self.opts.dry_run)

    # -- helpers -----------------------------------------------------------------------

    def _requirements_stamp(self) -> Path:
        return build_dir(self.s) / "requirements.checked"

    def _use(self, runtime: RuntimeInfo, image_uri: str) -> None:
        self.report.agent_id, self.report.runtime_arn = runtime.agent_id, runtime.arn
        self.report.runtime_version, self.report.image_uri = runtime.version, image_uri

    def _launch(self, stale: bool) -> None:
        from .engine.build import BuildFailed
        from .engine.launch import Launch, LaunchResult
        from .recover import persist_launch_state
        from .yaml_state import write_project_state

        assert self.context is not None and self.context_dir is not None
        if stale:
            self.report.warnings += write_project_state(self.s, {"agent_id": None,
                                                                 "agent_arn": None})
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
        launch = Launch(self.session, self.s, self.context, self.context_dir, self.state,
                        self.history, None if stale else self.runtime, self.config,
                        f"{self.context.content_hash[:12]}-{stamp}", self._note, self.opts.poll,
                        self.report.warnings)

        def on_runtime(result: LaunchResult) -> None:
            # The runtime exists in AWS: into deploys.json first, then the YAML.
            problem = persist_launch_state(self.s, self.history, result.state,
                                           self.runtime is None or stale,
                                           self.report.warnings)
            if problem is not None:
                raise problem

        try:
            result = launch.run(on_runtime)
        except BuildFailed as error:
            diagnosis = hooks.diagnose_build_log(error.log_tail)
            if diagnosis:
                ids = sorted({line.split(":", 1)[0] for line in diagnosis})
                error.hint = (f"doctor recognises: {'; '.join(diagnosis)}. Run `aibox-ops "
                              f"doctor --only {','.join(ids)}` for the fix.")
            raise
        self.build_id = result.build_id
        self.report.agent_id, self.report.runtime_arn = result.agent_id, result.agent_arn
        self.report.image_uri = result.image_uri
        self.report.requests = result.requests
        self.report.deployment_type = result.deployment_type

    def _note(self, text: str) -> None:
        """A launch step: into the deploy log, and shown as the running phase's step."""
        self.log(f"info aibox_ops.deploy: {text}")
        self.reporter.note(text[:80])

    def _record(self) -> None:
        assert self.context is not None
        record = DeployRecord(
            time=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            action="update" if self.report.action == "update" else "deploy",
            content_hash=self.context.content_hash, config_hash=self.config_hash,
            image_uri=self.report.image_uri or "", runtime_version=self.report.runtime_version,
            runtime_arn=self.report.runtime_arn, build_id=self.build_id, stage=self.s.stage)
        self.history.deploys.append(record)
        save_history(self.s, self.history)
