"""Capacity providers (Lambda Managed Instances) and the function versions that run on them.

A capacity provider names the VPC, operator role and instance requirements of the EC2 capacity
that runs functions configured with ``CapacityProviderConfig``. Like functions, a create answers
``State: Pending`` (HTTP 202) and any later read sees ``Active``; a delete answers ``Deleting`` and
the provider is gone afterwards. A provider that function versions still use cannot be deleted.
Not-found answers follow AWS's recorded wording ``Capacity provider not found: <arn>``.
"""

from __future__ import annotations

from typing import Any, Optional

from .. import arns
from ..errors import ResourceConflict, ResourceNotFound
from . import paging
from .addressing import check_region
from .call import Call
from .model import LATEST, Function, now_text

#: Settings a create stores as given and every answer echoes.
_SETTINGS = (
    "VpcConfig",
    "PermissionsConfig",
    "InstanceRequirements",
    "CapacityProviderScalingConfig",
    "KmsKeyArn",
    "PropagateTags",
    "TelemetryConfig",
)
#: Settings UpdateCapacityProvider may change.
_UPDATABLE = ("CapacityProviderScalingConfig", "PropagateTags", "TelemetryConfig")
LIST_PAGE = 50


class CapacityProvider:
    """A capacity provider (Lambda Managed Instances)."""

    __slots__ = ("arn", "last_modified", "name", "settings", "state", "tags")

    def __init__(
        self,
        name: str,
        arn: str,
        settings: dict[str, Any],
        last_modified: str,
        state: str = "Pending",
        tags: Optional[dict[str, str]] = None,
    ) -> None:
        self.name = name
        self.arn = arn
        self.settings = settings
        self.last_modified = last_modified
        self.state = state
        self.tags: dict[str, str] = tags if tags is not None else {}


def provider_arn(region: str, account: str, name: str) -> str:
    return f"arn:{arns.partition_for(region)}:lambda:{region}:{account}:capacity-provider:{name}"


def _name_of(call: Call, value: str) -> str:
    """A CapacityProviderName is a name or the provider's ARN."""
    if value.startswith("arn:"):
        parts = value.split(":")
        check_region(call, parts[3])
        return parts[-1]
    return value


def _render(provider: CapacityProvider, state: Optional[str] = None) -> dict[str, Any]:
    out: dict[str, Any] = {"CapacityProviderArn": provider.arn, "State": state or provider.state}
    out.update(provider.settings)
    out["LastModified"] = provider.last_modified
    return out


def _provider_or_404(call: Call, value: str) -> CapacityProvider:
    name = _name_of(call, value)
    provider = call.backend.capacity_providers.get(name)
    if provider is None:
        raise ResourceNotFound(f"Capacity provider not found: {provider_arn(call.region, call.account_id, name)}")
    return provider


def _settle(provider: CapacityProvider) -> None:
    """The provisioning a create started completes: later reads see ``Active``."""
    provider.state = "Active"


def _versions_on(call: Call, provider: CapacityProvider) -> list[tuple[Function, str]]:
    """(function, version) pairs whose configuration runs on ``provider``, in name and version order."""
    found: list[tuple[Function, str]] = []
    backend = call.backend
    for _, function in backend.current(backend.capacity_users):
        records = [function.latest, *function.versions.values()]
        for record in records:
            config = record.config.get("CapacityProviderConfig") or {}
            managed = config.get("LambdaManagedInstancesCapacityProviderConfig") or {}
            if managed.get("CapacityProviderArn", "").rsplit(":", 1)[-1] == provider.name:
                found.append((function, record.version))
    return found


def create_capacity_provider(call: Call, req: dict) -> dict:
    name = _name_of(call, req["CapacityProviderName"])
    backend = call.backend
    if name in backend.capacity_providers:
        # The status and code are AWS's (modeled); the wording is ours, not recorded.
        raise ResourceConflict(f"Capacity provider already exists: {provider_arn(call.region, call.account_id, name)}")
    settings = {key: req[key] for key in _SETTINGS if req.get(key) is not None}
    provider = CapacityProvider(
        name=name,
        arn=provider_arn(call.region, call.account_id, name),
        settings=settings,
        last_modified=now_text(),
        tags=dict(req.get("Tags") or {}),
    )
    backend.capacity_providers[name] = provider
    response = _render(provider)
    _settle(provider)
    return {"CapacityProvider": response}


def get_capacity_provider(call: Call, req: dict) -> dict:
    return {"CapacityProvider": _render(_provider_or_404(call, req["CapacityProviderName"]))}


def update_capacity_provider(call: Call, req: dict) -> dict:
    provider = _provider_or_404(call, req["CapacityProviderName"])
    for key in _UPDATABLE:
        if req.get(key) is not None:
            provider.settings[key] = req[key]
    provider.last_modified = now_text()
    return {"CapacityProvider": _render(provider)}


def delete_capacity_provider(call: Call, req: dict) -> dict:
    provider = _provider_or_404(call, req["CapacityProviderName"])
    users = _versions_on(call, provider)
    if users:
        # AWS's text, quoted from a real failure in serverless/serverless
        # docs/sf/providers/aws/guide/managed-instances.md; terraform-provider-aws retries this
        # ResourceConflictException on its second sentence (internal/service/lambda/capacity_provider.go).
        # Whether the count is of functions or of their versions is not recorded: we count functions.
        count = len({function.arn for function, _ in users})
        raise ResourceConflict(
            f"The capacity provider is currently in use by {count} functions. To delete this capacity "
            f"provider, first remove its association with {provider.arn}."
        )
    del call.backend.capacity_providers[provider.name]
    return {"CapacityProvider": _render(provider, "Deleting")}


def list_capacity_providers(call: Call, req: dict) -> dict:
    providers = sorted(call.backend.capacity_providers.values(), key=lambda p: p.name)
    if req.get("State"):
        providers = [p for p in providers if p.state == req["State"]]
    chunk, next_marker = paging.page(providers, lambda p: p.name, req.get("Marker"), req.get("MaxItems") or LIST_PAGE)
    out: dict[str, Any] = {"CapacityProviders": [_render(p) for p in chunk]}
    if next_marker is not None:
        out["NextMarker"] = next_marker
    return out


def list_function_versions_by_capacity_provider(call: Call, req: dict) -> dict:
    """Published versions that run on the provider (``$LATEST`` itself never runs on one)."""
    provider = _provider_or_404(call, req["CapacityProviderName"])
    versions = [(f, v) for f, v in _versions_on(call, provider) if v != LATEST]
    chunk, next_marker = paging.page_in_order(versions, req.get("Marker"), req.get("MaxItems") or LIST_PAGE)
    out: dict[str, Any] = {
        "CapacityProviderArn": provider.arn,
        "FunctionVersions": [{"FunctionArn": f"{f.arn}:{v}", "State": "Active"} for f, v in chunk],
    }
    if next_marker is not None:
        out["NextMarker"] = next_marker
    return out
