"""Locate and render the jinja2 templates (strict: an undefined variable is an error)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..errors import TemplateError


def default_templates_dir() -> Path:
    """Templates shipped in the wheel (aibox_ops/templates), else the source checkout's."""
    package_dir = Path(__file__).resolve().parent.parent
    packaged = package_dir / "templates"
    return packaged if packaged.is_dir() else package_dir.parent / "templates"


def docker_quote(value: object) -> str:
    """Quote a value for a Dockerfile ENV instruction (double quotes, escapes, no expansion)."""
    text = str(value)
    for char in ("\\", '"', "$"):
        text = text.replace(char, "\\" + char)
    return f'"{text}"'


def render_template(templates_dir: Path, name: str, context: dict[str, Any]) -> str:
    """Render one template; syntax errors and undefined names raise TemplateError with the line."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir)),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        autoescape=False,
    )
    env.filters["dockerquote"] = docker_quote
    env.filters["tojson"] = lambda v: json.dumps(v, ensure_ascii=False)
    path = templates_dir / name
    try:
        return env.get_template(name).render(**context)
    except jinja2.TemplateNotFound:
        raise TemplateError(f"{path}: template not found") from None
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"{path}:{exc.lineno}: template syntax error: {exc.message}") from None
    except jinja2.UndefinedError as exc:
        line = _template_line(exc, path)
        raise TemplateError(
            f"{path}:{line}: {exc.message}",
            hint="The template uses a variable aibox-ops does not provide; see docs/render.md.",
        ) from None
    except OSError as exc:
        raise TemplateError(f"{path}: cannot be read ({exc.strerror or exc})") from None


def _template_line(exc: BaseException, path: Path) -> int | str:
    """Jinja rewrites tracebacks so template frames carry the template's own line numbers."""
    tb = exc.__traceback__
    line: int | str = "?"
    while tb is not None:
        if Path(tb.tb_frame.f_code.co_filename).name == path.name:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line
