"""``code-deploy``: with ``deployment_type = "code"``, whether the settings allow a code zip
at all (an AgentCore Python runtime for ``python_version``). When they do not, deploy falls
back to the container image: a warning, not a failure. Whether every requirement has an
arm64 wheel is known only when deploy resolves them (it names the package it falls back for).
"""

from __future__ import annotations

from ...errors import CodeDeployUnsupported
from ..context import DoctorContext
from ..model import Finding, passed, warned


def detect_code_deploy(ctx: DoctorContext) -> Finding:
    """Pass for a container deployment or a code deployment AgentCore accepts."""
    from ...deploy.engine.code import code_runtime

    settings = ctx.settings
    if settings.deployment_type != "code":
        return passed("container deployment (deployment_type = \"container\")")
    try:
        runtime = code_runtime(settings.python_version)
    except CodeDeployUnsupported as error:
        return warned(f"deployment_type is code, but deploy will build a container instead: "
                      f"{error.reason}", [f"python_version = {settings.python_version!r}"],
                      error.hint)
    return passed(f"code deployment on {runtime} (requirements must have arm64 wheels; "
                  "deploy names any that do not and builds the image instead)")
