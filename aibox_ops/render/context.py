"""What goes into the image: one list that the Dockerfile's COPY lines, the .dockerignore
allow-list and the deploy's staged build context are all made from, so they cannot disagree.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from ..config import Settings


def image_paths(settings: Settings) -> list[str]:
    """Paths (relative to the project, POSIX) whose contents the image gets as agent code.

    A folder entrypoint (``agent/agentcore_app.py``): that folder, plus any ``packages``.
    A root-level entrypoint (``agentcore_app.py``): the file itself plus ``packages``
    (folders or .py modules). Tests, logs, caches and .env files inside them are still kept
    out by the .dockerignore rendered from the same list.
    """
    entry = PurePosixPath(settings.entrypoint)
    first = entry.as_posix() if settings.root_entrypoint else entry.parent.as_posix()
    out = [first]
    for package in settings.packages:
        path = PurePosixPath(package).as_posix().rstrip("/")
        if path not in out:
            out.append(path)
    return out


def build_context_paths(settings: Settings) -> list[str]:
    """Everything the Docker build reads from its context: the requirements file the
    Dockerfile installs, then ``image_paths``. The rendered .dockerignore lets exactly these
    in; a staged build context needs exactly these (plus the Dockerfile itself)."""
    return [PurePosixPath(settings.requirements_file).as_posix(), *image_paths(settings)]


def image_copies(settings: Settings) -> list[tuple[str, str]]:
    """(source, destination) pairs for the Dockerfile's COPY lines, in image_paths order.

    The entrypoint's folder is copied *into* /app (``python -m <module>`` finds it there);
    a root-level entrypoint and each package keep their own name under /app, so imports
    such as ``from genai.agents.provider import ...`` resolve as they do in the project.
    """
    copies = []
    for index, path in enumerate(image_paths(settings)):
        is_dir = settings.path(path).is_dir() or (index == 0 and not settings.root_entrypoint)
        if index == 0 and not settings.root_entrypoint:
            copies.append((f"{path}/", "/app/"))
        elif is_dir:
            copies.append((f"{path}/", f"/app/{path}/"))
        else:
            copies.append((path, f"/app/{path}"))
    return copies


def context_files(settings: Settings, dockerignore: str | None = None) -> list[str]:
    """Every file (relative POSIX path, sorted) of ``build_context_paths`` that the
    ``.dockerignore`` lets into the build context: exactly what a staged context must hold
    besides the Dockerfile. The toolkit's CodeBuild zip leaves .dockerignore out, so a deploy
    that stages its own context should copy these files only.

    ``dockerignore`` defaults to the project's .dockerignore, else the rendered one."""
    if dockerignore is None:
        from ..files import read_text

        dockerignore = read_text(settings.path(".dockerignore"))
    if dockerignore is None:
        from .plan import template_context
        from .templates import default_templates_dir, render_template

        dockerignore = render_template(default_templates_dir(), "dockerignore.j2",
                                       template_context(settings))
    rules = parse_dockerignore(dockerignore)
    root = settings.project_dir
    out: set[str] = set()
    for rel in build_context_paths(settings):
        path = root / rel
        candidates = [path] if path.is_file() else sorted(p for p in path.rglob("*")
                                                          if p.is_file())
        for file in candidates:
            relpath = file.relative_to(root).as_posix()
            if not is_ignored(rules, relpath):
                out.add(relpath)
    return sorted(out)


def image_layout(settings: Settings, dockerignore: str | None = None) -> dict[str, str]:
    """Where each agent-code file of ``context_files`` lands in the image: project-relative
    path -> path relative to ``/app``, by the Dockerfile's COPY lines (``image_copies``).
    What ``doctor --install-test`` imports from, so it sees the image's file set."""
    files = context_files(settings, dockerignore)
    out: dict[str, str] = {}
    for source, dest in image_copies(settings):
        target = dest.removeprefix("/app/").rstrip("/")
        if source.endswith("/"):
            for rel in files:
                if rel.startswith(source):
                    inner = rel[len(source):]
                    out[rel] = f"{target}/{inner}" if target else inner
        elif source in files:
            out[source] = target
    return out


def parse_dockerignore(text: str) -> list[tuple[re.Pattern[str], bool]]:
    """(regex, is_exception) rules of a .dockerignore, in order (Docker's syntax: ``*`` and
    ``?`` stay within one path element, ``**`` spans any number, ``!`` re-includes)."""
    rules = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        negate = line.startswith("!")
        pattern = PurePosixPath((line[1:] if negate else line).strip().lstrip("/")).as_posix()
        regex = ""
        i = 0
        while i < len(pattern):
            if pattern.startswith("**/", i):
                regex, i = regex + "(?:.*/)?", i + 3
            elif pattern.startswith("**", i):
                regex, i = regex + ".*", i + 2
            elif pattern[i] == "*":
                regex, i = regex + "[^/]*", i + 1
            elif pattern[i] == "?":
                regex, i = regex + "[^/]", i + 1
            else:
                regex, i = regex + re.escape(pattern[i]), i + 1
        rules.append((re.compile(regex + r"\Z"), negate))
    return rules


def is_ignored(rules: list[tuple[re.Pattern[str], bool]], relpath: str) -> bool:
    """Whether ``relpath`` stays out of the context: the last rule matching the path or one
    of its parent folders decides."""
    parts = relpath.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    ignored = False
    for regex, negate in rules:
        if any(regex.match(prefix) for prefix in prefixes):
            ignored = not negate
    return ignored
