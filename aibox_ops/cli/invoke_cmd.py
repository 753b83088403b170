"""``aibox-ops invoke``: send a prompt or payload to the deployed runtime or the local agent."""

from __future__ import annotations

import json
import sys
import time
from typing import Annotated

import typer

from ..errors import AgentError, AiboxError, ConfigError, InputError
from .output import warn
from .state import AppState


def invoke(
    ctx: typer.Context,
    prompt: Annotated[str | None, typer.Argument(
        metavar="PROMPT", help="The prompt (or use --payload). A PROMPT that is a JSON "
        "object, e.g. '{\"prompt\": \"Hello\"}', is sent as the payload.",
        show_default=False)] = None,
    payload: Annotated[str | None, typer.Option(
        "--payload", metavar="JSON", help="The whole request body as a JSON object.")] = None,
    stream: Annotated[bool | None, typer.Option(
        "--stream/--no-stream", help="Ask for SSE chunks (default for a prompt) or one body.",
        show_default=False)] = None,
    model: Annotated[str | None, typer.Option(
        "--model", metavar="ID",
        help="Model id (payload model_id; default: the agent's, from what it is configured "
             "with).")] = None,
    session_id: Annotated[str | None, typer.Option(
        "--session-id", metavar="ID",
        help="Continue a conversation (33-256 characters); default: a new session.")] = None,
    local: Annotated[bool, typer.Option(
        "--local", help="Invoke this project's running local agent (deploy --local).")
    ] = False,
    url: Annotated[str | None, typer.Option(
        "--url", metavar="URL",
        help="Invoke the agent served at URL (implies --local; e.g. http://127.0.0.1:8080)."
    )] = None,
    bearer_token: Annotated[str | None, typer.Option(
        "--bearer-token", metavar="TOKEN", envvar="AIBOX_BEARER_TOKEN",
        help="JWT/OAuth bearer token for runtimes with an inbound authorizer "
             "(or AIBOX_BEARER_TOKEN).")] = None,
    qualifier: Annotated[str, typer.Option(
        "--qualifier", metavar="NAME", help="Runtime endpoint.")] = "DEFAULT",
) -> None:
    """Send a prompt to the agent and show its answer as it streams."""
    from ..invoke import invoke_local, invoke_runtime, new_session_id, session_id_problem
    from ..invoke.target import (
        InvokeTarget,
        build_payload,
        local_target,
        needs_bearer,
        runtime_target,
    )

    state: AppState = ctx.obj
    body = build_payload(prompt, payload, stream, model)
    if session_id is not None and session_id_problem(session_id):
        raise InputError([f"--session-id: {session_id_problem(session_id)}"])
    sid = session_id or new_session_id()
    if local or url:
        if bearer_token:
            warn("--bearer-token is not sent to a local agent (it has no authorizer)")
        # --url needs no project: any agent served over HTTP can be talked to.
        target = InvokeTarget("local", url) if url else local_target(state.settings())
        chunks = invoke_local(target.address, body, session_id=sid)
    else:
        settings = state.settings()
        target = runtime_target(settings)
        if needs_bearer(settings) and not bearer_token:
            raise ConfigError([f"authorizer.type = {settings.authorizer.type!r}: the runtime "
                               "accepts bearer tokens only; pass --bearer-token"])
        chunks = invoke_runtime(state.aws(), target.address, body, session_id=sid,
                                qualifier=qualifier, bearer_token=bearer_token)
    if state.json:
        _json_lines(chunks, sid, target.describe())
    else:
        _render(chunks, sid, target.describe())


def _render(chunks, session_id: str, target: str) -> None:
    from .invoke_view import ChunkView

    view = ChunkView()
    try:
        for chunk in chunks:
            view.show(chunk)
    finally:
        view.finish(session_id, target)
    if view.summary.error:
        error = AgentError(f"the agent answered with an error: {view.summary.error}")
        error.result_already_emitted = True
        raise error


def _json_lines(chunks, session_id: str, target: str) -> None:
    """One line per chunk as the agent sent it, then one ``{"invoke": {...}}`` line."""
    from ..invoke import InvokeSummary

    summary = InvokeSummary()
    started = time.perf_counter()
    first_ms = None
    failure: AiboxError | None = None
    try:
        for chunk in chunks:
            if first_ms is None:
                first_ms = round((time.perf_counter() - started) * 1000, 1)
            summary.feed(chunk)
            _line(chunk)
    except AiboxError as error:
        failure = error
    if failure is None and summary.error:
        failure = AgentError(f"the agent answered with an error: {summary.error}")
    _line({"invoke": {"ok": failure is None, "session_id": session_id, "target": target,
                      "chunks": summary.chunks, "first_chunk_ms": first_ms,
                      "total_ms": round((time.perf_counter() - started) * 1000, 1),
                      "error": failure.to_dict() if failure else None}})
    if failure is not None:
        failure.result_already_emitted = True
        raise failure


def _line(obj: dict) -> None:
    from .output import mask_errors

    mask_errors(obj)  # an endpoint may echo a key into its error
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()
