"""Tags on functions: TagResource, UntagResource, ListTags.

Tags live on the function, never on a version or alias: a qualified ARN is refused (F-FN-042).
"""

from __future__ import annotations

from .. import arns
from ..errors import InvalidParameterValue, ResourceNotFound
from .functions import MAX_TAGS, Function
from .registry import Call, api


def _tagged_function(call: Call, resource: str) -> Function:
    ref = arns.parse_resource_arn(resource)
    if ref is None or ref.kind != "function":
        raise ResourceNotFound(f"Function not found: {resource}")
    if ref.qualifier is not None:
        raise InvalidParameterValue(
            "Tags on function aliases and versions are not supported. Please specify a function ARN."
        )
    if ref.region != call.region:
        raise InvalidParameterValue(f"Functions from '{ref.region}' are not reachable in this region ('{call.region}')")
    function = call.store.backend(ref.account, ref.region).functions.get(ref.name)
    if function is None:
        raise ResourceNotFound(f"Function not found: {resource}")
    return function


@api("TagResource")
def tag_resource(call: Call, req: dict) -> dict:
    function = _tagged_function(call, req["Resource"])
    if not req.get("Tags"):
        raise InvalidParameterValue("An error occurred and the request cannot be processed.")
    merged = {**function.tags, **req["Tags"]}
    if len(merged) > MAX_TAGS:
        raise InvalidParameterValue("Number of tags exceeds resource tag limit.")
    function.tags = merged
    return {}


@api("UntagResource")
def untag_resource(call: Call, req: dict) -> dict:
    function = _tagged_function(call, req["Resource"])
    for key in req.get("TagKeys", []):
        function.tags.pop(key, None)
    return {}


@api("ListTags")
def list_tags(call: Call, req: dict) -> dict:
    function = _tagged_function(call, req["Resource"])
    return {"Tags": dict(function.tags)}
