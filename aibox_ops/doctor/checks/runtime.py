"""Checks on the deployment: ``aws-credentials``, ``runtime-status``, ``auth``,
``cold-start`` and ``env-drift`` (each uses AWS when online, the files otherwise)."""

from __future__ import annotations

from ...errors import AiboxError
from ..aws_reads import read_endpoint, read_runtime
from ..context import DoctorContext
from ..model import Finding, failed, passed, skipped, warned
from .image import detect_env_drift_offline, diff_env

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


def detect_cold_start(ctx: DoctorContext) -> Finding:
    """Warn when nothing keeps sessions warm; fail when the warm-up interval is longer than
    the idle session timeout (from the config, and the deployed runtime when online)."""
    assert ctx.settings is not None
    warm, life = ctx.settings.warm, ctx.settings.lifecycle
    evidence = [f"config: warm.enabled={str(warm.enabled).lower()}, "
                f"interval {warm.interval_minutes} min, idle timeout {life.idle_timeout} s"]
    idle = life.idle_timeout
    if ctx.aws_unavailable() is None:
        runtime = read_runtime(ctx)
        lifecycle = (runtime or {}).get("lifecycleConfiguration") or {}
        if lifecycle.get("idleRuntimeSessionTimeout"):
            idle = int(lifecycle["idleRuntimeSessionTimeout"])
            evidence.append(f"deployed runtime: idle timeout {idle} s")
        evidence += _schedule_evidence(ctx)
    if not warm.enabled:
        return warned("no warm-up configured: the first request of each session is a cold "
                      "start", evidence)
    if warm.interval_minutes * 60 >= idle:
        return failed(f"warm-up every {warm.interval_minutes} min is not shorter than the idle "
                      f"timeout ({idle} s): sessions go cold between pings", evidence,
                      fix="Lower warm.interval_minutes below the idle timeout, then "
                          "`aibox-ops warm` / redeploy.")
    return passed(f"warm-up every {warm.interval_minutes} min keeps {warm.sessions} "
                  f"session(s) warm (idle timeout {idle} s)", evidence)


def _schedule_evidence(ctx: DoctorContext) -> list[str]:
    """Schedules in AWS, through warm's reader when that library is present."""
    try:
        from ...warm import read_schedules  # type: ignore[attr-defined]
    except ImportError:
        return []
    assert ctx.session is not None and ctx.settings is not None
    session, settings = ctx.session, ctx.settings
    schedules = ctx.memo("schedules", lambda: read_schedules(session, settings))
    return [f"schedule: {s}" for s in schedules] or ["no warm-up schedules in AWS"]


def detect_env_drift(ctx: DoctorContext) -> Finding:
    """Fail when the Dockerfile's ENV or the deployed runtime's environment differs from
    ``Settings.container_env``."""
    assert ctx.settings is not None
    drift, relpath = detect_env_drift_offline(ctx)
    checked = [relpath] if relpath else []
    if ctx.aws_unavailable() is None:
        runtime = read_runtime(ctx)
        if runtime is not None:
            deployed = runtime.get("environmentVariables") or {}
            drift += diff_env(deployed, ctx.settings.container_env,
                              f"runtime {runtime['agentRuntimeId']}")
            checked.append("the deployed runtime")
    if not checked:
        return skipped("no Dockerfile and nothing deployed to compare")
    if drift:
        return failed(f"the environment differs from the config in {len(drift)} place(s)",
                      drift)
    return passed(f"{' and '.join(checked)} match the config's environment")
