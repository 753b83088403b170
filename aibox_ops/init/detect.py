"""Work out the ``[tool.aibox-ops]`` settings of an existing project from what it already has.

Every value is a ``Finding`` naming where it was found; what cannot be found is a
``Question`` (asked by the CLI, or left at its documented default with ``--yes``). Keys the
project's ``[tool.aibox-ops]`` already sets are kept as they are. Nothing is guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config.build import NEVER_IN_IMAGE, SAFE_PATH_RE, SECRET_REF_RE, SECRET_WORD_RE
from ..config.model import DEFAULT_AGENT_NAME, DEFAULT_REGION, IMAGE_FIXED_ENV, Settings
from ..deploy_state import YAML_PATH
from ..errors import ConfigError
from ..files import read_text
from ..pyproject import load_pyproject
from .entrypoint import SKIP_DIRS, find_entrypoints, local_packages
from .existing import (
    image_entries,
    load_dockerfile_copies,
    load_dockerfile_env,
    load_dockerfile_pins,
    load_toolkit_agent,
    relative_entrypoint,
)

DEFAULT_REQUIREMENTS = Settings.__dataclass_fields__["requirements_file"].default
REGION_VARS = ("AWS_REGION", "AWS_DEFAULT_REGION")


@dataclass(frozen=True)
class Finding:
    """A setting init will write: its key (dotted for environment), value and source."""

    key: str
    value: Any
    source: str


@dataclass(frozen=True)
class Question:
    """A setting init could not find: what to ask, the documented default, the choices."""

    key: str
    prompt: str
    default: str
    choices: list[str] = field(default_factory=list)


@dataclass
class Detection:
    """What init found in a project, what it must ask, and what it noticed."""

    project_dir: Path
    found: list[Finding] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # keys [tool.aibox-ops] already sets
    questions: list[Question] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    deploy_state: dict[str, str] = field(default_factory=dict)
    # Top-level entries the user's own Dockerfile copies into the image (None: not known).
    image_before: list[str] | None = None
    image_source: str | None = None

    def value(self, key: str) -> Any:
        """The found value for ``key`` (None when not found)."""
        return next((f.value for f in self.found if f.key == key), None)

    def to_dict(self) -> dict[str, Any]:
        """Machine-readable form (the ``detected`` part of init's --json document)."""
        return {"found": [{"key": f.key, "value": f.value, "source": f.source}
                          for f in self.found],
                "kept": self.kept,
                "questions": [{"key": q.key, "prompt": q.prompt, "default": q.default,
                               "choices": q.choices} for q in self.questions],
                "deploy_state": self.deploy_state}


def detect_project(project_dir: Path, answers: dict[str, str] | None = None,
                   strict: bool = True) -> Detection:
    """Detect the settings of the project in ``project_dir``; ``answers`` (key -> value) are
    the user's replies to earlier questions and win over detection.

    ``strict`` (init) refuses a project with no entry point; the settings loader passes
    False and leaves what it cannot find at the defaults."""
    answers = dict(answers or {})
    out = Detection(project_dir)
    pyproject = load_pyproject(project_dir)
    if not pyproject.exists:
        raise ConfigError([f"{pyproject.path}: not found; init adopts an existing project"],
                          hint="Run it in the project's folder, or start a new project with "
                               "`aibox-ops init --from-bundled NAME` in an empty folder.")
    table = pyproject.table("tool", "aibox-ops") or {}
    if not isinstance(table, dict):
        raise ConfigError([f"{pyproject.path}: [tool.aibox-ops] must be a table"])
    existing_env = table.get("environment") if isinstance(table.get("environment"), dict) else {}
    out.kept = sorted([k for k in table if k != "environment"]
                      + [f"environment.{k}" for k in existing_env])

    def put(key: str, value: Any, source: str) -> None:
        if key in out.kept:
            return
        if key in answers:
            value, source = answers[key], "your answer"
        out.found.append(Finding(key, value, source))

    def ask(question: Question) -> None:
        if question.key in out.kept:
            return
        if question.key in answers:
            out.found.append(Finding(question.key, answers[question.key], "your answer"))
        else:
            out.questions.append(question)

    toolkit = load_toolkit_agent(project_dir)
    if toolkit is not None and toolkit.generated:
        out.deploy_state = dict(toolkit.state)
        toolkit = None  # aibox-ops wrote it from settings: no source of settings itself
    if toolkit is not None:
        out.deploy_state = dict(toolkit.state)
        put("agent_name", toolkit.name, f"{YAML_PATH} (default_agent)")
        if toolkit.memory_mode:  # kept: NO_MEMORY would drop the runtime's Memory
            put("memory_mode", toolkit.memory_mode, f"{YAML_PATH} (memory.mode)")
        if toolkit.deployment_type == "code":  # kept: the runtime runs a code zip
            put("deployment_type", "code", f"{YAML_PATH} (deployment_type)")
    else:
        ask(Question("agent_name", "Agent name (letters, digits, _)", DEFAULT_AGENT_NAME))
    entry = _detect_entrypoint(project_dir, table, toolkit, put, ask, strict)
    dockerfile = _user_dockerfile(project_dir, toolkit, table, answers)
    if dockerfile is not None:
        sources = load_dockerfile_copies(project_dir / dockerfile)
        if sources:
            out.image_before = image_entries(project_dir, sources,
                                             read_text(project_dir / ".dockerignore"))
            out.image_source = dockerfile
    if entry and len(Path(entry).parts) == 1 and "packages" not in table:
        packages = local_packages(project_dir, entry, out.notes)
        source = f"imports of {entry} (transitively)"
        kept = [e for e in out.image_before or [] if e not in packages and e != entry
                and _kept_in_image(project_dir, e)]
        if kept:  # data the code reads (prompts/, config files): the user's image had them
            packages = sorted([*packages, *kept])
            source += f"; {', '.join(kept)}: copied by {dockerfile}"
        put("packages", packages, source)
    env = _dockerfile_env(project_dir, dockerfile)
    if dockerfile is not None:  # the rendered image keeps the user's Python and OTel pins
        for key, value in load_dockerfile_pins(project_dir / dockerfile).items():
            put(key, value, f"{dockerfile} ({'FROM' if key == 'python_version' else 'RUN'})")
    if env:  # the project's own variables: the bundled agent's defaults stay out
        put("agent_defaults", False, env["__source__"])
    if toolkit is not None and toolkit.region:
        put("region", toolkit.region, f"{YAML_PATH} (aws.region)")
    elif env.get("AWS_REGION"):
        put("region", env["AWS_REGION"], env["__source__"])
    else:
        ask(Question("region", "AWS region of the runtime", DEFAULT_REGION))
    _carry_env(env, existing_env, put, out)
    _detect_dependencies(project_dir, pyproject, table, put, ask)
    if strict:  # what init writes down; the settings of a project not adopted yet keep
        # the defaults (else they would change with its deploy state)
        _new_project_deployment(out, toolkit, put)
    return out


def _new_project_deployment(out: Detection, toolkit: Any, put: Any) -> None:
    """A project with nothing deployed yet deploys as code (docs/benchmarks.md: a code zip
    reaches a healthy runtime sooner than a CodeBuild image), when its Python has an
    AgentCore code runtime. A deployed project keeps the kind it has."""
    from ..deploy.engine.code import code_runtime
    from ..errors import CodeDeployUnsupported

    if out.deploy_state.get("agent_id") or (toolkit is not None and toolkit.deployment_type):
        return
    python = next((f.value for f in out.found if f.key == "python_version"), "3.12")
    try:
        code_runtime(str(python))
    except CodeDeployUnsupported:
        return
    put("deployment_type", "code", "new project: a code zip reaches a healthy runtime sooner "
        "than a container build (docs/benchmarks.md)")


def _detect_entrypoint(project_dir, table, toolkit, put, ask, strict) -> str | None:
    if "entrypoint" in table:
        return str(table["entrypoint"])
    candidates = find_entrypoints(project_dir)
    configured = relative_entrypoint(project_dir, toolkit.entrypoint) if (
        toolkit and toolkit.entrypoint) else None
    if configured in candidates:
        put("entrypoint", configured, f"{YAML_PATH} (entrypoint), builds BedrockAgentCoreApp")
        return configured
    if not candidates and not strict:
        return None
    if not candidates:
        raise ConfigError(
            [f"{project_dir}: no entry point found: no .py file (at the root or up to two "
             "folders down) builds a BedrockAgentCoreApp and decorates a function with "
             "@app.entrypoint"],
            hint="Point init at the project holding agentcore_app.py, or set 'entrypoint' in "
                 "[tool.aibox-ops]; for a new project use `aibox-ops init --from-bundled NAME`.")
    if len(candidates) == 1:
        put("entrypoint", candidates[0],
            f"{candidates[0]} (builds BedrockAgentCoreApp, has @app.entrypoint)")
        return candidates[0]
    ask(Question("entrypoint", "Which file is the agent's entry point", candidates[0],
                 candidates))
    return None


def _user_dockerfile(project_dir, toolkit, table, answers) -> str | None:
    """The hand-written Dockerfile the toolkit builds (else the root one), relative; None
    when there is none or aibox-ops generated it."""
    names = [answers.get("agent_name"), table.get("agent_name"),
             toolkit.name if toolkit else None, DEFAULT_AGENT_NAME]
    candidates = [f".bedrock_agentcore/{name}/Dockerfile" for name in names if name]
    others = sorted(p.relative_to(project_dir).as_posix()
                    for p in project_dir.glob(".bedrock_agentcore/*/Dockerfile"))
    if len(others) == 1:  # the one the user wrote, whatever the agent is now called
        candidates.append(others[0])
    for rel in dict.fromkeys([*candidates, "Dockerfile"]):
        if load_dockerfile_env(project_dir / rel) is not None:
            return rel
    return None


def _dockerfile_env(project_dir: Path, dockerfile: str | None) -> dict[str, str]:
    """The ENV of the user's Dockerfile, with the ``__source__`` it came from."""
    env = load_dockerfile_env(project_dir / dockerfile) if dockerfile else None
    return {**env, "__source__": f"{dockerfile} (ENV)"} if env else {}


# Project files an image never needs, whatever `COPY . .` copied: build and packaging
# metadata, documentation, licences.
NOT_IMAGE_FILES = re.compile(
    r"^(pyproject\.toml|uv\.lock|poetry\.lock|Pipfile(\.lock)?|requirements.*\.txt|"
    r"setup\.(py|cfg)|MANIFEST\.in|Makefile|Dockerfile.*|docker-compose.*|.*\.(md|rst)|"
    r"LICEN[CS]E.*|COPYING.*|NOTICE.*|CHANGELOG.*)$", re.IGNORECASE)


def _kept_in_image(project_dir: Path, name: str) -> bool:
    """Whether a top-level entry the user's image had, and the entry point does not import,
    stays in it: data (folders without Python, files such as config.yaml), never tests,
    docs, environments, tooling, hidden files or packaging metadata."""
    path = project_dir / name
    if (name.startswith(".") or name in NEVER_IN_IMAGE or name in SKIP_DIRS
            or NOT_IMAGE_FILES.match(name) or not SAFE_PATH_RE.fullmatch(name)
            or (path / "pyvenv.cfg").exists() or path.is_symlink()):
        return False
    # Code the entry point does not import is not needed (local_packages follows imports);
    # data is read, not imported, so what holds no Python is kept.
    if path.is_dir():
        return not any(path.rglob("*.py"))
    return path.suffix != ".py"


def _carry_env(env: dict[str, str], existing_env: dict, put, out: Detection) -> None:
    """The Dockerfile's variables become settings, except those the image fixes itself,
    the region (a setting of its own) and anything that looks like a secret's value."""
    source = env.get("__source__", "")
    region = out.value("region")
    for name, value in env.items():
        if name == "__source__" or name in existing_env:
            continue
        if name in REGION_VARS:
            if region and value != region:
                out.notes.append(f"{source}: {name}={value} differs from the region "
                                 f"{region}; the image will get {name}={region}")
        elif name == "BEDROCK_REGION":
            put("bedrock_region", value, source)
        elif name in IMAGE_FIXED_ENV:
            if value != IMAGE_FIXED_ENV[name]:
                out.notes.append(f"{source}: {name}={value} is not carried over; the image "
                                 f"always sets {name}={IMAGE_FIXED_ENV[name]}")
        elif SECRET_WORD_RE.search(name.upper()) and not SECRET_REF_RE.search(name.upper()):
            out.notes.append(f"{source}: {name} looks like a secret value and is not carried "
                             "over; keep it in Secrets Manager and pass its id")
        else:
            put(f"environment.{name}", value, source)


def _detect_dependencies(project_dir: Path, pyproject, table, put, ask) -> None:
    if "dependency_source" in table:
        return
    group = str(table.get("dependency_group", "agent"))
    groups = pyproject.table("dependency-groups") or {}
    if group in groups:
        put("dependency_source", "group", f"pyproject.toml [dependency-groups].{group}")
        return
    if pyproject.table("project", "dependencies"):
        put("dependency_source", "project", "pyproject.toml [project].dependencies")
        return
    for rel in dict.fromkeys([str(table.get("requirements_file", DEFAULT_REQUIREMENTS)),
                              DEFAULT_REQUIREMENTS, "requirements.txt"]):
        if (project_dir / rel).is_file():
            put("dependency_source", "requirements", f"{rel} (kept by hand)")
            if rel != DEFAULT_REQUIREMENTS:
                put("requirements_file", rel, f"{rel} exists")
            return
    ask(Question("dependency_source", "Where do the container's requirements come from",
                 "group", ["group", "project", "requirements"]))
