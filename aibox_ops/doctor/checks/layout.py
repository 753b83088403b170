"""``flat-layout``: setuptools refuses a flat layout with several top-level packages.

Mirrors setuptools' automatic discovery (``FlatLayoutPackageFinder``: any folder whose name
is an identifier counts, ``__init__.py`` or not, minus a fixed exclude list) so that the
problem is found before a 10-minute CodeBuild run fails with "Multiple top-level packages
discovered in a flat-layout".
"""

from __future__ import annotations

import fnmatch
from typing import Any

from ...plan import Change, Plan
from ..context import DoctorContext
from ..model import Finding, failed, passed

# setuptools.discovery.FlatLayoutPackageFinder.DEFAULT_EXCLUDE (setuptools 69-80).
EXCLUDED = ("ci", "bin", "debian", "doc", "docs", "documentation", "manpages", "news",
            "newsfragments", "changelog", "test", "tests", "unit_test", "unit_tests", "example",
            "examples", "scripts", "tools", "util", "utils", "python", "build", "dist", "venv",
            "env", "requirements", "tasks", "fabfile", "site_scons", "benchmark", "benchmarks",
            "exercise", "exercises", "htmlcov", "[._]*")
ALWAYS_EXCLUDE = ["tests*", "docs*", "logs*", "tmp*", "assets*"]


def uses_setuptools(data: dict[str, Any], has_setup_py: bool) -> tuple[bool, str]:
    """(whether setuptools builds the project, which backend) from pyproject data."""
    system = data.get("build-system")
    if not isinstance(system, dict):
        # No [build-system]: pip falls back to setuptools' legacy backend.
        return (True, "setuptools (no [build-system], pip's default)") if (
            has_setup_py or "project" in data) else (False, "none (nothing to build)")
    backend = str(system.get("build-backend") or "setuptools.build_meta:__legacy__")
    return backend.startswith("setuptools"), backend


def explicit_packages(data: dict[str, Any]) -> str | None:
    """Where the project names its packages explicitly (None when it leaves it to discovery)."""
    tool = data.get("tool")
    st = tool.get("setuptools") if isinstance(tool, dict) else None
    if not isinstance(st, dict):
        return None
    packages = st.get("packages")
    if isinstance(packages, list):
        return "[tool.setuptools] packages"
    if isinstance(packages, dict) and "find" in packages:
        return "[tool.setuptools.packages.find]"
    if "py-modules" in st:
        return "[tool.setuptools] py-modules"
    return None


def top_level_packages(ctx: DoctorContext) -> list[str]:
    """Folders setuptools' flat-layout discovery would take as top-level packages."""
    out = []
    for path in sorted(ctx.root.iterdir()):
        name = path.name
        if not path.is_dir() or not name.isidentifier():
            continue
        if any(fnmatch.fnmatchcase(name, pattern) for pattern in EXCLUDED):
            continue
        out.append(name)
    return out


def detect_flat_layout(ctx: DoctorContext) -> Finding:
    """Fail when setuptools would find several top-level packages and none are named."""
    from ...pyproject import load_pyproject

    pyproject = load_pyproject(ctx.root)
    if not pyproject.exists:
        return passed("no pyproject.toml: nothing for setuptools to discover")
    setuptools, backend = uses_setuptools(pyproject.data, (ctx.root / "setup.py").is_file())
    if not setuptools:
        return passed(f"the project builds with {backend}; setuptools discovery does not apply")
    explicit = explicit_packages(pyproject.data)
    if explicit:
        return passed(f"packages are listed explicitly in {explicit}")
    packages = top_level_packages(ctx)
    if len(packages) <= 1:
        return passed(f"one top-level package or none ({', '.join(packages) or 'none'})")
    return failed(
        f"setuptools would refuse the flat layout: {len(packages)} top-level packages "
        f"({', '.join(packages)}) and no [tool.setuptools.packages.find]",
        [f"pyproject.toml: build-backend {backend}", *(f"{p}/" for p in packages)],
        packages=packages)


def plan_layout_fix(ctx: DoctorContext) -> Plan:
    """The pyproject.toml edit adding ``[tool.setuptools.packages.find]`` (style kept)."""
    from ...files import read_text, unified_diff
    from ...pyproject import load_pyproject

    path = ctx.root / "pyproject.toml"
    text = read_text(path) or ""
    if explicit_packages(load_pyproject(ctx.root).data):  # never replace the user's list
        return Plan("doctor --fix flat-layout", [Change(
            "pyproject.toml", "unchanged", "packages are already listed", payload=text)])
    new_text = add_packages_find(text, *include_exclude(ctx))
    status = "unchanged" if new_text == text else "update"
    return Plan("doctor --fix flat-layout", [Change(
        "pyproject.toml", status, "add [tool.setuptools.packages.find]",
        unified_diff(text, new_text, "pyproject.toml"), payload=new_text)])


def include_exclude(ctx: DoctorContext) -> tuple[list[str], list[str]]:
    """Packages holding Python code are included; data-only folders are excluded."""
    include, exclude = [], list(ALWAYS_EXCLUDE)
    for name in top_level_packages(ctx):
        has_code = any((ctx.root / name).rglob("*.py"))
        target = include if has_code else exclude
        pattern = f"{name}*"
        if pattern not in target and pattern not in ALWAYS_EXCLUDE:
            target.append(pattern)
    return include, exclude


def add_packages_find(text: str, include: list[str], exclude: list[str]) -> str:
    """``text`` with ``[tool.setuptools.packages.find]`` added; comments, order and
    formatting of everything else are kept (tomlkit)."""
    import tomlkit

    doc = tomlkit.parse(text)
    tool = doc.get("tool")
    if tool is None:
        tool = tomlkit.table(is_super_table=True)
        doc["tool"] = tool
    setuptools = tool.get("setuptools")
    if setuptools is None:
        setuptools = tomlkit.table(is_super_table=True)
        tool["setuptools"] = setuptools
    packages = setuptools.get("packages")
    if packages is None:
        packages = tomlkit.table(is_super_table=True)
        setuptools["packages"] = packages
    find = tomlkit.table()
    find["include"] = _array(include)
    find["exclude"] = _array(exclude)
    find.add(tomlkit.nl())  # a blank line before whatever table follows
    packages["find"] = find
    out = tomlkit.dumps(doc)
    if not text.endswith("\n\n"):
        out = out.rstrip("\n") + "\n"  # no new blank lines at the end of the file
    return out


def _array(values: list[str]) -> Any:
    import tomlkit

    array = tomlkit.array()
    array.extend(values)
    return array


def apply_layout_fix(ctx: DoctorContext, plan: Plan) -> list[str]:
    """Write the edited pyproject.toml atomically."""
    from ...files import apply_file_changes

    return apply_file_changes(ctx.root, plan)
