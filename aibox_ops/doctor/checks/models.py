"""``model-streaming-tools``: a default model that cannot call tools while streaming fails
every streamed request that uses tools ("doesn't support tool use in streaming mode")."""

from __future__ import annotations

import ast
import re

from ...pysource import parse_python
from ..context import DoctorContext
from ..dockerfile import env_values
from ..model import Finding, failed, passed, warned
from .container import load_instructions

# Bedrock's "supported models and model features" table, by model id prefix (after the
# cross-region prefix): True = tool use while streaming works.
STREAMING_TOOLS: tuple[tuple[str, bool], ...] = (
    ("anthropic.claude-3", True), ("anthropic.claude-sonnet-4", True),
    ("anthropic.claude-opus-4", True), ("anthropic.claude-haiku-4", True),
    ("anthropic.claude-v2", False), ("anthropic.claude-instant", False),
    ("amazon.nova-pro", True), ("amazon.nova-lite", True), ("amazon.nova-micro", True),
    ("amazon.nova-premier", True), ("amazon.nova-2", True),
    ("amazon.titan-text", False), ("amazon.titan-tg1", False),
    ("cohere.command-r", True), ("cohere.command-text", False),
    ("cohere.command-light", False),
    ("mistral.mistral-large", True), ("mistral.pixtral-large", True),
    ("mistral.mistral-7b", False), ("mistral.mixtral", False), ("mistral.mistral-small", False),
    ("meta.llama", False), ("ai21.j2", False), ("deepseek.r1", False),
    # Other providers the agent supports (OpenAI, Gemini) stream tool calls.
    ("gpt-", True), ("o1", True), ("o3", True), ("o4", True), ("gemini-", True),
)
GEO_PREFIX = re.compile(r"^(?:global|us|eu|apac|ap|jp|au|ca|us-gov)\.")
MODEL_ID_RE = re.compile(r"^(?:[a-z-]+\.)?[a-z0-9-]+\.[a-z0-9][\w.:-]*$|^(?:gpt-|gemini-)[\w.-]+$")
SKIP_NAMES = ("IMAGE", "EMBED", "CANVAS")


def supports_streaming_tools(model_id: str) -> bool | None:
    """True/False from the table; None when the model is unknown."""
    bare = GEO_PREFIX.sub("", model_id.strip())
    for prefix, ok in STREAMING_TOOLS:
        if bare.startswith(prefix):
            return ok
    return None


def configured_models(ctx: DoctorContext) -> list[tuple[str, str]]:
    """(where, model id): the container env's *MODEL_ID* variables, the Dockerfile's ``ENV``
    ones, and module-level ``*MODEL*`` string constants in the agent code (image/embedding
    models left out)."""
    out: list[tuple[str, str]] = []

    def model_var(name: str) -> bool:
        return "MODEL" in name and not any(s in name for s in SKIP_NAMES)

    if ctx.settings is not None and ctx.settings.adopted:  # detected: the Dockerfile's below
        for name, value in ctx.settings.container_env.items():
            if model_var(name):
                out.append((f"config environment {name}", value))
    parsed = load_instructions(ctx)
    if parsed is not None:  # the image's own ENV (the guide's Dockerfile sets models there)
        relpath, instructions = parsed
        for name, (value, line) in env_values(instructions).items():
            if model_var(name) and (f"config environment {name}", value) not in out:
                out.append((f"{relpath}:{line} ENV {name}", value))
    settings = ctx.agent_settings()
    entry = ctx.entrypoint()
    if entry is None:
        return out
    base = settings.agent_dir if settings else (ctx.root / entry).parent
    skip = {"tests", ".venv", "venv", ".git", ".aibox-ops"}  # .aibox-ops: earlier staging
    files = sorted(p for p in base.rglob("*.py")
                   if not skip.intersection(p.relative_to(base).parts))
    for path in files[:400]:
        try:
            tree = parse_python(path.read_text(encoding="utf-8"))
        except (OSError, SyntaxError, UnicodeDecodeError):
            continue
        for node in tree.body:
            if not (isinstance(node, ast.Assign | ast.AnnAssign)
                    and isinstance(node.value, ast.Constant)
                    and isinstance(node.value.value, str)):
                continue
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                name = target.id if isinstance(target, ast.Name) else ""
                value = node.value.value
                if ("MODEL" in name.upper() and not any(s in name.upper() for s in SKIP_NAMES)
                        and MODEL_ID_RE.match(value)):
                    rel = path.relative_to(ctx.root).as_posix()
                    out.append((f"{rel}:{node.lineno} {name}", value))
    return out


def detect_model_streaming_tools(ctx: DoctorContext) -> Finding:
    """Fail when a configured default model cannot use tools while streaming."""
    models = configured_models(ctx)
    if not models:
        return passed("no model id in the config or the agent code: Strands' default "
                      "BedrockModel (Claude Sonnet) streams tool use")
    bad = [f"{where} = {model}" for where, model in models
           if supports_streaming_tools(model) is False]
    unknown = [f"{where} = {model}" for where, model in models
               if supports_streaming_tools(model) is None]
    if bad:
        return failed(f"{len(bad)} default model(s) cannot use tools while streaming", bad)
    if unknown:
        return warned("cannot tell whether these models use tools while streaming", unknown,
                      fix="Check the model in Bedrock's model-features table, or use a "
                          "Claude 3+/Nova model.")
    names = sorted({model for _, model in models})
    return passed(f"default model(s) support tool use while streaming: {', '.join(names)}")
