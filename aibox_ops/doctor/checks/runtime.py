"""Checks on the deployment: ``aws-credentials``, ``runtime-status``, ``auth``,
``cold-start`` and ``env-drift`` (each uses AWS when online, the files otherwise)."""

from __future__ import annotations

import re

from ...config.build import warm_interval_problem
from ...config.model import MEMORY_ENV_VARS
from ...errors import AiboxError
from ..aws_reads import read_endpoint, read_runtime
from ..context import DoctorContext
from ..model import Finding, failed, passed, skipped, warned
from .image import detect_env_drift_offline, diff_env, image_env, image_generated

READY = "READY"
FAILED_STATES = ("CREATE_FAILED", "UPDATE_FAILED", "DELETE_FAILED", "NOT_FOUND")


def detect_aws_credentials(ctx: DoctorContext) -> Finding:
    """Fail without credentials/region, or when they reach another account than the
    deployed runtime's."""
    if ctx.offline:
        return skipped("offline (--offline)")
    if ctx.session is None:
        return failed("no AWS session could be opened")
    region = ctx.session.region
    if not region:
        return failed("no AWS region (set 'region' in [tool.aibox-ops] or --region)")
    try:
        identity = ctx.identity()
    except AiboxError as exc:
        return failed(exc.message, fix=exc.hint)
    account = identity["Account"]
    state = ctx.deploy_state()
    evidence = [f"caller: {identity['Arn']}", f"region: {region}"]
    if state is not None and state.account and state.account != account:
        return failed(f"credentials are for account {account}, but the runtime was deployed "
                      f"to account {state.account}", evidence + [f"deploy state: {state.origin}"],
                      fix="Use the profile of the deploy account (--profile / AWS_PROFILE).")
    return passed(f"credentials for account {account} in {region}", evidence)


def _deployed(ctx: DoctorContext) -> tuple[dict | None, str | None]:
    """(the runtime, or None with the reason to skip)."""
    runtime = read_runtime(ctx)
    if runtime is None:
        return None, "nothing deployed yet (no runtime recorded or named " \
            f"{ctx.settings.agent_name if ctx.settings else '?'})"
    return runtime, None


def detect_runtime_status(ctx: DoctorContext) -> Finding:
    """Fail when the runtime or its DEFAULT endpoint is missing, failed or not ready."""
    runtime, reason = _deployed(ctx)
    if runtime is None:
        return skipped(reason or "")
    runtime_id = runtime["agentRuntimeId"]
    status = runtime.get("status", "?")
    evidence = [f"runtime {runtime_id}: {status}"]
    if runtime.get("failureReason"):
        evidence.append(f"failure reason: {runtime['failureReason']}")
    if status in FAILED_STATES:
        return failed(f"runtime {runtime_id} is {status}", evidence,
                      fix="Read the failure reason and the build logs, fix, then "
                          "`aibox-ops deploy`.")
    endpoint = read_endpoint(ctx, runtime_id)
    if endpoint is None:
        return failed(f"runtime {runtime_id} has no DEFAULT endpoint", evidence,
                      fix="Redeploy (`aibox-ops deploy`); the DEFAULT endpoint is created "
                          "with the runtime.")
    ep_status = endpoint.get("status", "?")
    evidence.append(f"endpoint DEFAULT: {ep_status} (live version "
                    f"{endpoint.get('liveVersion', '?')})")
    if endpoint.get("failureReason"):
        evidence.append(f"endpoint failure reason: {endpoint['failureReason']}")
    if ep_status.endswith("FAILED"):
        return failed(f"the DEFAULT endpoint is {ep_status}", evidence)
    if status != READY or ep_status != READY:
        return warned(f"not ready yet: runtime {status}, endpoint {ep_status}", evidence,
                      fix="Wait and run `aibox-ops doctor` again; if it stays so, redeploy.")
    return passed(f"runtime {runtime_id} and its DEFAULT endpoint are READY", evidence)


def detect_auth(ctx: DoctorContext) -> Finding:
    """Say how the endpoint is protected; fail when the config is incomplete or the deployed
    runtime is protected differently."""
    assert ctx.settings is not None
    auth = ctx.settings.authorizer
    problems = []
    if auth.type == "none":
        how = "AWS SigV4 (IAM): callers need credentials and bedrock-agentcore:InvokeAgentRuntime"
    else:
        how = f"{auth.type.upper()} bearer tokens"
        url = auth.discovery_url or ""
        if not url:
            problems.append(f"authorizer.discovery_url is not set ({auth.type} needs the "
                            "IdP's OIDC discovery URL)")
        elif "/.well-known/openid-configuration" not in url and \
                "/.well-known/oauth-authorization-server" not in url:
            problems.append(f"authorizer.discovery_url = {url!r} is not a discovery URL "
                            "(…/.well-known/openid-configuration)")
        if not (auth.audiences or auth.allowed_clients):
            problems.append("neither authorizer.audiences nor authorizer.allowed_clients is set:"
                            " AgentCore needs at least one")
    problems += _yaml_auth_problems(ctx, auth.type, auth.discovery_url)
    deployed = ""
    if ctx.aws_unavailable() is None:
        runtime = read_runtime(ctx)
        if runtime is not None:
            jwt = (runtime.get("authorizerConfiguration") or {}).get("customJWTAuthorizer")
            deployed = "JWT" if jwt else "SigV4"
            if bool(jwt) != (auth.type != "none"):
                problems.append(f"the deployed runtime uses {deployed}, the config says "
                                f"{auth.type}: redeploy to apply it")
            elif jwt and auth.discovery_url and jwt.get("discoveryUrl") != auth.discovery_url:
                problems.append(f"the deployed discovery URL {jwt.get('discoveryUrl')!r} differs"
                                f" from the config's {auth.discovery_url!r}: redeploy")
    if problems:
        return failed(f"endpoint protection ({how}) is incomplete or not deployed", problems)
    return passed(f"endpoint protected by {how}" + (f"; deployed: {deployed}" if deployed
                                                    else ""))


def _yaml_auth_problems(ctx: DoctorContext, kind: str, url: str | None) -> list[str]:
    """The toolkit's YAML (what `agentcore deploy` sends) against the configured protection."""
    import yaml

    assert ctx.settings is not None
    text = ctx.read(".bedrock_agentcore.yaml")
    try:
        data = yaml.safe_load(text) if text else None
    except yaml.YAMLError:
        return []  # render-drift reports a broken file
    agents = data.get("agents") if isinstance(data, dict) else None
    agent = agents.get(ctx.settings.agent_name) if isinstance(agents, dict) else None
    if not isinstance(agent, dict):
        return []
    jwt = (agent.get("authorizer_configuration") or {}).get("customJWTAuthorizer")
    if kind == "oauth" and not jwt:
        return [".bedrock_agentcore.yaml has no authorizer_configuration, so a deploy would "
                "leave the endpoint on SigV4: run `aibox-ops render`"]
    if kind == "oauth" and url and jwt.get("discoveryUrl") != url:
        return [f".bedrock_agentcore.yaml has discoveryUrl {jwt.get('discoveryUrl')!r}, the "
                f"config {url!r}: run `aibox-ops render`"]
    if kind == "none" and jwt:
        return [".bedrock_agentcore.yaml configures a JWT authorizer the config does not: "
                "run `aibox-ops render`"]
    return []


def detect_cold_start(ctx: DoctorContext) -> Finding:
    """Warn when nothing keeps sessions warm; fail when the warm-up interval is longer than
    the idle session timeout (config, deployed runtime) or the schedules in AWS do not match
    (warm's ``read_schedules``)."""
    assert ctx.settings is not None
    warm, life = ctx.settings.warm, ctx.settings.lifecycle
    evidence = [f"config: warm.enabled={str(warm.enabled).lower()}, "
                f"interval {warm.interval_minutes} min, idle timeout {life.idle_timeout} s"]
    idle, problems = life.idle_timeout, []
    if ctx.aws_unavailable() is None:
        runtime = read_runtime(ctx)
        lifecycle = (runtime or {}).get("lifecycleConfiguration") or {}
        if lifecycle.get("idleRuntimeSessionTimeout"):
            idle = int(lifecycle["idleRuntimeSessionTimeout"])
            evidence.append(f"deployed runtime: idle timeout {idle} s")
        if runtime is not None:
            problems += _schedule_problems(ctx, runtime, idle, evidence)
    why = warm_interval_problem(warm.interval_minutes * 60, idle, "the idle timeout") \
        if warm.enabled else None
    if why:
        problems.insert(0, f"warm-up every {warm.interval_minutes} min {why}")
    if problems:
        return failed(problems[0], evidence + problems[1:],
                      fix="Set warm.interval_minutes below the idle timeout and run "
                          "`aibox-ops warm schedule` (or redeploy).")
    if not warm.enabled:
        return warned("no warm-up configured: the first request of each session is a cold "
                      "start", evidence)
    return passed(f"warm-up every {warm.interval_minutes} min keeps {warm.sessions} "
                  f"session(s) warm (idle timeout {idle} s)", evidence)


RATE_RE = re.compile(r"^rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)$")
RATE_UNIT = {"minute": 60, "hour": 3600, "day": 86400}


def _schedule_problems(ctx: DoctorContext, runtime: dict, idle: int,
                       evidence: list[str]) -> list[str]:
    """Warm-up schedules in AWS, through warm's reader: missing, too slow, or aimed at
    another runtime."""
    try:
        from ...warm import read_schedules
    except ImportError:
        return []
    assert ctx.session is not None and ctx.settings is not None
    session, settings = ctx.session, ctx.settings
    found = ctx.memo("schedules", lambda: read_schedules(session, settings))
    active = [s for s in found.schedules if s.state == "ENABLED"]
    evidence.append(f"schedule group {found.group_name}: {len(active)} enabled schedule(s)")
    problems = []
    if settings.warm.enabled and not active:
        problems.append(f"warm-up is configured but no schedule in {found.group_name} pings "
                        "the runtime")
    arn = runtime.get("agentRuntimeArn")
    for schedule in active:
        evidence.append(f"schedule {schedule.name}: {schedule.expression}")
        match = RATE_RE.match(schedule.expression.strip())
        if match:
            seconds = int(match.group(1)) * RATE_UNIT[match.group(2).rstrip("s")]
            why = warm_interval_problem(seconds, idle, "the idle timeout")
            if why:
                problems.append(f"schedule {schedule.name} {why}")
        if arn and schedule.runtime_arn and schedule.runtime_arn != arn:
            problems.append(f"schedule {schedule.name} pings {schedule.runtime_arn}, not the "
                            f"deployed runtime {arn}")
    return problems


def detect_env_drift(ctx: DoctorContext) -> Finding:
    """Fail when the Dockerfile's ENV or the deployed runtime's environment differs from
    ``Settings.container_env``."""
    assert ctx.settings is not None
    if not ctx.settings.adopted and not image_generated(ctx):
        return skipped("not adopted yet: aibox-ops did not write the image's environment "
                       "(your Dockerfile did); after `aibox-ops init` this compares it with "
                       "[tool.aibox-ops]")
    drift, relpath = detect_env_drift_offline(ctx)
    checked = [relpath] if relpath else []
    if ctx.aws_unavailable() is None:
        runtime = read_runtime(ctx)
        if runtime is not None:
            deployed = {k: v for k, v in (runtime.get("environmentVariables") or {}).items()
                        if k not in MEMORY_ENV_VARS}  # the toolkit's, for the Memory
            # The process sees the image's ENV overlaid by the runtime's variables: a
            # variable the Dockerfile sets is not missing from the runtime (the image
            # supplies it); what only the image sets is the Dockerfile half's to report.
            effective = {**image_env(ctx), **deployed}
            wanted = ctx.settings.container_env
            names = set(deployed) | set(wanted)
            drift += diff_env({k: v for k, v in effective.items() if k in names}, wanted,
                              f"runtime {runtime['agentRuntimeId']}")
            checked.append("the deployed runtime")
    if not checked:
        return skipped("no Dockerfile and nothing deployed to compare")
    if drift:
        return failed(f"the environment differs from the config in {len(drift)} place(s)",
                      drift)
    return passed(f"{' and '.join(checked)} match the config's environment")
