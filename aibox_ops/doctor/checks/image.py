"""What ends up in the image: secrets (``secrets-in-image``) and the environment the
Dockerfile sets compared with the configuration (``env-drift``, offline part)."""

from __future__ import annotations

import os
import re

from ..context import DoctorContext
from ..dockerfile import env_values
from ..model import Finding, failed, passed, skipped, warned
from ..redact import SECRET_REF_NAME_RE, looks_secret, redact
from .container import NO_DOCKERFILE, load_instructions

SECRET_NAME_RE = re.compile(
    r"(^|_)(KEY|PASS|PASSWD|PASSWORD|SECRET|TOKEN|CREDENTIALS?|PRIVATE)(_|$)", re.I)
# Folders never in a build context worth walking (environments, VCS, caches).
UNWALKED = frozenset({".git", ".venv", "venv", "node_modules", "__pycache__", ".aibox-ops",
                      ".mypy_cache", ".ruff_cache", ".pytest_cache"})


def dockerignore_excludes(text: str, path: str) -> bool:
    """Whether ``.dockerignore`` text keeps ``path`` out of the build context (render's own
    Docker-syntax matcher)."""
    from ...render.context import is_ignored, parse_dockerignore

    return is_ignored(parse_dockerignore(text), path)


def detect_secrets_in_image(ctx: DoctorContext) -> Finding:
    """Fail when ``.env`` may be copied in, or the Dockerfile/config holds a secret value."""
    problems: list[str] = []
    ignore = ctx.read(".dockerignore")
    if ignore is None:
        problems.append(".dockerignore: missing, so .env files go into the build context")
    else:
        present, possible = _env_files(ctx)
        leaked = [p for p in present if not dockerignore_excludes(ignore, p)]
        if leaked:
            problems.append(f".dockerignore: does not exclude {', '.join(leaked[:10])}"
                            + (f" (+{len(leaked) - 10} more)" if len(leaked) > 10 else ""))
        loose = [p for p in possible if not dockerignore_excludes(ignore, p)]
        if loose:
            problems.append(f".dockerignore: does not exclude .env files: {', '.join(loose)} "
                            "would go into the build context once created (exclude .env* "
                            "and **/.env*)")
    parsed = load_instructions(ctx)
    if parsed is not None:
        relpath, instructions = parsed
        for name, (value, line) in env_values(instructions).items():
            problems += _secret_problems(f"{relpath}:{line}: ENV {name}", name, value)
        for ins in instructions:
            if ins.keyword == "ARG" and "=" in ins.args:
                name, _, value = ins.args.partition("=")
                problems += _secret_problems(f"{relpath}:{ins.line}: ARG {name.strip()}",
                                             name.strip(), value.strip())
    problems += _config_problems(ctx)
    links = link_problems(ctx)
    if problems:
        return failed(f"{len(problems)} way(s) a secret could end up in the image",
                      problems + links)
    if links:  # never followed by aibox-ops's staging: a warning, not a refused deploy
        return warned(f"{len(links)} symbolic link(s) left out of the image", links,
                      fix="Replace each link with the file itself, or remove it.")
    where = "the Dockerfile and config" if parsed else "config (no Dockerfile yet)"
    return passed(f".dockerignore excludes .env; no secret-looking values in {where}")


def _env_files(ctx: DoctorContext) -> tuple[list[str], list[str]]:
    """(.env files that exist in the project, the .env files the agent's code would load
    that do not exist yet: at the root and in the entry point's folder)."""
    present: list[str] = []
    for folder, dirs, files in os.walk(ctx.root):
        dirs[:] = sorted(d for d in dirs if d not in UNWALKED
                         and not os.path.exists(os.path.join(folder, d, "pyvenv.cfg")))
        rel = os.path.relpath(folder, ctx.root)
        present += [name if rel == "." else f"{rel}/{name}".replace(os.sep, "/")
                    for name in sorted(files) if name.startswith(".env")]
    entry = ctx.entrypoint()
    agent_dir = os.path.dirname(entry) if entry else ""
    folders = dict.fromkeys(["", agent_dir])
    possible = [f"{d}/.env" if d else ".env" for d in folders]
    return present, [p for p in possible if p not in present]


def link_problems(ctx: DoctorContext) -> list[str]:
    """Symbolic links among the image's paths that staging never follows (render's own
    image file set says which, and why): aibox-ops leaves them out, but the starter
    toolkit's own upload copies what a link to a file points to, so
    ``agent/settings.txt -> ../.env`` would upload the key file."""
    from ...render.context import image_files, unfollowed_link

    if ctx.settings is None:
        return []  # no image paths to walk; the config check reports why
    root = ctx.root
    out = []
    for rel in image_files(ctx.settings).links_out:
        path = root / rel
        why = unfollowed_link(root.resolve(), path.resolve())
        out.append(f"{rel} -> {os.readlink(path)}: a symbolic link {why}; aibox-ops leaves "
                   "it out of the image, other builds (`agentcore deploy`) copy what it "
                   "points to (replace it with the file itself, or remove it)")
    return out


def _secret_problems(where: str, name: str, value: str) -> list[str]:
    if not value:
        return []
    if looks_secret(value):
        return [f"{where} holds a credential-shaped value ({redact(value)})"]
    if SECRET_NAME_RE.search(name) and not SECRET_REF_NAME_RE.search(name) \
            and not value.startswith(("arn:", "${")):
        return [f"{where}: the name says it is a secret; its value would be baked into the "
                "image (value hidden)"]
    return []


def _config_problems(ctx: DoctorContext) -> list[str]:
    """Secret-looking values in [tool.aibox-ops].environment (read raw: works even when the
    settings are invalid)."""
    from ...pyproject import load_pyproject

    try:
        tool = load_pyproject(ctx.root).table("tool", "aibox-ops")
    except Exception:  # an unreadable pyproject is the config check's business
        return []
    env = tool.get("environment") if isinstance(tool, dict) else None
    if not isinstance(env, dict):
        return []
    out = []
    for name, value in env.items():
        out += _secret_problems(f"pyproject.toml: [tool.aibox-ops.environment] {name}",
                                str(name), str(value))
    return out


def image_generated(ctx: DoctorContext) -> bool:
    """Whether the Dockerfile the build uses was generated by aibox-ops (its header)."""
    from ...render.header import split_header

    found = ctx.dockerfile()
    return found is not None and split_header(found[1])[0] is not None


def detect_env_drift_offline(ctx: DoctorContext) -> tuple[list[str], str | None]:
    """Differences between the Dockerfile's ENV and ``Settings.container_env``, and the
    Dockerfile path (None when there is no Dockerfile)."""
    parsed = load_instructions(ctx)
    if parsed is None or ctx.settings is None:
        return [], None
    relpath, _ = parsed
    return diff_env(image_env(ctx), ctx.settings.container_env, relpath), relpath


def image_env(ctx: DoctorContext) -> dict[str, str]:
    """The ENV the project's Dockerfile gives the image (empty without a Dockerfile)."""
    parsed = load_instructions(ctx)
    if parsed is None:
        return {}
    return {name: value for name, (value, _) in env_values(parsed[1]).items()}


def diff_env(actual: dict[str, str], wanted: dict[str, str], where: str) -> list[str]:
    """Readable differences (values redacted) between two environments."""
    out = []
    for name in sorted(set(actual) | set(wanted)):
        have, want = actual.get(name), wanted.get(name)
        if have == want:
            continue
        if have is None:
            out.append(f"{where}: {name} missing (config: {redact(want or '')!r})")
        elif want is None:
            out.append(f"{where}: {name}={redact(have)!r} is not in the config")
        else:
            out.append(f"{where}: {name}={redact(have)!r}, config says {redact(want)!r}")
    return out


def detect_env_drift_files(ctx: DoctorContext) -> Finding:
    """Offline half of env-drift: the Dockerfile against the config."""
    drift, relpath = detect_env_drift_offline(ctx)
    if relpath is None:
        return skipped(NO_DOCKERFILE)
    if drift:
        return failed(f"{relpath} ENV differs from the config in {len(drift)} variable(s)",
                      drift, fix="Run `aibox-ops render` (and redeploy) so the image gets the "
                      "configured environment.")
    return passed(f"{relpath} ENV matches the config")
