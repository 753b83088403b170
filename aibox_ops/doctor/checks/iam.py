"""``dynamodb-access`` and ``secrets-access``: the runtime role against the manifest, through
fix-iam's library (``find_role``, ``read_role_documents``, ``required_access``,
``evaluate_access``); ``--fix`` goes through fix-iam's plan/apply."""

from __future__ import annotations

import dataclasses
from typing import Any

from ...aws.reads import read_or_none
from ...errors import AwsError
from ...plan import Plan
from ..aws_reads import call, read_runtime
from ..context import DoctorContext
from ..model import Finding, failed, passed, skipped, warned


def _iam() -> Any:
    """fix-iam's library (None until that branch is merged)."""
    try:
        from ... import iam
    except ImportError:
        return None
    return iam if hasattr(iam, "evaluate_access") else None


def read_role(ctx: DoctorContext) -> Any:
    """The runtime's execution role (fix-iam's ``find_role``), once per run."""
    iam = _iam()
    return ctx.memo("role", lambda: iam.find_role(ctx.session, ctx.settings,
                                                  ctx.deploy_state()))


def read_documents(ctx: DoctorContext, role_name: str) -> list[Any]:
    """The role's inline and managed policy documents, once per run."""
    iam = _iam()
    return ctx.memo(("role-docs", role_name),
                    lambda: iam.read_role_documents(ctx.session, role_name))


def read_secrets(ctx: DoctorContext) -> tuple[dict[str, Any], list[str]]:
    """fix-iam's facts (real ARN, KMS key) of the secrets the manifest needs, and warnings
    (one DescribeSecret per secret per run)."""
    iam = _iam()
    manifest = ctx.memo("manifest", lambda: iam.load_manifest(ctx.settings))
    assert ctx.settings is not None

    def read() -> tuple[dict[str, Any], list[str]]:
        warnings: list[str] = []
        ids = iam.secret_ids_needed(ctx.settings, manifest)
        return iam.read_secret_facts(ctx.session, ids, ctx.settings.region, warnings), warnings

    return ctx.memo("secret-facts", read)


def access_report(ctx: DoctorContext, service: str) -> tuple[Any, Any]:
    """(role, fix-iam's AccessReport for the manifest's ``service`` statements)."""
    iam = _iam()
    assert ctx.session is not None
    manifest = ctx.memo("manifest", lambda: iam.load_manifest(ctx.settings))
    role = read_role(ctx)
    documents = read_documents(ctx, role.name)
    facts = read_secrets(ctx)[0] if service == "secretsmanager" else {}
    requirements = iam.required_access(ctx.settings, manifest, ctx.identity()["Account"],
                                       ctx.session.partition(), services=[service],
                                       secrets=facts)
    return role, iam.evaluate_access(documents, requirements)


def _verdict_lines(report: Any) -> tuple[list[str], list[str]]:
    missing, unsure = [], []
    for action, resource, verdict, reason in report.checks:
        line = f"{action} on {resource}: {verdict}" + (f" ({reason})" if reason else "")
        if verdict in ("denied", "not-allowed"):
            missing.append(line)
        elif verdict == "cannot-prove":
            unsure.append(line)
    return missing, unsure


def _detect(ctx: DoctorContext, service: str, noun: str,
            resources: list[str], exists: Any) -> Finding:
    if _iam() is None:
        return skipped("fix-iam's library (aibox_ops.iam) is not available in this build")
    state = ctx.deploy_state()
    if not (state and state.execution_role) and read_runtime(ctx) is None:
        return skipped("nothing deployed yet: the toolkit creates the runtime role on the "
                       "first deploy (then `aibox-ops fix-iam`)")
    try:
        role, report = access_report(ctx, service)
    except AwsError as exc:
        if exc.code in ("NoSuchEntity", None) and "role" in exc.message.lower():
            return dataclasses.replace(failed(f"no runtime role found: {exc.message}",
                                              fix=exc.hint), fixable=False)
        raise
    missing, unsure = _verdict_lines(report)
    gone = [name for name in resources if not exists(ctx, name)]
    absent = [f"{noun} {name} does not exist in {ctx.session.region}"  # type: ignore[union-attr]
              for name in gone]
    evidence = [f"role {role.name} (found by {role.found_by})", *missing, *absent, *unsure]
    if missing or absent:
        finding = failed(f"role {role.name}: {len(missing)} {service} permission(s) missing"
                         + (f", {len(absent)} {noun}(s) missing" if absent else ""), evidence,
                         fix=_fix_for(service, bool(missing), gone))
        return dataclasses.replace(finding, fixable=_iam_fix_changes(ctx))
    if unsure:
        return dataclasses.replace(
            warned(f"role {role.name}: cannot prove every {service} permission", evidence),
            fixable=_iam_fix_changes(ctx))
    return passed(f"role {role.name} has every {service} permission the manifest needs on "
                  f"{len(resources)} {noun}(s)", evidence)


def _fix_for(service: str, permissions: bool, gone: list[str]) -> str | None:
    """The commands for what is missing (None: the check's own hint, fix-iam)."""
    if not gone:
        return None
    if service == "secretsmanager":
        commands = ", ".join(f"`aibox-ops secrets set {name}`" for name in gone)
        create = f"create the missing secret(s): {commands}"
    else:
        create = f"create the missing table(s) {', '.join(gone)}: `aibox-ops provision`"
    if not permissions:
        return create[0].upper() + create[1:] + "."
    return f"Grant the permissions: `aibox-ops fix-iam` (or doctor --fix); {create}."


def _iam_fix_changes(ctx: DoctorContext) -> bool:
    """Whether fix-iam's plan (what `doctor --fix` applies) would change the role."""
    try:
        return bool(plan_iam_fix(ctx).changes)
    except AwsError:
        return False


def _table_exists(ctx: DoctorContext, name: str) -> bool:
    def read() -> bool:
        return read_or_none(lambda: call(ctx, "dynamodb", "DescribeTable",
                                         TableName=name)) is not None

    return ctx.memo(("table", name), read)


def _secret_exists(ctx: DoctorContext, name: str) -> bool:
    facts, warnings = read_secrets(ctx)
    return name in facts or not any(w.startswith(f"secret {name}:") and "ResourceNotFound" in w
                                    for w in warnings)


def detect_dynamodb_access(ctx: DoctorContext) -> Finding:
    """Fail when the role lacks a manifest DynamoDB action or a table is missing."""
    assert ctx.settings is not None
    return _detect(ctx, "dynamodb", "table", ctx.settings.table_names, _table_exists)


def detect_secrets_access(ctx: DoctorContext) -> Finding:
    """Fail when the role cannot read a configured secret, or the secret does not exist."""
    assert ctx.settings is not None
    return _detect(ctx, "secretsmanager", "secret", ctx.settings.secret_ids, _secret_exists)


def plan_iam_fix(ctx: DoctorContext) -> Plan:
    """fix-iam's plan for the role's owned inline policies."""
    iam = _iam()
    if iam is None:
        raise AwsError("fix-iam's library is not available; run `aibox-ops fix-iam`")
    role = read_role(ctx)
    return ctx.memo("iam-plan", lambda: iam.plan_role_policies(ctx.session, ctx.settings, role))


def apply_iam_fix(ctx: DoctorContext, plan: Plan) -> list[str]:
    """Apply it through fix-iam (which backs up the documents it replaces)."""
    iam = _iam()
    role = read_role(ctx)
    result = iam.apply_role_policies(ctx.session, role.name, plan, ctx.root / iam.BACKUP_DIR)
    applied = getattr(result, "applied", None)
    return list(applied) if applied is not None else [c.target for c in plan.changes]
