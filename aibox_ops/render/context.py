"""What goes into the image: one list that the Dockerfile's COPY lines, the .dockerignore
allow-list and the deploy's staged build context are all made from, so they cannot disagree.
"""

from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

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


# Never agent code, whatever a .dockerignore lets through: secrets, version control,
# virtual environments, caches, tests, local logs, aibox-ops's own state (backups, earlier
# staging) and the toolkit's files (the Dockerfile is staged on its own). Matched against
# each path element, as the toolkit's upload filter does.
NEVER_IN_IMAGE = (".env", ".env.*", ".git", ".hg", ".svn", ".gitignore", ".gitattributes",
                  ".venv", "venv", "__pycache__", "*.pyc", "*.pyo", ".pytest_cache",
                  ".mypy_cache", ".ruff_cache", ".tox", ".coverage", "htmlcov", "tests",
                  "test_*.py", "*_test.py", "conftest.py", ".DS_Store", "logs", "tmp", "*.log",
                  ".aibox-ops", ".bedrock_agentcore", ".bedrock_agentcore.yaml", ".dockerignore",
                  "node_modules")
STATE_DIR = ".aibox-ops"  # aibox-ops's own state, staging included: never walked into


@dataclass(frozen=True)
class ImageFiles:
    """The image's file set: context path -> the file to copy, plus what was left out.

    ``left_out``: paths the .dockerignore or ``NEVER_IN_IMAGE`` keep out (folders end in
    ``/``); ``links_out``: symbolic links never followed (``unfollowed_link`` says why: out
    of the project, into its ``.aibox-ops`` state, or to something never in the image such
    as ``.env``); ``not_files``: FIFOs, devices and sockets.
    """

    files: dict[str, Path]
    left_out: list[str] = field(default_factory=list)
    links_out: list[str] = field(default_factory=list)
    not_files: list[str] = field(default_factory=list)


def context_files(settings: Settings, dockerignore: str | None = None) -> list[str]:
    """Every file (relative POSIX path, sorted) of ``build_context_paths`` that enters the
    build context (``image_files``): exactly what a staged context must hold besides the
    Dockerfile."""
    return sorted(image_files(settings, dockerignore).files)


def image_files(settings: Settings, dockerignore: str | None = None) -> ImageFiles:
    """The files of ``build_context_paths`` the image gets: those the ``.dockerignore``
    lets into the build context, minus ``NEVER_IN_IMAGE``. The toolkit's CodeBuild zip
    leaves .dockerignore out, so a deploy that stages its own context copies these only.

    Symbolic links are followed only to what could enter the image itself: inside the
    project, out of its ``.aibox-ops`` folder, nothing ``NEVER_IN_IMAGE`` names on the way
    (``agent/settings.txt -> ../.env`` is reported in ``links_out``, never read);
    only regular files are taken. ``dockerignore`` defaults to the project's .dockerignore,
    else the rendered one."""
    if dockerignore is None:
        from ..files import read_text

        dockerignore = read_text(settings.path(".dockerignore"))
    if dockerignore is None:
        from .plan import template_context
        from .templates import default_templates_dir, render_template

        dockerignore = render_template(default_templates_dir(), "dockerignore.j2",
                                       template_context(settings))
    walk = _Walk(settings.project_dir, parse_dockerignore(dockerignore))
    for rel in build_context_paths(settings):
        walk.visit(PurePosixPath(rel).as_posix().strip("/"), set())
    return ImageFiles(dict(sorted(walk.files.items())), sorted(set(walk.left_out)),
                      sorted(set(walk.links_out)), sorted(set(walk.not_files)))


def image_layout(settings: Settings, files: ImageFiles | None = None) -> dict[str, Path]:
    """The agent code as it lies under ``/app`` in the image (``image_copies``' mapping):
    path under /app -> the project file. A folder entrypoint's folder is copied into /app;
    a root-level entrypoint and each package keep their own path."""
    files = files if files is not None else image_files(settings)
    prefix = "" if settings.root_entrypoint else image_paths(settings)[0] + "/"
    req = PurePosixPath(settings.requirements_file).as_posix()
    out: dict[str, Path] = {}
    for rel, source in files.files.items():
        if rel == req:
            continue  # installed by pip, not copied as code
        out[rel[len(prefix):] if prefix and rel.startswith(prefix) else rel] = source
    return out


def unfollowed_link(real_root: Path, target: Path) -> str | None:
    """Why a symbolic link to ``target`` (resolved) is never followed into the image, or
    None when it may be: out of the project, into aibox-ops's state, or to a path that
    ``NEVER_IN_IMAGE`` keeps out (a link must not carry ``.env`` or ``.git`` in under
    another name)."""
    if not target.is_relative_to(real_root):
        return "out of the project"
    parts = target.relative_to(real_root).parts
    if not parts:  # the whole project again, under another name
        return "to the project folder itself"
    if parts[:1] == (STATE_DIR,):
        return f"into {STATE_DIR}/"
    for part in parts:
        if any(fnmatch.fnmatch(part, pattern) for pattern in NEVER_IN_IMAGE):
            return f"to {part} (never in the image)"
    return None


class _Walk:
    """One walk over the image paths (see ``image_files``)."""

    def __init__(self, root: Path, rules: list[tuple[re.Pattern[str], bool]]) -> None:
        self.root = root
        self.real_root = root.resolve()
        self.rules = rules
        self.prunable = not any(negate for _, negate in rules)
        self.files: dict[str, Path] = {}
        self.left_out: list[str] = []
        self.links_out: list[str] = []
        self.not_files: list[str] = []

    def visit(self, rel: str, seen: set[Path]) -> None:
        """Take ``rel`` (a file, or a folder walked below) if it belongs in the image."""
        path = self.root / rel
        if not os.path.lexists(path):
            return
        if rel in ("", "."):  # the whole project (a ``COPY . .`` image)
            return self._children(path, "", seen)
        name = rel.rsplit("/", 1)[-1]
        real = Path(os.path.realpath(path))
        if any(fnmatch.fnmatch(name, pattern) for pattern in NEVER_IN_IMAGE):
            self.left_out.append(rel + ("/" if path.is_dir() else ""))
            return None
        if unfollowed_link(self.real_root, real) is not None:
            self.links_out.append(rel)
            return None
        is_dir = real.is_dir()
        if is_dir and (real / "pyvenv.cfg").is_file():  # a virtual environment, any name
            self.left_out.append(rel + "/")
            return None
        if is_dir:
            if real in seen:  # a link loop
                return None
            if self.prunable and is_ignored(self.rules, rel):
                self.left_out.append(rel + "/")
                return None
            return self._children(path, rel, seen | {real})
        if is_ignored(self.rules, rel):
            self.left_out.append(rel)
        elif not real.is_file():
            self.not_files.append(rel)
        else:
            self.files[rel] = real
        return None

    def _children(self, path: Path, rel: str, seen: set[Path]) -> None:
        try:
            names = sorted(os.listdir(path))
        except OSError:
            return
        for child in names:
            self.visit(f"{rel}/{child}" if rel else child, seen)


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
