"""Resolving what a request addresses: ``FunctionName`` / ``Qualifier`` / ARNs, across accounts.

Every family calls :func:`split_name` first: it checks the qualifier a name carries against the
``Qualifier`` parameter and the ARN's region against the client's, and a request for another
account's function (or, in strict mode, from another principal) is authorized here against that
function's resource-based policy before any family sees it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Optional

from .. import arns
from ..errors import InvalidParameterValue, ResourceNotFound
from .access import authorize
from .call import Call
from .model import LAYER_VERSION_ARN, MAX_FUNCTION_LAYERS, Function, LayerVersion, layer_allows, not_authorized


def check_region(call: Call, region: str) -> None:
    """An ARN of another region than the client's is AWS's 404 (recorded for every operation)."""
    if region != call.region:
        raise ResourceNotFound(f"Functions from '{region}' are not reachable in this region ('{call.region}')")


def split_name(call: Call, value: str, qualifier: Optional[str] = None) -> tuple[Call, str, Optional[str]]:
    """(call for the addressed account, plain name, effective qualifier) of a FunctionName.

    The qualifier carried in the name must agree with the ``Qualifier`` parameter; AWS checks this
    before it looks the function up (F-VA-026).
    """
    ref = arns.parse_function_name(value)
    if ref is None:  # the wire layer validated the pattern; keep a safe answer anyway
        raise ResourceNotFound(f"Function not found: {value}")
    if ref.qualifier is not None and qualifier is not None and ref.qualifier != qualifier:
        raise InvalidParameterValue(
            "The derived qualifier from the function name does not match the specified qualifier."
        )
    if ref.region is not None:
        check_region(call, ref.region)
    qualifier = ref.qualifier if ref.qualifier is not None else qualifier
    caller = call.caller
    if ref.account is not None and ref.account != call.account_id:
        call = replace(call, account_id=ref.account)
        if caller is not None:
            call.allowed_by = authorize(call, ref.name, qualifier)
    elif caller is not None and caller.strict:
        call = replace(call)
        call.allowed_by = authorize(call, ref.name, qualifier)
    return call, ref.name, qualifier


def get_function_or_404(call: Call, name: str, qualifier: Optional[str] = None) -> Function:
    function = call.backend.functions.get(name)
    if function is None:
        raise ResourceNotFound(
            f"Function not found: {arns.function_arn(call.region, call.account_id, name, qualifier)}"
        )
    return function


def function_layers(call: Call, layer_arns: list[str]) -> tuple[LayerVersion, ...]:
    """The layer versions a CreateFunction / UpdateFunctionConfiguration ``Layers`` list names.

    AWS's checks, in the order its recorded answers imply: at most five layers (F-LY-035), one
    version per layer (LocalStack snapshot ``two_layer_versions_single_function_exc``), the
    function's region, then each version must exist (F-LY-032) and, in another account, grant
    this account ``lambda:GetLayerVersion``.
    """
    if len(layer_arns) > MAX_FUNCTION_LAYERS:
        raise InvalidParameterValue("Cannot reference more than 5 layers.")
    seen: dict[str, str] = {}
    parsed = []
    for value in layer_arns:
        match = LAYER_VERSION_ARN.fullmatch(value)
        if match is None:  # an AWS-managed "awslayer" ARN: nothing the mock can provide
            raise InvalidParameterValue(f"Layer version {value} does not exist.")
        base = value.rsplit(":", 1)[0]
        if base in seen:
            raise InvalidParameterValue(
                "Two different versions of the same layer are not allowed to be referenced in the same function. "
                f"{seen[base]} and {value} are versions of the same layer."
            )
        seen[base] = value
        parsed.append(match)
    for match in parsed:
        if match.group("region") != call.region:
            raise InvalidParameterValue(
                f"Layers are not in the same region as the function. Layers are expected to be in region {call.region}."
            )
    found = []
    for value, match in zip(layer_arns, parsed):
        account = match.group("account")
        layer = call.store.backend(account, call.region).layers.get(match.group("name"))
        version = layer.versions.get(int(match.group("version"))) if layer is not None else None
        if account != call.account_id and (version is None or not layer_allows(version, call.account_id)):
            raise not_authorized(call.account_id, value)
        if version is None:
            raise InvalidParameterValue(f"Layer version {value} does not exist.")
        found.append(version)
    return tuple(found)
