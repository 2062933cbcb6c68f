"""Concurrency: provisioned concurrency per version or alias, reserved concurrency per function,
and the account settings that bound both.

Provisioned concurrency attaches to a published version or an alias, never ``$LATEST``, and not
to both an alias and the version it points to. A Put answers ``IN_PROGRESS``; any later read sees
``READY`` with the requested executions allocated. The account has 1,000 concurrent executions,
of which at least 100 must stay unreserved.
"""

from __future__ import annotations

from typing import Any, Optional

from .. import arns
from ..errors import InvalidParameterValue, ResourceConflict, ResourceNotFound
from . import paging
from .addressing import split_name
from .call import Call
from .model import LATEST, Function, now_text, provisioned_total, refuse_with_tenant_isolation

ACCOUNT_CONCURRENCY = 1000
MIN_UNRESERVED = 100
#: AWS's account limits (GetAccountSettings).
TOTAL_CODE_SIZE = 80530636800
CODE_SIZE_UNZIPPED = 262144000
CODE_SIZE_ZIPPED = 52428800


class ProvisionedConcurrencyConfigNotFound(ResourceNotFound):
    code = "ProvisionedConcurrencyConfigNotFoundException"
    status = 404


class ProvisionedConfig:
    """One qualifier's provisioned concurrency."""

    __slots__ = ("last_modified", "ready", "requested")

    def __init__(self, requested: int, last_modified: str, ready: bool = False) -> None:
        self.requested = requested
        self.last_modified = last_modified
        self.ready = ready


def _qualified_target(call: Call, req: dict, latest_message: str) -> tuple[Function, str]:
    """The function and the version or alias a provisioned-concurrency request names."""
    call, name, qualifier = split_name(call, req["FunctionName"], req.get("Qualifier"))
    assert qualifier is not None  # required by the model
    if qualifier == LATEST:
        raise InvalidParameterValue(latest_message)
    function = call.backend.functions.get(name)
    arn = arns.function_arn(call.region, call.account_id, name, qualifier)
    if qualifier.isdigit():
        if function is None or qualifier not in function.versions:
            raise ResourceNotFound(f"Function not found: {arn}")
    elif function is None or qualifier not in function.aliases:
        raise ResourceNotFound(f"Cannot find alias arn: {arn}")
    return function, qualifier


def _render(config: ProvisionedConfig) -> dict[str, Any]:
    allocated = config.requested if config.ready else 0
    return {
        "RequestedProvisionedConcurrentExecutions": config.requested,
        "AvailableProvisionedConcurrentExecutions": allocated,
        "AllocatedProvisionedConcurrentExecutions": allocated,
        "Status": "READY" if config.ready else "IN_PROGRESS",
        "LastModified": config.last_modified,
    }


def reserved_total(call: Call, excluding: Optional[str] = None) -> int:
    backend = call.backend
    return sum(f.reserved_concurrency or 0 for name, f in backend.current(backend.reserving) if name != excluding)


def put_provisioned_concurrency_config(call: Call, req: dict) -> dict:
    function, qualifier = _qualified_target(
        call, req, "Provisioned Concurrency Configs cannot be applied to unpublished function versions."
    )
    refuse_with_tenant_isolation(function.latest.config, "Provisioned Concurrency")
    if qualifier in function.aliases:
        alias = function.aliases[qualifier]
        if alias.function_version in function.provisioned:
            raise ResourceConflict(
                "Alias can't be used for Provisioned Concurrency configuration on an already Provisioned version"
            )
    elif any(a.function_version == qualifier and a.name in function.provisioned for a in function.aliases.values()):
        raise ResourceConflict("Version is pointed by a Provisioned Concurrency alias")
    requested = int(req["ProvisionedConcurrentExecutions"])
    unreserved = ACCOUNT_CONCURRENCY - reserved_total(call)
    if function.reserved_concurrency is not None:
        others = provisioned_total(function, excluding=qualifier)
        if others + requested > function.reserved_concurrency:
            raise InvalidParameterValue(
                "Requested Provisioned Concurrency should not be greater than the reservedConcurrentExecution for "
                "function"
            )
    else:
        if requested > unreserved:
            raise InvalidParameterValue(
                f"Specified ConcurrentExecutions for function is greater than account's unreserved concurrency "
                f"[{unreserved}].",
                typed=False,
            )
        if unreserved - requested < MIN_UNRESERVED:
            raise InvalidParameterValue(
                "Specified ConcurrentExecutions for function decreases account's UnreservedConcurrentExecution "
                f"below its minimum value of [{MIN_UNRESERVED}].",
                typed=False,
            )
    config = ProvisionedConfig(requested, now_text())
    function.provisioned[qualifier] = config
    response = _render(config)
    config.ready = True  # the allocation completes: later reads see READY
    return response


def get_provisioned_concurrency_config(call: Call, req: dict) -> dict:
    function, qualifier = _qualified_target(
        call, req, "The function resource provided must be an alias or a published version."
    )
    config = function.provisioned.get(qualifier)
    if config is None:
        raise ProvisionedConcurrencyConfigNotFound("No Provisioned Concurrency Config found for this function")
    return _render(config)


def delete_provisioned_concurrency_config(call: Call, req: dict) -> dict:
    function, qualifier = _qualified_target(
        call, req, "The function resource provided must be an alias or a published version."
    )
    function.provisioned.pop(qualifier, None)
    return {}


def list_provisioned_concurrency_configs(call: Call, req: dict) -> dict:
    call, name, _ = split_name(call, req["FunctionName"])
    function = call.backend.functions.get(name)
    if function is None:
        raise ResourceNotFound(f"Function not found: {arns.function_arn(call.region, call.account_id, name)}")
    items = sorted(function.provisioned.items())
    chunk, next_marker = paging.page(items, lambda item: item[0], req.get("Marker"), req.get("MaxItems"))
    configs = [{"FunctionArn": f"{function.arn}:{qualifier}", **_render(config)} for qualifier, config in chunk]
    out: dict[str, Any] = {"ProvisionedConcurrencyConfigs": configs}
    if next_marker is not None:
        out["NextMarker"] = next_marker
    return out


# ---------------------------------------------------------------------------
# reserved concurrency
# ---------------------------------------------------------------------------

_UNQUALIFIED_ONLY = (
    "This operation is permitted on Lambda functions only. Aliases and versions do not support this operation. "
    "Please specify either a function name or an unqualified function ARN."
)


def _unqualified_function(call: Call, req: dict, missing_suffix: Optional[str]) -> tuple[Call, Function]:
    call, name, qualifier = split_name(call, req["FunctionName"])
    function = call.backend.functions.get(name)
    if function is None:
        raise ResourceNotFound(
            f"Function not found: {arns.function_arn(call.region, call.account_id, name, missing_suffix)}"
        )
    if qualifier is not None:
        raise InvalidParameterValue(_UNQUALIFIED_ONLY)
    return call, function


def put_function_concurrency(call: Call, req: dict) -> dict:
    call, function = _unqualified_function(call, req, LATEST)
    reserved = int(req["ReservedConcurrentExecutions"])
    provisioned = provisioned_total(function)
    if reserved < provisioned:
        # Recorded against AWS, spacing included.
        raise InvalidParameterValue(
            f" ReservedConcurrentExecutions  {reserved} should not be lower than function's total provisioned "
            f"concurrency [{provisioned}].",
            typed=False,
        )
    if ACCOUNT_CONCURRENCY - reserved_total(call, excluding=function.name) - reserved < MIN_UNRESERVED:
        raise InvalidParameterValue(
            "Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution "
            f"below its minimum value of [{MIN_UNRESERVED}].",
            typed=False,
        )
    function.reserved_concurrency = reserved
    call.backend.reserving[function.name] = function
    return {"ReservedConcurrentExecutions": reserved}


def get_function_concurrency(call: Call, req: dict) -> dict:
    _, function = _unqualified_function(call, req, None)
    if function.reserved_concurrency is None:
        return {}
    return {"ReservedConcurrentExecutions": function.reserved_concurrency}


def delete_function_concurrency(call: Call, req: dict) -> dict:
    _, function = _unqualified_function(call, req, None)
    function.reserved_concurrency = None
    call.backend.reserving.pop(function.name, None)
    return {}


def get_account_settings(call: Call, req: dict) -> dict:
    functions = call.backend.functions.values()
    code_size = call.backend.code_size
    if code_size is None:
        code_size = 0
        for function in functions:
            seen = {function.latest.code.sha256: function.latest.code.size}
            for version in function.versions.values():
                seen[version.code.sha256] = version.code.size
            code_size += sum(seen.values())
        call.backend.code_size = code_size
    return {
        "AccountLimit": {
            "TotalCodeSize": TOTAL_CODE_SIZE,
            "CodeSizeUnzipped": CODE_SIZE_UNZIPPED,
            "CodeSizeZipped": CODE_SIZE_ZIPPED,
            "ConcurrentExecutions": ACCOUNT_CONCURRENCY,
            "UnreservedConcurrentExecutions": ACCOUNT_CONCURRENCY - reserved_total(call),
        },
        "AccountUsage": {"TotalCodeSize": code_size, "FunctionCount": len(call.backend.functions)},
    }
