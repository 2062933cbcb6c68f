"""Aliases and their routing configuration (traffic shifting): the rules AWS enforces.

An alias points at a published version or ``$LATEST`` (never at another alias) and may send a
share of traffic to one additional published version. Every UpdateAlias gives a new RevisionId,
even one that changes nothing (F-VA-049).
"""

from __future__ import annotations

import bisect
from typing import Any, Optional

from ..errors import InvalidParameterValue, ResourceConflict, ResourceNotFound, ValidationError, java_repr
from . import cascades, paging
from .addressing import get_function_or_404, split_name
from .call import Call
from .model import LATEST, Alias, Function, check_revision, new_revision
from .rendered import Rendered


def alias_arn(function: Function, name: str) -> str:
    return f"{function.arn}:{name}"


def render_alias(function: Function, alias: Alias) -> dict:
    """The AliasConfiguration AWS returns; rendered once per change of the alias and kept.

    Every write to an alias assigns one of its attributes, which drops the kept item
    (``model.Cached``); the item is shared between responses and never mutated.
    """
    kept = alias._wire
    if kept is not None:
        return kept
    out = Rendered(
        {
            "AliasArn": alias_arn(function, alias.name),
            "Name": alias.name,
            "FunctionVersion": alias.function_version,
            "Description": alias.description,
            "RevisionId": alias.revision_id,
        }
    )
    if alias.routing:
        out["RoutingConfig"] = {"AdditionalVersionWeights": dict(alias.routing)}
    alias._wire = out
    return out


def _alias_or_404(call: Call, req: dict, missing: str = "Cannot find alias arn") -> tuple[Function, Alias]:
    """The function and alias a request names; AWS words a missing alias per operation."""
    call, name, _ = split_name(call, req["FunctionName"])
    function = get_function_or_404(call, name)
    alias = function.aliases.get(req["Name"])
    if alias is None:
        raise ResourceNotFound(f"{missing}: {alias_arn(function, req['Name'])}")
    return function, alias


def _check_version_exists(function: Function, version: str) -> None:
    if version != LATEST and version not in function.versions:
        raise ResourceNotFound(f"Function not found: {function.arn}:{version}")


def _routing(function: Function, primary: str, routing_config: Optional[dict]) -> dict[str, float]:
    """Validated ``AdditionalVersionWeights`` for an alias pointing at ``primary``."""
    weights = dict((routing_config or {}).get("AdditionalVersionWeights") or {})
    if not weights:
        return {}
    if len(weights) > 1:
        raise InvalidParameterValue("Number of items in AdditionalVersionWeights cannot be greater than 1")
    ((version, weight),) = weights.items()
    if weight >= 1.0:
        # The model allows 1.0; AWS refuses it with the model's own message (a full shift is a promotion).
        raise ValidationError(
            f"1 validation error detected: Value '{{{version}={java_repr(float(weight))}}}' at "
            "'routingConfig.additionalVersionWeights' failed to satisfy constraint: Map value must satisfy "
            "constraint: [Member must have value less than or equal to 1.0, Member must have value greater "
            "than or equal to 0.0, Member must not be null]"
        )
    if primary == LATEST:
        raise InvalidParameterValue(
            "$LATEST is not supported for an alias pointing to more than 1 version", typed=False
        )
    if version == primary:
        raise InvalidParameterValue(
            f"Invalid function version {version}. Function version {version} is already included in routing "
            "configuration."
        )
    _check_version_exists(function, version)
    first, second = function.versions[primary], function.versions[version]
    if first.config.get("Role") != second.config.get("Role"):
        raise InvalidParameterValue("Specified versions must be associated with the same execution role")
    if first.config.get("DeadLetterConfig") != second.config.get("DeadLetterConfig"):
        # The requirement is documented (alias routing: same role, same DLQ); AWS's text is not
        # recorded anywhere found, so this mirrors the role message's (F-VA-076) wording.
        raise InvalidParameterValue("Specified versions must be associated with the same dead letter queue config")
    return {version: float(weight)}


def create_alias(call: Call, req: dict) -> dict:
    call, name, _ = split_name(call, req["FunctionName"])
    # A missing function is reported with the ARN of the version the alias would point to.
    function = get_function_or_404(call, name, req["FunctionVersion"])
    alias_name = req["Name"]
    if alias_name in function.aliases:
        raise ResourceConflict(f"Alias already exists: {alias_arn(function, alias_name)}")
    version = req["FunctionVersion"]
    _check_version_exists(function, version)
    routing = _routing(function, version, req.get("RoutingConfig"))
    alias = Alias(alias_name, version, req.get("Description") or "", new_revision(), routing)
    function.aliases[alias_name] = alias
    bisect.insort(function.alias_names, alias_name)
    return render_alias(function, alias)


def get_alias(call: Call, req: dict) -> dict:
    function, alias = _alias_or_404(call, req)
    return render_alias(function, alias)


def update_alias(call: Call, req: dict) -> dict:
    function, alias = _alias_or_404(call, req, missing="Alias not found")
    check_revision(req.get("RevisionId"), alias.revision_id)
    version = req.get("FunctionVersion") or alias.function_version
    _check_version_exists(function, version)
    if "RoutingConfig" in req:
        routing = _routing(function, version, req["RoutingConfig"])
    else:
        routing = _routing(function, version, {"AdditionalVersionWeights": alias.routing})
    alias.function_version = version
    alias.routing = routing
    if req.get("Description") is not None:
        alias.description = req["Description"]
    alias.revision_id = new_revision()
    return render_alias(function, alias)


def delete_alias(call: Call, req: dict) -> dict:
    """Idempotent, as AWS's is: DeleteAlias models no ResourceNotFoundException."""
    call, name, _ = split_name(call, req["FunctionName"])
    function = call.backend.functions.get(name)
    if function is not None:
        cascades.delete_alias(call, function, req["Name"])
    return {}


def list_aliases(call: Call, req: dict) -> dict:
    call, name, _ = split_name(call, req["FunctionName"])
    function = get_function_or_404(call, name)
    wanted = req.get("FunctionVersion")
    names: Any = function.alias_names
    if wanted is not None:
        names = [n for n in names if function.aliases[n].function_version == wanted]
    chunk, next_marker = paging.page_of_sorted_keys(names, req.get("Marker"), req.get("MaxItems"))
    aliases = function.aliases
    out: dict[str, Any] = {"Aliases": [aliases[n]._wire or render_alias(function, aliases[n]) for n in chunk]}
    if next_marker is not None:
        out["NextMarker"] = next_marker
    return out
