"""IAM for the runtime role: what the agent needs, what the role has, and owned policies.

Pure: ``load_manifest`` (file read), ``required_access``, ``evaluate_access``,
``plan_from_documents``. AWS reads: ``find_role``, ``read_role_documents``,
``plan_role_policies``/``plan_role_access``, ``verify_role_access``, ``read_denied_calls``.
AWS writes (backup first, owned names only): ``apply_role_policies``,
``put_owned_policies``, ``rollback_role_policies``. boto3 is imported lazily inside calls.
"""

from .access import Requirement, SecretFacts, required_access, secret_ids_needed
from .apply import (
    ApplyResult,
    apply_role_policies,
    put_owned_policies,
    verify_role_access,
)
from .backups import BACKUP_DIR, Backup, list_backups, load_backup
from .documents import (
    DATA_POLICY,
    INLINE_LIMIT,
    LOGS_POLICY,
    MODELS_POLICY,
    OWNED_POLICIES,
    OWNED_PREFIX,
    PolicyDoc,
)
from .evaluate import AccessReport, Check, evaluate_access
from .logs import (
    DeniedCall,
    log_scope,
    read_denied_calls,
    runtime_log_group,
    statements_from_denials,
)
from .manifest import Manifest, load_manifest
from .plan import RolePlan, plan_from_documents, plan_role_access, plan_role_policies
from .role import (
    RoleRef,
    delete_role,
    find_role,
    find_runtime_id,
    read_role_documents,
    toolkit_role_name,
)
from .rollback import plan_rollback, rollback_role_policies
from .secret_facts import read_secret_facts

__all__ = [
    "BACKUP_DIR", "DATA_POLICY", "INLINE_LIMIT", "LOGS_POLICY", "MODELS_POLICY",
    "OWNED_POLICIES", "OWNED_PREFIX", "AccessReport", "ApplyResult", "Backup", "Check",
    "DeniedCall", "Manifest", "PolicyDoc", "Requirement", "RolePlan", "RoleRef", "SecretFacts",
    "apply_role_policies", "delete_role", "evaluate_access", "find_role", "find_runtime_id",
    "list_backups", "load_backup", "log_scope", "plan_rollback",
    "load_manifest", "plan_from_documents", "plan_role_access", "plan_role_policies",
    "put_owned_policies", "read_denied_calls", "read_role_documents", "read_secret_facts",
    "required_access", "rollback_role_policies", "runtime_log_group", "secret_ids_needed",
    "statements_from_denials", "toolkit_role_name", "verify_role_access",
]
