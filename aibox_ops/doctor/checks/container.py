"""Checks on the Dockerfile: where dependencies go (``container-install``) and whether the
container user can write where the app logs (``log-permission``)."""

from __future__ import annotations

import posixpath
import re

from ..context import DoctorContext
from ..dockerfile import Instruction, env_values, final_user, parse_dockerfile
from ..model import Finding, failed, passed, skipped, warned

NO_DOCKERFILE = "no Dockerfile yet (run `aibox-ops render`)"
_PIP = re.compile(r"(?:^|[\s;&|(])(?:python3?\s+-m\s+)?pip3?\s+install\b")
_UV_PIP = re.compile(r"\buv\s+pip\s+install\b")
_UV_SYNC = re.compile(r"\buv\s+sync\b")
_VENV = re.compile(r"\b(?:python3?\s+-m\s+venv|virtualenv|uv\s+venv)\s+(?:-\S+\s+)*([^\s;&|]+)?")
_REQ = re.compile(r"(?:-r|--requirement)[=\s]+([^\s;&|]+)")
ROOT_USERS = {"root", "0", "0:0", "root:root"}


def load_instructions(ctx: DoctorContext) -> tuple[str, list[Instruction]] | None:
    """The Dockerfile's path and instructions, parsed once per run."""
    found = ctx.dockerfile()
    if found is None:
        return None
    relpath, text = found
    return relpath, ctx.memo(("dockerfile-parsed", relpath), lambda: parse_dockerfile(text))


def _venv_on_path(env: dict[str, tuple[str, int]], venv: str) -> bool:
    path = env.get("PATH", ("", 0))[0]
    venv = venv.rstrip("/")
    return any(part.rstrip("/") in (f"{venv}/bin", posixpath.join("/app", venv, "bin"))
               for part in path.split(":"))


def detect_container_install(ctx: DoctorContext) -> Finding:
    """Fail when dependencies land where the runtime's ``python`` does not look."""
    parsed = load_instructions(ctx)
    if parsed is None:
        return skipped(NO_DOCKERFILE)
    relpath, instructions = parsed
    env = env_values(instructions)
    system_uv = env.get("UV_SYSTEM_PYTHON", ("", 0))[0].lower() in ("1", "true", "yes")
    problems: list[str] = []
    installed: list[str] = []
    for ins in instructions:
        if ins.keyword != "RUN":
            continue
        where = f"{relpath}:{ins.line}"
        if _UV_SYNC.search(ins.args) and not _venv_on_path(env, ".venv"):
            problems.append(f"{where}: `uv sync` installs into /app/.venv, which the "
                            "runtime's python does not use")
        for match in _VENV.finditer(ins.args):
            venv = match.group(1) or ".venv"
            if not _venv_on_path(env, venv):
                problems.append(f"{where}: creates a virtual environment ({venv}) that is not "
                                "on PATH, so `python` will not see what is installed in it")
        for segment in re.split(r"&&|;|\|\|", ins.args):
            if _UV_PIP.search(segment) and "--system" not in segment and not system_uv \
                    and "--python" not in segment:
                problems.append(f"{where}: `uv pip install` without --system installs into a "
                                "virtual environment, not the system python")
            if _PIP.search(segment) or _UV_PIP.search(segment):
                installed += _REQ.findall(segment)
    wanted = ctx.settings.requirements_file if ctx.settings else "requirements-agentcore.txt"
    copied = _copied_requirements(instructions, wanted)
    if not installed:
        problems.append(f"{relpath}: never installs a requirements file with pip "
                        f"(expected `pip install -r` of {wanted})")
    elif not copied.intersection(installed):
        problems.append(f"{relpath}: installs {', '.join(installed)}, but {wanted} is not "
                        "copied to that path")
    if problems:
        return failed(f"{len(problems)} problem(s) with how {relpath} installs dependencies",
                      problems)
    return passed(f"{relpath} installs {', '.join(sorted(set(installed)))} into the system "
                  "python")


def _copied_requirements(instructions: list[Instruction], wanted: str) -> set[str]:
    """Paths inside the image where the requirements file ends up (relative and absolute)."""
    workdir = "/"
    out: set[str] = set()
    for ins in instructions:
        if ins.keyword == "WORKDIR" and ins.operands:
            workdir = posixpath.join(workdir, ins.operands[0])
        if ins.keyword not in ("COPY", "ADD") or len(ins.operands) < 2:
            continue
        *sources, dest = ins.operands
        full_dest = posixpath.normpath(posixpath.join(workdir, dest))
        for source in sources:
            source = source.rstrip("/") or "."
            if source == wanted:
                target = (posixpath.join(full_dest, posixpath.basename(wanted))
                          if dest.endswith("/") else full_dest)
            elif source == ".":
                target = posixpath.join(full_dest, wanted)
            else:
                continue
            out.add(target)
            out.add(posixpath.relpath(target, workdir))
    return out


def detect_log_permission(ctx: DoctorContext) -> Finding:
    """Fail when a non-root container user would write log files it cannot create."""
    parsed = load_instructions(ctx)
    if parsed is None:
        return skipped(NO_DOCKERFILE)
    relpath, instructions = parsed
    user = final_user(instructions)
    if user is None or user[0] in ROOT_USERS:
        return passed(f"{relpath}: the container runs as root; it can write its logs "
                      "(a non-root USER is safer)")
    env = env_values(instructions)
    log_to_file = env.get("LOG_TO_FILE")
    file_logging = log_to_file is None or log_to_file[0].strip().lower() not in (
        "0", "false", "no", "off")
    problems = []
    if file_logging:
        problems.append(f"{relpath}: LOG_TO_FILE is "
                        + (f"{log_to_file[0]!r} (line {log_to_file[1]})" if log_to_file
                           else "not set") + ", so the app writes log files")
    root_copies = [ins for ins in instructions if ins.keyword in ("COPY", "ADD")
                   and "chown" not in ins.flags and "from" not in ins.flags]
    run_text = " ".join(ins.args for ins in instructions if ins.keyword == "RUN")
    logs_made = re.search(r"mkdir\s+(?:-p\s+)?[^;&|]*\blogs\b", run_text) is not None
    logs_owned = re.search(r"chown\s+(?:-R\s+)?\S+\s+[^;&|]*(?:\blogs\b|/app(?:\s|$|/?\s))",
                           run_text) is not None
    if root_copies:
        problems.append(f"{relpath}:{root_copies[0].line}: files are copied as root "
                        f"(COPY without --chown) but the app runs as USER {user[0]}")
    if not (logs_made and logs_owned):
        problems.append(f"{relpath}: no log folder is created and handed to the container "
                        "user (mkdir -p /app/logs && chown)")
    writable = logs_made and logs_owned
    if file_logging and not writable:
        return failed(f"USER {user[0]} cannot write the log file: PermissionError at start-up",
                      problems)
    if file_logging:
        return warned(f"the app writes log files as USER {user[0]}; set LOG_TO_FILE=false and "
                      "log to stdout (CloudWatch collects it)", problems)
    return passed(f"LOG_TO_FILE=false in {relpath}: no log files are written"
                  + ("" if writable else " (the log folder would not be writable)"))
