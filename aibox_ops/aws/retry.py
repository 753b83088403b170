"""Targeted retries for what AWS gets right only after a while (IAM propagation).

A role that was just created is not yet assumable everywhere: CodeBuild and AgentCore refuse
it for some seconds with an error that names the role. Instead of a fixed sleep, the call is
retried while (and only while) its failure is that one (error code and message both match),
with exponential backoff, up to a deadline; any other failure propagates at once.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from ..errors import AwsError
from .reads import error_code

T = TypeVar("T")


@dataclass(frozen=True)
class Transient:
    """A failure worth waiting out: its error codes and a pattern its message matches."""

    codes: tuple[str, ...]
    message: re.Pattern[str]
    why: str  # what is being waited for, for progress notes

    def matches(self, error: BaseException) -> bool:
        """Whether ``error`` is this transient failure."""
        return error_code(error) in self.codes and bool(self.message.search(str(error)))


# A role created moments ago, refused by the service that is to assume it (CodeBuild:
# InvalidInputException "CodeBuild is not authorized to perform: sts:AssumeRole on ...";
# AgentCore: ValidationException "Role validation failed ... cannot be assumed"). Only
# these wordings: a denial of the caller's own permission (AccessDenied, whose message may
# name the caller's "assumed-role" ARN) is never waited out.
ROLE_PROPAGATION = Transient(
    ("InvalidInputException", "ValidationException"),
    re.compile(r"cannot be assumed|not authorized to perform:? sts:AssumeRole"
               r"|role validation failed|unable to assume", re.IGNORECASE),
    "the new IAM role to propagate")


def retry_if(new: bool) -> Transient | None:
    """``ROLE_PROPAGATION`` for a role created in this run, else None (a role that already
    existed and is refused has a real problem: said at once)."""
    return ROLE_PROPAGATION if new else None


def retry_transient(call: Callable[[], T], transient: Transient | None, *,
                    timeout: float = 90.0,
                    first_delay: float = 1.0, max_delay: float = 10.0,
                    note: Callable[[str], None] = lambda _text: None,
                    sleep: Callable[[float], None] = time.sleep,
                    clock: Callable[[], float] = time.monotonic) -> T:
    """``call()``, retried while it fails with ``transient`` (never when None), for at most
    ``timeout`` s."""
    deadline = clock() + timeout
    delay = first_delay
    while True:
        try:
            return call()
        except AwsError as error:
            if transient is None or not transient.matches(error) \
                    or clock() + delay > deadline:
                raise
            note(f"waiting for {transient.why} ({error.code}); retrying in {delay:g} s")
            sleep(delay)
            delay = min(delay * 2, max_delay)
