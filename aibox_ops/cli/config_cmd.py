"""``aibox-ops config``: the effective settings after every layer is applied."""

from __future__ import annotations

import dataclasses
import os
from typing import Any

import typer

from .output import emit_json, results, warn
from .state import AppState


def show_config(ctx: typer.Context) -> None:
    """Show the effective settings (defaults < pyproject < AIBOX_OPS_* env < flags)."""
    state: AppState = ctx.obj
    settings = state.settings()
    data: dict[str, Any] = dataclasses.asdict(settings)
    data["project_dir"] = str(settings.project_dir)
    data["container_env"] = settings.container_env
    data["table_names"] = settings.table_names
    data["secret_ids"] = settings.secret_ids
    data["aws"] = aws_target(state)
    if data["aws"]["profile"] and not data["aws"]["profile_exists"]:
        warn(f"AWS profile '{data['aws']['profile']}' ({data['aws']['profile_from']}) does not "
             "exist; commands that need AWS will fail (exit 5)")
    if state.json:
        emit_json({"ok": True, "settings": data})
        return
    import yaml

    out = results(as_json=False)
    out.print(f"# from {settings.source}", markup=False)
    out.print(yaml.safe_dump(data, sort_keys=False).rstrip(), markup=False)


def aws_target(state: AppState) -> dict[str, Any]:
    """The profile and region AWS calls would use, and where each came from."""
    from ..aws.profile import available_profiles, effective_profile
    from ..config import setting_origin

    settings = state.settings()
    flags = {"region": state.region, "profile": state.profile}
    profile_from = setting_origin(settings, "profile", flags) if settings.profile else None
    profile, profile_from = effective_profile(settings.profile, profile_from)
    target: dict[str, Any] = {
        "profile": profile,
        "profile_from": profile_from,
        "profile_exists": None if profile is None else profile in available_profiles(),
        "region": settings.region,
        "region_from": setting_origin(settings, "region", flags),
    }
    # boto3 would read these; aibox-ops deploys to its own setting so that a shell's
    # ambient region never moves a deployment. Say so when they disagree.
    ignored = {k: os.environ[k] for k in ("AWS_REGION", "AWS_DEFAULT_REGION")
               if os.environ.get(k) and os.environ[k] != settings.region}
    if ignored:
        target["ignored_env"] = ignored
    return target
