"""Per-function settings: recursive-loop detection, runtime management and scaling of managed instances.

- Recursion (PutFunctionRecursionConfig): one setting per function, ``Terminate`` unless set to
  ``Allow`` (F-MA-014). Unqualified names only, as the model's ``UnqualifiedFunctionName`` says.
- Runtime management (PutRuntimeManagementConfig): per version, ``$LATEST`` when no qualifier is
  given ("This can be $LATEST or a published version number"); ``Auto`` until set, and a runtime
  version ARN only in ``Manual`` mode ("otherwise null is returned", F-MA-017).
- Scaling (PutFunctionScalingConfig): per published version of a function that runs on a capacity
  provider (Lambda Managed Instances); the qualifier is a version number or ``$LATEST.PUBLISHED``.
"""

from __future__ import annotations

from typing import Any, Optional

from .. import arns
from ..errors import InvalidParameterValue, ResourceNotFound
from .addressing import split_name
from .call import Call
from .model import LATEST, Function

#: "Default: 3 execution environments are set to be the minimum" (AWS CDK reference, LatestPublishedScalingConfig).
DEFAULT_MIN_EXECUTION_ENVIRONMENTS = 3


def _function(call: Call, function_name: str, qualifier: Optional[str] = None) -> tuple[Function, Optional[str]]:
    call, name, qualifier = split_name(call, function_name, qualifier)
    function = call.backend.functions.get(name)
    if function is None:
        raise ResourceNotFound(f"Function not found: {arns.function_arn(call.region, call.account_id, name)}")
    return function, qualifier


# ---------------------------------------------------------------------------
# recursive loop detection
# ---------------------------------------------------------------------------


def get_function_recursion_config(call: Call, req: dict) -> dict:
    function, _ = _function(call, req["FunctionName"])
    return {"RecursiveLoop": function.recursive_loop}


def put_function_recursion_config(call: Call, req: dict) -> dict:
    function, _ = _function(call, req["FunctionName"])
    function.recursive_loop = req["RecursiveLoop"]
    return {"RecursiveLoop": function.recursive_loop}


# ---------------------------------------------------------------------------
# runtime management
# ---------------------------------------------------------------------------


def _runtime_target(call: Call, req: dict) -> tuple[Function, str, str]:
    """(function, version key, FunctionArn to answer) for $LATEST or a published version."""
    function, qualifier = _function(call, req["FunctionName"], req.get("Qualifier"))
    version = qualifier or LATEST
    if version != LATEST and version not in function.versions:
        raise ResourceNotFound(f"Function not found: {function.arn}:{version}")
    return function, version, function.arn if qualifier is None else f"{function.arn}:{qualifier}"


def get_runtime_management_config(call: Call, req: dict) -> dict:
    function, version, arn = _runtime_target(call, req)
    config = function.runtime_management.get(version) or {"UpdateRuntimeOn": "Auto"}
    return {"FunctionArn": arn, **config}


def put_runtime_management_config(call: Call, req: dict) -> dict:
    function, version, arn = _runtime_target(call, req)
    mode = req["UpdateRuntimeOn"]
    config = {"UpdateRuntimeOn": mode}
    if mode == "Manual":
        if not req.get("RuntimeVersionArn"):
            # AWS documents the ARN as required in Manual mode; the wording is ours, not recorded.
            raise InvalidParameterValue("RuntimeVersionArn is required when UpdateRuntimeOn is Manual.")
        config["RuntimeVersionArn"] = req["RuntimeVersionArn"]
    function.runtime_management[version] = config
    return {"FunctionArn": arn, **config}


# ---------------------------------------------------------------------------
# scaling of functions on capacity providers
# ---------------------------------------------------------------------------


def _scaling_target(call: Call, req: dict) -> tuple[Function, str]:
    function, qualifier = _function(call, req["FunctionName"], req.get("Qualifier"))
    assert qualifier is not None  # required by the model
    if qualifier not in function.versions:
        raise ResourceNotFound(f"Function not found: {function.arn}:{qualifier}")
    if "CapacityProviderConfig" not in function.versions[qualifier].config:
        # Scaling configs exist only for Lambda Managed Instances; the wording is ours, not recorded.
        raise InvalidParameterValue(
            "Function scaling configuration is supported only for functions with a capacity provider."
        )
    return function, qualifier


def get_function_scaling_config(call: Call, req: dict) -> dict:
    function, qualifier = _scaling_target(call, req)
    requested = function.scaling.get(qualifier)
    out: dict[str, Any] = {"FunctionArn": f"{function.arn}:{qualifier}"}
    if requested is None:
        out["AppliedFunctionScalingConfig"] = {"MinExecutionEnvironments": DEFAULT_MIN_EXECUTION_ENVIRONMENTS}
    else:
        out["AppliedFunctionScalingConfig"] = dict(requested)
        out["RequestedFunctionScalingConfig"] = dict(requested)
    return out


def put_function_scaling_config(call: Call, req: dict) -> dict:
    function, qualifier = _scaling_target(call, req)
    given = {k: v for k, v in (req.get("FunctionScalingConfig") or {}).items() if v is not None}
    low, high = given.get("MinExecutionEnvironments"), given.get("MaxExecutionEnvironments")
    if low is not None and high is not None and low > high:
        # The bound is AWS's (a minimum above the maximum); the wording is ours, not recorded (the
        # AWS CDK words its own client-side check alike; that is not a Lambda answer).
        raise InvalidParameterValue("MinExecutionEnvironments must be less than or equal to MaxExecutionEnvironments.")
    function.scaling[qualifier] = given
    return {"FunctionState": "Active"}
