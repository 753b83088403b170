"""Spot and hide secret-looking values (evidence never repeats a secret)."""

from __future__ import annotations

import re

# Well-known credential shapes: AWS keys, OpenAI/Anthropic, Google API keys, GitHub/Slack
# tokens, JWTs, private keys.
SECRET_VALUE_RE = re.compile(
    r"(AKIA|ASIA)[0-9A-Z]{16}"
    r"|sk-(?:ant-|proj-)?[A-Za-z0-9_-]{16,}"
    r"|AIza[0-9A-Za-z_-]{30,}"
    r"|gh[pousr]_[A-Za-z0-9]{30,}"
    r"|xox[abposr]-[A-Za-z0-9-]{10,}"
    r"|eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}"
    r"|-----BEGIN [A-Z ]*PRIVATE KEY-----")
# name=value / name: value pairs whose name says "secret".
SECRET_PAIR_RE = re.compile(
    r"(?i)\b([\w.-]*(?:password|passwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key)"
    r"[\w.-]*)(\s*[=:]\s*|\"\s*:\s*\")([^\s\"',;]+)")
BEARER_RE = re.compile(r"(?i)\b(bearer)\s+[A-Za-z0-9._~+/=-]{8,}")
# Names that reference a secret (its id/ARN/name) rather than hold one.
SECRET_REF_NAME_RE = re.compile(r"(?i)(?:^|_)(SECRET|KEY)_(ID|ARN|NAME)$")
# IAM service prefixes whose name contains a secret word: ``secretsmanager:GetSecretValue``
# is an action, not a secret.
IAM_SERVICES = frozenset({"secretsmanager"})
MASK = "[REDACTED]"


def looks_secret(value: str) -> bool:
    """Whether ``value`` has the shape of a credential."""
    return SECRET_VALUE_RE.search(value) is not None


def redact(text: str) -> str:
    """``text`` with credential-shaped values and secret-named pair values masked."""
    text = SECRET_VALUE_RE.sub(MASK, text)
    text = BEARER_RE.sub(lambda m: f"{m.group(1)} {MASK}", text)

    def pair(match: re.Match[str]) -> str:
        if SECRET_REF_NAME_RE.search(match.group(1)) or match.group(3) == MASK:
            return match.group(0)
        if match.group(2) == ":" and (match.group(1).lower() in IAM_SERVICES
                                      or _in_arn(text, match.start())):
            return match.group(0)  # an IAM action or an ARN's parts: names, not secrets
        return f"{match.group(1)}{match.group(2)}{MASK}"

    return SECRET_PAIR_RE.sub(pair, text)


def _in_arn(text: str, start: int) -> bool:
    """Whether position ``start`` lies inside an ARN (``arn:aws:...``): its ``:``-parts are
    identifiers (``...:secret:dev_openai_api``), never credentials."""
    token = re.split(r"[\s\"'(),;=]", text[:start])[-1]
    return token.lower().startswith("arn:")
