"""Generated files out of step with their sources: ``requirements-drift``, ``render-drift``
and ``missing-requirement``, all through render's and sync-requirements' own planning."""

from __future__ import annotations

from ...errors import ConfigError, DependencyError
from ...plan import Plan
from ..context import DoctorContext
from ..model import Finding, failed, passed, skipped, warned

DEFAULT_REQUIREMENTS = "requirements-agentcore.txt"


def requirements_plan(ctx: DoctorContext) -> Plan:
    """``plan_requirements`` once per run (it runs ``uv export``)."""
    from ...requirements import plan_requirements

    settings = ctx.agent_settings()
    assert settings is not None
    return ctx.memo("plan-requirements", lambda: plan_requirements(settings))


def render_plan(ctx: DoctorContext) -> Plan:
    """``plan_render`` once per run."""
    from ...render import plan_render

    settings = ctx.agent_settings()
    assert settings is not None
    return ctx.memo("plan-render", lambda: plan_render(settings))


def _item_lines(plan: Plan) -> list[str]:
    return [f"{item.target}: {item.status} ({item.reason})" for item in plan.changes]


def detect_requirements_drift(ctx: DoctorContext) -> Finding:
    """Fail when the requirements file differs from what sync-requirements would write."""
    try:
        plan = requirements_plan(ctx)
    except ConfigError as exc:
        return skipped(f"cannot read the container's dependency source: {exc.problems[0]}")
    if not plan.changes:
        return passed(f"{plan.items[0].target}: {plan.items[0].reason}")
    item = plan.changes[0]
    if item.needs_force:
        return failed(f"{item.target} was {item.status}: {item.reason}", _item_lines(plan),
                      fix=f"Move the hand edits into {_home(ctx)}, then "
                          "`aibox-ops sync-requirements --force`.")
    return failed(f"{item.target} is out of date with pyproject.toml/uv.lock ({item.reason})",
                  _item_lines(plan))


def detect_missing_requirement(ctx: DoctorContext) -> Finding:
    """Fail when the agent imports a module no listed distribution provides."""
    if ctx.settings is None:
        return _scan_requirements_file(ctx)
    try:
        plan = requirements_plan(ctx)
    except ConfigError:
        return _scan_requirements_file(ctx)
    missing = [m for e in plan.errors if isinstance(e, DependencyError) for m in e.modules]
    checked = plan.items[0].detail.get("imports_checked_against") or {}
    source = checked.get("source", "the environment")
    looked = " (import names looked up in " + (
        f"the project's .venv ({checked.get('path')}))" if source == ".venv" else f"{source})")
    if missing:
        return failed(f"{len(missing)} import(s) no requirement provides{looked}", missing,
                      fix=f"Add the distribution to {_home(ctx)}"
                          + ("" if _home(ctx).endswith(".txt") else ", `uv lock`")
                          + ", then `aibox-ops sync-requirements`.")
    return passed("every third-party import of the agent is provided by a listed "
                  f"requirement{looked}")


def _home(ctx: DoctorContext) -> str:
    from ...requirements.sources import dependency_home

    settings = ctx.agent_settings()
    return dependency_home(settings) if settings is not None else DEFAULT_REQUIREMENTS


def _scan_requirements_file(ctx: DoctorContext) -> Finding:
    """No agent dependency group (a guide-like project keeps its requirements file by hand):
    check the imports against the file itself, with sync-requirements' own scanner."""
    from ...render.context import image_files, image_paths
    from ...requirements.environment import load_providers_for
    from ...requirements.export import requirement_name
    from ...requirements.imports import scan_image_imports, scan_imports, unprovided_imports

    settings = ctx.agent_settings()
    entry = ctx.entrypoint()
    if settings is not None:
        req_file, agent_dir = settings.requirements_file, settings.agent_dir
    elif entry is not None:
        req_file, agent_dir = DEFAULT_REQUIREMENTS, (ctx.root / entry).parent
    else:
        return skipped("no entry point found, so no agent code to scan")
    text = ctx.read(req_file)
    if text is None:
        return failed(f"{req_file} does not exist: the container installs nothing",
                      fix="Create it (or list the agent's dependencies in pyproject.toml "
                          "and run "
                          "`aibox-ops sync-requirements`).")
    listed = {name for line in text.splitlines() if (name := requirement_name(line))}
    if settings is not None and (settings.packages or not settings.root_entrypoint):
        # What the image gets: never the project's .venv or aibox-ops's staging.
        sites = scan_image_imports(settings.project_dir, image_paths(settings),
                                   folder_entrypoint=not settings.root_entrypoint,
                                   files=list(image_files(settings).files))
    else:
        sites = scan_imports(agent_dir) if agent_dir.is_dir() else []
    providers = load_providers_for(ctx.root, req_file)
    missing = unprovided_imports(sites, listed, providers, where=req_file)
    checked = f"(import names looked up in {providers.label})"
    if missing:
        return failed(f"{len(missing)} import(s) {req_file} does not provide {checked}",
                      missing, fix=f"Add the distributions to {req_file}.")
    return passed(f"every third-party import is provided by {req_file} {checked}")



def detect_render_drift(ctx: DoctorContext) -> Finding:
    """Fail when rendered files are stale or were edited by hand."""
    plan = render_plan(ctx)
    if not plan.changes:
        return passed("rendered files match the templates and config")
    blocked = plan.blocked
    if blocked:
        return failed(f"{len(blocked)} rendered file(s) edited by hand or not generated by "
                      "aibox-ops", _item_lines(plan),
                      fix="Move the edits into templates/ or [tool.aibox-ops], then "
                          "`aibox-ops render --force`.")
    only_record = all(item.kind == "file" and item.target.endswith("aibox-ops-render.json")
                      for item in plan.changes)
    if only_record:
        return warned("only the render record is out of date", _item_lines(plan))
    return failed(f"{len(plan.changes)} rendered file(s) out of date", _item_lines(plan))


def plan_render_fix(ctx: DoctorContext) -> Plan:
    """The render plan (``doctor --fix`` applies it without --force)."""
    return render_plan(ctx)


def apply_render_fix(ctx: DoctorContext, plan: Plan) -> list[str]:
    """Write the rendered files (refuses hand-edited ones)."""
    from ...render import apply_render

    return apply_render(ctx.root, plan, False)


def plan_requirements_fix(ctx: DoctorContext) -> Plan:
    """The sync-requirements plan."""
    return requirements_plan(ctx)


def apply_requirements_fix(ctx: DoctorContext, plan: Plan) -> list[str]:
    """Write the requirements file (refuses a hand-edited one and unprovided imports)."""
    from ...requirements import apply_requirements

    settings = ctx.agent_settings()
    assert settings is not None
    return apply_requirements(settings, plan, False)
