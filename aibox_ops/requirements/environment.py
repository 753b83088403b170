"""Which distribution provides an import, judged against the *project's* environment.

aibox-ops may run in an interpreter of its own (``uv tool install``, ``pipx``, ``uvx``) that
holds none of the agent's packages, so its own metadata cannot say that ``strands`` comes
from ``strands-agents``. The sources, in order:

1. ``.venv``: the project's virtual environment (``.venv`` or ``venv`` holding
   ``pyvenv.cfg``), read from its site-packages metadata (``top_level.txt``, else
   ``RECORD``), never imported or run;
2. ``uv.lock``: the distributions it locks, matched to import names by name (``strands`` ->
   ``strands-agents``, ``dotenv`` -> ``python-dotenv``, ``yaml`` -> ``PyYAML``, a few known
   exceptions such as ``PIL`` -> ``pillow``);
3. the requirements file, matched the same way.

With 2 and 3, the metadata of the interpreter aibox-ops runs in is used as well where it has
a distribution (a distribution's import names do not depend on where it is installed).
"""

from __future__ import annotations

import inspect
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from ..config import Settings
from ..files import read_text
from .export import normalize, requirement_name

VENV_NAMES = (".venv", "venv")
# Import names that no rule below derives from the distribution's name.
KNOWN_IMPORTS = {
    "PIL": "pillow", "bs4": "beautifulsoup4", "sklearn": "scikit-learn",
    "cv2": "opencv-python", "attr": "attrs", "magic": "python-magic",
    "OpenSSL": "pyopenssl", "Crypto": "pycryptodome", "fitz": "pymupdf",
    "docx": "python-docx", "pptx": "python-pptx", "jose": "python-jose",
    "multipart": "python-multipart", "websocket": "websocket-client",
    "google": "protobuf", "grpc": "grpcio", "dateutil": "python-dateutil",
    "jwt": "pyjwt", "yaml": "pyyaml", "mcp": "mcp", "pkg_resources": "setuptools",
}


@dataclass(frozen=True)
class ImportProviders:
    """Import name -> distributions, and where that knowledge came from.

    ``source``: ``.venv``, ``uv.lock`` or the requirements file's name; ``path``: the
    folder or file read; ``exact``: True when read from installed metadata (the venv).
    """

    source: str
    path: str
    exact: bool
    mapping: dict[str, list[str]] = field(default_factory=dict)
    names: frozenset[str] = frozenset()  # normalised distribution names the source holds

    def get(self, module: str, default: list[str] | None = None) -> list[str]:
        """Distributions that provide ``module`` (the Mapping interface the scan uses)."""
        found = set(self.mapping.get(module, []))
        if not self.exact:
            found |= {name for name in self.names if name_provides(name, module)}
        return sorted(found) or (default if default is not None else [])

    @property
    def label(self) -> str:
        """For messages: ``the project's .venv (/p/.venv)``, ``uv.lock``, ..."""
        return f"the project's .venv ({self.path})" if self.source == ".venv" else self.source

    def to_dict(self) -> dict[str, object]:
        """Machine-readable form (for --json)."""
        return {"source": self.source, "path": self.path, "exact": self.exact}


def project_venv(project_dir: Path) -> Path | None:
    """The project's own virtual environment folder, if it has one (``pyvenv.cfg`` and a
    site-packages folder: a half-made one is not an environment to judge by)."""
    for name in VENV_NAMES:
        venv = project_dir / name
        if (venv / "pyvenv.cfg").is_file() and site_packages(venv):
            return venv
    return None


def site_packages(venv: Path) -> list[Path]:
    """The venv's site-packages folders (POSIX and Windows layouts)."""
    found = sorted(venv.glob("lib/python*/site-packages")) + \
        sorted(venv.glob("lib64/python*/site-packages"))
    windows = venv / "Lib" / "site-packages"
    return found + ([windows] if windows.is_dir() else [])


def venv_distributions(venv: Path) -> list[metadata.Distribution]:
    """Every distribution installed in ``venv``, read from its metadata only."""
    paths = [str(p) for p in site_packages(venv)]
    return list(metadata.distributions(path=paths)) if paths else []


def load_import_providers(settings: Settings) -> ImportProviders:
    """Where the import check learns which distribution provides which module (see the
    module docstring for the order)."""
    return load_providers_for(settings.project_dir, settings.requirements_file)


def load_providers_for(root: Path, requirements_file: str) -> ImportProviders:
    """``load_import_providers`` for a project folder and its requirements file."""
    venv = project_venv(root)
    if venv is not None:
        dists = venv_distributions(venv)
        return ImportProviders(".venv", str(venv), True, _mapping(dists),
                               frozenset(normalize(_name(d)) for d in dists if _name(d)))
    own = {k: list(v) for k, v in metadata.packages_distributions().items()}
    lock = root / "uv.lock"
    names = _lock_names(lock)
    if names is not None:
        return ImportProviders("uv.lock", str(lock), False, own, frozenset(names))
    text = read_text(root / requirements_file) or ""
    listed = {normalize(n) for line in text.splitlines() if (n := requirement_name(line))}
    return ImportProviders(requirements_file, str(root / requirements_file), False, own,
                           frozenset(listed))


def name_provides(dist: str, module: str) -> bool:
    """Whether distribution ``dist`` (normalised) plausibly provides top-level ``module``
    by its name: equal, ``<module>-...`` (strands-agents), ``...-<module>`` (python-dotenv),
    ``py<module>`` (pyyaml), or a known exception (pillow for PIL)."""
    d = normalize(dist).replace("-", "_")
    m = module.lower()
    return (d == m or d.startswith(m + "_") or d.endswith("_" + m) or d == "py" + m
            or normalize(KNOWN_IMPORTS.get(module, "")) == normalize(dist))


def _lock_names(lock: Path) -> set[str] | None:
    text = read_text(lock)
    if text is None:
        return None
    try:
        packages = tomllib.loads(text).get("package") or []
    except tomllib.TOMLDecodeError:
        return None  # a broken lock: the requirements export reports it
    return {normalize(p["name"]) for p in packages if isinstance(p, dict) and p.get("name")}


def _name(dist: metadata.Distribution) -> str:
    return dist.metadata["Name"] or ""


def _mapping(dists: Iterable[metadata.Distribution]) -> dict[str, list[str]]:
    """``importlib.metadata.packages_distributions`` over these distributions only."""
    out: dict[str, list[str]] = {}
    for dist in dists:
        name = _name(dist)
        if not name:
            continue
        for module in _top_level(dist):
            out.setdefault(module, []).append(name)
    return out


def _top_level(dist: metadata.Distribution) -> set[str]:
    declared = (dist.read_text("top_level.txt") or "").split()
    if declared:
        return set(declared)
    names = set()
    for file in dist.files or []:
        parts = file.parts
        top = parts[0] if len(parts) > 1 else inspect.getmodulename(str(file)) or ""
        if top and "." not in top and top != "__pycache__" and re.match(r"^\w+$", top):
            names.add(top)
    return names

