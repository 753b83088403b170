"""Scan the agent's imports and check a listed distribution provides each of them.

This catches the guide's ``python-dotenv`` case: code that imports ``dotenv`` while the
container's requirements do not list the distribution that provides it.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ..errors import FileError
from ..pysource import parse_python
from .environment import ImportProviders
from .export import normalize

SKIP_DIRS = {"__pycache__", "tests", ".venv", "venv", "logs", "tmp"}
OPTIONAL_IMPORT_ERRORS = {"ImportError", "ModuleNotFoundError"}


@dataclass(frozen=True)
class ImportSite:
    """One third-party import: the top-level module and where it appears."""

    module: str
    file: str
    line: int


def scan_imports(agent_dir: Path) -> list[ImportSite]:
    """Third-party top-level imports in the agent's .py files (stdlib and local ones left out).

    Imports guarded by ``try: ... except ImportError`` are optional and left out too.
    """
    return _scan(_py_files(agent_dir), _local_names(agent_dir), agent_dir.parent)


def scan_image_imports(project_dir: Path, paths: list[str],
                       folder_entrypoint: bool, files: list[str] | None = None
                       ) -> list[ImportSite]:
    """Third-party imports in what the image gets (``render.context.image_paths``): files
    and folders relative to ``project_dir``. The first path is the entrypoint's folder when
    ``folder_entrypoint``, whose top-level names are local in the image too. ``files``: the
    image's file set (``render.context.image_files``, relative paths) to scan instead of
    every .py file under ``paths``."""
    found: list[Path] = []
    local: set[str] = set()
    for index, rel in enumerate(paths):
        path = project_dir / rel
        if index == 0 and folder_entrypoint and path.is_dir():
            local |= _local_names(path)
        else:
            local.add(path.stem if path.suffix == ".py" else path.name)
        if files is None:
            found.extend(_py_files(path) if path.is_dir() else [path] if path.is_file()
                         else [])
    if files is not None:
        found = [project_dir / rel for rel in files if rel.endswith(".py")]
    return _scan(sorted(set(found)), local, project_dir)


def _py_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py")  # regular files: never a FIFO or device
                  if not SKIP_DIRS.intersection(p.relative_to(folder).parts[:-1])
                  and p.is_file())


def _scan(files: list[Path], local: set[str], base: Path) -> list[ImportSite]:
    sites: list[ImportSite] = []
    for path in files:
        rel = path.relative_to(base).as_posix()
        try:
            tree = parse_python(path.read_text(encoding="utf-8"), filename=str(path))
        except SyntaxError as exc:
            raise FileError(f"{path}:{exc.lineno}: syntax error: {exc.msg}") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise FileError(f"{path}: cannot be read ({exc})") from None
        for module, line in _imports(tree):
            if module in sys.stdlib_module_names or module in local or module == "__future__":
                continue
            sites.append(ImportSite(module, rel, line))
    return sites


def unprovided_imports(sites: Iterable[ImportSite], listed: set[str],
                       providers: Mapping[str, list[str]] | ImportProviders,
                       where: str, checked_in: str = "") -> list[str]:
    """Problems for imports no listed distribution provides (``listed``: normalised names;
    ``where`` names the list to add them to; ``checked_in`` where the import names were
    looked up, defaulting to ``providers.label``)."""
    checked_in = checked_in or getattr(providers, "label", "the installed distributions")
    problems = []
    for site in sites:
        dists = sorted({normalize(d) for d in providers.get(site.module, [])})
        if not dists:
            problems.append(f"{site.file}:{site.line}: imports '{site.module}', which no "
                            f"distribution in {checked_in} provides; add the package that "
                            f"does to {where}")
        elif not listed.intersection(dists):
            problems.append(f"{site.file}:{site.line}: imports '{site.module}' from "
                            f"{' or '.join(dists)}, which the requirements do not list; add it "
                            f"to {where}")
    return problems


def installed_providers() -> Mapping[str, list[str]]:
    """Import name -> distributions that provide it, from the metadata of the environment
    aibox-ops runs in (the import check uses ``environment.load_import_providers``)."""
    from importlib.metadata import packages_distributions

    return packages_distributions()


def _local_names(agent_dir: Path) -> set[str]:
    names = {p.stem for p in agent_dir.glob("*.py")}
    names |= {p.name for p in agent_dir.iterdir() if p.is_dir() and p.name not in SKIP_DIRS}
    return names


def _imports(tree: ast.AST) -> list[tuple[str, int]]:
    found: list[tuple[str, int]] = []
    optional: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Try) and any(_catches_import_error(h) for h in node.handlers):
            for inner in node.body:
                optional.update(id(n) for n in ast.walk(inner))
    for node in ast.walk(tree):
        if id(node) in optional:
            continue
        if isinstance(node, ast.Import):
            found.extend((alias.name.split(".")[0], node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.module.split(".")[0], node.lineno))
    return sorted(set(found), key=lambda item: (item[1], item[0]))


def _catches_import_error(handler: ast.ExceptHandler) -> bool:
    kinds = handler.type
    names = kinds.elts if isinstance(kinds, ast.Tuple) else [kinds]
    return any(isinstance(n, ast.Name) and n.id in OPTIONAL_IMPORT_ERRORS for n in names)
