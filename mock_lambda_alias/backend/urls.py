"""Function URL configs, one per qualifier (the function itself or an alias, never a version).

Create/Get/Update/Delete/ListFunctionUrlConfigs with AWS's answers. Serving HTTP requests to the
URLs lives in :mod:`mock_lambda_alias.function_urls`; this module only keeps the configs and the
index from url-id to function that the server looks up.
"""

from __future__ import annotations

import base64
import datetime
import secrets
from typing import Any, Optional

from ..errors import ResourceConflict, ResourceNotFound
from . import paging
from .addressing import split_name
from .call import Call
from .model import Function, refuse_with_tenant_isolation

_NO_SUCH_RESOURCE = "The resource you requested does not exist."


def new_url_id() -> str:
    """A url-id shaped like AWS's: 26 base32 characters, a ``0``, then 5 more."""
    text = base64.b32encode(secrets.token_bytes(20)).decode().lower()  # 32 characters, one urandom read
    return text[:26] + "0" + text[26:31]


def url_timestamp() -> str:
    """Function URL timestamps: ISO-8601 with microseconds and ``Z``."""
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class UrlConfig:
    """One qualifier's function URL."""

    __slots__ = ("auth_type", "cors", "creation_time", "function_url", "invoke_mode", "last_modified", "url_id")

    def __init__(
        self,
        url_id: str,
        function_url: str,
        auth_type: str,
        creation_time: str,
        last_modified: str,
        cors: Optional[dict] = None,
        invoke_mode: Optional[str] = None,
    ) -> None:
        self.url_id = url_id
        self.function_url = function_url
        self.auth_type = auth_type
        self.creation_time = creation_time
        self.last_modified = last_modified
        self.cors = cors
        self.invoke_mode = invoke_mode


def _function_or_404(call: Call, req: dict, message: str) -> tuple[Call, Function, Optional[str]]:
    call, name, qualifier = split_name(call, req["FunctionName"], req.get("Qualifier"))
    function = call.backend.functions.get(name)
    if function is None or (qualifier is not None and qualifier not in function.aliases):
        raise ResourceNotFound(message)
    return call, function, qualifier


def render(function: Function, qualifier: Optional[str], config: UrlConfig, full: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "FunctionUrl": config.function_url,
        "FunctionArn": function.arn if qualifier is None else f"{function.arn}:{qualifier}",
        "AuthType": config.auth_type,
        "CreationTime": config.creation_time,
    }
    if config.cors is not None:
        out["Cors"] = config.cors
    if full:
        out["LastModifiedTime"] = config.last_modified
        out["InvokeMode"] = config.invoke_mode or "BUFFERED"
    elif config.invoke_mode is not None:
        out["InvokeMode"] = config.invoke_mode
    return out


def create_function_url_config(call: Call, req: dict) -> dict:
    call, function, qualifier = _function_or_404(call, req, "Function does not exist")
    refuse_with_tenant_isolation(function.latest.config, "Function URL")
    if qualifier in function.url_configs:
        arn = function.arn if qualifier is None else f"{function.arn}:{qualifier}"
        raise ResourceConflict(
            f"Failed to create function url config for [functionArn = {arn}]. Error message:  "
            "FunctionUrlConfig exists for this Lambda function"
        )
    url_id = new_url_id()
    now = url_timestamp()
    config = UrlConfig(
        url_id,
        f"https://{url_id}.lambda-url.{call.region}.on.aws/",
        req["AuthType"],
        now,
        now,
        req.get("Cors"),
        req.get("InvokeMode"),
    )
    function.url_configs[qualifier] = config
    call.store.function_urls[url_id] = (call.account_id, call.region, function.name, qualifier)
    if call.store.url_listener is not None:
        call.store.url_listener()
    return render(function, qualifier, config, full=False)


def get_function_url_config(call: Call, req: dict) -> dict:
    call, function, qualifier = _function_or_404(call, req, _NO_SUCH_RESOURCE)
    config = function.url_configs.get(qualifier)
    if config is None:
        raise ResourceNotFound(_NO_SUCH_RESOURCE)
    return render(function, qualifier, config, full=True)


def update_function_url_config(call: Call, req: dict) -> dict:
    call, function, qualifier = _function_or_404(call, req, "Function does not exist")
    config = function.url_configs.get(qualifier)
    if config is None:
        raise ResourceNotFound(_NO_SUCH_RESOURCE)
    if req.get("AuthType"):
        config.auth_type = req["AuthType"]
    if "Cors" in req:
        config.cors = req["Cors"]
    if req.get("InvokeMode"):
        config.invoke_mode = req["InvokeMode"]
    config.last_modified = url_timestamp()
    out = render(function, qualifier, config, full=False)
    out["LastModifiedTime"] = config.last_modified
    return out


def delete_function_url_config(call: Call, req: dict) -> dict:
    call, function, qualifier = _function_or_404(call, req, _NO_SUCH_RESOURCE)
    config = function.url_configs.pop(qualifier, None)
    if config is None:
        raise ResourceNotFound(_NO_SUCH_RESOURCE)
    call.store.function_urls.pop(config.url_id, None)
    return {}


def list_function_url_configs(call: Call, req: dict) -> dict:
    call, name, _ = split_name(call, req["FunctionName"])
    function = call.backend.functions.get(name)
    if function is None:
        raise ResourceNotFound("Function does not exist")
    chunk, next_marker = paging.page_in_order(
        list(function.url_configs.items()), req.get("Marker"), req.get("MaxItems")
    )
    out: dict[str, Any] = {"FunctionUrlConfigs": [render(function, q, c, full=True) for q, c in chunk]}
    if next_marker is not None:
        out["NextMarker"] = next_marker
    return out
