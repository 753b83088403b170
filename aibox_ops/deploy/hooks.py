"""Deploy phases that call other parts of aibox-ops: doctor, provision, fix-iam, invoke, warm.

Each uses the interface fixed in the team contracts. A part that is not in this build is
reported as a skipped phase naming what is missing (never as a pretend success).
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

from ..aws import AwsSession
from ..config import Settings
from ..deploy_state import DeployState
from ..errors import AwsError, CheckFailed
from .phases import PhaseReport, Skip


def optional(module: str) -> ModuleType | None:
    """The module, or None when this build does not include it."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as error:
        if error.name and module.startswith(error.name):
            return None
        raise


# Drift the deploy's own render and requirements phases repair: not a reason to stop.
REPAIRED_BY_DEPLOY = ("render-drift", "requirements-drift", "env-drift")


def run_doctor_offline(settings: Settings, only: list[str] | None = None,
                       ) -> tuple[str, list[Any]]:
    """Doctor's offline checks (``only`` these, else all but the drift deploy repairs):
    (summary, the results failing at error level)."""
    doctor = optional("aibox_ops.doctor")
    if doctor is None:
        return "render and requirements have no blocking drift (doctor not in this build)", []
    ids = only or [i for i in doctor.offline_checks() if i not in REPAIRED_BY_DEPLOY]
    results = doctor.run_checks(doctor.DoctorContext(settings, session=None, offline=True),
                                only=ids)
    failed = list(doctor.blocking(results))
    return f"doctor: {len(results)} offline check(s), {len(failed)} failing", failed


def doctor_failure(failed: list[Any]) -> CheckFailed:
    """The error that stops a deploy on doctor's blocking results (exit 1)."""
    lines = "\n".join(f"  - {r.id}: {r.message}" + (f" (fix: {r.fix})" if r.fix else "")
                      for r in failed)
    return CheckFailed(f"preflight: doctor found {len(failed)} problem(s) at error level:\n"
                       f"{lines}", hint="Run `aibox-ops doctor --offline` for the evidence "
                       "(`--fix` repairs some).")


def provision(session: AwsSession, settings: Settings, phase: PhaseReport,
              dry_run: bool) -> str:
    """Create the DynamoDB tables (secrets are only reported)."""
    module = optional("aibox_ops.provision")
    if module is None:
        raise Skip("provisioning is not in this build (issue 11); tables and secrets "
                   "were not checked")
    plan = phase.plan = module.plan_provision(session, settings)
    if dry_run:
        return f"{len(plan.changes)} item(s) would change"
    applied = module.apply_provision(session, plan)
    missing = [i.target for i in plan.items if i.kind == "secret" and i.status != "unchanged"]
    note = f"; secrets to set (`aibox-ops secrets set`): {', '.join(missing)}" if missing else ""
    return (f"{len(applied)} table(s) created" if applied else "tables present") + note


def fix_iam(session: AwsSession, settings: Settings, state: DeployState,
            phase: PhaseReport, dry_run: bool) -> str:
    """Give the execution role what the agent needs (fix-iam's plan/apply)."""
    iam = optional("aibox_ops.iam")
    if iam is None:
        raise Skip("fix-iam is not in this build (issue 8); run it when available")
    if not state.execution_role:
        raise Skip("no execution role recorded yet")
    role = iam.find_role(session, settings, state)
    plan = phase.plan = iam.plan_role_policies(session, settings, role)
    if dry_run or not plan.changes:
        return f"{len(plan.changes)} policy change(s)" + (" planned" if dry_run else "")
    result = iam.apply_role_policies(session, role.name, plan, settings.path(iam.BACKUP_DIR))
    phase.detail = {"role": role.name, "backup_id": result.backup_id,
                    "applied": result.applied}
    return (f"{len(result.applied)} owned policy(ies) written to {role.name} "
            f"(backup {result.backup_id}; `aibox-ops fix-iam --rollback {result.backup_id}` "
            "restores it)")


def health_check(session: AwsSession, settings: Settings, runtime_arn: str,
                 phase: PhaseReport, qualifier: str = "DEFAULT") -> str:
    """One ``{"action": "health"}`` invocation through endpoint ``qualifier`` (the version
    it serves); AwsError unless the agent says healthy."""
    if settings.authorizer.type != "none":
        raise Skip(f"the runtime takes {settings.authorizer.type} bearer tokens; check it "
                   "with `aibox-ops invoke` and a token")
    from ..invoke import invoke_runtime

    chunks: list[dict[str, Any]] = list(invoke_runtime(session, runtime_arn,
                                                       {"action": "health"},
                                                       qualifier=qualifier))
    phase.detail = {"reply": chunks[:5]}
    if any(chunk.get("status") == "healthy" for chunk in chunks):
        return ("agent answered healthy" if qualifier == "DEFAULT"
                else f"agent answered healthy through endpoint {qualifier}")
    from ..doctor.redact import redact

    # The reply may echo a key the agent holds: masked before it reaches any message.
    raise AwsError(f"the health invocation did not answer healthy: {redact(str(chunks[:3]))}",
                   hint="See `aibox-ops logs --since 15m`.", code="Unhealthy")


def warm(session: AwsSession, settings: Settings, state: DeployState,
         phase: PhaseReport, dry_run: bool) -> str:
    """Create or update the warm-up schedules (when ``warm.enabled``)."""
    if not settings.warm.enabled:
        raise Skip("warm.enabled is false")
    module = optional("aibox_ops.warm")
    if module is None:
        raise Skip("warm-up schedules are not in this build (issue 12)")
    plan = phase.plan = module.plan_schedules(session, settings, state)
    if plan.errors:
        raise plan.errors[0]
    if dry_run:
        return f"{len(plan.changes)} schedule change(s) planned"
    applied = module.apply_schedules(session, plan)
    return f"{len(applied)} schedule(s) written" if applied else "schedules up to date"


def diagnose_build_log(lines: list[str]) -> list[str]:
    """Doctor's known failure signatures found in a build log: "check-id: line" each."""
    doctor_logs = optional("aibox_ops.doctor.logs")
    if doctor_logs is None:
        return []
    found: list[str] = []
    for line in lines:
        for signature in doctor_logs.SIGNATURES:
            if signature.pattern.search(line):
                found.append(f"{signature.check_id}: {line.strip()[:200]}")
                break
    return found
