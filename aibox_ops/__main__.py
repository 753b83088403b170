"""``python -m aibox_ops``."""

from aibox_ops.cli.main import run

run()
