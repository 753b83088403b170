"""Every AWS request warm builds is checked against botocore's service model before sending.

The checks are the shared ones (``aibox_ops.aws.validate``: required members, types,
lengths, ranges, patterns, enums); this module only lets calls read
``client.op(**checked(service, operation, params))``.
"""

from __future__ import annotations

from typing import Any

from ..aws.validate import check_request, validate_request

__all__ = ["check_request", "checked", "validate_request"]


def checked(service: str, operation: str, params: dict[str, Any]) -> dict[str, Any]:
    """``params`` unchanged when they satisfy the operation's input shape; otherwise
    ``InvalidRequestError`` lists every problem and nothing is sent."""
    check_request(service, operation, params)
    return params
