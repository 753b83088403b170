"""A project laid out like the deployment guide's, as `agentcore configure/deploy` leave it.

Shared by the init tests (and usable by doctor's): setuptools pyproject.toml with
[project].dependencies, agentcore_app.py at the root beside genai/, a hand-written Dockerfile
and .dockerignore, and a toolkit-written .bedrock_agentcore.yaml holding deploy state.
"""

from __future__ import annotations

from pathlib import Path

ACCOUNT = "123456789012"
REGION = "ap-southeast-1"
AGENT = "my_aibox_agent"
AGENT_ID = f"{AGENT}-AbCdEf1234"
AGENT_ARN = f"arn:aws:bedrock-agentcore:{REGION}:{ACCOUNT}:runtime/{AGENT_ID}"
ROLE_ARN = (f"arn:aws:iam::{ACCOUNT}:role/"
            f"AmazonBedrockAgentCoreSDKRuntime-{REGION}-0a1b2c3d4e")
ECR = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/bedrock-agentcore-{AGENT}"
CODEBUILD = f"bedrock-agentcore-{AGENT}-builder"
CODEBUILD_ROLE = (f"arn:aws:iam::{ACCOUNT}:role/"
                  f"AmazonBedrockAgentCoreSDKCodeBuild-{REGION}-0a1b2c3d4e")

PYPROJECT = """\
# My AIBOX service: the API and the AgentCore entry point.
[project]
name = "my-aibox"
version = "0.1.0"
requires-python = ">=3.11"
dependencies = [
    "bedrock-agentcore==1.25.0",  # AgentCore runtime app
    "strands-agents==1.62.0",
    "boto3>=1.35",
]

[build-system]
requires = ["setuptools>=68"]
build-backend = "setuptools.build_meta"

[tool.setuptools.packages.find]
include = ["genai*"]
"""

APP = """\
from bedrock_agentcore import BedrockAgentCoreApp
from genai.agents.provider import AgentProvider

app = BedrockAgentCoreApp()


@app.entrypoint
async def handle_request(request):
    provider = AgentProvider()
    return await provider.run(request)


if __name__ == "__main__":
    app.run()
"""

PROVIDER = """\
import boto3
from strands import Agent

from genai.agents.prompts import SYSTEM_PROMPT


class AgentProvider:
    async def run(self, request):
        agent = Agent(system_prompt=SYSTEM_PROMPT)
        boto3.client("dynamodb")
        return {"response": str(agent(request.get("prompt", "")))}
"""

DOCKERFILE = """\
FROM public.ecr.aws/docker/library/python:3.12-slim
WORKDIR /app

COPY requirements-agentcore.txt requirements.txt
RUN pip install --no-cache-dir -r requirements.txt && \\
    pip install --no-cache-dir aws-opentelemetry-distro==0.12.2

# Key environment variables (.env is excluded by .dockerignore)
ENV AWS_REGION=ap-southeast-1 \\
    AWS_DEFAULT_REGION=ap-southeast-1 \\
    PYTHONUNBUFFERED=1 \\
    LOG_TO_FILE=false \\
    SETTING_TABLE=prod_aibox_setting \\
    SESSION_TABLE=aibox_session \\
    BEDROCK_REGION=us-west-2 \\
    GEMINI_SECRET_ID=dev_gemini_api \\
    OPENAI_SECRET_ID=dev_openai_api

COPY . .

RUN useradd -m -u 1000 bedrock_agentcore && \\
    mkdir -p /app/logs /app/tmp && \\
    chown -R bedrock_agentcore:bedrock_agentcore /app

USER bedrock_agentcore
EXPOSE 8080

CMD ["opentelemetry-instrument", "python", "-m", "agentcore_app"]
"""


def toolkit_yaml(root: Path) -> str:
    """The YAML `agentcore configure` + `agentcore deploy` leave (absolute paths, state)."""
    return f"""\
default_agent: {AGENT}
agents:
  {AGENT}:
    name: {AGENT}
    entrypoint: {root / 'agentcore_app.py'}
    platform: linux/arm64
    container_runtime: docker
    source_path: {root}
    aws:
      execution_role: {ROLE_ARN}
      execution_role_auto_create: false
      account: '{ACCOUNT}'
      region: {REGION}
      ecr_repository: {ECR}
      ecr_auto_create: false
      network_configuration:
        network_mode: PUBLIC
      protocol_configuration:
        server_protocol: HTTP
      observability:
        enabled: true
    bedrock_agentcore:
      agent_id: {AGENT_ID}
      agent_arn: {AGENT_ARN}
      agent_session_id: 0b5e1c3a-1111-2222-3333-444455556666abcdef
    codebuild:
      project_name: {CODEBUILD}
      execution_role: {CODEBUILD_ROLE}
      source_bucket: bedrock-agentcore-codebuild-sources-{ACCOUNT}-{REGION}
    memory:
      mode: NO_MEMORY
    authorizer_configuration: null
"""


def make_guide_project(root: Path) -> Path:
    """Write the guide's project into ``root`` (tests, docs, .env and a venv included, so
    that what must stay out of the image is there to leave out)."""
    files = {
        "pyproject.toml": PYPROJECT,
        "agentcore_app.py": APP,
        "genai/__init__.py": "",
        "genai/agents/__init__.py": "",
        "genai/agents/provider.py": PROVIDER,
        "genai/agents/prompts.py": 'SYSTEM_PROMPT = "You are MyAIBOX."\n',
        "genai/tests/test_provider.py": "def test_nothing():\n    assert True\n",
        "genai/.env.local": "GEMINI_API_KEY=local\n",
        "genai/logs/app.log": "old log\n",
        "genai/agents/__pycache__/provider.cpython-312.pyc": "",
        "tests/test_app.py": "import agentcore_app\n",
        "docs/index.md": "# docs\n",
        "scripts/seed.py": "import json\n",
        ".env": "OPENAI_API_KEY=sk-local\n",
        ".venv/pyvenv.cfg": "home = /usr/bin\n",
        ".dockerignore": ".env\n.venv\n",
        f".bedrock_agentcore/{AGENT}/Dockerfile": DOCKERFILE,
        ".bedrock_agentcore.yaml": toolkit_yaml(root.resolve()),
    }
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root
