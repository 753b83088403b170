"""``python -m aibox_ops``."""

from aibox_ops.entry import run

run()
