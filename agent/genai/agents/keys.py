"""Provider API keys: environment first, then Secrets Manager; cached, never logged."""

from __future__ import annotations

import json
import logging
import os
import threading
import time

from genai import aws
from genai.redact import register_secret

log = logging.getLogger(__name__)


class MissingKeyError(RuntimeError):
    """No API key could be found for a provider (the guide's troubleshooting case 5)."""


class MalformedKeyError(MissingKeyError):
    """A key with whitespace or control characters inside: no HTTP header can carry it."""


_LABELS = {"openai": "OpenAI", "gemini": "Gemini"}
_ENV = {
    "openai": ("OPENAI_API_KEY", "OPENAI_SECRET_ID"),
    "gemini": ("GEMINI_API_KEY", "GEMINI_SECRET_ID"),
}
# A secret that could not be read is not asked for again for this long, so a missing key
# does not cost every request a Secrets Manager round trip (and a log line).
MISSING_KEY_TTL_SECONDS = 60.0
_cache: dict[tuple[str, str], str] = {}
_missing: dict[tuple[str, str], float] = {}
_lock = threading.Lock()
_clock = time.monotonic


def _key_from_secret_string(secret: str, provider: str) -> str:
    """A secret holds the bare key or a JSON object with the key in a well-known field."""
    text = secret.strip()
    if not text.startswith("{"):
        return text
    try:
        data = json.loads(text)
    except ValueError:
        return text
    for name in ("api_key", "apiKey", "key", _ENV[provider][0]):
        if isinstance(data.get(name), str):
            return data[name].strip()
    values = [v for v in data.values() if isinstance(v, str)]
    return values[0].strip() if len(values) == 1 else ""


def checked_key(key: str, provider: str, source: str) -> str:
    """``key`` (registered for redaction); MalformedKeyError if it has whitespace inside.

    Such a key otherwise fails as an illegal HTTP header, which the OpenAI SDK reports only
    as "Connection error.".
    """
    register_secret(key)
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in key):
        raise MalformedKeyError(
            f"{_LABELS[provider]} API key from {source} contains whitespace or a control "
            "character (a line break?); store the key alone on one line"
        )
    return key


def read_secret_key(secret_id: str, provider: str, region: str | None = None) -> str:
    """Fetch and parse one secret (secretsmanager:GetSecretValue); '' when unusable."""
    try:
        response = aws.client("secretsmanager", region).get_secret_value(SecretId=secret_id)
    except Exception as exc:  # AccessDenied, ResourceNotFound, no credentials, network
        log.warning(
            "%s API key: cannot read secret %r (%s)", _LABELS[provider], secret_id,
            aws.error_code(exc),
        )
        return ""
    return _key_from_secret_string(response.get("SecretString") or "", provider)


def api_key(provider: str, region: str | None = None) -> str:
    """The API key for ``openai`` or ``gemini``; raises MissingKeyError with the guide's text."""
    env_name, secret_env = _ENV[provider]
    direct = os.environ.get(env_name, "").strip()
    if direct:
        return checked_key(direct, provider, env_name)
    secret_id = os.environ.get(secret_env, "").strip()
    if secret_id:
        cache_key = (provider, secret_id)
        with _lock:
            cached = _cache.get(cache_key)
            missing_until = _missing.get(cache_key, 0.0)
        if cached:
            return checked_key(cached, provider, f"secret {secret_id!r}")
        if _clock() >= missing_until:
            key = read_secret_key(secret_id, provider, region)
            with _lock:
                if key:
                    _cache[cache_key] = key
                    _missing.pop(cache_key, None)
                else:
                    _missing[cache_key] = _clock() + MISSING_KEY_TTL_SECONDS
            if key:
                return checked_key(key, provider, f"secret {secret_id!r}")
    raise MissingKeyError(f"{_LABELS[provider]} API key not configured")


def clear_cache() -> None:
    """Forget cached keys and misses (tests, or after a secret rotation)."""
    with _lock:
        _cache.clear()
        _missing.clear()
