"""fix-iam against a local moto server: AWS requests per run, IAM writes, and time.

Reproduce: ``uv run python benchmarks/fix_iam_bench.py [--runs N] [--json]``.
Builds the test world (toolkit execution role + unrelated policy, two tables, two secrets,
one with a customer-managed key), runs ``aibox-ops --json fix-iam --yes`` once (it writes),
then N more times (nothing to change), counting every request by operation with a botocore
event hook. Baseline in the same run: the first (writing) run; for scale, one ``iam:GetRole``
round trip to the same server.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FAKE = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing", "AWS_DEFAULT_REGION": "ap-southeast-1",
        "AWS_REGION": "ap-southeast-1", "AWS_MAX_ATTEMPTS": "1",
        "AWS_EC2_METADATA_DISABLED": "true"}
WRITES = {"PutRolePolicy", "DeleteRolePolicy", "AttachRolePolicy", "DetachRolePolicy"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    home = Path(tempfile.mkdtemp(prefix="fix-iam-bench-"))
    os.environ.update(FAKE, AWS_ENDPOINT_URL=url, AWS_CONFIG_FILE=str(home / "c"),
                      AWS_SHARED_CREDENTIALS_FILE=str(home / "k"))
    try:
        report = measure(url, home, args.runs)
    finally:
        server.stop()
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"first run (writes): {report['first']['requests']} requests, IAM writes "
          f"{report['first']['iam_writes']}, {report['first']['ms']:.0f} ms")
    print(f"no-change run (median of {args.runs}): {report['again']['requests']} requests, "
          f"IAM writes {report['again']['iam_writes']}, {report['again']['ms']:.0f} ms")
    print(f"no-change run / first run: {report['ratio_first']:.2f}x; one iam:GetRole round "
          f"trip (median): {report['baseline_ms']:.1f} ms")
    print("requests of a no-change run:", dict(report["again"]["by_operation"]))


def measure(url: str, home: Path, runs: int) -> dict:
    import boto3

    import aibox_ops.aws as aws_package
    from tests.conftest import AwsEndpoint
    from tests.helpers import invoke
    from tests.iam.conftest import build_world

    world = build_world(AwsEndpoint(url=url), home)
    calls: list[str] = []
    real = aws_package.open_session

    def counting(*a, **k):
        session = real(*a, **k)
        session.session.events.register("before-call",
                                        lambda model, **_: calls.append(model.name))
        return session

    aws_package.open_session = counting

    def run() -> tuple[float, list[str]]:
        calls.clear()
        start = time.perf_counter()
        result = invoke("--json", "fix-iam", "--yes", project=world.project)
        elapsed = (time.perf_counter() - start) * 1000
        if result.exit_code != 0:
            raise SystemExit(result.stderr)
        return elapsed, list(calls)

    first_ms, first_calls = run()
    again = [run() for _ in range(runs)]
    iam = boto3.client("iam", endpoint_url=url)
    iam.get_role(RoleName=world.role_name)
    base = []
    for _ in range(max(runs, 5)):
        start = time.perf_counter()
        iam.get_role(RoleName=world.role_name)
        base.append((time.perf_counter() - start) * 1000)
    again_ms = statistics.median(ms for ms, _ in again)
    last = again[-1][1]
    return {
        "first": {"ms": first_ms, "requests": len(first_calls),
                  "iam_writes": sum(c in WRITES for c in first_calls)},
        "again": {"ms": again_ms, "requests": len(last),
                  "iam_writes": max(sum(c in WRITES for c in cs) for _, cs in again),
                  "by_operation": Counter(last).most_common()},
        "baseline_ms": statistics.median(base),
        "ratio_first": again_ms / first_ms,
    }


if __name__ == "__main__":
    main()
