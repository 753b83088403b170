"""boto3's process-wide default session, for a library that makes its own clients (the
starter toolkit): swapped for a fresh one with our hooks for the duration of a block, then
put back. Also the classification of the botocore errors such a library lets escape."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def default_session(profile: str | None,
                    hooks: dict[str, Callable[..., Any]]) -> Iterator[None]:
    """A fresh ``boto3.DEFAULT_SESSION`` (for ``profile``, also set as ``AWS_PROFILE`` for
    code that makes its own ``boto3.Session()``) with ``hooks`` (event name -> handler)
    registered on it; the previous session and ``AWS_PROFILE`` are restored afterwards."""
    import boto3

    previous_session = boto3.DEFAULT_SESSION
    previous_profile = os.environ.get("AWS_PROFILE")
    if profile:
        os.environ["AWS_PROFILE"] = profile
    boto3.setup_default_session(profile_name=profile)
    for event, handler in hooks.items():
        boto3.DEFAULT_SESSION.events.register(event, handler)
    try:
        yield
    finally:
        boto3.DEFAULT_SESSION = previous_session
        if profile:
            if previous_profile is None:
                os.environ.pop("AWS_PROFILE", None)
            else:
                os.environ["AWS_PROFILE"] = previous_profile


def botocore_failure(error: BaseException) -> tuple[str, str, str] | None:
    """(kind, code, message) of a botocore error: kind ``client`` (an AWS error reply),
    ``credentials`` (none found) or ``botocore`` (any other); None for other exceptions."""
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

    if isinstance(error, ClientError):
        info = error.response.get("Error", {})
        return "client", info.get("Code", "Unknown"), str(info.get("Message", error))
    if isinstance(error, NoCredentialsError):
        return "credentials", "NoCredentials", str(error)
    if isinstance(error, BotoCoreError):
        return "botocore", type(error).__name__, str(error)
    return None
