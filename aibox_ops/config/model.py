"""Typed settings for aibox-ops (plain frozen dataclasses: cheap to import)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_AGENT_NAME = "my_aibox_agent"
DEFAULT_REGION = "ap-southeast-1"
DEFAULT_BEDROCK_REGION = "us-west-2"

# Container variables the guide's Dockerfile sets (its "Environment Variables" table), plus
# the image model the agent's generate_image tool calls. agent/permissions.json
# (env_defaults) holds the same values: a test keeps the two equal.
DEFAULT_APP_ENV: dict[str, str] = {
    "SETTING_TABLE": "aibox_setting",
    "SESSION_TABLE": "aibox_session",
    "GEMINI_SECRET_ID": "dev_gemini_api",
    "OPENAI_SECRET_ID": "dev_openai_api",
    "IMAGE_MODEL_ID": "amazon.nova-canvas-v1:0",
    "IMAGE_MODEL_REGION": "us-east-1",
    "PYTHONUNBUFFERED": "1",
}
# Fixed in every image whatever the settings say: the container user cannot write log files
# (the guide's troubleshooting 3), and the agent serves on 0.0.0.0 only when it knows it is in
# a container.
IMAGE_FIXED_ENV: dict[str, str] = {"LOG_TO_FILE": "false", "DOCKER_CONTAINER": "1"}
TABLE_ENV_VARS = ("SETTING_TABLE", "SESSION_TABLE")
SECRET_ENV_VARS = ("GEMINI_SECRET_ID", "OPENAI_SECRET_ID")
# AgentCore Memory modes the toolkit knows (its MemoryConfig.mode).
MEMORY_MODES = ("NO_MEMORY", "STM_ONLY", "STM_AND_LTM")
# "container": an ARM64 image built by CodeBuild; "code": a zip of the code and its arm64
# wheels (the YAML's direct_code_deploy), falling back to the container when it cannot be.
DEPLOYMENT_TYPES = ("container", "code")
# What the toolkit adds to the runtime's environment for a Memory (mode other than
# NO_MEMORY and a memory id in the YAML): kept on every deploy, never counted as drift.
MEMORY_ENV_VARS = ("BEDROCK_AGENTCORE_MEMORY_ID", "BEDROCK_AGENTCORE_MEMORY_NAME")


@dataclass(frozen=True)
class Authorizer:
    """Inbound authentication for the runtime (the guide's "Authentication" section)."""

    type: str = "none"  # none | jwt | oauth
    discovery_url: str | None = None  # oauth: OIDC discovery URL of the IdP
    provider: str = "cognito"  # oauth: informational, as in the guide
    issuer_url: str | None = None  # jwt/oauth
    audiences: list[str] = field(default_factory=list)
    allowed_clients: list[str] = field(default_factory=list)  # oauth
    signing_algorithm: str = "ES384"  # jwt: ES384 | RS256
    duration_seconds: int = 300  # jwt: 60-3600


@dataclass(frozen=True)
class Lifecycle:
    """Runtime session lifecycle (AgentCore's LifecycleConfiguration)."""

    idle_timeout: int = 900  # seconds, 60-28800
    max_lifetime: int = 28800  # seconds, 60-28800, >= idle_timeout


@dataclass(frozen=True)
class Warm:
    """Scheduled health pings that keep sessions warm."""

    enabled: bool = False
    interval_minutes: int = 5
    sessions: int = 1  # how many runtime session ids to keep warm
    action: str = "health"  # payload action sent with each ping


@dataclass(frozen=True)
class Settings:
    """Everything aibox-ops knows about the project, after all layers are merged."""

    project_dir: Path
    source: str  # where [tool.aibox-ops] came from, or what detection read
    # False while the project has no [tool.aibox-ops] table: settings were detected from its
    # files (config/sources.py: detected_layer) and nothing of the user's was generated yet.
    adopted: bool = True
    agent_name: str = DEFAULT_AGENT_NAME
    entrypoint: str = "agent/agentcore_app.py"
    # Packages (folders or .py modules, relative to the project) the image gets besides the
    # entrypoint: a root-level entrypoint imports them (the guide's ``genai``).
    packages: list[str] = field(default_factory=list)
    region: str = DEFAULT_REGION
    bedrock_region: str = DEFAULT_BEDROCK_REGION
    python_version: str = "3.12"
    otel_distro_version: str = "0.12.2"
    network_mode: str = "PUBLIC"  # PUBLIC | VPC
    # The runtime starts sessions from a per-version snapshot (AgentCore's snapshot start):
    # the agent then warms up before it serves (AGENT_EAGER_START=1 in the container env).
    snapshot_start: bool = False
    # Where the container's requirements come from: a dependency group ("group"),
    # [project].dependencies ("project") or a requirements file kept by hand ("requirements").
    dependency_source: str = "group"
    dependency_group: str = "agent"
    requirements_file: str = "requirements-agentcore.txt"
    environment: dict[str, str] = field(default_factory=dict)  # overrides of container env
    # Whether the container gets the bundled MyAIBOX agent's default variables
    # (DEFAULT_APP_ENV: its tables, secret ids, image model). init turns it off for a
    # project whose Dockerfile sets its own ENV: only the user's variables enter the image.
    agent_defaults: bool = True
    memory_mode: str = "NO_MEMORY"  # the runtime's AgentCore Memory (MEMORY_MODES)
    deployment_type: str = "container"  # DEPLOYMENT_TYPES
    tables: list[str] | None = None  # DynamoDB tables the agent uses; None: from environment
    secrets: list[str] | None = None  # secret ids the agent reads; None: from environment
    # Whose key schemas the tables have: "bundled" (the bundled agent's genai/store: provision
    # judges and creates tables with them), "own" (the project's code: provision only reports
    # them); None: "bundled" when the image holds the bundled agent's store code, else "own".
    table_schemas: str | None = None
    profile: str | None = None
    stage: str | None = None  # the [tool.aibox-ops.stages.NAME] overlay applied, if any
    authorizer: Authorizer = field(default_factory=Authorizer)
    lifecycle: Lifecycle = field(default_factory=Lifecycle)
    warm: Warm = field(default_factory=Warm)

    @property
    def agent_dir(self) -> Path:
        """Folder holding the agent code (the entrypoint's folder; the project itself for a
        root-level entrypoint)."""
        return (self.project_dir / self.entrypoint).parent

    @property
    def root_entrypoint(self) -> bool:
        """Whether the entrypoint sits at the project root (the guide's layout): then only
        the entrypoint and ``packages`` go into the image, not the whole folder."""
        return len(Path(self.entrypoint).parts) == 1

    @property
    def entry_module(self) -> str:
        """Module name the container runs with ``python -m``."""
        return Path(self.entrypoint).stem

    @property
    def container_env(self) -> dict[str, str]:
        """Exactly the environment the image gets (and deploy passes to the runtime): the
        bundled agent's defaults (unless ``agent_defaults`` is off), then the user's
        ``environment``, then the fixed values."""
        env = {
            "AWS_REGION": self.region,
            "AWS_DEFAULT_REGION": self.region,
            "BEDROCK_REGION": self.bedrock_region,
            **(DEFAULT_APP_ENV if self.agent_defaults else {}),
            **({"AGENT_EAGER_START": "1"} if self.snapshot_start else {}),
            **self.environment,
            **IMAGE_FIXED_ENV,
        }
        return dict(sorted(env.items()))

    @property
    def table_names(self) -> list[str]:
        """DynamoDB tables the agent uses (configured, or read from the container env)."""
        if self.tables is not None:
            return list(self.tables)
        return [self.container_env[k] for k in TABLE_ENV_VARS if self.container_env.get(k)]

    @property
    def secret_ids(self) -> list[str]:
        """Secrets Manager secret ids the agent reads."""
        if self.secrets is not None:
            return list(self.secrets)
        return [self.container_env[k] for k in SECRET_ENV_VARS if self.container_env.get(k)]

    def path(self, relative: str | Path) -> Path:
        """A path inside the project."""
        return self.project_dir / relative
