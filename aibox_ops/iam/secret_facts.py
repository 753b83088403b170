"""What Secrets Manager and KMS say about the agent's secrets: real ARNs and whether a
customer-managed key encrypts them (then the role needs ``kms:Decrypt`` through Secrets
Manager)."""

from __future__ import annotations

from typing import Any

from ..aws.calls import call
from ..errors import AwsError
from .access import SecretFacts


def read_secret_facts(session: Any, secret_ids: list[str], region: str,
                      warnings: list[str]) -> dict[str, SecretFacts]:
    """Real ARN and customer-managed KMS key of each secret; an unknown or unreadable secret
    gets no facts (the policy then uses ``NAME-??????``) and a warning."""
    facts: dict[str, SecretFacts] = {}
    for secret_id in secret_ids:
        secret_region = secret_id.split(":")[3] if secret_id.startswith("arn:") else region
        try:
            reply = call(session, "secretsmanager", "DescribeSecret",
                         f"describe secret {secret_id}", region=secret_region,
                         SecretId=secret_id)
        except AwsError as error:
            warnings.append(f"secret {secret_id}: {error.message}; granting its name pattern")
            continue
        key = _customer_key_arn(session, reply.get("KmsKeyId"), secret_region, warnings)
        facts[secret_id] = SecretFacts(arn=reply.get("ARN"), kms_key_arn=key)
    return facts


def _customer_key_arn(session: Any, key_id: str | None, region: str,
                      warnings: list[str]) -> str | None:
    if not key_id or key_id == "alias/aws/secretsmanager":
        return None  # the AWS-managed key: Secrets Manager decrypts without a grant
    try:
        meta = call(session, "kms", "DescribeKey", f"describe KMS key {key_id}",
                    region=region, KeyId=key_id)["KeyMetadata"]
    except AwsError as error:
        if key_id.startswith("arn:") and ":key/" in key_id:
            warnings.append(f"KMS key {key_id}: {error.message}; assuming customer-managed")
            return key_id
        warnings.append(f"KMS key {key_id}: {error.message}; no kms:Decrypt planned")
        return None
    return meta["Arn"] if meta.get("KeyManager") == "CUSTOMER" else None
