"""Console-script entry point: Ctrl-C at any moment, start-up included, exits 130 quietly.

Importing the CLI (typer, rich) takes a noticeable moment; a Ctrl-C during it would
otherwise print a traceback, so the import happens inside the guard.
"""

from __future__ import annotations

import sys


def run() -> None:
    """Run ``aibox-ops``; KeyboardInterrupt anywhere becomes exit code 130."""
    try:
        from aibox_ops.cli.main import run as run_cli

        run_cli()
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.exit(130)
