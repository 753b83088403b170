"""The model a request gets when it names none, chosen from what this environment configures.

First match wins:

1. ``DEFAULT_MODEL_ID``: that model id (for clients that send only ``{"prompt"}``).
2. ``OPENAI_BASE_URL`` (an OpenAI-compatible server, e.g. a local one): the first model the
   server lists at ``GET {OPENAI_BASE_URL}/models`` (asked once per process), else
   ``gpt-4.1-mini`` when it lists none.
3. ``OPENAI_API_KEY``: ``gpt-4.1-mini``.
4. ``GEMINI_API_KEY``: ``gemini-2.5-flash``.
5. Otherwise Bedrock's ``global.anthropic.claude-sonnet-4-6`` (AWS credentials, or nothing
   configured at all: then a failed call says in one line what to set, ``NOTHING_CONFIGURED``).

A ``default_model_id`` in the settings table still wins over all of these (store/settings.py).
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass

from genai.config import DEFAULT_MODEL_ID

log = logging.getLogger(__name__)
ENV_VAR = "DEFAULT_MODEL_ID"
OPENAI_DEFAULT = "gpt-4.1-mini"
GEMINI_DEFAULT = "gemini-2.5-flash"
DISCOVERY_TIMEOUT = 3.0
NOTHING_CONFIGURED = (
    "no model is configured: set OPENAI_API_KEY (or OPENAI_BASE_URL for an OpenAI-compatible "
    "server), GEMINI_API_KEY, or AWS credentials for Bedrock (AWS_PROFILE); "
    "DEFAULT_MODEL_ID picks the model"
)
_listed: dict[str, str] = {}  # OPENAI_BASE_URL -> the first model it lists
_lock = threading.Lock()


@dataclass(frozen=True)
class DefaultModel:
    """The default model id and the setting it came from."""

    model_id: str
    source: str  # DEFAULT_MODEL_ID | OPENAI_BASE_URL | OPENAI_API_KEY | GEMINI_API_KEY | bedrock

    def to_dict(self) -> dict[str, str]:
        """Plain data (the health action reports it)."""
        return {"model_id": self.model_id, "source": self.source}


def default_model(environ: Mapping[str, str] | None = None, discover: bool = True
                  ) -> DefaultModel:
    """The default model for this environment (see the module docstring).

    ``discover=False`` never asks an OpenAI-compatible server for its models (the health
    action must stay free of I/O): the model id is then the one already learnt, else
    ``openai/?`` (not yet known)."""
    env = os.environ if environ is None else environ
    explicit = env.get(ENV_VAR, "").strip()
    if explicit:
        return DefaultModel(explicit, ENV_VAR)
    base_url = env.get("OPENAI_BASE_URL", "").strip()
    if base_url:
        name = _listed.get(base_url)
        if name is None and discover:
            name = _first_listed_model(base_url, env.get("OPENAI_API_KEY", "").strip())
            name = name or OPENAI_DEFAULT
        return DefaultModel(f"openai/{name or '?'}", "OPENAI_BASE_URL")
    if env.get("OPENAI_API_KEY", "").strip():
        return DefaultModel(OPENAI_DEFAULT, "OPENAI_API_KEY")
    if env.get("GEMINI_API_KEY", "").strip():
        return DefaultModel(GEMINI_DEFAULT, "GEMINI_API_KEY")
    return DefaultModel(DEFAULT_MODEL_ID, "bedrock")


def describe_default(environ: Mapping[str, str] | None = None) -> dict[str, object]:
    """``{"model_id", "source", "configured"}`` without any I/O beyond looking for AWS
    credential files (for the health action: what a prompt without ``model_id`` gets)."""
    configured = not nothing_configured(environ)
    described: dict[str, object] = {**default_model(environ, discover=False).to_dict(),
                                    "configured": configured}
    if not configured:
        described["hint"] = NOTHING_CONFIGURED
    return described


def default_model_id() -> str:
    """Just the id of ``default_model()``."""
    return default_model().model_id


def nothing_configured(environ: Mapping[str, str] | None = None) -> bool:
    """True when no model setting and no AWS credential marker is present."""
    from genai.local import aws_credentials_found

    return default_model(environ, discover=False).source == "bedrock" and \
        not aws_credentials_found()


def reset() -> None:
    """Forget the models learnt from OPENAI_BASE_URL servers (tests)."""
    with _lock:
        _listed.clear()


def _first_listed_model(base_url: str, api_key: str) -> str | None:
    """The first id of ``GET {base_url}/models`` (remembered on success), else None."""
    import urllib.request  # only here: the health action imports this module

    with _lock:
        if base_url in _listed:
            return _listed[base_url]
        request = urllib.request.Request(
            base_url.rstrip("/") + "/models",
            headers={"Authorization": f"Bearer {api_key or 'none'}",
                     "Accept": "application/json"})
        try:  # the operator's own OPENAI_BASE_URL, not a user-supplied address
            with urllib.request.urlopen(request, timeout=DISCOVERY_TIMEOUT) as response:
                listed = json.loads(response.read(1_000_000)).get("data") or []
            name = next(str(m["id"]) for m in listed if isinstance(m, dict) and m.get("id"))
        except Exception as exc:  # unreachable, not JSON, an empty list: the fallback
            log.warning("Default model: %s/models listed no model (%s); using %s",
                        base_url.rstrip("/"), type(exc).__name__, OPENAI_DEFAULT)
            return None
        _listed[base_url] = name
        log.info("Default model: openai/%s (the first model %s lists)", name, base_url)
        return name
