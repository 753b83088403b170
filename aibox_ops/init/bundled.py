"""``init --from-bundled NAME``: a new project holding the bundled MyAIBOX agent."""

from __future__ import annotations

import re
from pathlib import Path

from ..config.model import DEFAULT_REGION
from ..errors import AiboxError, ConfigError, InputError
from ..plan import Change, Plan
from ..render import plan_render
from ..render.templates import default_templates_dir, render_template
from ..requirements import plan_requirements
from .tool_table import settings_from_text

NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,47}$")
# The bundled agent's runtime dependencies (a test keeps them equal to the `agent` group of
# aibox-ops' own pyproject.toml, which its test suite runs the agent with).
AGENT_DEPENDENCIES = (
    "bedrock-agentcore==1.25.0",
    "strands-agents[openai,gemini]==1.62.0",
    "strands-agents-tools==0.8.10",
    "boto3>=1.35",
)
GITIGNORE = (".env*\n.venv/\n__pycache__/\n*.py[cod]\n.aibox-ops/*\n!.aibox-ops/deploys.json\n"
             "logs/\ntmp/\n*.log\n")
SKIP = {"__pycache__", "logs", "tmp", ".pytest_cache"}
ALLOWED_IN_TARGET = {".git"}  # an empty folder may already be a git repository


def bundled_agent_dir() -> Path:
    """The agent shipped in the wheel (aibox_ops/bundled_agent), else the checkout's agent/."""
    package_dir = Path(__file__).resolve().parent.parent
    packaged = package_dir / "bundled_agent"
    return packaged if packaged.is_dir() else package_dir.parent / "agent"


def plan_bundled(folder: Path, name: str, region: str | None = None) -> Plan:
    """Every file of a new project named ``name`` in the empty ``folder``: the agent, its
    pyproject.toml with [tool.aibox-ops], a README, the rendered files and, when they can
    be pinned, the container's requirements."""
    if not NAME_RE.fullmatch(name):
        raise InputError([f"--from-bundled {name!r}: a project name starts with a letter and "
                          "uses letters, digits, _ and - (at most 48 characters)"])
    taken = sorted(p.name for p in folder.iterdir() if p.name not in ALLOWED_IN_TARGET) \
        if folder.is_dir() else []
    if taken:
        raise ConfigError([f"{folder}: is not empty ({', '.join(taken[:5])}"
                           + (", ..." if len(taken) > 5 else "") + ")"],
                          hint="--from-bundled creates a new project: run it in an empty "
                               "folder; to adopt this project run `aibox-ops init`.")
    agent_name = name.replace("-", "_")
    context = {"project_name": name, "agent_name": agent_name,
               "region": region or DEFAULT_REGION, "dependencies": list(AGENT_DEPENDENCIES)}
    templates = default_templates_dir()
    pyproject = render_template(templates, "project/pyproject.toml.j2", context)
    items = [Change("pyproject.toml", "create", "new project", payload=pyproject),
             Change(".gitignore", "create", "keeps secrets, environments and local state "
                    "out of git", payload=GITIGNORE),
             Change("README.md", "create", "how to run it",
                    payload=render_template(templates, "project/README.md.j2", context))]
    source = bundled_agent_dir()
    for path in sorted(source.rglob("*")):
        rel = path.relative_to(source)
        if path.is_file() and not SKIP.intersection(rel.parts) and not path.name.startswith(
                ".env") and path.suffix not in (".pyc", ".log"):
            items.append(Change(f"agent/{rel.as_posix()}", "create", "the bundled agent",
                                payload=path.read_text(encoding="utf-8")))
    warnings: list[str] = []
    generated = _generated(folder, items, pyproject, warnings)
    return Plan("init", items + generated, warnings)


def _generated(folder: Path, items: list[Change], pyproject: str,
               warnings: list[str]) -> list[Change]:
    """The rendered files and requirements of the new project, planned in a scratch copy of
    it (render checks the entry point exists), so --dry-run shows them too."""
    import tempfile

    from ..files import atomic_write

    with tempfile.TemporaryDirectory(prefix="aibox-ops-init-") as scratch:
        root = Path(scratch)
        for item in items:
            atomic_write(root / item.target, item.payload)
        settings = settings_from_text(root, pyproject)
        planned = list(plan_render(settings).items)
        try:
            requirements = plan_requirements(settings)
        except AiboxError as error:
            requirements = None
            warnings.append(f"requirements not synced: {error.message}")
        if requirements is not None:
            warnings.extend(requirements.warnings)
            warnings.extend(f"requirements not synced: {e.message}" for e in requirements.errors)
            if not requirements.errors:
                planned.extend(requirements.items)
        warnings[:] = [w.replace(str(root), str(folder)) for w in warnings]
    if not any(item.target == settings.requirements_file for item in planned):
        warnings.append(f"{settings.requirements_file}: not written; run `uv lock`, then "
                        "`aibox-ops sync-requirements` in the new project")
    return planned  # the folder is empty: every item is a "create"
