"""``aibox-ops doctor``: diagnose the deployment guide's failure modes, and fix some.

Public API: ``run_checks(DoctorContext(settings, session=None, offline=True), only=None,
skip=None) -> list[CheckResult]``, ``offline_checks()``, ``all_checks()``, ``report_dict``.
Deploy's preflight stops on ``blocking(results)``: status ``fail`` or ``error`` at severity
``error``.
"""

from .context import DoctorContext
from .model import Check, CheckResult, at_or_above, blocking, report_dict, summarize
from .registry import all_checks, check_ids, offline_checks
from .runner import run_checks

__all__ = ["Check", "CheckResult", "DoctorContext", "all_checks", "at_or_above", "blocking",
           "check_ids",
           "offline_checks", "report_dict", "run_checks", "summarize"]
