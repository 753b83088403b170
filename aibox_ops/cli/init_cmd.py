"""``aibox-ops init``: adopt an existing project, or start one from the bundled agent."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from .options import DryRun
from .prompts import confirm
from .runner import run_plan
from .state import AppState


def init(
    ctx: typer.Context,
    dry_run: DryRun = False,
    yes: Annotated[bool, typer.Option(
        "--yes", "-y", help="Apply without asking; settings init cannot find are left at "
                            "their documented defaults.")] = False,
    from_bundled: Annotated[str | None, typer.Option(
        "--from-bundled", metavar="NAME",
        help="Create a new project NAME with the bundled MyAIBOX agent in this (empty) "
             "folder.")] = None,
) -> None:
    """Adopt an existing AgentCore project (write [tool.aibox-ops], back up and render), or
    create one from the bundled agent."""
    state: AppState = ctx.obj
    if from_bundled is not None:
        from ..init import plan_bundled

        folder = Path(state.project)
        plan = plan_bundled(folder, from_bundled, state.region)
        extra = {"project": str(folder)}
    else:
        from ..init import detect_project, plan_init

        folder = nearest_pyproject_dir(Path(state.project))
        answers = _region_answer(state)
        detection = detect_project(folder, answers)
        for _ in range(3):  # an answer (the entry point) may raise a new question
            if dry_run or yes or not detection.questions:
                break
            answers.update(_answers(state, detection, yes))
            detection = detect_project(folder, answers)
        assumed = {}
        if dry_run:  # preview with each question's default; nothing is written
            assumed = {q.key: q.default for q in detection.questions}
        elif any(q.key == "entrypoint" for q in detection.questions):
            from ..errors import ConfigError

            choices = next(q.choices for q in detection.questions if q.key == "entrypoint")
            raise ConfigError([f"{folder}: several entry points ({', '.join(choices)}); init "
                               "does not pick one for you"],
                              hint="Set 'entrypoint' in [tool.aibox-ops], or run init in a "
                                   "terminal without --yes to choose.")
        plan = plan_init(detection, assumed)
        for question in detection.questions:
            plan.warnings.append(f"{question.key}: not found; left at the default "
                                 f"{question.default!r} (set it in [tool.aibox-ops] to change)")
        extra = {"project": str(folder), "detected": detection.to_dict()}
    if plan.changes and not dry_run and not yes:
        _preview(state, plan)
        confirm(state, f"Write these {len(plan.changes)} file(s) in {folder}?", yes)
    from ..init import apply_init

    run_plan(state, plan, lambda _force: apply_init(folder, plan), dry_run=dry_run,
             extra=extra)


def nearest_pyproject_dir(start: Path) -> Path:
    """The nearest folder at or above ``start`` holding a pyproject.toml (init adopts that
    project, whatever tables it has); ``start`` itself when there is none."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / "pyproject.toml").is_file():
            return folder
    return start


def _region_answer(state: AppState) -> dict[str, str]:
    return {"region": state.region} if state.region else {}


def _answers(state: AppState, detection, yes: bool) -> dict[str, str]:
    """Ask each question on the terminal; with --yes the documented defaults stand (and are
    not written); without a terminal and without --yes, refuse."""
    if yes:
        return {}
    if not sys.stdin.isatty():
        from ..errors import RefusedError

        keys = ", ".join(q.key for q in detection.questions)
        raise RefusedError(
            f"init could not find {keys} and there is no terminal to ask on",
            hint="Set them in [tool.aibox-ops] (or pass --region), pass --yes to leave them at "
                 "their documented defaults, or --dry-run to only look.")
    answers = {}
    for question in detection.questions:
        suffix = f" [{'/'.join(question.choices)}]" if question.choices else ""
        while True:
            reply = typer.prompt(question.prompt + suffix, default=question.default, err=True)
            if not question.choices or reply in question.choices:
                break
            typer.echo(f"choose one of {', '.join(question.choices)}", err=True)
        answers[question.key] = reply
    return answers


def _preview(state: AppState, plan) -> None:
    from .output import console, print_status_table, show_diff

    for warning in plan.warnings:
        console().print(f"[yellow]warning:[/] {warning}", markup=True, highlight=False)
    for item in plan.changes:
        if item.target == "pyproject.toml":
            show_diff(item.diff, True)
    rows = [(item.kind, item.target, item.status, item.reason) for item in plan.items]
    print_status_table(console(), "init (plan)", rows)
