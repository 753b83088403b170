"""``main-guard``: in the container the entry point's ``__main__`` block must only start the
server (the image runs ``python -m <entry module>``, so that block always runs there)."""

from __future__ import annotations

import ast
from pathlib import Path

from ...pysource import parse_python
from ..context import DoctorContext
from ..model import Finding, failed, passed, skipped

GUARD_VARS = ("DOCKER_CONTAINER", "AWS_EXECUTION_ENV")
# Set by the platform itself, whatever the image says (the guide's guard tests it).
PLATFORM_VARS = ("AWS_EXECUTION_ENV",)
HARMLESS_CALLS = {"int", "str", "float", "bool", "get", "getenv", "environ"}
MAX_DEPTH = 3


class _Walk:
    """Follows the statements that run in the container, collecting what they do."""

    def __init__(self, tree: ast.Module, base: Path, guard_vars: set[str]) -> None:
        self.functions = {n.name: n for n in tree.body
                          if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}
        self.apps = _app_names(tree)
        self.vars = guard_vars
        self.guards = {name for name, fn in self.functions.items()
                       if _mentions_guard(fn, guard_vars)}
        self.guards |= _imported_guards(tree, base, guard_vars)
        self.started = False
        self.extra: list[ast.stmt] = []

    def run(self, body: list[ast.stmt], depth: int = 0) -> bool:
        """Walk ``body``; True when it returns (the rest is unreachable)."""
        for stmt in body:
            if self.started and not self.extra:
                return True  # the server blocks; nothing after it runs while it serves
            if isinstance(stmt, ast.Return) or (isinstance(stmt, ast.Raise)
                                                  and not _exit_wrapped(stmt.exc)):
                return True
            if isinstance(stmt, ast.If) and self._is_guard(stmt.test):
                branch = stmt.orelse if _negated(stmt.test) else stmt.body
                if self.run(branch, depth) and branch:
                    return True
                continue
            if isinstance(stmt, ast.Import | ast.ImportFrom | ast.Pass):
                continue
            if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
                continue  # a docstring
            if isinstance(stmt, ast.Assign | ast.AnnAssign) and _harmless(stmt):
                continue
            if isinstance(stmt, ast.Raise) and isinstance(stmt.exc, ast.Call) \
                    and _exit_wrapped(stmt.exc):
                stmt = ast.Expr(stmt.exc, lineno=stmt.lineno)  # raise SystemExit(main())
            if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
                call = _exit_wrapped(stmt.value) or stmt.value
                if self._is_run(call):
                    self.started = True
                    continue
                name = call.func.id if isinstance(call.func, ast.Name) else None
                if name in self.functions and depth < MAX_DEPTH:
                    if self.run(self.functions[name].body, depth + 1) and self.started:
                        return True
                    continue
            self.extra.append(stmt)
        return False

    def _is_run(self, call: ast.Call) -> bool:
        func = call.func
        return (isinstance(func, ast.Attribute) and func.attr == "run"
                and isinstance(func.value, ast.Name)
                and (func.value.id in self.apps or func.value.id == "uvicorn"))

    def _is_guard(self, test: ast.expr) -> bool:
        if _mentions_guard(test, self.vars):
            return True
        return any(isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
                   and n.func.id in self.guards for n in ast.walk(test))


def _exit_wrapped(node: ast.AST | None) -> ast.Call | None:
    """The inner call of ``sys.exit(main())`` / ``exit(main())`` / ``SystemExit(main())``."""
    if not isinstance(node, ast.Call) or len(node.args) != 1 or node.keywords:
        return None
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    inner = node.args[0]
    if name in ("exit", "SystemExit") and isinstance(inner, ast.Call):
        return inner
    return None


def _mentions_guard(node: ast.AST, guard_vars: set[str] | tuple[str, ...] = GUARD_VARS
                    ) -> bool:
    return any(isinstance(n, ast.Constant) and n.value in guard_vars for n in ast.walk(node))


def container_vars(ctx: DoctorContext) -> tuple[set[str], str]:
    """Names the container's environment really has, and where they come from: the
    Dockerfile's ENV, the runtime environment aibox-ops deploys (``container_env``, once the
    project is adopted: ``[tool.aibox-ops]``), and what the platform sets itself."""
    from ..dockerfile import env_values
    from .container import load_instructions

    names, where = set(PLATFORM_VARS), []
    parsed = load_instructions(ctx)
    if parsed is not None:
        names |= set(env_values(parsed[1]))
        where.append(f"{parsed[0]} (ENV)")
    # Detected settings (no [tool.aibox-ops] yet) are not what the container gets: only an
    # adopted project's deploys send them.
    if ctx.settings is not None and ctx.settings.source != "defaults" and ctx.settings.adopted:
        names |= set(ctx.settings.container_env)
        where.append("the runtime environment aibox-ops deploys")
    return names, " and ".join(where) or "no Dockerfile and no [tool.aibox-ops]"


def _imported_guards(tree: ast.Module, base: Path,
                     guard_vars: set[str] | tuple[str, ...] = GUARD_VARS) -> set[str]:
    """Functions imported from the project (``from genai.config import in_container``)
    whose body tests DOCKER_CONTAINER / AWS_EXECUTION_ENV."""
    out = set()
    for node in tree.body:
        if not (isinstance(node, ast.ImportFrom) and node.module and node.level == 0):
            continue
        stem = base / node.module.replace(".", "/")
        for path in (stem.with_suffix(".py"), stem / "__init__.py"):
            if not path.is_file():
                continue
            try:
                module = parse_python(path.read_text(encoding="utf-8"))
            except (OSError, SyntaxError, UnicodeDecodeError):
                break
            defined = {n.name: n for n in module.body if isinstance(n, ast.FunctionDef)}
            out |= {a.asname or a.name for a in node.names
                    if a.name in defined and _mentions_guard(defined[a.name], guard_vars)}
            break
    return out


def _negated(test: ast.expr) -> bool:
    return isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not)


def _harmless(stmt: ast.Assign | ast.AnnAssign) -> bool:
    for node in ast.walk(stmt):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if name not in HARMLESS_CALLS:
                return False
    return True


def _app_names(tree: ast.Module) -> set[str]:
    names = {"app"}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            func = node.value.func
            called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if "App" in called or called in ("FastAPI", "Starlette"):
                names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    return names


def _main_blocks(tree: ast.Module) -> list[ast.If]:
    return [n for n in tree.body if isinstance(n, ast.If) and isinstance(n.test, ast.Compare)
            and isinstance(n.test.left, ast.Name) and n.test.left.id == "__name__"]


def detect_main_guard(ctx: DoctorContext) -> Finding:
    """Fail when the ``__main__`` block does more than start the server in a container."""
    entry = ctx.entrypoint()
    if entry is None:
        return skipped("no entry point found (set 'entrypoint' in [tool.aibox-ops])")
    text = ctx.read(entry) or ""
    try:
        tree = parse_python(text, filename=entry)
    except SyntaxError as exc:
        return failed(f"{entry}:{exc.lineno}: syntax error: {exc.msg}")
    blocks = _main_blocks(tree)
    if not blocks:
        return failed(f"{entry} has no `if __name__ == \"__main__\":` block, so "
                      "`python -m` exits without starting the server",
                      fix="End the entry point with `if __name__ == \"__main__\": app.run()`.")
    present, where = container_vars(ctx)
    walk = _Walk(tree, (ctx.root / entry).parent, present & set(GUARD_VARS))
    for block in blocks:
        if walk.run(block.body):
            break
    lines = text.splitlines()
    extra = [f"{entry}:{s.lineno}: {lines[s.lineno - 1].strip()}" for s in walk.extra]
    unset = sorted({v for block in blocks for v in GUARD_VARS
                    if v not in present and _mentions_guard(block, (v,))})
    if extra:
        note = (f"; it tests {', '.join(unset)}, which the container does not have (set by "
                f"neither {where})" if unset else "")
        return failed(f"{entry}: the __main__ block runs {len(extra)} statement(s) besides "
                      f"starting the server when it runs in the container{note}", extra,
                      fix=(f"Set ENV {unset[0]}=1 in the Dockerfile (or adopt the project "
                           "with `aibox-ops init`: its deploys set DOCKER_CONTAINER=1), or "
                           "guard on AWS_EXECUTION_ENV.") if unset else None)
    if not walk.started:
        return failed(f"{entry}: the __main__ block never starts the server in the container")
    return passed(f"{entry}: in a container the __main__ block only starts the server")
