"""Tool worker ("zygote") process: runs tools that can burn unbounded CPU or memory.

Started by ``genai.tools.sandbox`` as ``python -m genai.tools.sandbox_worker
name=module:attr...``; it imports the tool modules once (sympy: ~2 s) and then forks
one child per call, so a call costs a fork (milliseconds), not an interpreter start.
Protocol on stdin/stdout, one JSON object per line: first ``{"ready": true, "specs":
{name: tool_spec}}``; then each request ``{"tool": name, "tool_use": {...}, "limits":
[timeout_s, cpu_s, memory_mb]}`` gets ``{"pid": N}`` (the child, so the server can kill
it on cancel) and then ``{"result": ToolResult}``.

Limits are the kernel's, so they hold even inside one long C call (``9**9**9**9`` never
returns to the interpreter): in the child RLIMIT_CPU gives SIGXCPU at the CPU budget (and
SIGKILL a second later), RLIMIT_AS makes allocations past the memory cap fail (MemoryError),
and this process kills the child at the wall-clock timeout. Every outcome is a ToolResult;
the worker itself never runs tool code and survives every call.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import importlib
import inspect
import json
import math
import os
import resource
import select
import signal
import sys
import time
import warnings
from typing import Any

_MEMORY_ERRORS: list[int] = []  # one entry per MemoryError seen during the current call


def _load(target: str) -> Any:
    module_name, attribute = target.split(":")
    module = importlib.import_module(module_name)
    _watch_memory_errors(module)
    return getattr(module, attribute)


def _watch_memory_errors(module: Any) -> None:
    """Wrap the module's own functions so a MemoryError is noticed even when the tool turns
    it into a vague error of its own (the calculator answers "Invalid mathematical
    expression: " with an empty detail): the wrapper sees it, or an exception chained to it,
    pass through."""
    for name, value in list(vars(module).items()):
        if inspect.isfunction(value) and value.__module__ == module.__name__:
            setattr(module, name, _noting_memory_errors(value))


def _from_memory_error(exc: BaseException | None) -> bool:
    """True if ``exc`` is a MemoryError or was raised while handling one."""
    seen = 0
    while exc is not None and seen < 20:
        if isinstance(exc, MemoryError):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


def _noting_memory_errors(function: Any) -> Any:
    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except BaseException as exc:  # noted, then raised unchanged
            if _from_memory_error(exc):
                _MEMORY_ERRORS.append(1)
            raise

    return wrapper


async def _run(tool: Any, tool_use: dict[str, Any]) -> dict[str, Any]:
    result: Any = None
    async for event in tool.stream(tool_use, {}):
        result = event
    if isinstance(result, dict) and "tool_result" in result:
        result = result["tool_result"]
    return dict(result)


def _error(tool_use: dict[str, Any], text: str) -> dict[str, Any]:
    return {"toolUseId": tool_use.get("toolUseId", ""), "status": "error",
            "content": [{"text": text}]}


def _call_in_child(tool: Any, name: str, tool_use: dict[str, Any], memory_mb: int,
                   write_fd: int) -> None:
    """In the forked child: apply the limits, run the call, write the result, exit."""
    try:
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        resource.setrlimit(resource.RLIMIT_AS, (memory_mb * 1024 * 1024, hard))
        _MEMORY_ERRORS.clear()
        try:
            result = asyncio.run(_run(tool, tool_use))
        except MemoryError:
            _MEMORY_ERRORS.append(1)
        except Exception as exc:  # a tool bug: report it
            result = _error(tool_use, f"Error: {type(exc).__name__}: {exc}")
        if _MEMORY_ERRORS:
            result = _error(tool_use, f"Error: {name} exceeded its memory limit ({memory_mb} MB)")
        try:
            data = json.dumps(result, ensure_ascii=True).encode()
        except (TypeError, ValueError):
            fallback = _error(tool_use, "Error: the tool returned a non-JSON result")
            data = json.dumps(fallback).encode()
        view = memoryview(data)
        while view:
            view = view[os.write(write_fd, view):]
    finally:
        os._exit(0)


def _collect(pid: int, read_fd: int, timeout: float) -> tuple[bytes, int, bool]:
    """(output, wait status, timed out) of child ``pid``; killed at the deadline."""
    deadline = time.monotonic() + timeout
    output = bytearray()
    timed_out = False
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            timed_out = True
            break
        ready, _, _ = select.select([read_fd], [], [], left)
        if not ready:
            continue
        data = os.read(read_fd, 65536)
        if not data:
            break
        output += data
    if timed_out:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    os.close(read_fd)
    return bytes(output), status, timed_out


def _outcome(name: str, tool_use: dict[str, Any], limits: tuple[float, float, int],
             output: bytes, status: int, timed_out: bool) -> dict[str, Any]:
    timeout, cpu_seconds, _ = limits
    if timed_out:
        return _error(tool_use, f"Error: {name} did not finish within its time limit "
                                f"({timeout:g} s) and was stopped")
    if os.WIFSIGNALED(status):
        if os.WTERMSIG(status) == signal.SIGXCPU:
            return _error(tool_use, f"Error: {name} exceeded its CPU time limit "
                                    f"({cpu_seconds:g} s) and was stopped")
        return _error(tool_use, f"Error: {name} was stopped (signal {os.WTERMSIG(status)})")
    try:
        return json.loads(output)
    except ValueError:
        return _error(tool_use, f"Error: {name} ended without a result")


def main(argv: list[str]) -> None:
    """Serve tool calls on stdin/stdout until stdin closes; each call in a forked child."""
    targets = argv
    warnings.simplefilter("ignore")
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    # The protocol gets its own descriptor; fd 1 goes to /dev/null so a tool printing
    # (the calculator renders rich panels) cannot corrupt it.
    protocol = os.fdopen(os.dup(1), "w", encoding="utf-8")
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - lives as long as the process
    tools = {}
    for entry in targets:
        name, target = entry.split("=", 1)
        tools[name] = _load(target)

    def say(message: dict[str, Any]) -> None:
        protocol.write(json.dumps(message, ensure_ascii=True) + "\n")
        protocol.flush()

    say({"ready": True, "specs": {name: tool.tool_spec for name, tool in tools.items()}})
    for line in sys.stdin:
        request = json.loads(line)
        name, tool_use = request["tool"], request["tool_use"]
        timeout, cpu_seconds, memory_mb = request["limits"]
        cpu_soft = max(1, math.ceil(cpu_seconds))
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: a fresh CPU-time count, its own memory cap
            os.close(read_fd)
            resource.setrlimit(resource.RLIMIT_CPU, (cpu_soft, cpu_soft + 1))
            _call_in_child(tools[name], name, tool_use, memory_mb, write_fd)
        os.close(write_fd)
        say({"pid": pid})
        output, status, timed_out = _collect(pid, read_fd, timeout)
        say({"result": _outcome(name, tool_use, (timeout, cpu_seconds, memory_mb), output,
                                status, timed_out)})


if __name__ == "__main__":
    main(sys.argv[1:])
