"""Functions and their ``$LATEST`` configuration: create, read, list, update, delete.

The data model (:class:`~.model.Function`, versions, aliases, rendering) lives in
:mod:`.model`; deployment packages in :mod:`.deployment`. This module holds the operations and the
configuration rules AWS applies to them.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import json
from dataclasses import replace
from typing import Any, Optional

from .. import arns
from ..errors import (
    AccessDenied,
    CodeSigningConfigNotFound,
    InvalidParameterValue,
    ResourceConflict,
    ResourceNotFound,
    UnsupportedMember,
    ValidationError,
)
from . import addressing, cascades, model, paging, runtimes
from .addressing import get_function_or_404, split_name
from .call import Call
from .deployment import code_from_request
from .model import (
    ALIAS_NAME,
    LATEST,
    MAX_TAGS,
    Function,
    FunctionVersion,
    check_revision,
    code_location,
    list_item,
    new_revision,
    now_text,
    publish,
    render,
    resolve_qualifier,
    settle,
    version_order,
)
from .roles import check_role

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


def _check_snapstart(config: dict) -> None:
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


def _durable(given: dict, current: Optional[dict] = None) -> dict:
    """DurableConfig as AWS reports it: the given members, RetentionPeriodInDays defaulting to 14."""
    durable = dict(current or {"RetentionPeriodInDays": DURABLE_RETENTION_DAYS})
    durable.update({k: v for k, v in given.items() if v is not None})
    return durable


def _check_memory(req: dict) -> None:
    memory = req.get("MemorySize")
    if memory is not None and memory > MAX_MEMORY_MB:
        raise ValidationError(
            "'MemorySize' value failed to satisfy constraint: "
            f"Member must have value less than or equal to {MAX_MEMORY_MB}"
        )


def _check_environment(req: dict) -> None:
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


def _check_tags(tags: dict) -> None:
    if len(tags) > MAX_TAGS:
        raise InvalidParameterValue("Number of tags exceeds resource tag limit.")


def _default_logging(name: str, given: Optional[dict]) -> dict:
    logging = {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"}
    if given:
        logging.update({k: v for k, v in given.items() if v is not None})
    if logging.get("LogFormat") == "JSON":
        logging.setdefault("ApplicationLogLevel", "INFO")
        logging.setdefault("SystemLogLevel", "INFO")
    return logging


def _vpc(given: Optional[dict]) -> Optional[dict]:
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


def _apply_config(config: dict, req: dict, name: str, region: str) -> None:
    """Write the configuration members of a Create/UpdateFunctionConfiguration request."""
    for key in UPDATABLE:
        if key not in req:
            continue
        value = req[key]
        if key == "VpcConfig":
            config[key] = _vpc(value)
        elif key == "TracingConfig":
            config[key] = {"Mode": (value or {}).get("Mode") or "PassThrough"}
        elif key == "Layers":
            pass  # resolved against the layers by _apply_layers
        elif key == "ImageConfig":
            config["ImageConfigResponse"] = {"ImageConfig": value}
        elif key == "SnapStart":
            config[key] = {"ApplyOn": (value or {}).get("ApplyOn", "None"), "OptimizationStatus": "Off"}
        elif key == "LoggingConfig":
            config[key] = _default_logging(name, {**config.get(key, {}), **(value or {})})
        elif key == "Environment":
            config[key] = {"Variables": dict((value or {}).get("Variables") or {})}
        elif key == "Runtime":
            config[key] = value
            config["RuntimeVersionConfig"] = {"RuntimeVersionArn": runtimes.runtime_version_arn(region, value)}
        else:
            config[key] = value
    for key in [k for k, v in config.items() if v is None]:
        del config[key]


def _capacity_provider_config(call: Call, given: dict) -> dict:
    """A function's CapacityProviderConfig: the provider must exist; AWS fills in the sizing defaults."""
    managed = dict(given.get("LambdaManagedInstancesCapacityProviderConfig") or {})
    arn = managed.get("CapacityProviderArn", "")
    if arn.rsplit(":", 1)[-1] not in call.backend.capacity_providers:
        raise ResourceNotFound(f"Capacity provider not found: {arn}")
    managed.setdefault("PerExecutionEnvironmentMaxConcurrency", CAPACITY_PROVIDER_MAX_CONCURRENCY)
    managed.setdefault("ExecutionEnvironmentMemoryGiBPerVCpu", CAPACITY_PROVIDER_GIB_PER_VCPU)
    return {"LambdaManagedInstancesCapacityProviderConfig": managed}


def _apply_layers(record: FunctionVersion, versions: tuple[model.LayerVersion, ...]) -> None:
    """``Layers`` as AWS reports them: each version's ARN and archive size (F-LY-029)."""
    record.layers = versions
    if versions:
        record.config["Layers"] = [{"Arn": v.arn, "CodeSize": v.code.size} for v in versions]
    else:
        record.config.pop("Layers", None)


# ---------------------------------------------------------------------------
# operations
# ---------------------------------------------------------------------------


def create_function(call: Call, req: dict) -> dict:
    ref = arns.parse_function_name(req["FunctionName"])
    assert ref is not None
    if ref.account is not None and ref.account != call.account_id:
        if call.caller is not None:  # no policy can let another account create functions here
            arn = arns.function_arn(call.region, ref.account, ref.name)
            raise AccessDenied.no_policy(call.caller.principal, "lambda:CreateFunction", arn)
        call = replace(call, account_id=ref.account)
    name = ref.name
    if len(name) > 64:
        # Recorded against AWS: the model allows 140 characters, the service 64 for the name part.
        raise InvalidParameterValue(
            f"1 validation error detected: Value '{req['FunctionName']}' at 'functionName' failed to satisfy "
            "constraint: Member must have length less than or equal to 64"
        )
    package_type = req.get("PackageType") or "Zip"
    if package_type == "Zip":
        if not req.get("Runtime") or not req.get("Handler"):
            raise InvalidParameterValue(
                "Runtime and Handler are mandatory parameters for functions created with deployment packages."
            )
        runtimes.check_runtime(req["Runtime"])
    elif req.get("Handler") or req.get("Runtime") or req.get("Layers"):
        raise InvalidParameterValue(
            "Please don't provide Handler or Runtime or Layer when the intended function PackageType is Image."
        )
    refuse_unsupported("CreateFunction", req)
    if (req.get("Code") or {}).get("S3ObjectStorageMode") == "REFERENCE":
        raise UnsupportedMember("S3ObjectStorageMode", "only COPY, the default, is emulated")
    _check_memory(req)
    _check_environment(req)
    tags = dict(req.get("Tags") or {})
    _check_tags(tags)
    check_role(call, req["Role"])
    layers = addressing.function_layers(call, list(req.get("Layers") or []))
    code = code_from_request(call, req.get("Code") or {}, package_type)

    backend = call.backend
    csc_arn = req.get("CodeSigningConfigArn")
    if csc_arn is not None and csc_arn not in backend.code_signing_configs:
        raise CodeSigningConfigNotFound.for_arn(csc_arn)
    if name in backend.functions:
        raise ResourceConflict(f"Function already exist: {name}")

    config: dict[str, Any] = {
        "Role": req["Role"],
        "Description": "",
        "Timeout": 3,
        "MemorySize": 128,
        "TracingConfig": {"Mode": "PassThrough"},
        "PackageType": package_type,
        "Architectures": list(req.get("Architectures") or ["x86_64"]),
        "EphemeralStorage": {"Size": 512},
        "SnapStart": {"ApplyOn": "None", "OptimizationStatus": "Off"},
        "LoggingConfig": _default_logging(name, None),
    }
    _apply_config(config, req, name, call.region)
    if req.get("TenancyConfig"):
        # Set at creation only: UpdateFunctionConfiguration has no TenancyConfig member.
        config["TenancyConfig"] = dict(req["TenancyConfig"])
    _check_snapstart(config)
    if req.get("DurableConfig") is not None:
        config["DurableConfig"] = _durable(req["DurableConfig"])
    if req.get("CapacityProviderConfig"):
        config["CapacityProviderConfig"] = _capacity_provider_config(call, req["CapacityProviderConfig"])
    code = _with_source_key(code, (req.get("Code") or {}).get("SourceKMSKeyArn"))
    record = FunctionVersion(LATEST, config, code, new_revision(), now_text())
    _apply_layers(record, layers)
    function = Function(
        name=name,
        arn=arns.function_arn(call.region, call.account_id, name),
        account_id=call.account_id,
        region=call.region,
        latest=record,
        tags=tags,
        code_signing_config_arn=csc_arn,
    )
    backend.functions[name] = function
    backend.sorted_names = None
    backend.code_size = None
    if "CapacityProviderConfig" in config:
        backend.capacity_users[name] = function
    if csc_arn is not None:
        backend.signed[name] = function
    return _respond_and_maybe_publish(function, req, "create")


def _with_source_key(code: model.Code, key_arn: Optional[str]) -> model.Code:
    """Keep the customer managed key a package was given (GetFunction reports it under Code)."""
    return code if not key_arn else dataclasses.replace(code, source_kms_key_arn=key_arn)


def _respond_and_maybe_publish(function: Function, req: dict, transition: str) -> dict:
    """The response to a create or code update; with ``Publish`` it shows the new version.

    With ``Publish`` AWS answers with the new version's number but the unqualified ARN.
    """
    response = render(function, function.latest, transition=transition)
    settle(function.latest)
    if req.get("Publish"):
        published = publish(function, description=None)
        response = render(function, published, transition=transition)
    return response


def get_function(call: Call, req: dict) -> dict:
    call, name, qualifier = split_name(call, req["FunctionName"], req.get("Qualifier"))
    function = get_function_or_404(call, name, qualifier)
    record, suffix = resolve_qualifier(function, qualifier)
    out: dict[str, Any] = {
        "Configuration": render(function, record, suffix),
        "Code": code_location(function, record),
    }
    if function.tags:
        out["Tags"] = dict(function.tags)
    if function.reserved_concurrency is not None:
        out["Concurrency"] = {"ReservedConcurrentExecutions": function.reserved_concurrency}
    return out


def get_function_configuration(call: Call, req: dict) -> dict:
    call, name, qualifier = split_name(call, req["FunctionName"], req.get("Qualifier"))
    function = get_function_or_404(call, name, qualifier)
    record, suffix = resolve_qualifier(function, qualifier)
    return render(function, record, suffix)


def _listed_records(function: Function, every_version: bool) -> list[tuple[Any, Any]]:
    """A function's ListFunctions entries as (sort key, (function, record, suffix)) pairs."""
    name = function.name
    if not every_version:
        return [((name, version_order(LATEST)), (function, function.latest, None))]
    records = [function.latest, *function.versions.values()]  # already in version order
    return [((name, version_order(r.version)), (function, r, r.version)) for r in records]


def list_functions(call: Call, req: dict) -> dict:
    backend = call.backend
    if req.get("MasterRegion"):
        if req.get("FunctionVersion") != "ALL":
            raise InvalidParameterValue(
                f"The combination MasterArn={req['MasterRegion']} and FunctionVersion=NULL is not supported. "
                "Please see our documentation for valid combinations of ListFunctions options."
            )
        return {"Functions": []}  # only Lambda@Edge replicas are listed, and the mock has none
    every_version = req.get("FunctionVersion") == "ALL"
    limit = min(req.get("MaxItems") or LIST_FUNCTIONS_PAGE, LIST_FUNCTIONS_PAGE)
    chunk, next_marker = paging.page_of_walk(
        backend.function_names(),
        lambda name: _listed_records(backend.functions[name], every_version),
        req.get("Marker"),
        limit,
    )
    out: dict[str, Any] = {"Functions": [list_item(f, record, suffix) for f, record, suffix in chunk]}
    if next_marker is not None:
        out["NextMarker"] = next_marker
    return out


def delete_function(call: Call, req: dict) -> dict:
    call, name, qualifier = split_name(call, req["FunctionName"], req.get("Qualifier"))
    if qualifier is not None and ALIAS_NAME.fullmatch(qualifier):
        raise InvalidParameterValue("Deletion of aliases is not currently supported.")
    if qualifier == LATEST:
        raise InvalidParameterValue("$LATEST version cannot be deleted without deleting the function.")
    function = get_function_or_404(call, name)
    if qualifier is None:
        cascades.delete_function(call, function)
        return {"StatusCode": 204}
    cascades.delete_version(call, function, qualifier)
    return {"StatusCode": 204}


def update_function_code(call: Call, req: dict) -> dict:
    call, name, _ = split_name(call, req["FunctionName"])
    function = get_function_or_404(call, name)
    record = function.latest
    check_revision(req.get("RevisionId"), record.revision_id)
    refuse_unsupported("UpdateFunctionCode", req)
    if req.get("S3ObjectStorageMode") == "REFERENCE":
        raise UnsupportedMember("S3ObjectStorageMode", "only COPY, the default, is emulated")
    code = code_from_request(call, req, record.config.get("PackageType", "Zip"))
    code = _with_source_key(code, req.get("SourceKMSKeyArn"))
    if req.get("DryRun"):
        preview = copy.copy(record)
        preview.code = code
        return render(function, preview)
    record.code = code
    call.backend.code_size = None
    if req.get("Architectures"):
        record.config["Architectures"] = list(req["Architectures"])
    record.revision_id = new_revision()
    record.last_modified = now_text()
    return _respond_and_maybe_publish(function, req, "update")


def update_function_configuration(call: Call, req: dict) -> dict:
    call, name, _ = split_name(call, req["FunctionName"])
    function = get_function_or_404(call, name)
    record = function.latest
    check_revision(req.get("RevisionId"), record.revision_id)
    if record.config.get("PackageType") == "Image":
        if req.get("Handler") or req.get("Runtime") or req.get("Layers"):
            raise InvalidParameterValue(
                "Please don't provide Handler or Runtime or Layer when the intended function PackageType is Image."
            )
    elif "Runtime" in req:
        runtimes.check_runtime(req["Runtime"])
    refuse_unsupported("UpdateFunctionConfiguration", req)
    _check_memory(req)
    _check_environment(req)
    if "Role" in req:
        check_role(call, req["Role"])
    layers = addressing.function_layers(call, list(req["Layers"])) if "Layers" in req else None
    config = copy.deepcopy(record.config)
    _apply_config(config, req, name, call.region)
    if "SnapStart" in req or "Runtime" in req:
        _check_snapstart(config)
    if req.get("DurableConfig") is not None:
        if "DurableConfig" not in config:
            # AWS documents that durable execution can only be enabled when a function is created.
            raise InvalidParameterValue(
                "DurableConfig can only be set when a function is created; durable execution cannot be "
                "enabled on an existing function."
            )
        config["DurableConfig"] = _durable(req["DurableConfig"], config["DurableConfig"])
    if req.get("CapacityProviderConfig"):
        config["CapacityProviderConfig"] = _capacity_provider_config(call, req["CapacityProviderConfig"])
        call.backend.capacity_users[function.name] = function
    record.config = config
    if layers is not None:
        _apply_layers(record, layers)
    record.revision_id = new_revision()
    record.last_modified = now_text()
    response = render(function, record, transition="update")
    settle(record)
    return response
