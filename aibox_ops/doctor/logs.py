"""Log scan: read the runtime's and the CodeBuild project's CloudWatch logs over ``--since``
and report each known error signature under the id of its failure mode."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

from ..aws.reads import read_or_none
from .aws_reads import pages, read_runtime
from .context import DoctorContext
from .model import Finding
from .redact import redact

MAX_PAGES = 20  # per log group: bounded reads
MAX_EVIDENCE = 5  # log lines kept per check id


@dataclass(frozen=True)
class Signature:
    """An error text the guide's troubleshooting section names, and its check id."""

    check_id: str
    pattern: re.Pattern[str]
    term: str  # a CloudWatch filter term that every matching line contains


SIGNATURES = (
    Signature("missing-requirement", re.compile(r"ModuleNotFoundError: No module named '[^']+'"),
              "ModuleNotFoundError"),
    Signature("log-permission", re.compile(
        r"PermissionError: \[Errno 13\] Permission denied: '[^']*/logs?(/|')"),
        "PermissionError"),
    Signature("dynamodb-access", re.compile(r"AccessDenied(Exception)?\b.*\bdynamodb:\w+"),
              "AccessDenied"),
    Signature("secrets-access", re.compile(r"AccessDenied(Exception)?\b.*\bsecretsmanager:\w+"),
              "AccessDenied"),
    Signature("secrets-access", re.compile(r"(Gemini|OpenAI) API key not configured", re.I),
              "API key not configured"),
    Signature("flat-layout", re.compile(
        r"Multiple top-level (packages|modules) discovered in a flat-layout"), "flat-layout"),
    Signature("model-streaming-tools", re.compile(r"doesn't support tool use in streaming mode"),
              "streaming mode"),
    Signature("cold-start", re.compile(r"Runtime initialization time exceeded"),
              "initialization time exceeded"),
)


def match_signature(line: str) -> tuple[str, str] | None:
    """(check id, redacted line) of the first known signature in ``line``, else None (for
    other commands that read logs, e.g. deploy's build log)."""
    for signature in SIGNATURES:
        if signature.pattern.search(line):
            return signature.check_id, redact(line.strip())[:400]
    return None


@dataclass
class LogScan:
    """What the scan read and found: matching lines by check id."""

    groups: list[str] = field(default_factory=list)
    missing_groups: list[str] = field(default_factory=list)
    events: int = 0
    matches: dict[str, list[str]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)


def log_group_names(ctx: DoctorContext) -> list[str]:
    """The runtime's log group (when a runtime exists) and the CodeBuild project's."""
    assert ctx.settings is not None
    names = []
    runtime = read_runtime(ctx)
    if runtime is not None and runtime.get("agentRuntimeId"):
        from ..iam.logs import runtime_log_group

        names.append(runtime_log_group(runtime["agentRuntimeId"]))
    state = ctx.deploy_state()
    project = state.codebuild_project if state else None
    if not project:
        # The toolkit's own name for the project (it lowercases and cleans the agent name).
        from ..toolkit_names import resource_names

        project = resource_names(ctx.settings.agent_name, ctx.settings.region
                                 ).codebuild_project
    names.append(f"/aws/codebuild/{project}")
    return names


def filter_pattern() -> str:
    """One CloudWatch filter pattern matching any signature (``?"a" ?"b"``)."""
    terms = sorted({s.term for s in SIGNATURES})
    return " ".join(f'?"{t}"' for t in terms)


def read_matching_events(ctx: DoctorContext, group: str, start_ms: int) -> list[dict] | None:
    """Events of ``group`` since ``start_ms`` that may match (None: no such group)."""
    def read() -> list[dict] | None:
        return read_or_none(lambda: pages(
            ctx, "logs", "FilterLogEvents", "events", max_pages=MAX_PAGES,
            logGroupName=group, startTime=start_ms, filterPattern=filter_pattern(),
            PaginationConfig={"PageSize": 10000}))

    return ctx.memo(("log-events", group, start_ms), read)


def scan_logs(ctx: DoctorContext, groups: list[str] | None = None) -> LogScan:
    """Read each log group once and match every event against the signatures."""
    from concurrent.futures import ThreadPoolExecutor

    groups = log_group_names(ctx) if groups is None else groups
    start_ms = int((time.time() - ctx.since_seconds) * 1000)
    scan = LogScan()
    with ThreadPoolExecutor(max_workers=max(1, len(groups))) as pool:
        replies = list(pool.map(lambda g: read_matching_events(ctx, g, start_ms), groups))
    for group, events in zip(groups, replies, strict=True):
        if events is None:
            scan.missing_groups.append(group)
            continue
        scan.groups.append(group)
        scan.events += len(events)
        for event in sorted(events, key=lambda e: e.get("timestamp", 0)):
            message = str(event.get("message", ""))
            seen: set[str] = set()
            for signature in SIGNATURES:
                if signature.check_id in seen or not signature.pattern.search(message):
                    continue
                seen.add(signature.check_id)
                scan.counts[signature.check_id] = scan.counts.get(signature.check_id, 0) + 1
                lines = scan.matches.setdefault(signature.check_id, [])
                if len(lines) < MAX_EVIDENCE:
                    lines.append(f"{group} {_when(event)}: {_line(message, signature)}")
    return scan


def read_scan(ctx: DoctorContext) -> LogScan:
    """``scan_logs`` once per run (the log-scan check and the merge share it)."""
    return ctx.memo("log-scan", lambda: scan_logs(ctx))


def summarize_scan(ctx: DoctorContext, scan: LogScan, selected: set[str]) -> Finding:
    """The ``log-scan`` result: what was read, and the matches of checks not selected."""
    hours = ctx.since_seconds / 3600
    elsewhere = {k: v for k, v in scan.counts.items() if k not in selected}
    evidence = [f"read {g}" for g in scan.groups] + \
        [f"no log group {g}" for g in scan.missing_groups] + \
        [f"{n} match(es) for {k} (not selected)" for k, n in sorted(elsewhere.items())]
    found = sum(scan.counts.values())
    return Finding("pass" if not found else "fail",
                   f"{scan.events} candidate event(s) in {len(scan.groups)} log group(s) over "
                   f"the last {hours:g} h; {found} known failure(s)", evidence)


def detect_log_scan(ctx: DoctorContext) -> Finding:
    """The log scan on its own (``doctor --only log-scan``): every match is evidence here."""
    return summarize_scan(ctx, read_scan(ctx), {"log-scan"})


def _when(event: dict) -> str:
    stamp = event.get("timestamp")
    if not isinstance(stamp, int | float):
        return "?"
    return datetime.fromtimestamp(stamp / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _line(message: str, signature: Signature) -> str:
    """The matching line of a (possibly multi-line) event, redacted and shortened."""
    for line in message.splitlines():
        if signature.pattern.search(line):
            return redact(line.strip())[:400]
    return redact(message.strip())[:400]
