"""Global CLI state: the options every command shares, and lazily loaded settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import Settings, load_settings

if TYPE_CHECKING:
    from ..aws import AwsSession


@dataclass
class AppState:
    """Options given before the command name (``aibox-ops --json render``)."""

    project: Path = field(default_factory=Path.cwd)
    profile: str | None = None
    region: str | None = None
    stage: str | None = None
    json: bool = False
    verbose: bool = False
    debug: bool = False
    _settings: Settings | None = None
    _aws: AwsSession | None = None

    def settings(self) -> Settings:
        """Settings for the project, with --stage/--region/--profile applied (loaded once)."""
        if self._settings is None:
            flags = {"region": self.region, "profile": self.profile, "stage": self.stage}
            self._settings = load_settings(self.project, flags=flags)
            if self.verbose:
                from .output import console

                console().print(f"settings: {self._settings.source}", markup=False)
        return self._settings

    def aws(self) -> AwsSession:
        """The run's one AWS session (opened on first use, in the settings' region and
        profile); an unknown profile is an AwsError here, before any call is made."""
        if self._aws is None:
            from ..aws import open_session

            settings = self.settings()
            self._aws = open_session(settings.region, settings.profile)
        return self._aws
