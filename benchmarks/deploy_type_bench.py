"""Code or container: the bundled agent deployed both ways against moto (issue 20).

    uv run --frozen python benchmarks/deploy_type_bench.py [--runs 3] [--cold-runs 1]
        [--json-out FILE] [--from-json FILE] [modelled AWS waits, see --help]

Measured here, in one run, through ``aibox_ops.deploy.run_deploy`` (in-process: the CLI's
own call without its start-up) against a moto server with the deploy tests' gaps filled and
the tests' local health peer: aibox-ops' own wall time, phase by phase, for
1. a first deploy (a new runtime),
2. a code-change redeploy (one line appended to agent/agentcore_app.py),
3. an unchanged redeploy (nothing to build),
for ``deployment_type = "container"`` (baseline: context zip, CodeBuild project and build,
which moto finishes at once) and ``"code"`` (the code zip with its arm64 wheels from the
package index, built by uv). The code package is measured with a warm code cache (the
``deps-*`` folder of an earlier build in ``.aibox-ops/build/<agent>/code``) and, in
``--cold-runs`` separate sequences, with an empty one: the code cache deleted before each
timed build and uv given a new, empty ``UV_CACHE_DIR`` in a temporary folder, so neither the
machine's uv cache nor an earlier run flatters the cold figure. Warm scenarios are the
median of ``--runs`` sequences, container and code alternated.

moto answers at once, so every AWS-side wait is ~0 here. The waits real AWS adds are
*modelled*, from the public figures cited in docs/benchmarks.md (or the assumption named
there); each is a parameter of this script and is printed in its own columns, never added to
a measured column.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from deploy_world import (  # noqa: E402
    Timed,
    deploy,
    median,
    touch_code,
    world,
)

SCENARIOS = (
    ("first", "first deploy (new runtime)"),
    ("change", "code-change redeploy"),
    ("unchanged", "unchanged redeploy"),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="warm sequences per type")
    parser.add_argument("--cold-runs", type=int, default=1,
                        help="code sequences with an empty code cache and uv cache")
    parser.add_argument("--json-out", type=Path, help="write the measurements here")
    parser.add_argument("--from-json", type=Path,
                        help="no deploys: report measurements written by --json-out "
                             "(to apply other modelled waits)")
    model = parser.add_argument_group("modelled AWS waits (seconds; sources in "
                                      "docs/benchmarks.md)")
    model.add_argument("--codebuild-start", type=float, default=8.5,
                       help="CodeBuild QUEUED + PROVISIONING, ARM container")
    model.add_argument("--image-build", type=float, default=41.5,
                       help="CodeBuild DOWNLOAD_SOURCE..POST_BUILD: docker build of the "
                            "image and its push to ECR (no layer cache: every build)")
    model.add_argument("--runtime-ready-container", type=float, default=30.0,
                       help="Create/UpdateAgentRuntime to READY with a container image")
    model.add_argument("--runtime-ready-code", type=float, default=30.0,
                       help="Create/UpdateAgentRuntime to READY with a code zip")
    model.add_argument("--upload-mbit", type=float, default=100.0,
                       help="the machine's upload bandwidth to S3 in Mbit/s (the code zip; "
                            "the container's build context is a few hundred kB)")
    args = parser.parse_args()

    if args.from_json:
        data = json.loads(args.from_json.read_text())
    else:
        from aibox_ops.errors import AiboxError

        try:
            data = measure(args.runs, args.cold_runs)
        except AiboxError as error:
            raise SystemExit(f"deploy failed: {type(error).__name__}: {error}") from None
        if args.json_out:
            args.json_out.write_text(json.dumps(data, indent=1))
    report(data, args)


# -- measuring -----------------------------------------------------------------------


def measure(runs: int, cold_runs: int) -> dict:
    out: dict = {"container": [], "code": [], "code_cold": [], "load": [],
                 "cpus": os.cpu_count()}
    seed = Path(tempfile.mkdtemp(prefix="aibox-code-seed-"))
    machine_uv_cache = os.environ.get("UV_CACHE_DIR")
    try:
        with world() as w:
            for i in range(cold_runs):
                print(f"cold code sequence {i + 1}/{cold_runs}", file=sys.stderr, flush=True)
                out["code_cold"].append(sequence(w, "code", cold=True, seed=seed, tag=f"c{i}"))
            _restore(machine_uv_cache)
            if not any(seed.iterdir()):  # no cold run: one untimed build fills the cache
                print("untimed code build (fills the code cache)", file=sys.stderr, flush=True)
                w.reset()
                project = w.project()
                deploy(project, deployment_type="code")
                _keep_code_cache(project, seed)
            for i in range(runs):
                for kind in (("container", "code") if i % 2 == 0 else ("code", "container")):
                    print(f"warm {kind} sequence {i + 1}/{runs}", file=sys.stderr, flush=True)
                    out[kind].append(sequence(w, kind, cold=False, seed=seed, tag=f"w{i}"))
                out["load"].append(os.getloadavg()[0])
    finally:
        _restore(machine_uv_cache)
        shutil.rmtree(seed, ignore_errors=True)
    return out


def sequence(w, kind: str, *, cold: bool, seed: Path, tag: str) -> dict[str, dict]:
    """first deploy, code change, unchanged redeploy of a fresh project in an empty moto."""
    w.reset()
    project = w.project()
    if kind == "code" and not cold:
        _seed_code_cache(project, seed)
    results: dict[str, dict] = {}
    for scenario, _title in SCENARIOS:
        if scenario == "change":
            touch_code(project, tag)
        if cold and scenario != "unchanged":
            _empty_caches(project)
        timed = deploy(project, deployment_type=kind)
        expected = {"first": "create", "change": "build", "unchanged": "unchanged"}[scenario]
        if timed.action != expected or (scenario != "unchanged"
                                        and timed.deployment_type != kind):
            raise SystemExit(f"{kind} {scenario}: deployed {timed.deployment_type} "
                             f"({timed.action}), warnings: {timed.warnings}")
        results[scenario] = _as_dict(timed)
    if cold:
        _keep_code_cache(project, seed)
    return results


def _as_dict(timed: Timed) -> dict:
    return {"total": timed.total, "phases": timed.phases, "launch_parts": timed.launch_parts,
            "zipped_bytes": timed.zipped_bytes, "unzipped_bytes": timed.unzipped_bytes,
            "dependencies_cached": timed.dependencies_cached}


def _code_dirs(project: Path) -> list[Path]:
    return list((project / ".aibox-ops" / "build").glob("*/code"))


COLD_UV_CACHES: list[str] = []


def _empty_caches(project: Path) -> None:
    """Cold: no code cache in the project, a new empty uv cache for uv."""
    for folder in _code_dirs(project):
        shutil.rmtree(folder)
    os.environ["UV_CACHE_DIR"] = tempfile.mkdtemp(prefix="aibox-uv-cold-")
    COLD_UV_CACHES.append(os.environ["UV_CACHE_DIR"])


def _keep_code_cache(project: Path, seed: Path) -> None:
    for folder in _code_dirs(project):
        target = seed / folder.parent.name / "code"
        if not target.exists():
            shutil.copytree(folder, target, symlinks=True)


def _seed_code_cache(project: Path, seed: Path) -> None:
    for folder in seed.glob("*/code"):
        shutil.copytree(folder, project / ".aibox-ops" / "build" / folder.parent.name / "code",
                        symlinks=True)


def _restore(uv_cache: str | None) -> None:
    """The uv cache the benchmark started with; the cold ones deleted."""
    os.environ.pop("UV_CACHE_DIR", None)
    if uv_cache is not None:
        os.environ["UV_CACHE_DIR"] = uv_cache
    while COLD_UV_CACHES:
        shutil.rmtree(COLD_UV_CACHES.pop(), ignore_errors=True)


# -- reporting -----------------------------------------------------------------------


def modelled(kind: str, scenario: str, zipped: int | None, args) -> dict[str, float]:
    """The AWS-side waits of one deploy, from the modelled figures (not measured)."""
    if scenario == "unchanged":
        return {}
    if kind == "container":
        return {"CodeBuild queue + provisioning": args.codebuild_start,
                "docker build + ECR push": args.image_build,
                "runtime to READY": args.runtime_ready_container}
    upload = (zipped or 0) * 8 / (args.upload_mbit * 1e6)
    return {"zip upload to S3": upload, "runtime to READY": args.runtime_ready_code}


def report(data: dict, args) -> None:
    med = median
    zipped = [r[s]["zipped_bytes"] for key in ("code", "code_cold") for r in data[key]
              for s in ("first", "change") if r[s]["zipped_bytes"]]
    unzipped = [r[s]["unzipped_bytes"] for key in ("code", "code_cold") for r in data[key]
                for s in ("first", "change") if r[s]["unzipped_bytes"]]
    zip_bytes = int(med(zipped)) if zipped else None
    print(f"runs: {len(data['container'])} warm per type, {len(data['code_cold'])} cold code; "
          f"load average {', '.join(f'{x:.1f}' for x in data['load'])} on {data['cpus']} "
          f"CPUs; code zip {zip_bytes / 1e6:.1f} MB ({med(unzipped) / 1e6:.1f} MB unzipped)"
          if zip_bytes else "no code package measured")
    print("\nMeasured: aibox-ops' own wall time against moto (s, medians)\n")
    print("| scenario | container | code, warm code cache | code / container | "
          "code, cold caches | cold code / container |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    rows = {}
    for scenario, title in SCENARIOS:
        cont = med([r[scenario]["total"] for r in data["container"]])
        warm = med([r[scenario]["total"] for r in data["code"]])
        cold = med([r[scenario]["total"] for r in data["code_cold"]])
        rows[scenario] = (cont, warm, cold)
        print(f"| {title} | {cont:.2f} | {warm:.2f} | {warm / cont:.2f}x | "
              f"{_f(cold)} | {_ratio(cold, cont)} |")

    print("\nPhases (s, medians): preflight / prerequisites / stage / launch (of which: code "
          "package or image build) / wait / iam / health; the rest < 0.05 s\n")
    print("| scenario | type | preflight | prerequisites | stage | launch | package or image "
          "| wait | iam | health |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for scenario, title in SCENARIOS:
        for key, label in (("container", "container"), ("code", "code, warm"),
                           ("code_cold", "code, cold")):
            runs = [r[scenario] for r in data[key]]
            if not runs:
                continue
            phase = {name: med([r["phases"].get(name, 0.0) for r in runs])
                     for name in ("preflight", "prerequisites", "stage", "launch", "wait",
                                  "iam", "health")}
            part = med([r["launch_parts"].get("package", r["launch_parts"].get("image", 0.0))
                        for r in runs])
            zipping = med([r["launch_parts"].get("zip", 0.0) for r in runs])
            print(f"| {title} | {label} | " + " | ".join(
                f"{phase[n]:.2f}" for n in ("preflight", "prerequisites", "stage", "launch"))
                + f" | {part:.2f}{f' (zip {zipping:.2f})' if zipping else ''} | " + " | ".join(
                    f"{phase[n]:.2f}" for n in ("wait", "iam", "health")) + " |")

    print("\nModelled AWS waits (s; NOT measured: public figures or stated assumptions, see "
          "docs/benchmarks.md) and measured + modelled = time to a healthy runtime\n")
    print("| scenario | container: AWS waits (modelled) | container: total | "
          "code: AWS waits (modelled) | code warm: total | code cold: total | "
          "code / container (warm) | (cold) |")
    print("| --- | --- | ---: | --- | ---: | ---: | ---: | ---: |")
    for scenario, title in SCENARIOS:
        cont, warm, cold = rows[scenario]
        cw = modelled("container", scenario, None, args)
        kw = modelled("code", scenario, zip_bytes, args)
        ct, kt = cont + sum(cw.values()), sum(kw.values())
        print(f"| {title} | {_parts(cw)} | {ct:.1f} | {_parts(kw)} | {warm + kt:.1f} | "
              f"{_f(cold + kt if cold == cold else cold, 1)} | {(warm + kt) / ct:.2f}x | "
              f"{_ratio(cold + kt, ct)} |")
    for scenario, title in SCENARIOS[:2]:
        cont, warm, cold = rows[scenario]
        code_side = args.runtime_ready_code + modelled("code", scenario, zip_bytes, args)[
            "zip upload to S3"]
        even = [base + code_side - cont - args.runtime_ready_container
                for base in (warm, cold) if base == base]
        print(f"\n{title}: code is faster while CodeBuild queue + provisioning + docker "
              f"build + ECR push exceed " + " (warm code cache), ".join(
                  f"{x:.1f} s" for x in even) + (" (cold caches)" if len(even) > 1 else ""))
    print("\nmodelled inputs: " + ", ".join(
        f"--{name.replace('_', '-')} {value:g}" for name, value in vars(args).items()
        if isinstance(value, float)))


def _parts(parts: dict[str, float]) -> str:
    if not parts:
        return "none (no build, no runtime update)"
    return " + ".join(f"{name} {value:.1f}" for name, value in parts.items()) + \
        f" = {sum(parts.values()):.1f}"


def _f(value: float, digits: int = 2) -> str:
    return "-" if value != value else f"{value:.{digits}f}"


def _ratio(value: float, base: float) -> str:
    return "-" if value != value else f"{value / base:.2f}x"


if __name__ == "__main__":
    main()
