"""AgentProvider: one invocation of the MyAIBOX agent, streamed as guide-shaped chunks.

Reusable outside AgentCore: give it an ``InvokeRequest`` and iterate ``stream`` (chunks)
or await ``run`` (the non-streaming body). strands is imported on first use only.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field, replace
from typing import Any

from genai.agents.chunks import DONE, START, ChunkMapper, error_chunk
from genai.agents.drive import DeadlineExceeded, drive
from genai.agents.errors import describe_error
from genai.agents.factory import build_model
from genai.agents.history import build_conversation
from genai.agents.keys import MissingKeyError
from genai.agents.models import (
    ModelChoice,
    UnknownModelError,
    is_streaming_tools_refusal,
    resolve_model,
)
from genai.agents.provider_errors import (
    Endpoint,
    describe_provider_failure,
    describe_stop,
    endpoint_for,
    throttled_timeout,
)
from genai.config import AgentEnv, Limits, model_read_timeout
from genai.output import scrub_text
from genai.request import InvokeRequest
from genai.store.local_sessions import open_session_store
from genai.store.sessions import SessionStore
from genai.store.settings import AgentSettings, SettingsStore
from genai.tools.attachments import STATE_KEY, Attachments
from genai.tools.catalog import load_tool, select_tools

log = logging.getLogger(__name__)
ModelBuilder = Callable[[ModelChoice, AgentEnv], Any]


@dataclass
class _Plan:
    """Everything resolved before the model is called."""

    choice: ModelChoice
    system_prompt: str
    messages: list[dict[str, Any]]
    prompt: str
    tool_names: list[str]
    tools: list[Any] = field(default_factory=list)
    mcp_clients: list[Any] = field(default_factory=list)
    mcp_errors: list[dict[str, str]] = field(default_factory=list)
    deadline: float = 0.0  # time.monotonic() by which the invocation must end
    max_cycles: int = 25  # model-tool cycles allowed (request's max_cycles, else the default)
    retry: Any = None  # the run's DeadlineRetry (throttling back-off and count)


class AgentProvider:
    """Runs the agent for validated requests; never raises to its caller."""

    def __init__(
        self,
        *,
        env: AgentEnv | None = None,
        limits: Limits | None = None,
        settings: SettingsStore | None = None,
        sessions: SessionStore | None = None,
        model_builder: ModelBuilder = build_model,
    ) -> None:
        self.env = env or AgentEnv.from_env()
        self.limits = limits or Limits.from_env()
        self.settings = settings or SettingsStore(
            self.env.setting_table, self.env.settings_ttl_seconds, region=self.env.region
        )
        self.sessions = sessions or open_session_store(
            self.env.session_table, self.env.session_max_turns, self.env.session_ttl_days,
            region=self.env.region,
        )
        self.model_builder = model_builder

    async def _plan(self, request: InvokeRequest, session_id: str | None) -> _Plan:
        settings: AgentSettings = await asyncio.to_thread(self.settings.get)
        choice = resolve_model(request.model_id or settings.default_model_id)
        tool_config = replace(settings.tool_config, **request.tool_config)
        names = select_tools(
            tool_config.enabled, list(tool_config.legacy_tools), tool_config.strands_tools_enabled
        )
        use_mcp = tool_config.enabled and tool_config.mcp_tools_enabled and settings.mcp_servers
        choice = choice.for_tools(bool(names or use_mcp))
        if not choice.tools_allowed:
            names, use_mcp = [], False
        history = request.history
        if history is None and session_id:
            history = await asyncio.to_thread(self.sessions.load, session_id)
        messages, prompt = build_conversation(history or [], request.prompt)
        plan = _Plan(
            choice=choice,
            system_prompt=request.system_prompt or settings.system_prompt,
            messages=messages,
            prompt=prompt,
            tool_names=names,
            max_cycles=request.max_cycles or self.limits.max_cycles,
        )
        if names:
            plan.tools = await asyncio.to_thread(lambda: [load_tool(n) for n in names])
        if use_mcp:
            from genai.tools.mcp import start_mcp_clients

            plan.mcp_clients, plan.mcp_errors = await start_mcp_clients(settings.mcp_servers)
        return plan

    def _agent(self, plan: _Plan) -> Any:
        """Build the strands Agent. Blocking (first strands import, API-key lookup in Secrets
        Manager, boto client creation, MCP start-up): call it through ``asyncio.to_thread``.
        """
        from strands import Agent

        from genai.agents.retry import DeadlineRetry

        plan.retry = DeadlineRetry(plan.deadline)
        return Agent(
            model=self.model_builder(plan.choice, self.env),
            retry_strategy=plan.retry,
            tools=[*plan.tools, *plan.mcp_clients],
            system_prompt=plan.system_prompt,
            messages=[dict(m) for m in plan.messages],
            callback_handler=None,
            name="myaibox",
        )

    async def stream(
        self, request: InvokeRequest, session_id: str | None = None
    ) -> AsyncIterator[dict[str, Any]]:
        """Chunks for one invocation; the last is always DONE or an error chunk."""
        started = time.perf_counter()
        deadline = time.monotonic() + self.limits.timeout_seconds
        try:
            plan = await self._plan(request, session_id)
            plan.deadline = deadline
        except (UnknownModelError, MissingKeyError) as exc:
            yield error_chunk(str(exc))
            return
        except Exception as exc:
            log.exception("Request preparation failed")
            yield error_chunk(describe_error(exc))
            return

        attachments = Attachments()
        mapper = ChunkMapper(attachments.pop)
        texts: list[str] = []
        error: str | None = None
        cause = ""
        emitted = 0
        timeout = self.limits.timeout_seconds
        for attempt in (1, 2):
            try:
                agent = await asyncio.to_thread(self._agent, plan)
            except Exception as exc:
                if plan.mcp_clients:
                    await asyncio.to_thread(_stop_mcp, plan.mcp_clients)
                if isinstance(exc, MissingKeyError):
                    yield error_chunk(str(exc))
                else:
                    log.exception("Model setup failed")
                    yield error_chunk(describe_error(exc))
                return
            if attempt == 1:
                # The guide's streams open with one empty text chunk; clients rely on it.
                yield dict(START)
            state = {STATE_KEY: attachments}
            try:
                async for chunk in drive(agent, plan.prompt, state, mapper, timeout,
                                         plan.max_cycles):
                    emitted += 1
                    if "text" in chunk:
                        texts.append(chunk["text"])
                    yield chunk
                error = describe_stop(
                    mapper.stop_reason or "",
                    endpoint_for(plan.choice.provider, self.env.bedrock_region),
                    plan.max_cycles)
                if error is not None:
                    log.warning("Agent run failed: %s", error)
            except DeadlineExceeded:
                error, cause = _failure(mapper, None, timeout, plan, self.env.bedrock_region)
                log.warning("Agent run failed: %s", error)
            except Exception as exc:
                if attempt == 1 and emitted == 0 and is_streaming_tools_refusal(exc):
                    plan.choice = replace(
                        plan.choice, streaming=False, fallback="non_streaming_model_calls"
                    )
                    log.info("Model %s refused streaming tools; retrying", plan.choice.model_id)
                    continue
                error, cause = _failure(mapper, exc, timeout, plan, self.env.bedrock_region)
                log.warning("Agent run failed: %s", error)
            finally:
                try:
                    await asyncio.to_thread(agent.cleanup)
                except Exception:  # cleanup of MCP clients must not mask the answer
                    log.warning("Agent cleanup failed", exc_info=True)
            break

        if error is not None:
            # Every call announced running ends with a terminal event before the error chunk.
            for chunk in mapper.abort_in_flight(cause):
                yield chunk
        metadata = {
            **plan.choice.metadata(),
            **mapper.metadata(),
            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            "tools": plan.tool_names,
            "history_kept": bool(session_id and self.sessions.enabled),
        }
        if plan.mcp_errors:
            metadata["mcp_errors"] = plan.mcp_errors
        yield {"metadata": metadata}
        if error is not None:
            yield error_chunk(error)
            return
        if session_id and self.sessions.enabled:
            await asyncio.to_thread(
                self.sessions.append, session_id, request.prompt, scrub_text("".join(texts)),
                plan.choice.requested_id,
            )
        yield dict(DONE)

    async def run(self, request: InvokeRequest, session_id: str | None = None) -> dict[str, Any]:
        """The guide's non-streaming body, built from the same chunks as ``stream``."""
        return await collect(self.stream(request, session_id))


def _failure(
    mapper: ChunkMapper, exc: Exception | None, timeout: float, plan: _Plan, bedrock_region: str
) -> tuple[str, str]:
    """(final error text, per-tool error text) for a run that failed or hit the deadline.

    With tool calls still running the text names them rather than blaming the model provider;
    otherwise a recognised provider failure names the provider, its host and what happened.
    """
    running = mapper.in_flight()
    endpoint: Endpoint = endpoint_for(plan.choice.provider, bedrock_region)
    throttled = getattr(plan.retry, "throttled_attempts", 0)
    if exc is None:
        cause = f"the request timed out after {timeout:g} seconds before this tool finished"
        if not running:
            if throttled:
                return throttled_timeout(endpoint, timeout, throttled), cause
            return f"Model provider timed out after {timeout:g} seconds", cause
        return f"Timed out after {timeout:g} seconds while {_tools(running)} running", cause
    known = None if running else describe_provider_failure(
        exc, endpoint, throttled, getattr(plan.retry, "refused_retry_after", None),
        model_read_timeout())
    detail = known or describe_error(exc, provider_label="AWS" if running else "Model provider")
    cause = f"the request failed before this tool finished ({detail})"
    if not running:
        return detail, cause
    return f"{detail} (while {_tools(running)} running)", cause


def _tools(running: list[tuple[str, str]]) -> str:
    names = ", ".join(f"{name!r} ({tool_use_id})" for tool_use_id, name in running)
    return f"tool {names} was" if len(running) == 1 else f"tools {names} were"


def _stop_mcp(clients: list[Any]) -> None:
    """Stop MCP clients an Agent never took over (its cleanup stops the others)."""
    for client in clients:
        try:
            client.stop(None, None, None)
        except Exception:
            log.warning("MCP client stop failed", exc_info=True)


async def collect(chunks: AsyncIterator[dict[str, Any]]) -> dict[str, Any]:
    """Fold a chunk stream into ``{response, tool_calls, metadata, status[, error]}``."""
    texts: list[str] = []
    calls: dict[str, dict[str, Any]] = {}
    metadata: dict[str, Any] = {}
    error: str | None = None
    async for chunk in chunks:
        if "text" in chunk:
            texts.append(chunk["text"])
        elif "tool_use" in chunk:
            use = chunk["tool_use"]
            calls[use["tool_use_id"]] = {
                "name": use["name"],
                "params": use["params"],
                "status": use["status"],
                "result": use["result"],
            }
        elif "metadata" in chunk:
            metadata = chunk["metadata"]
        elif chunk.get("status") == "error":
            error = chunk["error"]
    return response_body("".join(texts), list(calls.values()), metadata, error)


def response_body(
    response: str = "",
    tool_calls: list[dict[str, Any]] | None = None,
    metadata: dict[str, Any] | None = None,
    error: str | None = None,
) -> dict[str, Any]:
    """The guide's non-streaming body; ``status`` is ``error`` (with ``error``) on failure."""
    body: dict[str, Any] = {
        "response": response,
        "tool_calls": tool_calls or [],
        "metadata": metadata or {},
        "status": "error" if error is not None else "success",
    }
    if error is not None:
        body["error"] = error
    return body

