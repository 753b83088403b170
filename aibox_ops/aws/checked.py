"""Validate a request against botocore's service model before it is sent.

Delegates to the shared validator (``aibox_ops.aws.validate.check_request``) when it is
present; until then botocore's own ``ParamValidator`` checks types, required members and
minimum lengths against the operation's input shape.
"""

from __future__ import annotations

from typing import Any

from ..errors import ConfigError


def check_params(service: str, operation: str, params: dict[str, Any]) -> None:
    """Raise ConfigError naming every member of ``params`` the service model rejects."""
    try:
        from .validate import check_request  # type: ignore[import-not-found]
    except ImportError:
        check_request = None
    if check_request is not None:
        from .validate import InvalidRequestError

        try:
            check_request(service, operation, params)
        except InvalidRequestError as error:  # keep this module's promise: a ConfigError
            raise ConfigError([f"{service} {operation}: {p}" for p in error.problems]) from None
        return
    import botocore.session
    from botocore.validate import ParamValidator

    model = botocore.session.get_session().get_service_model(service)
    shape = model.operation_model(operation).input_shape
    report = ParamValidator().validate(params, shape)
    if report.has_errors():
        problems = [line.strip() for line in report.generate_report().splitlines()]
        raise ConfigError([f"{service} {operation}: {p}" for p in problems if p])
