"""Tags on functions, event source mappings, code signing configs and capacity providers.

Function tags live on the function, never on a version or alias: a qualified ARN is refused
(F-FN-042). Event source mappings carry their own tags (also given at creation).
"""

from __future__ import annotations

from .. import arns
from ..errors import InvalidParameterValue, ResourceNotFound
from .addressing import check_region
from .call import Call
from .model import MAX_TAGS

_NOT_FOUND = {
    "function": "Function not found",
    "event-source-mapping": "Event source mapping not found",
    "capacity-provider": "Capacity provider not found",
    "code-signing-config": "Code signing config not found",
}


def _tags_of(call: Call, resource: str) -> dict[str, str]:
    """The live tag map of the resource an ARN names (AWS's errors when there is none)."""
    ref = arns.parse_resource_arn(resource)
    if ref is None:  # the wire layer validated the ARN pattern already
        raise ResourceNotFound(f"Function not found: {resource}")
    if ref.kind == "function" and ref.qualifier is not None:
        raise InvalidParameterValue(
            "Tags on function aliases and versions are not supported. Please specify a function ARN."
        )
    check_region(call, ref.region)
    backend = call.store.backend(ref.account, ref.region)
    if ref.kind == "function":
        function = backend.functions.get(ref.name)
        if function is not None:
            return function.tags
    elif ref.kind == "event-source-mapping":
        mapping = backend.event_source_mappings.get(ref.name)
        if mapping is not None:
            return mapping.setdefault("_tags", {})
    elif ref.kind == "code-signing-config":
        config = backend.code_signing_configs.get(resource)
        if config is not None:
            return config.tags
    elif ref.kind == "capacity-provider":
        provider = backend.capacity_providers.get(ref.name)
        if provider is not None:
            return provider.tags
    raise ResourceNotFound(f"{_NOT_FOUND[ref.kind]}: {resource}")


def tag_resource(call: Call, req: dict) -> dict:
    tags = _tags_of(call, req["Resource"])
    if not req.get("Tags"):
        raise InvalidParameterValue("An error occurred and the request cannot be processed.")
    if len({**tags, **req["Tags"]}) > MAX_TAGS:
        raise InvalidParameterValue("Number of tags exceeds resource tag limit.")
    tags.update(req["Tags"])
    return {}


def untag_resource(call: Call, req: dict) -> dict:
    tags = _tags_of(call, req["Resource"])
    for key in req.get("TagKeys", []):
        tags.pop(key, None)
    return {}


def list_tags(call: Call, req: dict) -> dict:
    return {"Tags": dict(_tags_of(call, req["Resource"]))}
