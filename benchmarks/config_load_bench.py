"""Settings load (import + load_settings on this repo) in a fresh process: this checkout
against a baseline revision, measured alternately in the same run.

Run from the repository root:  uv run python benchmarks/config_load_bench.py [--base REV]
[--runs N]. The baseline's ``aibox_ops`` is extracted with ``git archive`` to a temp folder.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PROBE = ("import sys, time\nt = time.perf_counter()\n"
         "from aibox_ops.config import load_settings\n"
         "load_settings(sys.argv[1], environ={})\n"
         "print((time.perf_counter() - t) * 1000)\n")


def one_run(pythonpath: Path) -> float:
    """Milliseconds for import + load_settings, in a fresh interpreter."""
    proc = subprocess.run([sys.executable, "-c", PROBE, str(REPO)], capture_output=True,
                          text=True, cwd=tempfile.gettempdir(), check=True,
                          env={**os.environ, "PYTHONPATH": str(pythonpath)})
    return float(proc.stdout.strip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="cfe5640", help="baseline git revision")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(["git", "archive", args.base, "aibox_ops"], cwd=REPO,
                                 capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        times: dict[str, list[float]] = {"baseline": [], "this checkout": []}
        for _ in range(args.runs):
            times["baseline"].append(one_run(Path(tmp)))
            times["this checkout"].append(one_run(REPO))
    medians = {k: statistics.median(v) for k, v in times.items()}
    for name, value in medians.items():
        print(f"{name:16s} {value:7.1f} ms")
    print(f"{'ratio':16s} {medians['this checkout'] / medians['baseline']:7.2f}x")


if __name__ == "__main__":
    main()
