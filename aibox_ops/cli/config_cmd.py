"""``aibox-ops config``: the effective settings after every layer is applied."""

from __future__ import annotations

import dataclasses
from typing import Any

import typer

from .output import emit_json, results
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
    if state.json:
        emit_json({"ok": True, "settings": data})
        return
    import yaml

    out = results(as_json=False)
    out.print(f"# from {settings.source}", markup=False)
    out.print(yaml.safe_dump(data, sort_keys=False).rstrip(), markup=False)
