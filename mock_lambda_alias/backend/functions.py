"""Functions and their ``$LATEST`` configuration: create, read, list, update, delete.

The data model (:class:`~.model.Function`, versions, aliases, rendering) lives in
:mod:`.model`; deployment packages in :mod:`.deployment`. This module holds the operations; the rules
AWS applies to a function's configuration are in :mod:`.function_config`.
"""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import replace
from typing import Any, Optional

from .. import arns
from ..errors import (
    AccessDenied,
    CodeSigningConfigNotFound,
    InvalidParameterValue,
    ResourceConflict,
    UnsupportedMember,
)
from . import addressing, cascades, function_config, model, paging, runtimes
from .addressing import get_function_or_404, split_name
from .call import Call
from .deployment import code_from_request
from .function_config import LIST_FUNCTIONS_PAGE, refuse_unsupported
from .model import (
    ALIAS_NAME,
    LATEST,
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
    function_config.check_memory(req)
    function_config.check_environment(req)
    function_config.check_dead_letter_on_create(req)
    tags = dict(req.get("Tags") or {})
    function_config.check_tags(tags)
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
        "LoggingConfig": function_config.default_logging(name, None),
    }
    function_config.apply_config(config, req, name, call.region)
    if req.get("TenancyConfig"):
        # Set at creation only: UpdateFunctionConfiguration has no TenancyConfig member.
        config["TenancyConfig"] = dict(req["TenancyConfig"])
    function_config.check_snapstart(config)
    if req.get("DurableConfig") is not None:
        config["DurableConfig"] = function_config.durable(req["DurableConfig"])
        call.store.has_durable = True
    if req.get("CapacityProviderConfig"):
        config["CapacityProviderConfig"] = function_config.capacity_provider_config(call, req["CapacityProviderConfig"])
    code = _with_source_key(code, (req.get("Code") or {}).get("SourceKMSKeyArn"))
    record = FunctionVersion(LATEST, config, code, new_revision(), now_text())
    function_config.apply_layers(record, layers)
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
    return model.render_kept(function, record, suffix)


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
    function_config.check_memory(req)
    function_config.check_environment(req)
    if "Role" in req:
        check_role(call, req["Role"])
    layers = addressing.function_layers(call, list(req["Layers"])) if "Layers" in req else None
    config = copy.deepcopy(record.config)
    function_config.apply_config(config, req, name, call.region)
    if "SnapStart" in req or "Runtime" in req:
        function_config.check_snapstart(config)
    if req.get("DurableConfig") is not None:
        if "DurableConfig" not in config:
            # AWS documents that durable execution can only be enabled when a function is created.
            raise InvalidParameterValue(
                "DurableConfig can only be set when a function is created; durable execution cannot be "
                "enabled on an existing function."
            )
        config["DurableConfig"] = function_config.durable(req["DurableConfig"], config["DurableConfig"])
    if req.get("CapacityProviderConfig"):
        config["CapacityProviderConfig"] = function_config.capacity_provider_config(call, req["CapacityProviderConfig"])
        call.backend.capacity_users[function.name] = function
    record.config = config
    if layers is not None:
        function_config.apply_layers(record, layers)
    record.revision_id = new_revision()
    record.last_modified = now_text()
    response = render(function, record, transition="update")
    settle(record)
    return response
