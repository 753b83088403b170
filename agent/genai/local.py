"""Messages for the local test modes (``python agentcore_app.py [--stream|--server]``)."""

from __future__ import annotations

import os
from pathlib import Path

from genai.agents.models import UnknownModelError, resolve_model
from genai.model_default import default_model

_CREDENTIAL_ENV = (
    "AWS_ACCESS_KEY_ID", "AWS_PROFILE", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_WEB_IDENTITY_TOKEN_FILE",
)
OPENAI_HINT = (
    "No AWS credentials found (Bedrock models need them). To test with an OpenAI-compatible "
    "model instead: OPENAI_BASE_URL=http://127.0.0.1:11434/v1 OPENAI_API_KEY=any "
    "python agentcore_app.py --model openai/<model name>"
)


def aws_credentials_found() -> bool:
    """A cheap look for AWS credentials: env vars, else the shared credentials/config files.

    No network: instance/container roles without these markers are not seen (the hint this
    feeds can then be ignored).
    """
    if any(os.environ.get(name) for name in _CREDENTIAL_ENV):
        return True
    home = Path.home()
    files = (
        os.environ.get("AWS_SHARED_CREDENTIALS_FILE") or str(home / ".aws" / "credentials"),
        os.environ.get("AWS_CONFIG_FILE") or str(home / ".aws" / "config"),
    )
    return any(Path(f).is_file() for f in files)


def aws_credentials_hint(model_id: str | None) -> str | None:
    """The one-line hint when a Bedrock model would be used and no credentials are found."""
    try:
        provider = resolve_model(model_id or default_model(discover=False).model_id).provider
    except UnknownModelError:
        return None
    if provider != "bedrock" or aws_credentials_found():
        return None
    return OPENAI_HINT


def listening_line(host: str, port: int) -> str:
    """Where ``--server`` listens, and what it serves."""
    base = f"http://{host}:{port}"
    return (f"MyAIBOX agent listening on {base} (POST {base}/invocations, GET {base}/ping, "
            f"WebSocket ws://{host}:{port}/ws); Ctrl-C stops it")
