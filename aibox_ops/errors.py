"""One exception tree for aibox-ops; each error knows its message, hint and exit code.

Library code raises these; the CLI catches them in exactly one place
(``aibox_ops.cli.main.run``) and turns them into a message and an exit code.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit codes (documented in README.md)."""

    OK = 0
    CHECK_FAILED = 1  # --check found drift, or a diagnosis found problems
    USAGE = 2  # bad command line (typer/click's own code)
    CONFIG = 3  # invalid [tool.aibox-ops] settings, env overrides or flags
    FILE = 4  # a file could not be read, parsed, rendered or written
    AWS = 5  # an AWS call failed (credentials, permissions, service error)
    DEPENDENCY = 6  # requirements could not be exported or are incomplete
    REFUSED = 7  # would overwrite a hand-edited file, or the user declined
    AGENT = 8  # the agent could not be started or reached, or answered with an error
    INTERNAL = 70  # a bug in aibox-ops
    INTERRUPTED = 130  # Ctrl-C


class AiboxError(Exception):
    """Base class: a user-facing error with a hint and an exit code."""

    exit_code: ExitCode = ExitCode.INTERNAL
    # True when the command already printed its own --json result for this outcome.
    result_already_emitted: bool = False

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def to_dict(self) -> dict[str, object]:
        """Machine-readable form for ``--json`` output."""
        return {
            "error": type(self).__name__,
            "message": self.message,
            "hint": self.hint,
            "exit_code": int(self.exit_code),
        }


class ConfigError(AiboxError):
    """Settings are invalid; ``problems`` lists every bad field with its source."""

    exit_code = ExitCode.CONFIG
    label = "invalid configuration"

    def __init__(self, problems: list[str], hint: str | None = None) -> None:
        self.problems = list(problems)
        if len(self.problems) == 1:
            message = f"{self.label}: {self.problems[0]}"
        else:
            message = f"{self.label}:\n" + "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(message, hint)

    def to_dict(self) -> dict[str, object]:
        return {**super().to_dict(), "problems": self.problems}


class InputError(ConfigError):
    """A bad argument or value given to a command (a prompt, a flag's value, a secret's
    value): the same exit code as a settings problem (3), labelled for what it is."""

    label = "invalid input"


class FileError(AiboxError):
    """A file could not be read, parsed, rendered or written."""

    exit_code = ExitCode.FILE


class TemplateError(FileError):
    """A template has a syntax error or uses an undefined variable."""


class RefusedError(AiboxError):
    """An operation was refused to protect the user's work (e.g. a hand-edited file), or
    the user declined a confirmation; ``targets`` names what was protected."""

    exit_code = ExitCode.REFUSED

    def __init__(self, message: str, hint: str | None = None,
                 targets: list[str] | None = None) -> None:
        super().__init__(message, hint)
        self.targets = list(targets or [])

    def to_dict(self) -> dict[str, object]:
        return {**super().to_dict(), "targets": self.targets}


class DependencyError(AiboxError):
    """Requirements could not be exported, or the agent imports something unlisted
    (``modules`` lists each unprovided import with where it is)."""

    exit_code = ExitCode.DEPENDENCY

    def __init__(self, message: str, hint: str | None = None,
                 modules: list[str] | None = None,
                 imports_checked_against: dict[str, object] | None = None) -> None:
        super().__init__(message, hint)
        self.modules = list(modules or [])
        # Where the import names were looked up (the project's .venv, uv.lock, the file).
        self.imports_checked_against = imports_checked_against

    def to_dict(self) -> dict[str, object]:
        out = {**super().to_dict(), "modules": self.modules}
        if self.imports_checked_against is not None:
            out["imports_checked_against"] = self.imports_checked_against
        return out


class CodeDeployUnsupported(AiboxError):
    """The agent cannot be deployed as a code zip (a requirement without a Linux arm64
    wheel, a package over AgentCore's size limits, no allowed Python runtime); ``reason``
    says why in one line. Deploy catches it and falls back to the container path."""

    exit_code = ExitCode.DEPENDENCY

    def __init__(self, reason: str, hint: str | None = None,
                 package: str | None = None) -> None:
        super().__init__(f"cannot deploy as code: {reason}", hint or (
            "Deploy as a container image instead (deployment_type = \"container\")."))
        self.reason = reason
        self.package = package  # the requirement without a usable wheel, when that is why

    def to_dict(self) -> dict[str, object]:
        return {**super().to_dict(), "reason": self.reason, "package": self.package}


class AwsError(AiboxError):
    """An AWS call failed; carries the service error code when there is one."""

    exit_code = ExitCode.AWS

    def __init__(self, message: str, hint: str | None = None, code: str | None = None) -> None:
        super().__init__(message, hint)
        self.code = code

    def to_dict(self) -> dict[str, object]:
        return {**super().to_dict(), "code": self.code}


class AgentError(AiboxError):
    """The agent could not be started (port in use, exited at start) or reached, or it
    answered an invocation with an error; ``log_tail`` holds its last log lines if known."""

    exit_code = ExitCode.AGENT

    def __init__(self, message: str, hint: str | None = None,
                 log_tail: list[str] | None = None) -> None:
        super().__init__(message, hint)
        self.log_tail = list(log_tail or [])

    def to_dict(self) -> dict[str, object]:
        return {**super().to_dict(), "log_tail": self.log_tail}


class CheckFailed(AiboxError):
    """A ``--check`` run found drift; the details were already reported."""

    exit_code = ExitCode.CHECK_FAILED
    result_already_emitted = True
