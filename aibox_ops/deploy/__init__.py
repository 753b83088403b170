"""``aibox-ops deploy`` and the commands around it: status, logs, rollback, destroy.

The pipeline is ``pipeline.py``; the AWS calls of a launch are aibox-ops' own
(``engine/``): the starter toolkit's runtime operations are never imported.
"""

from .history import DeployRecord, History, load_history
from .pipeline import run_deploy
from .report import DeployOptions, DeployReport

__all__ = ["DeployOptions", "DeployRecord", "DeployReport", "History", "load_history",
           "run_deploy"]
