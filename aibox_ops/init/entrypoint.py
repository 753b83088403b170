"""Find the agent's entry point and the local packages it needs, by reading the code (AST).

An entry point is a .py file that builds a ``BedrockAgentCoreApp`` and decorates a function
with ``@<app>.entrypoint``. Its local packages are the project's top-level folders and
modules it imports, and those they import in turn.
"""

from __future__ import annotations

import ast
from pathlib import Path

from ..pysource import parse_python

# Folders never searched: environments, caches, tests, docs, the ops tooling, build output.
SKIP_DIRS = frozenset({
    "__pycache__", "node_modules", "site-packages", "tests", "test", "docs", "build", "dist",
    "venv", "aibox_ops", "templates", "benchmarks", "logs", "tmp"})
MAX_DEPTH = 3  # the entry point sits at the root or a few folders down
MAX_SOURCE_BYTES = 2_000_000  # a .py file larger than this is not agent code: not read


def find_entrypoints(project_dir: Path) -> list[str]:
    """Relative POSIX paths of the entry points in the project, shallowest first."""
    found = []
    for path in _python_files(project_dir, project_dir, 0):
        tree = _parse(path)
        if tree is not None and is_entrypoint(tree):
            found.append(path.relative_to(project_dir).as_posix())
    return sorted(found, key=lambda p: (p.count("/"), p))


def is_entrypoint(tree: ast.AST) -> bool:
    """Whether the module builds a BedrockAgentCoreApp and registers ``@<app>.entrypoint``."""
    apps: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign | ast.AnnAssign) and isinstance(node.value, ast.Call):
            func = node.value.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name == "BedrockAgentCoreApp":
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                apps.update(t.id for t in targets if isinstance(t, ast.Name))
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for deco in node.decorator_list:
                target = deco.func if isinstance(deco, ast.Call) else deco
                if (isinstance(target, ast.Attribute) and target.attr == "entrypoint"
                        and isinstance(target.value, ast.Name) and target.value.id in apps):
                    return True
    return False


def local_packages(project_dir: Path, entrypoint: str,
                   notes: list[str] | None = None) -> list[str]:
    """Top-level folders/modules beside a root-level entry point that it imports, directly
    or through each other (``genai`` for ``from genai.agents.provider import ...``);
    folder names as is, modules as ``name.py``. One symlinked out of the project is never
    adopted (its target would go into the image): it is named in ``notes``."""
    root = project_dir
    entry = root / entrypoint
    wanted: list[str] = []
    queue = [entry]
    seen: set[Path] = set()
    refused: set[str] = set()
    while queue:
        path = queue.pop()
        if path in seen:
            continue
        seen.add(path)
        tree = _parse(path)
        if tree is None:
            continue
        for name in _top_level_imports(tree):
            target = _local_target(root, name)
            if target is None or target == entry:
                continue
            if not _inside(root, target):
                if notes is not None and name not in refused:
                    refused.add(name)
                    notes.append(f"{name} -> {target.resolve()}: a symbolic link out of the "
                                 "project; not adopted as a package (its target would be "
                                 "copied into the image)")
                continue
            rel = target.relative_to(root).as_posix()
            if rel not in wanted:
                wanted.append(rel)
                queue.extend(_python_files(target, target, 0, limit=None)
                             if target.is_dir() else [target])
    return sorted(wanted)


def _local_target(root: Path, name: str) -> Path | None:
    folder, module = root / name, root / f"{name}.py"
    if folder.is_dir() and name not in SKIP_DIRS and not name.startswith("."):
        return folder
    return module if module.is_file() else None


def _top_level_imports(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def _python_files(folder: Path, base: Path, depth: int,
                  limit: int | None = MAX_DEPTH) -> list[Path]:
    out: list[Path] = []
    try:
        entries = sorted(folder.iterdir())
    except OSError:
        return out
    for entry in entries:
        if not _inside(base, entry):
            continue  # a link out of the folder searched: never followed
        if entry.is_dir():
            if (entry.name in SKIP_DIRS or entry.name.startswith(".")
                    or (entry / "pyvenv.cfg").exists()):
                continue
            if limit is None or depth + 1 < limit:
                out.extend(_python_files(entry, base, depth + 1, limit))
        elif entry.suffix == ".py" and entry.is_file():  # not a FIFO or device named *.py
            out.append(entry)
    return out


def _inside(root: Path, path: Path) -> bool:
    """Whether ``path``, links resolved, lies in ``root``."""
    try:
        return path.resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError):  # a link loop
        return False


def _parse(path: Path) -> ast.AST | None:
    try:
        # A FIFO would block read_text and /dev/zero never end: regular files only, bounded.
        if not path.is_file() or path.stat().st_size > MAX_SOURCE_BYTES:
            return None
        return parse_python(path.read_text(encoding="utf-8"), filename=str(path))
    except (OSError, UnicodeDecodeError, SyntaxError, ValueError, RecursionError,
            MemoryError):
        return None  # not ours to judge here; sync-requirements reports syntax errors
