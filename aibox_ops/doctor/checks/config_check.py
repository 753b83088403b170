"""``config``: the settings themselves (invalid settings fail here; doctor goes on)."""

from __future__ import annotations

from ..context import DoctorContext
from ..model import Finding, failed, passed


def detect_config(ctx: DoctorContext) -> Finding:
    """Fail with every bad field when the settings could not be loaded."""
    error = ctx.settings_error
    if error is not None:
        problems = list(getattr(error, "problems", None) or [error.message])
        return failed(f"invalid settings: {len(problems)} problem(s); checks that need the "
                      "settings were skipped", problems, fix=error.hint)
    assert ctx.settings is not None
    found = ctx.entrypoint()
    evidence = [f"entry point: {found or 'not found'}"]
    if found and found != ctx.settings.entrypoint:
        evidence.append(f"configured entry point {ctx.settings.entrypoint} does not exist; "
                        f"using {found}")
    if found is None:
        return failed(f"entry point {ctx.settings.entrypoint} not found", evidence,
                      fix="Set 'entrypoint' in [tool.aibox-ops] to the file that creates the "
                          "BedrockAgentCoreApp.")
    return passed(f"settings from {ctx.settings.source}", evidence)
