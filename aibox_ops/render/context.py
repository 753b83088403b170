"""What goes into the image: one list that the Dockerfile's COPY lines, the .dockerignore
allow-list and the deploy's staged build context are all made from, so they cannot disagree.
"""

from __future__ import annotations

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
