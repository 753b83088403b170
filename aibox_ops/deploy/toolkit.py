"""The one adapter over bedrock-agentcore-starter-toolkit (pinned, end-of-line).

Every call into the toolkit lives here, so a successor (direct boto3 calls, or the npm
`agentcore` CLI) replaces one module. The toolkit is imported lazily (it costs ~0.6 s and
reconfigures logging). While it runs:

- its prints, rich output and log records go to our deploy log (``--verbose`` echoes the
  log to stderr afterwards), never to stdout, so ``--json`` stays one document;
- every ``bedrock-agentcore-control`` request it sends passes through a botocore hook that
  overlays the runtime configuration the settings define (the full container environment on
  every launch: the toolkit sends ``{}`` on a redeploy without variables and drops lifecycle
  settings on some paths) and validates the request against botocore's service model;
- it works on a staged copy of the toolkit config (never the project's YAML), whose state
  the deploy pipeline copies back afterwards.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..aws.validate import check_request
from ..config.model import MEMORY_ENV_VARS
from ..errors import AiboxError, AwsError

CONTROL = "bedrock-agentcore-control"
RUNTIME_WRITES = ("CreateAgentRuntime", "UpdateAgentRuntime")
TOOLKIT_LOGGERS = ("bedrock_agentcore_starter_toolkit", "bedrock_agentcore", "botocore.credentials")


@dataclass(frozen=True)
class LaunchResult:
    """What a launch built and deployed."""

    agent_id: str
    agent_arn: str
    image_uri: str
    build_id: str | None
    requests: list[dict[str, Any]] = field(default_factory=list)  # runtime writes, as sent


class BuildFailed(AwsError):
    """CodeBuild failed; ``log_tail`` holds the end of its CloudWatch build log."""

    def __init__(self, message: str, hint: str | None = None,
                 log_tail: list[str] | None = None) -> None:
        super().__init__(message, hint, code="BuildFailed")
        self.log_tail = list(log_tail or [])

    def to_dict(self) -> dict[str, object]:
        return {**super().to_dict(), "log_tail": self.log_tail}


def launch(config_path: Path, agent_name: str, runtime_params: dict[str, Any],
           image_tag: str, log: Callable[[str], None], profile: str | None = None,
           ) -> LaunchResult:
    """Build in CodeBuild (ARM64) and create/update the runtime from a staged toolkit config.

    ``runtime_params`` (``runtime_config_params(settings)``) is laid over every runtime
    write the toolkit sends. Raises BuildFailed, AwsError or AiboxError with the cause.
    """
    requests: list[dict[str, Any]] = []
    with _quiet(log), _toolkit_session(profile, runtime_params, requests):
        from bedrock_agentcore_starter_toolkit.operations.runtime import (
            launch_bedrock_agentcore,
        )

        try:
            result = launch_bedrock_agentcore(
                config_path, agent_name=agent_name, local=False, use_codebuild=True,
                env_vars=dict(runtime_params.get("environmentVariables") or {}),
                auto_update_on_conflict=False, image_tag=image_tag)
        except AiboxError:
            raise
        except Exception as exc:  # the toolkit raises bare RuntimeError/ValueError/ClientError
            raise _translate(exc) from None
    if not (result.agent_id and result.agent_arn and result.ecr_uri):
        raise AwsError("the starter toolkit finished without a runtime id, ARN or image",
                       hint="Run with --verbose to see the toolkit's log.")
    return LaunchResult(result.agent_id, result.agent_arn, result.ecr_uri,
                        result.codebuild_id, requests)


def resource_names(agent_name: str, region: str) -> dict[str, str]:
    """The names the toolkit gives what it creates for an agent (roles, ECR repository,
    CodeBuild project), so deploy can tell what exists before a launch from what it made."""
    from bedrock_agentcore_starter_toolkit.operations.runtime.create_role import (
        _generate_deterministic_suffix,
    )
    from bedrock_agentcore_starter_toolkit.services.ecr import sanitize_ecr_repo_name

    suffix = _generate_deterministic_suffix(agent_name)
    return {
        "execution_role": f"AmazonBedrockAgentCoreSDKRuntime-{region}-{suffix}",
        "codebuild_role": f"AmazonBedrockAgentCoreSDKCodeBuild-{region}-{suffix}",
        "ecr_repository": f"bedrock-agentcore-{sanitize_ecr_repo_name(agent_name)}",
        "codebuild_project": f"bedrock-agentcore-{sanitize_ecr_repo_name(agent_name)}-builder",
    }


def upload_drops(relpaths: list[str]) -> list[str]:
    """Which of these build-context paths the toolkit's source.zip would leave out.

    The toolkit filters the upload with its own bundled ignore list, not .dockerignore; the
    staged context must lose nothing, so deploy refuses a context where this is not empty.
    """
    from bedrock_agentcore_starter_toolkit.services.codebuild import CodeBuildService

    # The filter needs no AWS session; skip __init__ (it calls STS).
    service = object.__new__(CodeBuildService)
    service.logger = logging.getLogger("bedrock_agentcore_starter_toolkit.codebuild")
    with _quiet(lambda _line: None):
        patterns = service._parse_dockerignore()
    dropped = []
    for rel in relpaths:
        parts = rel.split("/")
        dirs = ["/".join(parts[: i + 1]) for i in range(len(parts) - 1)]
        if any(service._should_ignore(d, patterns, is_dir=True) for d in dirs) or \
                service._should_ignore(rel, patterns, is_dir=False):
            dropped.append(rel)
    return dropped


def _translate(exc: Exception) -> AiboxError:
    from ..aws.process_session import botocore_failure

    cause = exc.__cause__ if exc.__cause__ is not None else exc
    text = str(exc)
    if "CodeBuild failed" in text or "CodeBuild timed out" in text:
        return BuildFailed(f"the image build failed: {text}",
                           hint="See the build log below, or `aibox-ops logs --build`.")
    for error in (exc, cause):
        failure = botocore_failure(error)
        if failure is None:
            continue
        kind, code, message = failure
        if kind == "client":
            hint = None
            if code == "ConflictException":
                hint = ("A runtime with this name already exists but is not recorded in "
                        ".bedrock_agentcore.yaml: adopt it with `aibox-ops init`, or use "
                        "another agent_name (e.g. a stage).")
            if code in ("ThrottlingException", "TooManyRequestsException", "Throttling"):
                hint = "AWS kept throttling the toolkit's requests; wait a minute and deploy " \
                       "again (nothing is lost: the next deploy resumes)."
            return AwsError(f"deploy failed: {code}: {message}", hint=hint, code=code)
        if kind == "credentials":
            return AwsError("deploy failed: no AWS credentials found", code="NoCredentials",
                            hint="Configure credentials (aws configure / AWS_PROFILE / SSO).")
        return AwsError(f"deploy failed: {message}", code=code)
    return AwsError(f"the starter toolkit failed: {type(exc).__name__}: {text}",
                    hint="Run with --verbose to see the toolkit's log.", code="ToolkitError")


@contextlib.contextmanager
def _quiet(log: Callable[[str], None]) -> Iterator[None]:
    """Send the toolkit's stdout/stderr prints and log records to ``log`` only."""
    buffer = io.StringIO()
    handler = _LineHandler(log)
    saved: list[tuple[logging.Logger, list[logging.Handler], bool, int]] = []
    root = logging.getLogger()
    root_state = (list(root.handlers), root.level)
    for name in TOOLKIT_LOGGERS:
        logger = logging.getLogger(name)
        saved.append((logger, list(logger.handlers), logger.propagate, logger.level))
        logger.handlers = [handler]
        logger.propagate = False
        logger.setLevel(logging.INFO)
    os.environ.setdefault("AGENTCORE_SUPPRESS_RECOMMENDATION", "1")
    try:
        with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer):
            yield
    finally:
        for line in buffer.getvalue().splitlines():
            if line.strip():
                log(line)
        for logger, handlers, propagate, level in saved:
            logger.handlers, logger.propagate, logger.level = handlers, propagate, level
        # Importing parts of the toolkit reconfigures the root logger: put it back.
        root.handlers, root.level = root_state


class _LineHandler(logging.Handler):
    def __init__(self, sink: Callable[[str], None]) -> None:
        super().__init__(logging.DEBUG)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        with contextlib.suppress(Exception):
            self.sink(f"{record.levelname.lower()} {record.name}: {record.getMessage()}")


@contextlib.contextmanager
def _toolkit_session(profile: str | None, runtime_params: dict[str, Any],
                     requests: list[dict[str, Any]]) -> Iterator[None]:
    """A fresh boto3 default session (the toolkit uses it) with our request hook."""
    from ..aws.process_session import default_session

    def hook(params: dict[str, Any], model: Any, **_: Any) -> dict[str, Any]:
        if model.name in RUNTIME_WRITES:
            memory = {k: v for k, v in (params.get("environmentVariables") or {}).items()
                      if k in MEMORY_ENV_VARS and v}  # the toolkit's link to the Memory
            params = {**params, **runtime_params}
            if memory:
                params["environmentVariables"] = {**memory,
                                                  **params.get("environmentVariables", {})}
        check_request(CONTROL, model.name, params)
        if model.name in RUNTIME_WRITES:
            requests.append({"operation": model.name, "params": params})
        return params

    with default_session(profile, {f"provide-client-params.{CONTROL}": hook}):
        yield
