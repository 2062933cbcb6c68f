"""Code signing configurations and which functions use them.

A configuration (``csc-`` plus 17 hex digits) lists the signing profiles trusted to publish code
and what Lambda does with unsigned or untrusted code (``Warn`` by default, or ``Enforce``). A
function uses at most one, attached at CreateFunction (``CodeSigningConfigArn``) or with
PutFunctionCodeSigningConfig. The mock keeps the associations; it does not verify signatures.

AWS's wording differs by side: a missing configuration named in the path is a 404
``ResourceNotFoundException`` without a ``Type`` field; one named in a function request body is a
404 ``CodeSigningConfigNotFoundException`` (recorded: F-MA-010, F-MA-011 and LocalStack's AWS
snapshots of ``TestCodeSigningConfig``).
"""

from __future__ import annotations

import uuid
from typing import Any, Optional

from .. import arns
from ..errors import CodeSigningConfigNotFound, InvalidParameterValue, ResourceConflict, ResourceNotFound
from . import paging
from .addressing import split_name
from .call import Call
from .model import Function, now_text

DEFAULT_POLICY = "Warn"
IMAGE_UNSUPPORTED = "Code signing is not supported for functions created with container images."


class CodeSigningConfig:
    """A code signing configuration."""

    __slots__ = (
        "arn",
        "config_id",
        "description",
        "last_modified",
        "publishers",
        "tags",
        "untrusted_artifact_on_deployment",
    )

    def __init__(
        self,
        config_id: str,
        arn: str,
        description: str,
        publishers: list[str],
        untrusted_artifact_on_deployment: str,
        last_modified: str,
        tags: Optional[dict[str, str]] = None,
    ) -> None:
        self.config_id = config_id
        self.arn = arn
        self.description = description
        self.publishers = publishers
        self.untrusted_artifact_on_deployment = untrusted_artifact_on_deployment
        self.last_modified = last_modified
        self.tags: dict[str, str] = tags if tags is not None else {}


def config_arn(region: str, account: str, config_id: str) -> str:
    return f"arn:{arns.partition_for(region)}:lambda:{region}:{account}:code-signing-config:{config_id}"


def _render(config: CodeSigningConfig) -> dict[str, Any]:
    return {
        "CodeSigningConfigId": config.config_id,
        "CodeSigningConfigArn": config.arn,
        "Description": config.description,
        "AllowedPublishers": {"SigningProfileVersionArns": list(config.publishers)},
        "CodeSigningPolicies": {"UntrustedArtifactOnDeployment": config.untrusted_artifact_on_deployment},
        "LastModified": config.last_modified,
    }


def _config_or_404(call: Call, arn: str) -> CodeSigningConfig:
    """The configuration a path names; AWS answers a missing one without a ``Type`` (F-MA-010)."""
    config = call.backend.code_signing_configs.get(arn)
    if config is None:
        raise ResourceNotFound(f"The Lambda code signing configuration {arn} can not be found.", typed=False)
    return config


def _function_or_404(call: Call, function_name: str) -> tuple[Call, Function]:
    call, name, _ = split_name(call, function_name)
    function = call.backend.functions.get(name)
    if function is None:
        raise ResourceNotFound(f"Function not found: {arns.function_arn(call.region, call.account_id, name)}")
    return call, function


def _users(call: Call, arn: str) -> list[Function]:
    """The functions using ``arn``, by name: looked for among functions ever given a configuration."""
    backend = call.backend
    return [f for _, f in backend.current(backend.signed) if f.code_signing_config_arn == arn]


def create_code_signing_config(call: Call, req: dict) -> dict:
    config_id = "csc-" + uuid.uuid4().hex[:17]
    policies = req.get("CodeSigningPolicies") or {}
    config = CodeSigningConfig(
        config_id=config_id,
        arn=config_arn(call.region, call.account_id, config_id),
        description=req.get("Description") or "",
        publishers=list(req["AllowedPublishers"]["SigningProfileVersionArns"]),
        untrusted_artifact_on_deployment=policies.get("UntrustedArtifactOnDeployment") or DEFAULT_POLICY,
        last_modified=now_text(),
        tags=dict(req.get("Tags") or {}),
    )
    call.backend.code_signing_configs[config.arn] = config
    return {"CodeSigningConfig": _render(config)}


def get_code_signing_config(call: Call, req: dict) -> dict:
    return {"CodeSigningConfig": _render(_config_or_404(call, req["CodeSigningConfigArn"]))}


def update_code_signing_config(call: Call, req: dict) -> dict:
    """Replace the members given; with none given AWS answers the unchanged configuration (F-MA-010)."""
    config = _config_or_404(call, req["CodeSigningConfigArn"])
    changed = False
    if "Description" in req:
        config.description = req["Description"] or ""
        changed = True
    if req.get("AllowedPublishers") is not None:
        config.publishers = list(req["AllowedPublishers"]["SigningProfileVersionArns"])
        changed = True
    policy = (req.get("CodeSigningPolicies") or {}).get("UntrustedArtifactOnDeployment")
    if policy is not None:
        config.untrusted_artifact_on_deployment = policy
        changed = True
    if changed:
        config.last_modified = now_text()
    return {"CodeSigningConfig": _render(config)}


def delete_code_signing_config(call: Call, req: dict) -> dict:
    """AWS documents that only a configuration no function uses can be deleted (409 otherwise)."""
    arn = req["CodeSigningConfigArn"]
    _config_or_404(call, arn)
    if _users(call, arn):
        # The status and code are AWS's (documented); the wording is ours, not recorded.
        raise ResourceConflict(
            f"The code signing configuration {arn} cannot be deleted because it is used by one or more functions."
        )
    del call.backend.code_signing_configs[arn]
    return {}


def list_code_signing_configs(call: Call, req: dict) -> dict:
    configs = list(call.backend.code_signing_configs.values())
    chunk, next_marker = paging.page_in_order(configs, req.get("Marker"), req.get("MaxItems"))
    out: dict[str, Any] = {"CodeSigningConfigs": [_render(c) for c in chunk]}
    if next_marker is not None:
        out["NextMarker"] = next_marker
    return out


def list_functions_by_code_signing_config(call: Call, req: dict) -> dict:
    arn = req["CodeSigningConfigArn"]
    _config_or_404(call, arn)
    chunk, next_marker = paging.page_in_order(_users(call, arn), req.get("Marker"), req.get("MaxItems"))
    out: dict[str, Any] = {"FunctionArns": [f.arn for f in chunk]}
    if next_marker is not None:
        out["NextMarker"] = next_marker
    return out


def put_function_code_signing_config(call: Call, req: dict) -> dict:
    """AWS checks the configuration before the function (recorded: both missing answers the former)."""
    arn = req["CodeSigningConfigArn"]
    target, _, _ = split_name(call, req["FunctionName"])
    if arn not in target.backend.code_signing_configs:
        raise CodeSigningConfigNotFound.for_arn(arn)
    owner, function = _function_or_404(call, req["FunctionName"])
    if function.latest.config.get("PackageType") == "Image":
        raise InvalidParameterValue(IMAGE_UNSUPPORTED)
    function.code_signing_config_arn = arn
    owner.backend.signed[function.name] = function
    return {"CodeSigningConfigArn": arn, "FunctionName": function.name}


def get_function_code_signing_config(call: Call, req: dict) -> dict:
    """Without a configuration AWS answers 200 with an empty body (recorded), despite the model."""
    _, function = _function_or_404(call, req["FunctionName"])
    if function.latest.config.get("PackageType") == "Image":
        raise InvalidParameterValue(IMAGE_UNSUPPORTED)
    if function.code_signing_config_arn is None:
        return {}
    return {"CodeSigningConfigArn": function.code_signing_config_arn, "FunctionName": function.name}


def delete_function_code_signing_config(call: Call, req: dict) -> dict:
    """Detaching from a function that has no configuration is a quiet 204 (recorded)."""
    _, function = _function_or_404(call, req["FunctionName"])
    function.code_signing_config_arn = None
    return {}
