"""``aibox-ops deploy`` / ``destroy``: the ``--local`` forms (this branch).

The AWS forms belong to the deploy command group (branch ``deploy``); these commands exist
so ``deploy --local`` works on its own and delegate to ``deploy_local``/``destroy_local``.
"""

from __future__ import annotations

from typing import Annotated

import typer

from .deploy_local import deploy_local, destroy_local


def deploy(
    ctx: typer.Context,
    local: Annotated[bool, typer.Option(
        "--local", help="Run the agent on this machine (no Docker, no AWS).")] = False,
    port: Annotated[int, typer.Option("--port", metavar="N", help="Local port.")] = 8080,
    detach: Annotated[bool, typer.Option(
        "--detach", help="Return once healthy; `destroy --local` stops it.")] = False,
) -> None:
    """Deploy the agent (--local: on 127.0.0.1 in the image's environment)."""
    if not local:
        raise typer.BadParameter("only --local is available in this build (deploying to "
                                 "AWS comes with the deploy command group)",
                                 param_hint="--local")
    deploy_local(ctx, port, detach)


def destroy(
    ctx: typer.Context,
    local: Annotated[bool, typer.Option("--local", help="Stop the local agent.")] = False,
) -> None:
    """Remove a deployment (--local: stop the local agent)."""
    if not local:
        raise typer.BadParameter("only --local is available in this build",
                                 param_hint="--local")
    destroy_local(ctx)
