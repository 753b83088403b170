"""Check a request against botocore's service model before it is sent.

moto accepts much that AWS rejects; botocore's own client-side validation checks required
members and types but not lengths, ranges, patterns or enums. This walks the operation's
input shape and reports every problem, so a bad name fails here with a clear message.
(Interim version written on the deploy branch against the issue-6 signature; main's
version replaces it on merge.)
"""

from __future__ import annotations

import re
from typing import Any

from ..errors import AwsError

_MODELS: dict[str, Any] = {}


def validate_request(service: str, operation: str, params: dict[str, Any]) -> list[str]:
    """Every way ``params`` break ``operation``'s input shape (empty list: valid)."""
    shape = _operation(service, operation).input_shape
    problems: list[str] = []
    if shape is not None:
        _check(shape, params, "", problems)
    return problems


def check_request(service: str, operation: str, params: dict[str, Any]) -> None:
    """Raise AwsError naming every problem when ``params`` would be rejected."""
    problems = validate_request(service, operation, params)
    if problems:
        raise AwsError(
            f"{service} {operation} request is invalid: " + "; ".join(problems),
            hint="AWS would reject this request; fix the setting named above.",
            code="ValidationException")


def _operation(service: str, operation: str) -> Any:
    if service not in _MODELS:
        import botocore.session

        # One botocore session for every model: its loader caches the parsed JSON.
        if "_session" not in _MODELS:
            _MODELS["_session"] = botocore.session.get_session()
        _MODELS[service] = _MODELS["_session"].get_service_model(service)
    return _MODELS[service].operation_model(operation)


def _check(shape: Any, value: Any, where: str, out: list[str]) -> None:
    name = where or "request"
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            out.append(f"{name} must be a structure")
            return
        for member in shape.required_members:
            if member not in value:
                out.append(f"{_join(where, member)} is required")
        for key, item in value.items():
            if key not in shape.members:
                out.append(f"{_join(where, key)} is not a member of {shape.name}")
            else:
                _check(shape.members[key], item, _join(where, key), out)
    elif kind == "list":
        if not isinstance(value, list | tuple):
            out.append(f"{name} must be a list")
            return
        _bounds(shape, len(value), name, "items", out)
        for index, item in enumerate(value):
            _check(shape.member, item, f"{name}[{index}]", out)
    elif kind == "map":
        if not isinstance(value, dict):
            out.append(f"{name} must be a map")
            return
        _bounds(shape, len(value), name, "entries", out)
        for key, item in value.items():
            _check(shape.key, key, f"{name} key {key!r}", out)
            _check(shape.value, item, f"{name}[{key!r}]", out)
    elif kind == "string":
        if not isinstance(value, str):
            out.append(f"{name} must be a string")
            return
        _bounds(shape, len(value), name, "characters", out)
        pattern = shape.metadata.get("pattern")
        if pattern and not re.fullmatch(pattern, value):
            out.append(f"{name} = {value!r} does not match {pattern}")
        enum = shape.metadata.get("enum")
        if enum and value not in enum:
            out.append(f"{name} = {value!r} must be one of {', '.join(enum)}")
    elif kind in ("integer", "long"):
        if isinstance(value, bool) or not isinstance(value, int):
            out.append(f"{name} must be a whole number")
            return
        _bounds(shape, value, name, "", out)
    elif kind == "boolean" and not isinstance(value, bool):
        out.append(f"{name} must be true or false")


def _bounds(shape: Any, size: int, name: str, unit: str, out: list[str]) -> None:
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    suffix = f" {unit}" if unit else ""
    if low is not None and size < low:
        out.append(f"{name} must have at least {low}{suffix} (has {size})")
    if high is not None and size > high:
        out.append(f"{name} must have at most {high}{suffix} (has {size})")


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key
