"""``aibox-ops deploy`` and the commands around it: status, logs, rollback, destroy.

Every call into the starter toolkit is in ``toolkit.py``; the pipeline is ``pipeline.py``.
"""

from .history import DeployRecord, History, load_history
from .pipeline import run_deploy
from .report import DeployOptions, DeployReport

__all__ = ["DeployOptions", "DeployRecord", "DeployReport", "History", "load_history",
           "run_deploy"]
