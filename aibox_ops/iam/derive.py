"""A permissions manifest for a project that has none: derived from what its image gets.

The bundled agent ships its own ``agent/permissions.json``. An adopted project (the guide's)
has only its Dockerfile's ENV: each ``*_TABLE`` variable names a DynamoDB table, each
``*_SECRET_ID`` / ``_ARN`` / ``_NAME`` variable a secret, and ``BEDROCK_REGION`` where the
chat models run. ``init`` writes this document down next to the entry point; before that,
fix-iam and doctor use it as derived (``load_manifest``), so they judge the project as it is.
"""

from __future__ import annotations

import re
from typing import Any

from ..config import Settings
from ..config.build import SECRET_REF_RE

TABLE_VAR_RE = re.compile(r"_TABLE(_NAME)?$")
# The guide's own grant for its tables (troubleshooting 4), narrowed to the named tables.
TABLE_ACTIONS = ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem",
                 "dynamodb:DeleteItem", "dynamodb:Query", "dynamodb:Scan")
TABLE_ARN = "arn:${aws:partition}:dynamodb:${env:AWS_REGION}:${aws:account}:table/${env:%s}"
SECRET_ARN = ("arn:${aws:partition}:secretsmanager:${env:AWS_REGION}:${aws:account}:"
              "secret:${env:%s}-??????")
CHAT_MODELS = {
    "sid": "BedrockChatModels",
    "service": "bedrock-runtime",
    "operations": ["Converse", "ConverseStream"],
    "actions": ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"],
    "resources": [
        {"type": "inference-profile", "region_env": "BEDROCK_REGION",
         "arn": "arn:${aws:partition}:bedrock:${env:BEDROCK_REGION}:${aws:account}:"
                "inference-profile/*"},
        {"type": "foundation-model", "region": "*",
         "arn": "arn:${aws:partition}:bedrock:*::foundation-model/*"},
    ],
    "note": "Strands' BedrockModel (the default model) calls Converse/ConverseStream; "
            "inference profiles route to foundation models in other regions.",
    "used_by": "strands BedrockModel",
}


def derive_manifest(settings: Settings, source: str) -> dict[str, Any]:
    """The manifest document for ``settings``' container environment (pure); ``source``
    names where the variables were found (it goes into the description)."""
    env = settings.container_env
    statements: list[dict[str, Any]] = []
    for name in sorted(n for n in env if TABLE_VAR_RE.search(n) and env[n]):
        statements.append({
            "sid": _sid(name), "service": "dynamodb", "actions": list(TABLE_ACTIONS),
            "resources": [{"type": "dynamodb-table", "name_env": name,
                           "region_env": "AWS_REGION", "arn": TABLE_ARN % name}],
            "note": f"the table named by {name}; the guide's actions (troubleshooting 4)"})
    secrets = sorted(n for n in env if SECRET_REF_RE.search(n) and env[n])
    if secrets:
        statements.append({
            "sid": "AppSecrets", "service": "secretsmanager",
            "actions": ["secretsmanager:GetSecretValue"],
            "resources": [{"type": "secret", "name_env": name, "region_env": "AWS_REGION",
                           "arn": SECRET_ARN % name} for name in secrets],
            "note": f"the secrets named by {', '.join(secrets)}"})
    statements.append(dict(CHAT_MODELS))
    names = {"AWS_REGION", "BEDROCK_REGION",
             *(r["name_env"] for s in statements for r in s["resources"] if r.get("name_env"))}
    return {
        "version": 1,
        "description": f"Every AWS call the agent makes, derived by aibox-ops from {source}: "
                       "tables (*_TABLE), secrets (*_SECRET_ID) and Bedrock models. Edit it "
                       "to match the code; fix-iam grants exactly these statements "
                       "(docs/fix-iam.md).",
        "env_defaults": {name: env[name] for name in sorted(names) if env.get(name)},
        "statements": statements,
    }


def _sid(name: str) -> str:
    """``SETTING_TABLE`` -> ``SettingTable`` (an IAM Sid: letters and digits only)."""
    return "".join(part.capitalize() for part in re.split(r"[^A-Za-z0-9]+", name) if part)
