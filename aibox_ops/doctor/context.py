"""What a doctor run knows: the project, its settings (or why they are invalid), the AWS
session, and a per-run cache so that every file and AWS resource is read once."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from ..errors import AiboxError

if TYPE_CHECKING:
    from ..aws import AwsSession
    from ..config import Settings
    from ..deploy_state import DeployState

T = TypeVar("T")
# Where an entry point is looked for when the configured one does not exist (the guide keeps
# agentcore_app.py at the project root).
ENTRY_CANDIDATES = ("agentcore_app.py", "agent/agentcore_app.py", "app.py", "main.py")
DAY = 24 * 3600.0


class _Cache:
    """Thread-safe memo: each key is computed once per run, even when asked concurrently.

    A failure is remembered too, so a broken resource is reported by every check that needs
    it without being asked for again.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._locks: dict[Any, threading.Lock] = {}
        self._values: dict[Any, tuple[bool, Any]] = {}

    def get(self, key: Any, compute: Callable[[], T]) -> T:
        with self._lock:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            if key not in self._values:
                try:
                    self._values[key] = (True, compute())
                except Exception as exc:  # remembered and re-raised to every caller
                    self._values[key] = (False, exc)
            ok, value = self._values[key]
        if not ok:
            raise value
        return value

    def computed(self) -> list[Any]:
        """Keys computed so far (tests use it to prove each resource is read once)."""
        return list(self._values)


@dataclass
class DoctorContext:
    """Inputs of one doctor run. ``settings`` is None when they are invalid (``settings_error``
    says why); checks that need settings are then skipped and ``config`` fails."""

    settings: Settings | None
    session: AwsSession | None = None
    offline: bool = True
    project_dir: Path | None = None
    settings_error: AiboxError | None = None
    logs: bool = False
    since_seconds: float = DAY
    install_test: bool = False
    cache: _Cache = field(default_factory=_Cache, repr=False)

    def __post_init__(self) -> None:
        if self.project_dir is None:
            if self.settings is None:
                raise ValueError("DoctorContext needs settings or project_dir")
            self.project_dir = self.settings.project_dir
        self.project_dir = Path(self.project_dir).resolve()

    @property
    def root(self) -> Path:
        """The project folder."""
        assert self.project_dir is not None
        return self.project_dir

    def memo(self, key: Any, compute: Callable[[], T]) -> T:
        """``compute()`` once per run for ``key`` (thread-safe)."""
        return self.cache.get(key, compute)

    def read(self, relpath: str) -> str | None:
        """A project file's text, read once per run (None when absent)."""
        from ..files import read_text

        return self.memo(("file", relpath), lambda: read_text(self.root / relpath))

    # -- the project as doctor sees it -------------------------------------------------
    def entrypoint(self) -> str | None:
        """The entry point (relative path): configured when it exists, else auto-detected."""
        return self.memo("entrypoint", self._find_entrypoint)

    def _find_entrypoint(self) -> str | None:
        if self.settings is not None and self.settings.path(self.settings.entrypoint).is_file():
            return self.settings.entrypoint
        for candidate in ENTRY_CANDIDATES:
            text = self.read(candidate)
            if text is not None and "BedrockAgentCoreApp" in text:
                return candidate
        return None

    def agent_settings(self) -> Settings | None:
        """Settings with the entry point doctor found (a guide-like project keeps its entry
        point at the root, where the default ``agent/agentcore_app.py`` does not exist)."""
        if self.settings is None:
            return None
        found = self.entrypoint()
        if found is None or found == self.settings.entrypoint:
            return self.settings
        return dataclasses.replace(self.settings, entrypoint=found)

    def dockerfile(self) -> tuple[str, str] | None:
        """(relative path, text) of the Dockerfile the build uses, or None."""
        return self.memo("dockerfile", self._find_dockerfile)

    def _find_dockerfile(self) -> tuple[str, str] | None:
        candidates = []
        if self.settings is not None:
            candidates.append(f".bedrock_agentcore/{self.settings.agent_name}/Dockerfile")
        candidates.append("Dockerfile")
        candidates += sorted(p.relative_to(self.root).as_posix()
                             for p in self.root.glob(".bedrock_agentcore/*/Dockerfile"))
        for relpath in candidates:
            text = self.read(relpath)
            if text is not None:
                return relpath, text
        return None

    def deploy_state(self) -> DeployState | None:
        """What is deployed, per the toolkit's YAML (None without settings)."""
        if self.settings is None:
            return None
        from ..deploy_state import load_deploy_state

        settings = self.settings
        return self.memo("deploy-state", lambda: load_deploy_state(settings))

    # -- AWS -----------------------------------------------------------------------------
    def aws_unavailable(self) -> str | None:
        """Why live checks cannot run (None when they can)."""
        if self.offline:
            return "offline (--offline)"
        if self.session is None:
            return "no AWS session"
        try:
            self.identity()
        except AiboxError as exc:
            return f"no usable AWS credentials ({exc.message}); see aws-credentials"
        return None

    def identity(self) -> dict[str, str]:
        """The caller's identity (STS, once per run)."""
        assert self.session is not None
        session = self.session
        return self.memo("sts-identity", session.caller_identity)

    def client(self, service: str) -> Any:
        """A client of the run's session (one per service; ``AwsSession.client`` creates it
        under its lock, so checks in threads may ask at once)."""
        assert self.session is not None
        return self.session.client(service)


    def open_clients(self) -> None:
        """Create the clients the live checks use before they run in threads (creation is
        serialised by the session's lock; made first, no check waits on another's)."""
        for service in LIVE_SERVICES:
            self.client(service)


LIVE_SERVICES = ("iam", "bedrock-agentcore-control", "secretsmanager", "kms")
