"""The ``sleep`` tool: cooperative (asyncio) and bounded by MAX_SLEEP_SECONDS (default 60)."""

from __future__ import annotations

import os

from strands.vended_tools.sleep import make_sleep

MAX_SLEEP_SECONDS = float(os.environ.get("MAX_SLEEP_SECONDS") or 60)

sleep = make_sleep(max_duration=MAX_SLEEP_SECONDS)
