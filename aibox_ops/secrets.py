"""``secrets``: store the agent's provider API keys in Secrets Manager, never showing them.

A value is stored as ``{"api_key": "<value>"}``, a form agent/genai/agents/keys.py reads.
Only the secret ids the agent is configured with (``Settings.secret_ids``; ``openai`` and
``gemini`` name the configured ones) can be set. The value never appears in output, errors
or logs: botocore's debug logging is held back and any log line is redacted while the
value is in flight.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from .aws.session import aws_errors
from .aws.validate import check_request
from .config import Settings
from .errors import AiboxError, ConfigError, InputError
from .provision import OWNER_TAG, SECRET_PROVIDERS, read_secret_exists

MAX_VALUE_CHARS = 60_000  # SecretString takes 65 536 bytes; leave room for the JSON wrapper


@dataclass(frozen=True)
class SecretRef:
    """A secret the agent reads: its id and, when it is a provider key, the provider."""

    secret_id: str
    provider: str | None


def resolve_secret(settings: Settings, name: str) -> SecretRef:
    """``openai``/``gemini`` -> the configured id; an id must be one the agent reads."""
    env = settings.container_env
    by_provider = {p: env[var] for var, p in SECRET_PROVIDERS.items() if env.get(var)}
    if name in by_provider:
        return SecretRef(by_provider[name], name)
    if name in settings.secret_ids:
        provider = next((p for p, sid in by_provider.items() if sid == name), None)
        return SecretRef(name, provider)
    known = ", ".join([*sorted(by_provider), *settings.secret_ids]) or "none configured"
    raise ConfigError([f"secret {name!r}: not one of the agent's secrets ({known})"],
                      hint="Secret ids come from OPENAI_SECRET_ID / GEMINI_SECRET_ID "
                           "([tool.aibox-ops] environment) or `secrets` in settings.")


def secret_string(value: str) -> str:
    """What is stored: the key wrapped as ``{"api_key": ...}`` (stripped of whitespace)."""
    key = value.strip()
    if not key:
        raise InputError(["secret value: is empty"])
    if key.startswith("{"):
        raise InputError(["secret value: looks like JSON; give the bare API key (it is "
                          'stored as {"api_key": ...})'])
    if len(key) > MAX_VALUE_CHARS:
        raise InputError([f"secret value: longer than {MAX_VALUE_CHARS} characters"])
    return json.dumps({"api_key": key})


def list_secrets(session: Any, settings: Settings) -> list[dict[str, Any]]:
    """The agent's secrets: id, provider and whether each exists (never a value)."""
    env = settings.container_env
    providers = {env[var]: p for var, p in SECRET_PROVIDERS.items() if env.get(var)}
    return [{"secret_id": sid, "provider": providers.get(sid),
             "exists": read_secret_exists(session, sid)} for sid in settings.secret_ids]


def apply_secret(session: Any, ref: SecretRef, value: str) -> dict[str, Any]:
    """Create the secret (tagged as aibox-ops') or store a new version of an existing one.
    Returns id, ARN, version id and ``created``; the value is never in the result."""
    stored = secret_string(value)
    client = session.client("secretsmanager")
    with _redacted(value, stored):
        exists = read_secret_exists(session, ref.secret_id)
        operation, params = secret_request(ref, stored, exists)
        checked_secret_request(value, operation, params)
        with aws_errors(f"{'update' if exists else 'create'} the secret {ref.secret_id}"):
            send = client.put_secret_value if exists else client.create_secret
            reply = send(**params)
    return {"secret_id": ref.secret_id, "provider": ref.provider, "arn": reply.get("ARN"),
            "version_id": reply.get("VersionId"), "created": not exists}


def secret_request(ref: SecretRef, stored: str, exists: bool) -> tuple[str, dict[str, Any]]:
    """(operation, params): a new version of an existing secret, else a tagged new one."""
    if exists:
        return "PutSecretValue", {"SecretId": ref.secret_id, "SecretString": stored}
    return "CreateSecret", {
        "Name": ref.secret_id, "SecretString": stored, "Tags": [OWNER_TAG],
        "Description": f"{ref.provider or 'API'} key for the MyAIBOX agent"}


def checked_secret_request(value: str, operation: str, params: dict[str, Any]) -> None:
    """Check the request against botocore's model; a rejection never quotes the value."""
    try:
        check_request("secretsmanager", operation, params)
    except AiboxError as error:  # a validator message may quote the value: never show it
        safe = error.message.replace(params["SecretString"], "***").replace(value, "***")
        raise InputError([f"secret value rejected by {operation}'s model: {safe}"]) from None


class _Redact(logging.Filter):
    def __init__(self, secrets: tuple[str, ...]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        if any(s in text for s in self.secrets):
            for s in self.secrets:
                text = text.replace(s, "***")
            record.msg, record.args = text, None
        return True


@contextmanager
def _redacted(*secrets: str) -> Iterator[None]:
    """botocore/urllib3 debug logs off, and every log handler redacting ``secrets``."""
    noisy = [logging.getLogger(n) for n in ("botocore", "boto3", "urllib3")]
    levels = [logger.level for logger in noisy]
    redact = _Redact(tuple(secrets) + tuple(json.dumps(s)[1:-1] for s in secrets))
    handlers = [h for logger in [logging.getLogger(), *noisy] for h in logger.handlers]
    for logger in noisy:
        logger.setLevel(max(logger.getEffectiveLevel(), logging.INFO))
    for handler in handlers:
        handler.addFilter(redact)
    try:
        yield
    finally:
        for logger, level in zip(noisy, levels, strict=True):
            logger.setLevel(level)
        for handler in handlers:
            handler.removeFilter(redact)
