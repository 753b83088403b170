"""Validate merged raw settings into a ``Settings`` object, reporting every problem at once."""

from __future__ import annotations

import dataclasses
import re
import typing
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from types import NoneType, UnionType
from typing import Any

from ..errors import ConfigError
from .model import (
    DEPLOYMENT_TYPES,
    IMAGE_FIXED_ENV,
    MEMORY_MODES,
    Authorizer,
    Lifecycle,
    Settings,
    Warm,
)
from .sources import KeyPath, RawValue

AGENT_NAME_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9_]{0,47}$")
REGION_RE = re.compile(r"^(us|eu|ap|sa|ca|me|af|il|mx|cn|us-gov)-[a-z]+-\d{1,2}$")
ENV_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# Names that would put a secret's value into the image. References to a secret (its id, ARN
# or name in Secrets Manager) are fine: that is how the agent is meant to get its keys.
SECRET_WORD_RE = re.compile(
    r"(^|_)(KEY|PASS|PASSWD|PASSWORD|SECRET|TOKEN|CREDENTIALS?|PRIVATE)(_|$)")
SECRET_REF_RE = re.compile(r"_SECRET_(ID|ARN|NAME)$")
TABLE_RE = re.compile(r"^[a-zA-Z0-9_.-]{3,255}$")
# A secret's name, or its full ARN (fix-iam grants a full ARN exactly as given).
SECRET_ID_RE = re.compile(r"^([A-Za-z0-9/_+=.@-]{1,512}|arn:aws[a-z-]*:secretsmanager:"
                          r"[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]{1,512})$")
PYTHON_RE = re.compile(r"^3\.\d{1,2}$")
VERSION_RE = re.compile(r"^\d+(\.\d+){0,3}$")
# Paths end up in Dockerfile instructions: keep them to characters that need no quoting.
SAFE_PATH_RE = re.compile(r"^[A-Za-z0-9._/-]+$")
RUNTIME_SERVICE = "bedrock-agentcore-control"
SECTIONS: dict[str, type] = {"authorizer": Authorizer, "lifecycle": Lifecycle, "warm": Warm}
# Fields that are not user-settable from pyproject/env (they come from the loader).
INTERNAL_FIELDS = {"project_dir", "source", "adopted"}
DICT_FIELDS = {"environment"}


def build_settings(project_dir: Path, source: str, raw: dict[KeyPath, RawValue],
                   default_origin: str = "default", adopted: bool = True) -> Settings:
    """Coerce types, check every value and cross-field rule; raise one ConfigError listing all.

    ``default_origin`` labels problems with values nobody set (it names the table to set
    them in); ``adopted`` is False when the values were detected (no [tool.aibox-ops])."""
    problems: list[str] = []
    top: dict[str, Any] = {}
    sections: dict[str, dict[str, Any]] = {name: {} for name in SECTIONS}
    environment: dict[str, str] = {}
    for path, item in raw.items():
        dotted = ".".join(path)
        try:
            if path[0] in DICT_FIELDS:
                if len(path) != 2:
                    raise ValueError("must be a table of NAME = \"value\" strings")
                environment[path[1]] = _coerce_env_value(item.value)
            elif path[0] in SECTIONS:
                if len(path) == 1:
                    raise ValueError(
                        f"= {item.value!r} must be a table ([tool.aibox-ops.{path[0]}])")
                if len(path) != 2:
                    raise ValueError(f"[{path[0]}] takes plain keys, not sub-tables")
                hints = _hints(SECTIONS[path[0]])
                if path[1] not in hints:
                    raise KeyError(path[1])
                sections[path[0]][path[1]] = _coerce(item, hints[path[1]])
            else:
                hints = _hints(Settings)
                if len(path) != 1 or path[0] not in hints or path[0] in INTERNAL_FIELDS:
                    raise KeyError(dotted)
                top[path[0]] = _coerce(item, hints[path[0]])
        except KeyError:
            problems.append(f"{item.origin}: unknown key '{dotted}'{_suggest(path)}")
        except (TypeError, ValueError) as exc:
            problems.append(f"{item.origin}: '{dotted}' {exc}")
    # Values that failed above keep their defaults so the rules below can still report
    # every other bad field in the same message.
    origin = {".".join(p): v.origin for p, v in raw.items()}
    settings = Settings(
        project_dir=project_dir,
        source=source,
        adopted=adopted,
        environment=environment,
        authorizer=Authorizer(**sections["authorizer"]),
        lifecycle=Lifecycle(**sections["lifecycle"]),
        warm=Warm(**sections["warm"]),
        **top,
    )
    problems.extend(check_settings(settings, origin, default_origin))
    if problems:
        raise ConfigError(problems)
    return settings


def check_settings(s: Settings, origin: dict[str, str],
                   default_origin: str = "default") -> list[str]:
    """Value and cross-field rules; each problem names the field and where it was set."""
    out: list[str] = []
    reported: set[str] = set()

    def bad(key: str, message: str) -> None:
        reported.add(key)
        out.append(f"{origin.get(key, default_origin)}: '{key}' {message}")

    if not AGENT_NAME_RE.fullmatch(s.agent_name):
        why = " (hyphens are not allowed; use underscores)" if "-" in s.agent_name else ""
        bad("agent_name", f"= {s.agent_name!r} must match [a-zA-Z][a-zA-Z0-9_]{{0,47}}{why}")
    for key, service in (("region", RUNTIME_SERVICE), ("bedrock_region", "bedrock-runtime")):
        value = getattr(s, key)
        if not REGION_RE.fullmatch(value):
            bad(key, f"= {value!r} is not an AWS region (e.g. ap-southeast-1)")
        elif value not in known_regions(service, value):
            bad(key, f"= {value!r} is not a region where botocore knows a {service} "
                "endpoint (e.g. ap-southeast-1, us-west-2)")
    if not PYTHON_RE.fullmatch(s.python_version):
        bad("python_version", f"= {s.python_version!r} must look like 3.12")
    well_formed = True
    for key in ("entrypoint", "requirements_file"):
        value = PurePosixPath(getattr(s, key))
        if value.is_absolute() or ".." in value.parts or not value.parts:
            bad(key, f"= {str(value)!r} must be a relative path inside the project")
            well_formed = False
        elif not SAFE_PATH_RE.fullmatch(str(value)):
            bad(key, f"= {str(value)!r} may only use letters, digits and . _ / -")
            well_formed = False
    if not VERSION_RE.fullmatch(s.otel_distro_version):
        bad("otel_distro_version", f"= {s.otel_distro_version!r} must be a version like 0.12.2")
    if s.dependency_source not in DEPENDENCY_SOURCES:
        bad("dependency_source", f"= {s.dependency_source!r} must be one of "
            + ", ".join(DEPENDENCY_SOURCES))
    well_formed = _check_packages(s, bad) and well_formed
    if not s.entrypoint.endswith(".py"):
        bad("entrypoint", f"= {s.entrypoint!r} must be a .py file")
    elif well_formed:
        _check_layout(s, bad)  # the files themselves, once the paths make sense
    if s.memory_mode not in MEMORY_MODES:
        bad("memory_mode", f"= {s.memory_mode!r} must be one of {', '.join(MEMORY_MODES)}")
    if s.deployment_type not in DEPLOYMENT_TYPES:
        bad("deployment_type", f"= {s.deployment_type!r} must be one of "
            + ", ".join(DEPLOYMENT_TYPES))
    if s.network_mode != "PUBLIC":
        bad("network_mode", f"= {s.network_mode!r}: only PUBLIC is supported for now")
    for name, value in s.environment.items():
        key = f"environment.{name}"
        if not ENV_NAME_RE.fullmatch(name):
            bad(key, "is not a valid environment variable name")
        elif any(c in value for c in "\r\n\0\\"):
            bad(key, "must be a single line without backslashes or NUL characters")
        elif name in IMAGE_FIXED_ENV and value != IMAGE_FIXED_ENV[name]:
            bad(key, f"= {value!r}: the image always sets {name}={IMAGE_FIXED_ENV[name]} "
                "(the container user cannot write log files; the server must listen on "
                "0.0.0.0)")
        elif SECRET_WORD_RE.search(name.upper()) and not SECRET_REF_RE.search(name.upper()):
            bad(key, "looks like a secret value; keep secrets in Secrets Manager "
                "and pass their id (e.g. OPENAI_SECRET_ID)")
    for table in s.tables or []:
        if not TABLE_RE.fullmatch(table):
            bad("tables", f"has {table!r}, which is not a DynamoDB table name "
                "(3-255 characters: letters, digits, _ . -)")
    if s.table_schemas not in (None, "bundled", "own"):
        bad("table_schemas", f"= {s.table_schemas!r} must be \"bundled\" or \"own\"")
    for secret in s.secrets or []:
        if not SECRET_ID_RE.fullmatch(secret):
            bad("secrets", f"has {secret!r}, which is not a secret id "
                "(1-512 characters: letters, digits and / _ + = . @ -; no wildcards)")
    _check_authorizer(s.authorizer, bad)
    _check_lifecycle_and_warm(s, bad)
    # What AWS itself would refuse, from botocore's model of CreateAgentRuntime; keys
    # already reported above are not reported twice.
    from ..runtime_request import check_runtime_config

    for key, problem in check_runtime_config(s):
        if key not in reported and not any(key.startswith(f"{r}.") for r in reported):
            bad(key, f"would be refused by AWS: CreateAgentRuntime {problem}")
    return out


# Files and folders aibox-ops writes, relative to the project root.
GENERATED_PATHS = (".bedrock_agentcore", ".bedrock_agentcore.yaml", ".dockerignore")
DEPENDENCY_SOURCES = ("group", "project", "requirements")
# Never copied into the image, whatever ``packages`` says: tests, docs, secrets, virtual
# environments, the ops tooling and what aibox-ops generates.
NEVER_IN_IMAGE = frozenset({
    "tests", "test", "docs", "benchmarks", ".venv", "venv", ".git", "aibox_ops", "templates",
    ".aibox-ops", "logs", "tmp", "node_modules", *GENERATED_PATHS})


def _check_packages(s: Settings, bad: Callable[[str, str], None]) -> bool:
    """Each package is a safe relative path to a folder or .py module in the project, never
    something that must stay out of the image; returns whether all were well formed."""
    ok = True
    for package in s.packages:
        value = PurePosixPath(package)
        top = value.parts[0] if value.parts else ""
        if value.is_absolute() or ".." in value.parts or not value.parts:
            bad("packages", f"has {package!r}, which must be a relative path inside the project")
            ok = False
        elif not SAFE_PATH_RE.fullmatch(package):
            bad("packages", f"has {package!r}, which may only use letters, digits and . _ / -")
            ok = False
        elif top in NEVER_IN_IMAGE or top.startswith(".env") or top.startswith("."):
            bad("packages", f"has {package!r}, which never goes into the image (tests, docs, "
                ".env files, virtual environments, the ops tooling and generated files stay out)")
            ok = False
        elif not (s.project_dir / package).exists():
            bad("packages", f"has {package!r}: no such folder or module in {s.project_dir}")
            ok = False
        elif PurePosixPath(s.requirements_file).is_relative_to(value):
            bad("packages", f"has {package!r}, which holds the generated {s.requirements_file!r}")
            ok = False
    return ok


def _check_layout(s: Settings, bad: Callable[[str, str], None]) -> None:
    """The entrypoint exists, and nothing aibox-ops generates lands in the agent's folder
    (that folder is copied into the image as is)."""
    entry = s.project_dir / s.entrypoint
    if not entry.is_file():
        bad("entrypoint", f"= {s.entrypoint!r}: no such file in {s.project_dir} "
            "(the image would run a module that does not exist)")
        return
    if s.root_entrypoint:
        return  # only the entrypoint and the packages are copied (checked above)
    agent_dir = PurePosixPath(s.entrypoint).parent
    for key, generated in [("entrypoint", p) for p in GENERATED_PATHS] + [
            ("requirements_file", s.requirements_file)]:
        if PurePosixPath(generated).is_relative_to(agent_dir):
            bad(key, f"puts the generated {generated!r} inside the agent's folder "
                f"{agent_dir}/, which is copied into the image; keep generated files out")


def _check_authorizer(a: Authorizer, bad: Callable[[str, str], None]) -> None:
    if a.type not in ("none", "jwt", "oauth"):
        bad("authorizer.type", f"= {a.type!r} must be one of none, jwt, oauth")
    if a.type == "oauth":
        if not (a.discovery_url or "").startswith("https://"):
            bad("authorizer.discovery_url", "must be an https:// OIDC discovery URL for oauth")
        if not (a.audiences or a.allowed_clients):
            bad("authorizer.audiences", "or 'authorizer.allowed_clients' must be set for oauth")
    if a.type == "jwt" and not a.audiences:
        bad("authorizer.audiences", "must list at least one audience for jwt")
    if a.signing_algorithm.upper() not in ("ES384", "RS256"):
        bad("authorizer.signing_algorithm", f"= {a.signing_algorithm!r} must be ES384 or RS256")
    if not 60 <= a.duration_seconds <= 3600:
        bad("authorizer.duration_seconds", f"= {a.duration_seconds} must be 60-3600")


def _check_lifecycle_and_warm(s: Settings, bad: Callable[[str, str], None]) -> None:
    life, warm = s.lifecycle, s.warm
    for key in ("idle_timeout", "max_lifetime"):
        value = getattr(life, key)
        if not 60 <= value <= 28800:
            bad(f"lifecycle.{key}", f"= {value} must be between 60 and 28800 seconds")
    if life.idle_timeout > life.max_lifetime:
        bad("lifecycle.idle_timeout", f"= {life.idle_timeout} is greater than "
            f"lifecycle.max_lifetime = {life.max_lifetime}")
    if not 1 <= warm.interval_minutes <= 1440:
        bad("warm.interval_minutes", f"= {warm.interval_minutes} must be 1-1440")
    elif warm.enabled and (why := warm_interval_problem(
            warm.interval_minutes * 60, life.idle_timeout, "lifecycle.idle_timeout")):
        bad("warm.interval_minutes", f"= {warm.interval_minutes} min {why}")
    if not 1 <= warm.sessions <= 50:
        bad("warm.sessions", f"= {warm.sessions} must be 1-50")
    if warm.action != "health":
        bad("warm.action", f"= {warm.action!r}: only 'health' pings are supported")


def warm_margin_seconds(idle_timeout: int) -> int:
    """How long before the idle timeout a warm ping must land: a tenth of the timeout, at
    least 60 s (a cold start plus Scheduler's own delivery delay fit in it)."""
    return max(60, idle_timeout // 10)


def warm_interval_problem(interval_seconds: float, idle_timeout: int,
                          idle_name: str = "the runtime's idle timeout") -> str | None:
    """Why pinging every ``interval_seconds`` would let sessions idling out after
    ``idle_timeout`` seconds go cold (naming both figures), or None when it is safe.

    The one rule for the warm-up interval: config validation, ``warm run --every`` and
    ``warm schedule`` (against the deployed runtime's own timeout) all use it.
    """
    margin = warm_margin_seconds(idle_timeout)
    if interval_seconds + margin <= idle_timeout:
        return None
    limit = max(idle_timeout - margin, 0)
    return (f"({interval_seconds:g} s) is not shorter than {idle_name} = {idle_timeout} s "
            f"minus a {margin} s margin, so sessions would go cold; ping at most every "
            f"{limit // 60} min {limit % 60} s" if limit else
            f"({interval_seconds:g} s) cannot keep sessions warm: {idle_name} = "
            f"{idle_timeout} s leaves no room after the {margin} s margin; raise it")


def known_regions(service: str, region: str) -> frozenset[str]:
    """Regions where botocore knows an endpoint for ``service`` (``aws.regions``).

    Falls back to accepting ``region`` only when botocore's data cannot be read at all."""
    from ..aws.regions import endpoint_regions
    from ..errors import AiboxError

    try:
        return endpoint_regions(service)
    except (AiboxError, OSError, ValueError, KeyError):
        return frozenset({region})
_HINT_CACHE: dict[type, dict[str, Any]] = {}


def _hints(cls: type) -> dict[str, Any]:
    if cls not in _HINT_CACHE:
        names = {f.name for f in dataclasses.fields(cls)}
        hints = typing.get_type_hints(cls)
        _HINT_CACHE[cls] = {k: v for k, v in hints.items() if k in names}
    return _HINT_CACHE[cls]


def _coerce(item: RawValue, hint: Any) -> Any:
    """Check (or, for text from env vars, parse) a value against a field's type."""
    value = item.value
    args = typing.get_args(hint)
    if isinstance(hint, UnionType) or typing.get_origin(hint) is typing.Union:
        if value is None or (item.from_text and value == ""):
            return None
        hint = next(a for a in args if a is not NoneType)
    if typing.get_origin(hint) is list:
        if item.from_text and isinstance(value, str):
            return [v.strip() for v in value.split(",") if v.strip()]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise TypeError("must be a list of strings")
        return list(value)
    if hint is bool:
        if item.from_text and isinstance(value, str):
            lowered = value.strip().lower()
            if lowered in ("1", "true", "yes", "on"):
                return True
            if lowered in ("0", "false", "no", "off"):
                return False
            raise ValueError(f"= {value!r} must be true or false")
        if not isinstance(value, bool):
            raise TypeError(f"= {value!r} must be true or false")
        return value
    if hint is int:
        if item.from_text and isinstance(value, str):
            try:
                return int(value)
            except ValueError:
                raise ValueError(f"= {value!r} must be a whole number") from None
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"= {value!r} must be a whole number")
        return value
    if hint is str:
        if not isinstance(value, str):
            raise TypeError(f"= {value!r} must be a string")
        return value
    raise TypeError(f"has an unsupported type {hint!r}")  # pragma: no cover


def _coerce_env_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        return str(value)
    raise TypeError(f"= {value!r} must be a string, number or boolean")


def _suggest(path: KeyPath) -> str:
    import difflib

    names = [f for f in _hints(Settings) if f not in INTERNAL_FIELDS]
    if path[0] in SECTIONS and len(path) > 1:
        names = list(_hints(SECTIONS[path[0]]))
        key = path[1]
    else:
        key = path[0]
    close = difflib.get_close_matches(key, names, n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""
