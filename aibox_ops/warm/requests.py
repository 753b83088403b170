"""Every AWS request warm builds is checked against botocore's service model before sending.

Interim: issue 6 brings the shared ``aibox_ops.aws.validate`` (required members, types,
lengths, ranges, patterns, enums); until it is merged this uses botocore's own
``ParamValidator`` (required members, types, unknown members, minimum lengths).
"""

from __future__ import annotations

from typing import Any


def checked(service: str, operation: str, params: dict[str, Any]) -> dict[str, Any]:
    """``params`` unchanged when they satisfy the operation's input shape (else the error of
    ``check_request``), so that calls read ``client.op(**checked(...))``."""
    check_request(service, operation, params)
    return params


def check_request(service: str, operation: str, params: dict[str, Any]) -> None:
    """Raise an internal error (exit 70) listing every way ``params`` break the model."""
    problems = validate_request(service, operation, params)
    if problems:
        from ..errors import AiboxError

        raise AiboxError(f"aibox-ops built an invalid {service} {operation} request: "
                         + "; ".join(problems),
                         hint="This is a bug in aibox-ops; run with --debug and report it.")


def validate_request(service: str, operation: str, params: dict[str, Any]) -> list[str]:
    """Problems with ``params`` against botocore's model ([] when valid)."""
    import botocore.session
    from botocore.validate import ParamValidator

    model = _models.get(service)
    if model is None:
        model = _models[service] = botocore.session.get_session().get_service_model(service)
    shape = model.operation_model(operation).input_shape
    report = ParamValidator().validate(params, shape)
    if not report.has_errors():
        return []
    return [line.strip() for line in report.generate_report().splitlines() if line.strip()]


_models: dict[str, Any] = {}
