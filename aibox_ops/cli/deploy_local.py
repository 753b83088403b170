"""``deploy --local`` / ``destroy --local``: the CLI side of aibox_ops.local.

The ``deploy`` and ``destroy`` commands delegate their ``--local`` form here:
``deploy_local(ctx, port, detach)`` and ``destroy_local(ctx)``; ``LocalFlag``, ``Port`` and
``Detach`` are their options.
"""

from __future__ import annotations

import signal
from typing import Annotated, Any

import typer
from rich.markup import escape

from ..errors import AgentError
from .invocation import as_invoked
from .output import console, emit_json, results
from .state import AppState

LocalFlag = Annotated[bool, typer.Option(
    "--local", help="On this machine: the agent on 127.0.0.1, no Docker, no AWS.")]
Port = Annotated[int, typer.Option("--port", metavar="N", help="Local port.")]
Detach = Annotated[bool, typer.Option(
    "--detach", help="Return once healthy; `destroy --local` stops it.")]


def _state(ctx: Any) -> AppState:
    return ctx.obj if hasattr(ctx, "obj") else ctx


def deploy_local(ctx: Any, port: int, detach: bool) -> None:
    """Start the agent on 127.0.0.1:``port``; foreground until Ctrl-C, or ``detach``."""
    state = _state(ctx)
    settings = state.settings()
    # The agent runs in its own session, so a terminal's signals never reach it: SIGINT,
    # SIGTERM and SIGHUP (Ctrl-C, `kill`, a closed terminal) become KeyboardInterrupt for the
    # whole command, and every path below stops the agent before this process ends. SIGINT
    # is set too because a process started from a background job inherits it ignored.
    stops = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    previous = {sig: signal.signal(sig, _interrupt) for sig in stops}
    try:
        runtime = _start(state, settings, port, detach)
        if runtime is not None and not detach:
            _foreground(runtime)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _start(state: AppState, settings: Any, port: int, detach: bool) -> Any:
    """Start the agent and say where it is; None when a stop signal came once it was
    healthy but before the foreground loop (the agent is stopped: a clean stop, exit 0)."""
    from ..local import start_local
    from ..local.sessions import choose_session_store

    err = console()
    sessions = choose_session_store(settings, state.aws)  # AWS table, else a local file
    if err.is_terminal:  # the step, what pip is doing and the elapsed time, live
        from .progress import StepProgress

        with StepProgress("preparing the local agent") as shown:
            runtime = start_local(settings, port=port, detach=detach, progress=shown.step,
                                  activity=shown.note, sessions=sessions)
    else:  # no spinner without a terminal: one line per step (a pip build takes minutes)
        runtime = start_local(settings, port=port, detach=detach,
                              progress=lambda message: err.print(escape(message)),
                              sessions=sessions)
    try:
        if state.json:
            emit_json({"ok": True, "command": "deploy --local", **runtime.to_dict()})
        else:
            _show_started(runtime)
    except KeyboardInterrupt:
        if detach:  # it runs on by design; this process was interrupted while printing
            raise
        # Healthy and announced (the state file names it): Ctrl-C now means "stop it", as
        # in the foreground loop a moment later, not an interrupted start.
        _stop_and_say(runtime)
        return None
    return runtime


def _stop_and_say(runtime: Any) -> None:
    how = runtime.stop()
    console().print(f"local agent {how} (pid {runtime.pid})")


def _foreground(runtime: Any) -> None:
    err = console()
    try:
        err.print("[dim]agent log follows; Ctrl-C stops the agent[/]")
        code = runtime.follow(lambda line: err.print(escape(line), style="dim",
                                                     soft_wrap=True))
    except KeyboardInterrupt:
        _stop_and_say(runtime)
        return
    # A clean shutdown (uvicorn ends with the signal it got), e.g. `destroy --local` from
    # another terminal: not an error.
    if code in (0, -signal.SIGTERM, -signal.SIGINT):
        err.print(f"local agent stopped from outside (pid {runtime.pid}, exit code {code})")
        return
    from ..local.venv import tail_lines

    raise AgentError(f"the local agent exited (exit code {code})",
                     hint=f"Its log: {runtime.log}", log_tail=tail_lines(runtime.log, 15))


def _interrupt(_signum: int, _frame: Any) -> None:
    raise KeyboardInterrupt


def _show_started(runtime: Any) -> None:
    out = results(as_json=False)
    venv = runtime.venv
    built = "reused" if venv and venv.reused else "built"
    out.print(f"[green]local agent running[/] at [bold]{runtime.url}[/] "
              f"(pid {runtime.pid}; environment {built}, healthy in "
              f"{runtime.timings.get('start_seconds', 0):.1f} s)")
    if venv and venv.python_version != venv.wanted_version:
        console().print(f"[yellow]warning:[/] built with Python {venv.python_version}; the "
                        f"image runs {venv.wanted_version} (install it to match)")
    out.print(as_invoked("  invoke:  aibox-ops invoke --local \"Hello!\""), markup=False)
    out.print(f"  or:      curl -N {runtime.url}/invocations -H 'Content-Type: application/json'"
              f" -d '{{\"prompt\": \"Hello!\", \"stream\": true}}'")
    out.print(f"  log:     {runtime.log}")
    if runtime.detached:
        out.print(as_invoked("  stop:    aibox-ops destroy --local"), markup=False)
    if runtime.sessions:
        out.print(f"  history: {escape(runtime.sessions.describe())}")
    model = model_line(runtime.health.get("default_model"))
    if model:
        out.print(model)


def model_line(default: Any) -> str | None:
    """What a prompt without --model gets, as the agent's health action reports it
    (agent/genai/model_default.py); None when the agent does not say."""
    if not isinstance(default, dict) or not default.get("model_id"):
        return None
    if not default.get("configured", True):
        hint = default.get("hint") or "no model is configured"
        return f"  [yellow]model:[/]   {escape(str(hint))}"
    model_id, source = str(default["model_id"]), str(default.get("source") or "")
    if source == "OPENAI_BASE_URL" and model_id.endswith("/?"):
        return ("  model:   the first model OPENAI_BASE_URL lists (openai/NAME; "
                "DEFAULT_MODEL_ID or --model picks another)")
    how = {"bedrock": "Bedrock, with this shell's AWS credentials"}.get(source,
                                                                         f"from {source}")
    return f"  model:   {escape(model_id)} ({escape(how)}; --model picks another)"


def destroy_local(ctx: Any) -> None:
    """Stop the project's local agent (started with ``deploy --local``)."""
    from ..local import stop_local

    state = _state(ctx)
    outcome = stop_local(state.settings())
    if state.json:
        emit_json({"ok": True, "command": "destroy --local", **outcome})
        return
    if outcome["pid"]:
        results(as_json=False).print(f"local agent at {outcome['url']} (pid {outcome['pid']}):"
                                     f" {outcome['how']}")
    else:
        results(as_json=False).print("no local agent is running")
