"""Reads by declaration: "not found" is None, and a listing is every page (botocore's
paginators, never a hand-written NextToken/Marker loop)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from ..errors import AiboxError, AwsError

T = TypeVar("T")

# The error codes services answer for a resource that does not exist.
NOT_FOUND = ("ResourceNotFoundException",)


def method_name(operation: str) -> str:
    """The client method of an API operation name (``GetAgentRuntime`` -> ``get_agent_runtime``)."""
    from botocore import xform_name

    return xform_name(operation)


def error_code(error: BaseException) -> str | None:
    """The AWS error code of an AwsError or a botocore ClientError (else None)."""
    if isinstance(error, AwsError):
        return error.code
    response = getattr(error, "response", None)
    if isinstance(response, dict):
        return response.get("Error", {}).get("Code")
    return None


def read_or_none(call: Callable[[], T], *, not_found: tuple[str, ...] = NOT_FOUND) -> T | None:
    """``call()``, or None when it fails with one of the ``not_found`` codes (raised as an
    AwsError by ``aws_errors`` or as botocore's ClientError); any other failure propagates."""
    from botocore.exceptions import ClientError

    try:
        return call()
    except (AwsError, ClientError) as error:
        if error_code(error) in not_found:
            return None
        raise


def paginate(client: Any, operation: str, key: str, *, max_pages: int | None = None,
             **params: Any) -> Iterator[Any]:
    """Every item under ``key`` across the pages of ``operation`` (an API name such as
    ``ListAgentRuntimes``; all pages, or the first ``max_pages``), through botocore's
    paginator; lazily, so a search stops at its first match. Failures are botocore's
    (wrap the loop in ``aws_errors``)."""
    method = method_name(operation)
    if not client.can_paginate(method):
        raise AiboxError(f"botocore has no paginator for {operation}")
    pages = client.get_paginator(method).paginate(**params)
    for page in itertools.islice(pages, max_pages):
        yield from page.get(key) or []


def find_first(client: Any, operation: str, key: str, match: Callable[[Any], bool],
               **params: Any) -> Any | None:
    """The first item of ``paginate(...)`` that ``match`` accepts (pages stop there;
    ``max_pages`` among ``params`` bounds the search)."""
    return next((item for item in paginate(client, operation, key, **params) if match(item)),
                None)
