"""Check AWS request parameters against botocore's own service model before sending them.

moto accepts much that AWS rejects (``allowedAudience: []``, an agent name with a hyphen),
so every request aibox-ops builds is checked here first, and in tests.

Two depths, one entry point (``validate_request``):

- ``thorough=True`` (default; AWS commands, which import botocore anyway): botocore's
  ``ParamValidator`` checks required members, types, unknown members and minimums; this
  module adds what it skips: maximums, ``pattern`` (matched in full, as AWS does), enum
  members and unions (exactly one member set).
- ``thorough=False`` (configuration loading, which must stay fast): the same rules, all
  checked by the walker below over the model's JSON, without importing botocore (~0.2 s).

Problems name the member path (``authorizerConfiguration.customJWTAuthorizer.allowedAudience``).
"""

from __future__ import annotations

import gzip
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from ..errors import AiboxError, ExitCode

Shapes = dict[str, dict[str, Any]]


class InvalidRequestError(AiboxError):
    """A request aibox-ops would send breaks the service's model; AWS would refuse it."""

    exit_code = ExitCode.CONFIG

    def __init__(self, operation: str, problems: list[str], hint: str | None = None) -> None:
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"the {operation} request AWS would refuse:\n{lines}", hint)

    def to_dict(self) -> dict[str, object]:
        return {**super().to_dict(), "problems": self.problems}


def botocore_data_dir() -> Path:
    """botocore's ``data`` folder, found without importing botocore."""
    import importlib.util

    spec = importlib.util.find_spec("botocore")
    if spec is None or spec.origin is None:
        raise AiboxError("botocore is not installed; it is needed to check AWS requests")
    return Path(spec.origin).parent / "data"


@cache
def load_service_model(service: str) -> dict[str, Any]:
    """The newest ``service-2.json`` botocore ships for ``service`` (parsed JSON, cached)."""
    folder = botocore_data_dir() / service
    versions = sorted(p for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []
    for version in reversed(versions):
        for name in ("service-2.json.gz", "service-2.json"):
            path = version / name
            if path.is_file():
                raw = path.read_bytes()
                return json.loads(gzip.decompress(raw) if name.endswith(".gz") else raw)
    raise AiboxError(f"botocore has no service model for '{service}'",
                     hint="Upgrade botocore (uv sync) to a version that knows this service.")


def validate_request(service: str, operation: str, params: dict[str, Any], *,
                     partial: bool = False, thorough: bool = True) -> list[str]:
    """Every way ``params`` breaks ``operation``'s input shape, each naming its member path.

    ``partial=True`` checks only the members given (pieces of a request; the top-level
    required members are not demanded). An empty list means AWS's own checks would pass.
    """
    model = load_service_model(service)
    try:
        shape_name = model["operations"][operation]["input"]["shape"]
    except KeyError:
        raise AiboxError(f"{service} has no operation {operation!r}") from None
    shapes: Shapes = model["shapes"]
    problems: list[str] = []
    if thorough:
        problems.extend(_botocore_problems(service, operation, params, partial))
    _walk(shapes, shape_name, params, "", problems, structural=not thorough,
          top_partial=partial)
    return problems


def check_request(service: str, operation: str, params: dict[str, Any], *,
                  partial: bool = False, thorough: bool = True) -> None:
    """Raise InvalidRequestError (exit 3) when ``validate_request`` finds any problem."""
    problems = validate_request(service, operation, params, partial=partial, thorough=thorough)
    if problems:
        raise InvalidRequestError(operation, problems)


def service_model(service: str) -> Any:
    """botocore's ``ServiceModel`` of ``service`` (member locations, wire names, service
    id), parsed once per process."""
    return _botocore_service_model(service)


@cache
def _botocore_service_model(service: str) -> Any:
    # One parse per service per process: a fresh botocore session re-reads and re-parses
    # the service's JSON (IAM's: tens of ms) for every request checked.
    import botocore.session

    return botocore.session.get_session().get_service_model(service)


def _botocore_problems(service: str, operation: str, params: dict[str, Any],
                       partial: bool) -> list[str]:
    from botocore.validate import ParamValidator

    model = _botocore_service_model(service)
    shape = model.operation_model(operation).input_shape
    report = ParamValidator().validate(params, shape)
    out = []
    for error_type, name, extra in report._errors:  # structured, unlike generate_report()
        path = (name or "").lstrip(".")
        if error_type == "missing required field":
            missing = extra["required_name"]
            if partial and not path:
                continue
            out.append(f"{_join(path, missing)}: is required")
        elif error_type == "invalid length":  # botocore checks minimums only
            out.append(f"{path}: length {extra['param']} is below the minimum "
                       f"{extra['min_allowed']}")
        elif error_type == "invalid range":
            out.append(f"{path}: {extra['param']} is below the minimum {extra['min_allowed']}")
        elif error_type == "unknown field":
            out.append(f"{_join(path, extra['unknown_param'])}: is not a member "
                       f"(valid: {', '.join(extra['valid_names'])})")
        elif error_type == "invalid type":
            out.append(f"{path}: {extra['param']!r} must be one of "
                       f"{', '.join(getattr(t, '__name__', str(t)) for t in extra['valid_types'])}")
        else:
            out.append(f"{path}: {error_type}: {extra}")
    return out


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,), "integer": (int,), "long": (int,), "boolean": (bool,),
    "double": (int, float), "float": (int, float), "list": (list, tuple), "map": (dict,),
    "structure": (dict,), "blob": (bytes, bytearray, str),
}


def _walk(shapes: Shapes, name: str, value: Any, path: str, out: list[str], *,
          structural: bool, top_partial: bool = False) -> None:
    """Patterns, enums, unions and maximums always; with ``structural``, also what
    ParamValidator checks (required, types, unknown members, minimums)."""
    shape = shapes[name]
    kind = shape["type"]
    where = path or "(request)"
    expected = _TYPES.get(kind)
    if expected and (not isinstance(value, expected)
                     or (kind in ("integer", "long", "double", "float")
                         and isinstance(value, bool))):
        if structural:
            out.append(f"{where}: {value!r} must be a {kind}")
        return
    _check_bounds(shape, kind, value, where, out, minimums=structural)
    if kind == "string":
        if "enum" in shape and value not in shape["enum"]:
            out.append(f"{where}: {value!r} is not one of {', '.join(shape['enum'])}")
        elif "pattern" in shape and not _matches(shape["pattern"], value):
            out.append(f"{where}: {value!r} does not match the pattern {shape['pattern']}")
    elif kind == "structure":
        members = shape.get("members", {})
        if structural:
            for required in shape.get("required", []):
                if required not in value and not (top_partial and not path):
                    out.append(f"{_join(path, required)}: is required")
            for key in value:
                if key not in members:
                    out.append(f"{_join(path, key)}: is not a member "
                               f"(valid: {', '.join(members)})")
        if shape.get("union") and len([k for k in value if value[k] is not None]) != 1:
            out.append(f"{where}: exactly one of {', '.join(members)} must be set")
        for key, item in value.items():
            if key in members:
                _walk(shapes, members[key]["shape"], item, _join(path, key), out,
                      structural=structural)
    elif kind == "list":
        for index, item in enumerate(value):
            _walk(shapes, shape["member"]["shape"], item, f"{path}[{index}]", out,
                  structural=structural)
    elif kind == "map":
        for key, item in value.items():
            _walk(shapes, shape["key"]["shape"], key, f"{path} key {key!r}", out,
                  structural=structural)
            _walk(shapes, shape["value"]["shape"], item, f"{path}.{key}", out,
                  structural=structural)


def _check_bounds(shape: dict[str, Any], kind: str, value: Any, where: str,
                  out: list[str], minimums: bool) -> None:
    low, high = (shape.get("min") if minimums else None), shape.get("max")
    if kind in ("string", "list", "map", "blob"):
        size = len(value)
        if low is not None and size < low:
            out.append(f"{where}: length {size} is below the minimum {low}")
        if high is not None and size > high:
            out.append(f"{where}: length {size} is above the maximum {high}")
    elif kind in ("integer", "long", "double", "float"):
        if low is not None and value < low:
            out.append(f"{where}: {value} is below the minimum {low}")
        if high is not None and value > high:
            out.append(f"{where}: {value} is above the maximum {high}")


@cache
def _compiled(pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(pattern)
    except re.error:
        return None  # a Java-only construct: AWS still checks it, we cannot


def _matches(pattern: str, value: str) -> bool:
    # AWS's patterns carry no anchors; the services match the whole value (an agent name
    # "my-agent" is refused although "my" matches [a-zA-Z][a-zA-Z0-9_]{0,47}).
    rx = _compiled(pattern)
    return rx is None or rx.fullmatch(value) is not None


def trim_to_input(service: str, operation: str, value: dict[str, Any]) -> dict[str, Any]:
    """``value`` (e.g. a Get* reply) reduced to what ``operation``'s input shape accepts,
    member by member at every depth: what a read-modify-write may send back. Read-only
    members (ARNs, statuses, timestamps) are dropped, and so are values the input refuses
    as too short (a reply's ``description: ""`` means "none"); nothing is added."""
    model = load_service_model(service)
    shape = model["operations"][operation]["input"]["shape"]
    return _trim(model["shapes"], shape, value)


def _trim(shapes: Shapes, name: str, value: Any) -> Any:
    shape = shapes[name]
    kind = shape.get("type")
    if kind == "structure" and isinstance(value, dict):
        members = shape.get("members", {})
        return {key: _trim(shapes, members[key]["shape"], item) for key, item in value.items()
                if key in members and item is not None
                and not _below_minimum(shapes[members[key]["shape"]], item)}
    if kind == "list" and isinstance(value, list):
        return [_trim(shapes, shape["member"]["shape"], item) for item in value]
    if kind == "map" and isinstance(value, dict):
        return {key: _trim(shapes, shape["value"]["shape"], item) for key, item in value.items()}
    return value


def _below_minimum(shape: dict[str, Any], value: Any) -> bool:
    minimum = shape.get("min")
    return (shape.get("type") in ("string", "list", "map") and minimum is not None
            and hasattr(value, "__len__") and len(value) < minimum)
