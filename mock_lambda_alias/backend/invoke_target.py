"""Which version an invocation runs, and what runs for it.

An alias is routed by its weights (or a route the test forced, see :mod:`.invocations`); the
version's code becomes an :class:`~mock_lambda_alias.runtime.EnvironmentSpec`, and Lambda's
variables are made for it once and kept on the version's record.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from .. import arns, runtime
from ..errors import ResourceNotFound
from .call import Call
from .invocations import InvokeState
from .model import LATEST, Function, FunctionVersion


def choose_version(state: InvokeState, call: Call, function: Function, alias_name: str) -> str:
    """The version an alias invocation runs: forced choices first, then the routing weights."""
    alias = function.aliases[alias_name]
    forced = state.take_route((call.account_id, call.region, function.name), alias_name)
    if forced is not None:
        return forced
    if alias.routing:
        ((extra, weight),) = alias.routing.items()
        if state.routing_rng.random() < weight:
            return extra
    return alias.function_version


def _not_found(call: Call, name: str, qualifier: str) -> ResourceNotFound:
    return ResourceNotFound(f"Function not found: {arns.function_arn(call.region, call.account_id, name, qualifier)}")


def resolve_target(
    state: InvokeState, call: Call, name: str, qualifier: Optional[str]
) -> tuple[Function, FunctionVersion, str]:
    """(function, configuration that runs, invoked ARN) of an invocation."""
    function = call.backend.functions.get(name)
    if function is None:
        raise _not_found(call, name, qualifier or LATEST)
    if qualifier is None:
        return function, function.latest, function.arn
    invoked = f"{function.arn}:{qualifier}"
    if qualifier == LATEST:
        return function, function.latest, invoked
    if qualifier in function.versions:
        return function, function.versions[qualifier], invoked
    if qualifier in function.aliases:
        version = choose_version(state, call, function, qualifier)
        record = function.latest if version == LATEST else function.versions.get(version)
        if record is None:
            raise _not_found(call, name, version)
        return function, record, invoked
    raise _not_found(call, name, qualifier)


def spec_for(
    state: InvokeState,
    call: Call,
    function: Function,
    record: FunctionVersion,
    tenant_id: Optional[str] = None,
) -> tuple[Optional[runtime.EnvironmentSpec], dict[str, str]]:
    """What runs for this version (a registered callable, its Python package, or nothing here),
    and Lambda's variables for it.

    Kept on the record (dropped with any write to it) for as long as the registered callable,
    isolation mode and tenant it was made for stay the same; the variables are shared by the
    invocations and never changed.
    """
    key = (call.account_id, call.region, function.name)
    handler = state.handler_for(key, record.version)
    isolation = state.isolation_for(key, record.version)
    kept = record._derived
    if (
        kept is not None
        and kept[0] is handler
        and kept[1] == isolation
        and kept[2] == tenant_id
        and kept[3] == (call.account_id, call.region)
    ):
        return kept[4], kept[5]
    spec = _new_spec(call, function, record, handler, isolation, tenant_id)
    variables = _lambda_env(call, function, record)
    record._derived = (handler, isolation, tenant_id, (call.account_id, call.region), spec, variables)
    return spec, variables


def _new_spec(
    call: Call,
    function: Function,
    record: FunctionVersion,
    handler: Optional[Callable[[Any, Any], Any]],
    isolation: str,
    tenant_id: Optional[str],
) -> Optional[runtime.EnvironmentSpec]:
    config = record.config
    memory = int(config.get("MemorySize", 128))
    # A runtime sets its logging up once: another LoggingConfig needs other environments.
    log_settings = tuple(sorted((config.get("LoggingConfig") or {}).items()))
    if handler is not None:
        return runtime.EnvironmentSpec(
            function.name,
            record.version,
            function=handler,
            identity=id(handler),
            log_settings=log_settings,
            memory_mb=memory,
            tenant_id=tenant_id,
            owner=(call.account_id, call.region),
        )
    if (
        str(config.get("Runtime", "")).startswith("python")
        and record.code.zip_bytes is not None
        and config.get("Handler")
    ):
        return runtime.EnvironmentSpec(
            function.name,
            record.version,
            handler_name=str(config["Handler"]),
            code_sha256=record.code.sha256,
            zip_bytes=record.code.zip_bytes,
            # Lambda extracts the layers into /opt in the version's order; their import paths follow the task root.
            layers=tuple((v.code.sha256, v.code.zip_bytes) for v in record.layers if v.code.zip_bytes is not None),
            runtime_name=str(config.get("Runtime")),
            isolation=isolation,
            memory_mb=memory,
            log_settings=log_settings,
            tenant_id=tenant_id,
            owner=(call.account_id, call.region),
        )
    return None


def _lambda_env(call: Call, function: Function, record: FunctionVersion) -> dict[str, str]:
    """Lambda's variables (the runtime adds the task root and log stream) and the function's own."""
    config = record.config
    env = {
        "AWS_LAMBDA_FUNCTION_NAME": function.name,
        "AWS_LAMBDA_FUNCTION_VERSION": record.version,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(config.get("MemorySize", 128)),
        "AWS_LAMBDA_LOG_GROUP_NAME": config.get("LoggingConfig", {}).get("LogGroup", f"/aws/lambda/{function.name}"),
        "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
        "AWS_REGION": call.region,
        "AWS_DEFAULT_REGION": call.region,
        "AWS_EXECUTION_ENV": f"AWS_Lambda_{config.get('Runtime', 'python3.12')}",
        "_HANDLER": str(config.get("Handler", "")),
        "LAMBDA_RUNTIME_DIR": "/var/runtime",
        "TZ": ":UTC",
    }
    logging_config = config.get("LoggingConfig") or {}
    if logging_config.get("LogFormat") == "JSON":  # what Lambda tells the runtime (AWS_LAMBDA_LOG_*)
        env["AWS_LAMBDA_LOG_FORMAT"] = "JSON"
        env["AWS_LAMBDA_LOG_LEVEL"] = str(logging_config.get("ApplicationLogLevel", "INFO"))
    env.update((config.get("Environment") or {}).get("Variables") or {})
    return env
