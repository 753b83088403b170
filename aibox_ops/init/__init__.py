"""``aibox-ops init``: adopt an existing project, or start one from the bundled agent."""

from .apply import apply_init
from .bundled import plan_bundled
from .detect import Detection, Finding, Question, detect_project
from .plan import plan_init

__all__ = ["Detection", "Finding", "Question", "apply_init", "detect_project", "plan_bundled",
           "plan_init"]
