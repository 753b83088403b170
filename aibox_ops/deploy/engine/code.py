"""The code package of this agent, as a deploy makes it: the image's code layout (the files
under ``/app``, the same mapping the Dockerfile's COPY lines use) with the requirements and
the OpenTelemetry distro the image installs, for the Python the image runs.

AgentCore starts it the way the image's CMD does: ``opentelemetry-instrument`` around the
entry point at the zip's root.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import PurePosixPath

from ...config import Settings
from ...errors import CodeDeployUnsupported
from ...render.context import ImageFiles, image_layout
from ..code_package import ALLOWED_RUNTIMES, CodePackage, build_code_package
from ..context import BuildContext, build_dir

LAUNCHER = "opentelemetry-instrument"


def code_runtime(python_version: str) -> str:
    """The AgentCore runtime of the image's Python (``3.12`` -> ``PYTHON_3_12``);
    CodeDeployUnsupported when AgentCore no longer accepts it for code."""
    runtime = "PYTHON_" + python_version.replace(".", "_")
    if runtime not in ALLOWED_RUNTIMES:
        raise CodeDeployUnsupported(
            f"python_version {python_version} has no AgentCore code runtime "
            f"(accepted: {', '.join(sorted(ALLOWED_RUNTIMES))})",
            hint="Set python_version to 3.12 or newer in [tool.aibox-ops] to deploy as code.")
    return runtime


def build_deploy_package(settings: Settings, context: BuildContext,
                         note: Callable[[str], None]) -> CodePackage:
    """Build (or reuse) the code zip of the staged ``context``."""
    runtime = code_runtime(settings.python_version)
    requirements = settings.requirements_file
    code = {rel: path for rel, path in context.files.items()
            if rel not in ("Dockerfile", requirements)}
    layout = image_layout(settings, ImageFiles(code))
    entry = (settings.entrypoint if settings.root_entrypoint
             else PurePosixPath(settings.entrypoint).name)
    cache = build_dir(settings) / "code"
    note(f"building the code package ({runtime}, arm64 wheels)")
    # Installed as the image installs them: the requirements, then the distro on its own
    # (its pins may differ from the requirements'; the later install wins, as in the image).
    package = build_code_package(layout, settings.path(requirements), entry, runtime, cache,
                                 note, then=(f"aws-opentelemetry-distro=="
                                             f"{settings.otel_distro_version}",))
    return replace(package, entry_point=[LAUNCHER, entry])
