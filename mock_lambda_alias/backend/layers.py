"""Lambda layers: publish, read, list and delete layer versions, and their permission policies.

A layer keeps one numbering for its versions: numbers start at 1 and are never reused, even after
every version was deleted (F-LY-020). Each version has its own resource-based policy, which is how
a layer is shared with other accounts; CreateFunction / UpdateFunctionConfiguration read it through
:func:`.model.function_layers` when a function names a layer of another account.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Optional

from .. import arns
from ..errors import (
    InvalidParameterValue,
    PreconditionFailed,
    ResourceConflict,
    ResourceNotFound,
    ValidationError,
)
from . import paging, runtimes
from .call import Call
from .deployment import layer_content
from .model import Layer, LayerPolicy, LayerVersion, layer_allows, layer_arn, new_revision, not_authorized, now_text

ARCHITECTURES = ("x86_64", "arm64")
#: Runtimes a layer may declare: the supported ones and those retired for functions (recorded:
#: test_layer_compatibilities publishes layers for python3.7, nodejs12.x, go1.x, java8, provided).
LAYER_RUNTIMES = frozenset(runtimes.SUPPORTED) | runtimes.DEPRECATED
#: The enum AWS prints for a ListLayers / ListLayerVersions ``CompatibleRuntime`` it does not know,
#: in its order (LocalStack snapshot list_layers_exc_compatibleruntime_invalid, F-LY-017).
FILTER_RUNTIMES = (
    "ruby3.5, ruby2.6, dotnetcore1.0, python3.7, nodejs8.10, nasa, ruby2.7, python2.7-greengrass, dotnetcore2.0, "
    "python3.8, java21, dotnet6, dotnetcore2.1, python3.9, java11, nodejs6.10, provided, dotnetcore3.1, dotnet8, "
    "java25, java17, nodejs, nodejs4.3, java8.al2, go1.x, dotnet10, nodejs20.x, go1.9, byol, nodejs10.x, "
    "provided.al2023, nodejs22.x, python3.10, java8, nodejs12.x, python3.11, nodejs24.x, nodejs8.x, python3.12, "
    "nodejs14.x, nodejs8.9, nodejs26.x, python3.13, python3.14, nodejs16.x, python3.15, provided.al2, "
    "nodejs4.3-edge, nodejs18.x, ruby3.2, python3.4, ruby3.3, ruby3.4, ruby2.5, python3.6, python2.7"
)
_FILTER_RUNTIME_SET = frozenset(FILTER_RUNTIMES.split(", "))
LIST_PAGE = 50
_NOT_FOUND = "The resource you requested does not exist."
_POLICY_REVISION_MISMATCH = (
    "The Revision Id provided does not match the latest Revision Id. Call the GetLayerPolicy API to retrieve the "
    "latest Revision Id"
)


# ---------------------------------------------------------------------------
# addressing a layer: a name or a layer ARN
# ---------------------------------------------------------------------------


def _where(call: Call, layer_name: str) -> tuple[Call, str]:
    """(call for the layer's account and region, plain name) of a ``LayerName`` parameter."""
    if not layer_name.startswith("arn:"):
        return call, layer_name
    parts = layer_name.split(":")  # arn:partition:lambda:region:account:layer:name (pattern-checked)
    region, account, name = parts[3], parts[4], parts[6]
    if region != call.region or account != call.account_id:
        call = Call(call.store, account, region, call.request_id)
    return call, name


def _version_number(req: dict) -> int:
    """``VersionNumber`` (a URI label, so it arrives as text), at least 1 (F-LY-011)."""
    try:
        number = int(req["VersionNumber"])
    except ValueError:
        raise ResourceNotFound(_NOT_FOUND) from None
    _check_version_number(number)
    return number


def _check_version_number(number: int) -> None:
    if number < 1:  # F-LY-011
        raise InvalidParameterValue("Layer Version Cannot be less than 1")


def _find(call: Call, name: str, number: int) -> Optional[LayerVersion]:
    layer = call.backend.layers.get(name)
    return layer.versions.get(number) if layer is not None else None


def _readable(caller: Call, owner: Call, version: Optional[LayerVersion], resource: str) -> LayerVersion:
    """A version the caller may read: its own, or another account's that grants it (else 403)."""
    if owner.account_id != caller.account_id and (version is None or not layer_allows(version, caller.account_id)):
        raise not_authorized(caller.account_id, resource)
    if version is None:
        raise ResourceNotFound(_NOT_FOUND)
    return version


# ---------------------------------------------------------------------------
# rendering
# ---------------------------------------------------------------------------


def _location(version: LayerVersion, account_id: str, region: str) -> str:
    token = hashlib.sha256(f"{version.arn}:{version.code.sha256}".encode()).hexdigest()
    return (
        f"https://awslambda-{region}-layers.s3.{region}.amazonaws.com/snapshots/{account_id}/"
        f"{version.layer_name}-{token[:8]}-{token[8:12]}-{token[12:16]}-{token[16:20]}-{token[20:32]}"
        f"?versionId={token[32:64]}&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=600&X-Amz-Signature={token}"
    )


def _list_item(version: LayerVersion) -> dict[str, Any]:
    """The fields ListLayerVersions and ListLayers show (F-LY-013): no Content, no LayerArn."""
    item: dict[str, Any] = {"LayerVersionArn": version.arn, "Version": version.version}
    item["Description"] = version.description
    item["CreatedDate"] = version.created
    if version.compatible_runtimes is not None:
        item["CompatibleRuntimes"] = list(version.compatible_runtimes)
    if version.compatible_architectures is not None:
        item["CompatibleArchitectures"] = list(version.compatible_architectures)
    if version.license_info is not None:
        item["LicenseInfo"] = version.license_info
    return item


def _render(call: Call, version: LayerVersion) -> dict[str, Any]:
    """PublishLayerVersion / GetLayerVersion's answer (F-LY-001, F-LY-004, F-LY-005)."""
    out = _list_item(version)
    out["LayerArn"] = version.layer_arn
    out["Content"] = {
        "Location": _location(version, call.account_id, call.region),
        "CodeSha256": version.code.sha256,
        "CodeSize": version.code.size,
    }
    return out


def _matches(version: LayerVersion, runtime: Optional[str], architecture: Optional[str]) -> bool:
    if runtime is not None and runtime not in (version.compatible_runtimes or ()):
        return False
    return architecture is None or architecture in (version.compatible_architectures or ())


# ---------------------------------------------------------------------------
# validation AWS does itself (see wire/constraints.py, CHECKED_BY_BACKEND)
# ---------------------------------------------------------------------------


def _java_list(values: list[str]) -> str:
    return f"'[{', '.join(values)}]'"


def _check_compatibility(req: dict) -> None:
    """F-LY-008: unknown runtimes and architectures, reported together, runtimes first."""
    errors = []
    given_runtimes = req.get("CompatibleRuntimes")
    if given_runtimes is not None:
        if len(given_runtimes) > 15:
            errors.append(
                f"Value {_java_list(given_runtimes)} at 'compatibleRuntimes' failed to satisfy constraint: "
                "Member must have length less than or equal to 15"
            )
        elif any(r not in LAYER_RUNTIMES for r in given_runtimes):
            errors.append(
                f"Value {_java_list(given_runtimes)} at 'compatibleRuntimes' failed to satisfy constraint: "
                f"Member must satisfy enum value set: [{', '.join(runtimes.SUPPORTED)}]"
            )
    given_architectures = req.get("CompatibleArchitectures")
    if given_architectures is not None:
        if len(given_architectures) > 2:
            errors.append(
                f"Value {_java_list(given_architectures)} at 'compatibleArchitectures' failed to satisfy "
                "constraint: Member must have length less than or equal to 2"
            )
        elif any(a not in ARCHITECTURES for a in given_architectures):
            errors.append(
                f"Value {_java_list(given_architectures)} at 'compatibleArchitectures' failed to satisfy "
                "constraint: Member must satisfy constraint: [Member must satisfy enum value set: "
                "[x86_64, arm64], Member must not be null]"
            )
    if errors:
        noun = "error" if len(errors) == 1 else "errors"
        raise ValidationError(f"{len(errors)} validation {noun} detected: " + "; ".join(errors))


def _check_runtime_filter(req: dict) -> None:
    """F-LY-017: AWS checks the filter against its own list of runtime names."""
    runtime = req.get("CompatibleRuntime")
    if runtime is not None and runtime not in _FILTER_RUNTIME_SET and runtime not in LAYER_RUNTIMES:
        raise ValidationError(
            f"1 validation error detected: Value '{runtime}' at 'compatibleRuntime' failed to satisfy constraint: "
            f"Member must satisfy enum value set: [{FILTER_RUNTIMES}]"
        )


# ---------------------------------------------------------------------------
# operations
# ---------------------------------------------------------------------------


def publish_layer_version(call: Call, req: dict) -> dict:
    _check_compatibility(req)
    call, name = _where(call, req["LayerName"])
    code = layer_content(call, req.get("Content") or {})
    backend = call.backend
    layer = backend.layers.get(name)
    if layer is None:
        layer = Layer(name, layer_arn(call.region, call.account_id, name))
        backend.layers[name] = layer
    number = layer.next_version
    layer.next_version += 1
    version = LayerVersion(
        layer_name=name,
        layer_arn=layer.arn,
        version=number,
        code=code,
        description=req.get("Description") or "",
        created=now_text(),
        compatible_runtimes=list(req["CompatibleRuntimes"]) if req.get("CompatibleRuntimes") is not None else None,
        compatible_architectures=(
            list(req["CompatibleArchitectures"]) if req.get("CompatibleArchitectures") is not None else None
        ),
        license_info=req.get("LicenseInfo"),
    )
    layer.versions[number] = version
    return _render(call, version)


def get_layer_version(call: Call, req: dict) -> dict:
    number = _version_number(req)
    owner, name = _where(call, req["LayerName"])
    resource = f"{layer_arn(owner.region, owner.account_id, name)}:{number}"
    version = _readable(call, owner, _find(owner, name, number), resource)
    return _render(owner, version)


def get_layer_version_by_arn(call: Call, req: dict) -> dict:
    value = req["Arn"]
    if ":awslayer:" in value:
        raise ResourceNotFound(_NOT_FOUND)
    base, number = value.rsplit(":", 1)
    _check_version_number(int(number))
    owner, name = _where(call, base)
    version = _readable(call, owner, _find(owner, name, int(number)), value)
    return _render(owner, version)


def list_layer_versions(call: Call, req: dict) -> dict:
    """Newest first (F-LY-013); a layer that does not exist lists nothing (F-LY-014)."""
    _check_runtime_filter(req)
    owner, name = _where(call, req["LayerName"])
    layer = owner.backend.layers.get(name)
    versions = []
    if layer is not None:
        runtime, architecture = req.get("CompatibleRuntime"), req.get("CompatibleArchitecture")
        versions = [v for v in reversed(layer.versions.values()) if _matches(v, runtime, architecture)]
    chunk, next_marker = paging.page(
        versions, lambda v: -v.version, req.get("Marker"), req.get("MaxItems") or LIST_PAGE
    )
    out: dict[str, Any] = {"LayerVersions": [_list_item(v) for v in chunk]}
    if next_marker is not None:
        out["NextMarker"] = next_marker
    return out


def list_layers(call: Call, req: dict) -> dict:
    """Each layer with its newest version that matches the filters (F-LY-016), by name."""
    _check_runtime_filter(req)
    runtime, architecture = req.get("CompatibleRuntime"), req.get("CompatibleArchitecture")
    entries = []
    for name in sorted(call.backend.layers):
        layer = call.backend.layers[name]
        latest = next((v for v in reversed(layer.versions.values()) if _matches(v, runtime, architecture)), None)
        if latest is not None:
            entries.append((layer, latest))
    chunk, next_marker = paging.page(entries, lambda e: e[0].name, req.get("Marker"), req.get("MaxItems") or LIST_PAGE)
    out: dict[str, Any] = {
        "Layers": [
            {"LayerName": layer.name, "LayerArn": layer.arn, "LatestMatchingVersion": _list_item(version)}
            for layer, version in chunk
        ]
    }
    if next_marker is not None:
        out["NextMarker"] = next_marker
    return out


def delete_layer_version(call: Call, req: dict) -> dict:
    """Idempotent: unknown layers and versions are a quiet 204 (F-LY-019)."""
    number = _version_number(req)
    call, name = _where(call, req["LayerName"])
    layer = call.backend.layers.get(name)
    if layer is not None:
        layer.versions.pop(number, None)
    return {}


# ---------------------------------------------------------------------------
# layer version permissions
# ---------------------------------------------------------------------------


def _version_or_404(call: Call, req: dict) -> LayerVersion:
    """The addressed version; AWS names the version ARN when it is missing (recorded)."""
    number = _version_number(req)
    owner, name = _where(call, req["LayerName"])
    version = _find(owner, name, number)
    if version is None:
        raise ResourceNotFound(
            f"Layer version {layer_arn(owner.region, owner.account_id, name)}:{number} does not exist."
        )
    return version


def _principal(principal: str, partition: str) -> Any:
    """``*`` stays ``*``; an account id becomes its root ARN (AWS CLI docs' example output)."""
    if principal == "*":
        return "*"
    if principal.isdigit():
        return {"AWS": f"arn:{partition}:iam::{principal}:root"}
    return {"AWS": principal}


def _compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def add_layer_version_permission(call: Call, req: dict) -> dict:
    version = _version_or_404(call, req)
    policy = version.policy or LayerPolicy()
    sid = req["StatementId"]
    if any(s["Sid"] == sid for s in policy.statements):  # F-LY-025
        raise ResourceConflict(
            f"The statement id ({sid}) provided already exists. Please provide a new statement id, or remove the "
            "existing statement."
        )
    given = req.get("RevisionId")
    if given is not None and given != policy.revision_id:  # F-LY-026
        raise PreconditionFailed(_POLICY_REVISION_MISMATCH)
    statement: dict[str, Any] = {
        "Sid": sid,
        "Effect": "Allow",
        "Principal": _principal(req["Principal"], arns.partition_for(version.layer_arn.split(":")[3])),
        "Action": req["Action"],
        "Resource": version.arn,
    }
    if req.get("OrganizationId"):
        statement["Condition"] = {"StringEquals": {"aws:PrincipalOrgID": req["OrganizationId"]}}
    policy.statements.append(statement)
    policy.revision_id = new_revision()
    version.policy = policy
    return {"Statement": _compact(statement), "RevisionId": policy.revision_id}


def get_layer_version_policy(call: Call, req: dict) -> dict:
    version = _version_or_404(call, req)
    if version.policy is None:
        raise ResourceNotFound("No policy is associated with the given resource.")
    document = {"Version": "2012-10-17", "Id": "default", "Statement": version.policy.statements}
    return {"Policy": _compact(document), "RevisionId": version.policy.revision_id}


def remove_layer_version_permission(call: Call, req: dict) -> dict:
    version = _version_or_404(call, req)
    policy = version.policy
    given = req.get("RevisionId")
    if policy is not None and given is not None and given != policy.revision_id:  # F-LY-026
        raise PreconditionFailed(_POLICY_REVISION_MISMATCH)
    sid = req["StatementId"]
    statement = next((s for s in policy.statements if s["Sid"] == sid), None) if policy is not None else None
    if policy is None or statement is None:  # F-LY-028
        raise ResourceNotFound(f"Statement {sid} is not found in resource policy.")
    policy.statements.remove(statement)
    policy.revision_id = new_revision()
    if not policy.statements:  # as for functions' policies: no statements, no policy
        version.policy = None
    return {}
