"""Which AWS profile and region a run uses, where each came from, and whether the profile
exists. Reads the shared AWS files directly (no botocore import: ``config`` stays fast)."""

from __future__ import annotations

import configparser
import os
from collections.abc import Mapping
from pathlib import Path

from ..errors import AwsError


def available_profiles(environ: Mapping[str, str] | None = None) -> set[str]:
    """Profiles in the AWS config and credentials files (``AWS_CONFIG_FILE`` and
    ``AWS_SHARED_CREDENTIALS_FILE`` honoured, as botocore does)."""
    env = os.environ if environ is None else environ
    home = Path(env.get("HOME") or Path.home())
    config = Path(env.get("AWS_CONFIG_FILE") or home / ".aws" / "config").expanduser()
    credentials = Path(env.get("AWS_SHARED_CREDENTIALS_FILE")
                       or home / ".aws" / "credentials").expanduser()
    names: set[str] = set()
    for path, prefixed in ((config, True), (credentials, False)):
        parser = configparser.RawConfigParser()
        try:
            parser.read(path, encoding="utf-8")
        except (configparser.Error, OSError, UnicodeDecodeError):
            continue  # botocore reports a broken file itself, when it reads it
        for section in parser.sections():
            name = section.strip()
            if prefixed and name.startswith("profile "):
                names.add(name[len("profile "):].strip())
            elif prefixed and name == "default" or not prefixed:
                names.add(name)
    return names


def effective_profile(profile: str | None, profile_origin: str | None = None,
                      environ: Mapping[str, str] | None = None) -> tuple[str | None, str]:
    """(profile, where it came from): the settings/--profile value, else ``AWS_PROFILE``,
    else None (botocore's default credential chain)."""
    env = os.environ if environ is None else environ
    if profile:
        return profile, profile_origin or "--profile or the 'profile' setting"
    if env.get("AWS_PROFILE"):
        return env["AWS_PROFILE"], "env AWS_PROFILE"
    return None, "none: the default credential chain (env keys, [default], SSO, role)"


def check_profile(profile: str | None, profile_origin: str | None = None,
                  environ: Mapping[str, str] | None = None) -> str | None:
    """The effective profile; raises AwsError (exit 5) when it names a profile that does not
    exist. Call it as soon as a command needs AWS (before opening a session)."""
    name, origin = effective_profile(profile, profile_origin, environ)
    if name is None:
        return None
    known = available_profiles(environ)
    if name not in known:
        listed = ", ".join(sorted(known)) or "none"
        raise AwsError(f"AWS profile '{name}' (from {origin}) does not exist "
                       f"(profiles found: {listed})",
                       hint="Fix --profile / AWS_PROFILE / the 'profile' setting, or add the "
                            "profile to ~/.aws/config (aws configure --profile NAME).",
                       code="ProfileNotFound")
    return name
