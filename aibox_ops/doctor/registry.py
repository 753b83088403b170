"""The explicit, ordered list of checks. Ids are a public interface: never rename one."""

from __future__ import annotations

from functools import cache

from .model import Check

SETTINGS = frozenset({"settings"})
LIVE = frozenset({"settings", "aws", "credentials"})
LOG_SCAN = "log-scan"


@cache
def all_checks() -> tuple[Check, ...]:
    """Every check, in report order (built on first use: cheap imports only)."""
    from .checks import (
        code_deploy,
        config_check,
        container,
        drift,
        entry,
        iam,
        image,
        install,
        layout,
        models,
        runtime,
    )
    from .logs import detect_log_scan

    return (
        Check("config", "Settings are valid", "error", config_check.detect_config,
              "Fix the fields named above in [tool.aibox-ops] (see docs/config.md)."),
        Check("flat-layout", "setuptools can find the packages", "error",
              layout.detect_flat_layout,
              "List the packages in [tool.setuptools.packages.find] (`aibox-ops doctor --fix`).",
              plan_fix=layout.plan_layout_fix, apply_fix=layout.apply_layout_fix),
        Check("container-install", "Dependencies install into the runtime's python", "error",
              container.detect_container_install,
              "Install with `pip install -r requirements.txt` (or `uv pip install --system`); "
              "`aibox-ops render` writes such a Dockerfile."),
        Check("requirements-drift", "Requirements file matches pyproject/uv.lock", "error",
              drift.detect_requirements_drift,
              "Run `aibox-ops sync-requirements` (or `aibox-ops doctor --fix`).", SETTINGS,
              plan_fix=drift.plan_requirements_fix, apply_fix=drift.apply_requirements_fix),
        Check("missing-requirement", "Every agent import is installed", "error",
              drift.detect_missing_requirement,
              "Add the distribution to the container's dependency source (the "
              "`dependency_source` setting: the group, [project].dependencies or the "
              "requirements file), `uv lock`, then `aibox-ops sync-requirements`."),
        Check("log-permission", "The container user can write its logs", "error",
              container.detect_log_permission,
              "Set ENV LOG_TO_FILE=false and create/chown the log folder "
              "(`aibox-ops render` does both)."),
        Check("dynamodb-access", "The runtime role can use the DynamoDB tables", "error",
              iam.detect_dynamodb_access,
              "Grant the manifest's DynamoDB actions: `aibox-ops fix-iam` (or doctor --fix).",
              LIVE, plan_fix=iam.plan_iam_fix, apply_fix=iam.apply_iam_fix),
        Check("secrets-access", "The runtime role can read the secrets", "error",
              iam.detect_secrets_access,
              "Grant secretsmanager:GetSecretValue on the secrets: `aibox-ops fix-iam`; create "
              "missing secrets with `aibox-ops secrets`.", LIVE,
              plan_fix=iam.plan_iam_fix, apply_fix=iam.apply_iam_fix),
        Check("main-guard", "__main__ only starts the server in the container", "error",
              entry.detect_main_guard,
              "Guard test code with `if not os.environ.get(\"DOCKER_CONTAINER\")` and only "
              "call app.run() in the container."),
        Check("model-streaming-tools", "Default models can use tools while streaming", "error",
              models.detect_model_streaming_tools,
              "Use a model that supports tool use in streaming mode (Claude 3+, Nova) or "
              "disable tools for it."),
        Check("cold-start", "Sessions are kept warm", "warning", runtime.detect_cold_start,
              "Enable [tool.aibox-ops.warm] with an interval below the idle timeout, then "
              "`aibox-ops warm`.", SETTINGS),
        Check("env-drift", "Image and runtime environment match the config", "error",
              runtime.detect_env_drift,
              "Run `aibox-ops render`, then `aibox-ops deploy` so the runtime gets it.",
              SETTINGS),
        Check("render-drift", "Rendered files match templates and config", "error",
              drift.detect_render_drift, "Run `aibox-ops render` (or `aibox-ops doctor --fix`).",
              SETTINGS, plan_fix=drift.plan_render_fix, apply_fix=drift.apply_render_fix),
        Check("secrets-in-image", "No secrets go into the image", "error",
              image.detect_secrets_in_image,
              "Exclude .env* in .dockerignore; keep secret values in Secrets Manager and pass "
              "their ids; replace symbolic links that point out of the agent's folder."),
        Check("code-deploy", "A code deployment is possible", "warning",
              code_deploy.detect_code_deploy,
              "Set python_version to 3.12 or newer, or deployment_type = \"container\".",
              SETTINGS),
        Check("aws-credentials", "AWS credentials reach the deploy account", "error",
              runtime.detect_aws_credentials,
              "Configure credentials for the deploy account (aws configure / AWS_PROFILE / SSO).",
              frozenset({"aws"})),
        Check("runtime-status", "Runtime and DEFAULT endpoint are ready", "error",
              runtime.detect_runtime_status, "Redeploy with `aibox-ops deploy`.", LIVE),
        Check("auth", "Endpoint protection is complete", "error", runtime.detect_auth,
              "Complete [tool.aibox-ops.authorizer] and redeploy.", SETTINGS),
        Check("install-test", "Requirements install and the entry point imports", "error",
              install.detect_install_test,
              "Add the missing distribution to the container's dependency source, then "
              "`aibox-ops sync-requirements`.",
              SETTINGS),
        # The runner reads the logs once and also reports each match under its own check.
        Check(LOG_SCAN, "Runtime and build logs hold no known failure", "error",
              detect_log_scan, "Fix the failure modes named in the evidence, then redeploy.",
              LIVE),
    )


def check_ids() -> list[str]:
    """Every check id, in order."""
    return [check.id for check in all_checks()]


def offline_checks() -> list[str]:
    """Ids of the checks that need no AWS."""
    return [check.id for check in all_checks() if not check.live]


def get_check(check_id: str) -> Check:
    """The check with ``check_id`` (KeyError when unknown)."""
    for check in all_checks():
        if check.id == check_id:
            return check
    raise KeyError(check_id)
