"""The rules AWS applies to a function's configuration, on create and on update.

Memory, environment variables (size, reserved keys), SnapStart runtimes, durable settings, VPC,
logging defaults, capacity providers, layers and the members the mock refuses by name. The
operations that apply them are in :mod:`.functions`.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Optional

from ..errors import (
    InvalidParameterValue,
    ResourceNotFound,
    UnsupportedMember,
    ValidationError,
)
from . import model, runtimes
from .call import Call
from .model import (
    MAX_TAGS,
    FunctionVersion,
)

MAX_MEMORY_MB = 10240
#: Sizing defaults of a function on a capacity provider (as LocalStack, checked against AWS, fills them in).
CAPACITY_PROVIDER_MAX_CONCURRENCY = 16
CAPACITY_PROVIDER_GIB_PER_VCPU = 2.0
#: "ListFunctions returns a maximum of 50 items in each response, even if you set the number higher."
LIST_FUNCTIONS_PAGE = 50
ENV_LIMIT_BYTES = 4096
RESERVED_ENV_KEYS = frozenset(
    {
        "_HANDLER",
        "_X_AMZN_TRACE_ID",
        "AWS_DEFAULT_REGION",
        "AWS_REGION",
        "AWS_EXECUTION_ENV",
        "AWS_LAMBDA_FUNCTION_NAME",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
        "AWS_LAMBDA_FUNCTION_VERSION",
        "AWS_LAMBDA_INITIALIZATION_TYPE",
        "AWS_LAMBDA_LOG_GROUP_NAME",
        "AWS_LAMBDA_LOG_STREAM_NAME",
        "AWS_ACCESS_KEY",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_LAMBDA_RUNTIME_API",
        "LAMBDA_TASK_ROOT",
        "LAMBDA_RUNTIME_DIR",
    }
)

#: Fields ListFunctions leaves out; AWS documents that only GetFunction returns them.
#: Configuration fields UpdateFunctionConfiguration replaces when given.
UPDATABLE = (
    "Role",
    "Handler",
    "Description",
    "Timeout",
    "MemorySize",
    "VpcConfig",
    "Environment",
    "Runtime",
    "DeadLetterConfig",
    "KMSKeyArn",
    "TracingConfig",
    "Layers",
    "FileSystemConfigs",
    "ImageConfig",
    "EphemeralStorage",
    "SnapStart",
    "LoggingConfig",
)


#: Runtimes SnapStart works with: Java 11 and later, Python 3.12 and later, .NET 8 and later
#: (AWS Lambda developer guide, "Improving startup performance with Lambda SnapStart").
SNAPSTART_RUNTIMES = frozenset(
    {"java11", "java17", "java21", "java25", "python3.12", "python3.13", "python3.14", "dotnet8", "dotnet10"}
)
#: RetentionPeriodInDays of a DurableConfig that does not give one (AWS documents 14 days).
DURABLE_RETENTION_DAYS = 14

#: Members the mock does not emulate yet, per operation, with what they depend on. They are
#: refused by name (:class:`UnsupportedMember`) rather than accepted and dropped.
UNSUPPORTED = {
    "CreateFunction": {
        "PublishTo": "publishing to $LATEST.PUBLISHED, for capacity provider functions, is not emulated",
        "RuntimeConfig": "customer-managed runtimes are not emulated",
        "AcceleratorConfig": "accelerators are not emulated",
    },
    "UpdateFunctionConfiguration": {
        "RuntimeConfig": "customer-managed runtimes are not emulated",
        "AcceleratorConfig": "accelerators are not emulated",
    },
    "UpdateFunctionCode": {
        "PublishTo": "publishing to $LATEST.PUBLISHED, for capacity provider functions, is not emulated",
    },
}


def refuse_unsupported(operation: str, req: dict) -> None:
    for member, why in UNSUPPORTED.get(operation, {}).items():
        if req.get(member) is not None:
            raise UnsupportedMember(member, why)


# ---------------------------------------------------------------------------
# validation of configuration values (business rules beyond the model)
# ---------------------------------------------------------------------------


def check_snapstart(config: dict) -> None:
    """SnapStart applies only to zip functions on the runtimes that support it.

    Recorded against AWS (deployment errors): ``nodejs18.x is not supported for SnapStart enabled
    functions.`` and ``ContainerImage is not supported for SnapStart enabled functions``.
    """
    if (config.get("SnapStart") or {}).get("ApplyOn") != "PublishedVersions":
        return
    model.refuse_with_tenant_isolation(config, "SnapStart")
    if config.get("PackageType") == "Image":
        raise InvalidParameterValue("ContainerImage is not supported for SnapStart enabled functions.")
    runtime = config.get("Runtime")
    if runtime not in SNAPSTART_RUNTIMES:
        raise InvalidParameterValue(f"{runtime} is not supported for SnapStart enabled functions.")


def durable(given: dict, current: Optional[dict] = None) -> dict:
    """DurableConfig as AWS reports it: the given members, RetentionPeriodInDays defaulting to 14."""
    durable = dict(current or {"RetentionPeriodInDays": DURABLE_RETENTION_DAYS})
    durable.update({k: v for k, v in given.items() if v is not None})
    return durable


def check_memory(req: dict) -> None:
    memory = req.get("MemorySize")
    if memory is not None and memory > MAX_MEMORY_MB:
        raise ValidationError(
            "'MemorySize' value failed to satisfy constraint: "
            f"Member must have value less than or equal to {MAX_MEMORY_MB}"
        )


def check_environment(req: dict) -> None:
    variables = (req.get("Environment") or {}).get("Variables") or {}
    reserved = [key for key in variables if key in RESERVED_ENV_KEYS]
    if reserved:
        raise InvalidParameterValue(
            "Lambda was unable to configure your environment variables because the environment variables you "
            "have provided contains reserved keys that are currently not supported for modification. "
            f"Reserved keys used in this request: {', '.join(reserved)}"
        )
    measured = json.dumps(variables, separators=(",", ":"))
    if len(measured.encode()) > ENV_LIMIT_BYTES:
        raise InvalidParameterValue(
            "Lambda was unable to configure your environment variables because the environment variables you "
            f"have provided exceeded the 4KB limit. String measured: {measured}"
        )


def check_tags(tags: dict) -> None:
    if len(tags) > MAX_TAGS:
        raise InvalidParameterValue("Number of tags exceeds resource tag limit.")


def default_logging(name: str, given: Optional[dict]) -> dict:
    logging = {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"}
    if given:
        logging.update({k: v for k, v in given.items() if v is not None})
    if logging.get("LogFormat") == "JSON":
        logging.setdefault("ApplicationLogLevel", "INFO")
        logging.setdefault("SystemLogLevel", "INFO")
    return logging


def vpc(given: Optional[dict]) -> Optional[dict]:
    if given is None:
        return None
    subnets = list(given.get("SubnetIds") or [])
    groups = list(given.get("SecurityGroupIds") or [])
    vpc: dict[str, Any] = {
        "SubnetIds": subnets,
        "SecurityGroupIds": groups,
        "Ipv6AllowedForDualStack": bool(given.get("Ipv6AllowedForDualStack", False)),
    }
    if subnets:
        vpc["VpcId"] = "vpc-" + hashlib.sha256(",".join(subnets).encode()).hexdigest()[:17]
    return vpc


def apply_config(config: dict, req: dict, name: str, region: str) -> None:
    """Write the configuration members of a Create/UpdateFunctionConfiguration request."""
    for key in UPDATABLE:
        if key not in req:
            continue
        value = req[key]
        if key == "VpcConfig":
            config[key] = vpc(value)
        elif key == "TracingConfig":
            config[key] = {"Mode": (value or {}).get("Mode") or "PassThrough"}
        elif key == "Layers":
            pass  # resolved against the layers by _apply_layers
        elif key == "ImageConfig":
            config["ImageConfigResponse"] = {"ImageConfig": value}
        elif key == "SnapStart":
            config[key] = {"ApplyOn": (value or {}).get("ApplyOn", "None"), "OptimizationStatus": "Off"}
        elif key == "LoggingConfig":
            config[key] = default_logging(name, {**config.get(key, {}), **(value or {})})
        elif key == "Environment":
            config[key] = {"Variables": dict((value or {}).get("Variables") or {})}
        elif key == "Runtime":
            config[key] = value
            config["RuntimeVersionConfig"] = {"RuntimeVersionArn": runtimes.runtime_version_arn(region, value)}
        elif key == "DeadLetterConfig":
            dead_letter(config, value)
        else:
            config[key] = value
    for key in [k for k, v in config.items() if v is None]:
        del config[key]


def dead_letter(config: dict, given: Optional[dict]) -> None:
    """A DeadLetterConfig without a TargetArn changes nothing (recorded against AWS: LocalStack's
    ``test_dead_letter_queue``, snapshot ``delete_dlq``); an empty TargetArn removes the queue."""
    if not given or "TargetArn" not in given:
        return
    if given["TargetArn"]:
        config["DeadLetterConfig"] = {"TargetArn": given["TargetArn"]}
    else:
        config.pop("DeadLetterConfig", None)


def check_dead_letter_on_create(req: dict) -> None:
    """CreateFunction refuses an empty TargetArn (UpdateFunctionConfiguration takes it as "remove").

    AWS's answer, quoted in motdotla/node-lambda issue #208: ``InvalidParameterValueException:
    Invalid dead letter ARN: ARNs must start with 'arn:':``.
    """
    given = req.get("DeadLetterConfig") or {}
    if "TargetArn" in given and not given["TargetArn"]:
        raise InvalidParameterValue("Invalid dead letter ARN: ARNs must start with 'arn:': ")


def capacity_provider_config(call: Call, given: dict) -> dict:
    """A function's CapacityProviderConfig: the provider must exist; AWS fills in the sizing defaults."""
    managed = dict(given.get("LambdaManagedInstancesCapacityProviderConfig") or {})
    arn = managed.get("CapacityProviderArn", "")
    if arn.rsplit(":", 1)[-1] not in call.backend.capacity_providers:
        raise ResourceNotFound(f"Capacity provider not found: {arn}")
    managed.setdefault("PerExecutionEnvironmentMaxConcurrency", CAPACITY_PROVIDER_MAX_CONCURRENCY)
    managed.setdefault("ExecutionEnvironmentMemoryGiBPerVCpu", CAPACITY_PROVIDER_GIB_PER_VCPU)
    return {"LambdaManagedInstancesCapacityProviderConfig": managed}


def apply_layers(record: FunctionVersion, versions: tuple[model.LayerVersion, ...]) -> None:
    """``Layers`` as AWS reports them: each version's ARN and archive size (F-LY-029)."""
    record.layers = versions
    if versions:
        record.config["Layers"] = [{"Arn": v.arn, "CodeSize": v.code.size} for v in versions]
    else:
        record.config.pop("Layers", None)


# ---------------------------------------------------------------------------
# operations
# ---------------------------------------------------------------------------
