"""Control endpoints under ``/_mock_lambda_alias/``: what the in-process handle offers, over HTTP.

A test written in any language drives the server's state through these, as a Python test drives
the handle: reset, read invocation records and routing choices, seed routing, force the next
routing choices, inject faults, set the default response, ask the policy evaluator. Bodies and
answers are JSON; mistakes get a 400 (or 404 / 405) with ``{"message": ...}`` saying what was
expected. Python callers in the same process (the pytest fixture) reach the handle itself for
what JSON cannot carry, such as ``register_handler``.
"""

from __future__ import annotations

import base64
import json
from typing import Any, Callable, Optional
from urllib.parse import parse_qsl

from ..backend.controls import Controls
from ..backend.invocations import Invocation
from ..backend.registry import implemented_operations

PREFIX = "/_mock_lambda_alias/"


class ControlError(Exception):
    """A mistake in a control request: answered with ``status`` and ``{"message": ...}``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _bytes_fields(prefix: str, data: Optional[bytes]) -> dict[str, Any]:
    """Bytes as text when they are UTF-8 (they usually are JSON), else as base64."""
    if data is None:
        return {prefix: None}
    try:
        return {prefix: data.decode("utf-8")}
    except UnicodeDecodeError:
        return {prefix: None, prefix + "_base64": base64.b64encode(data).decode("ascii")}


def invocation_json(record: Invocation) -> dict[str, Any]:
    out: dict[str, Any] = {
        "function_name": record.function_name,
        "invoked_qualifier": record.invoked_qualifier,
        "executed_version": record.executed_version,
        "invocation_type": record.invocation_type,
        "function_error": record.function_error,
        "throttled": record.throttled,
        "ok": record.ok,
        "request_id": record.request_id,
        "timestamp": record.timestamp.isoformat(),
        "account_id": record.account_id,
        "region": record.region,
        "log": record.log,
    }
    out.update(_bytes_fields("payload", record.payload))
    out.update(_bytes_fields("response", record.response))
    return out


def _filters(query: dict[str, str]) -> dict[str, Any]:
    known = ("function_name", "qualifier", "executed_version", "invocation_type")
    unknown = sorted(set(query) - set(known))
    if unknown:
        raise ControlError(400, f"unknown filter(s) {unknown}; expected any of {list(known)}")
    return {key: query[key] for key in known if key in query}


def _require(body: dict[str, Any], *names: str) -> None:
    missing = [name for name in names if body.get(name) in (None, "")]
    if missing:
        raise ControlError(400, f"missing field(s) {missing} in the JSON body")


class Control:
    """The control endpoints of one server."""

    def __init__(self, mock: Controls, reset: Callable[[], None]) -> None:
        #: The server's state and controls (never activated: nothing in this process is intercepted).
        self.mock = mock
        self._reset = reset
        self.endpoints: dict[str, dict[str, Callable[[dict[str, str], Any], Any]]] = {
            "health": {"GET": self.health},
            "reset": {"POST": self.reset},
            "invocations": {"GET": self.invocations},
            "routing": {"GET": self.routing},
            "seed": {"PUT": self.seed, "POST": self.seed},
            "route-next": {"POST": self.route_next},
            "faults": {"POST": self.add_fault, "DELETE": self.clear_faults},
            "default-response": {"PUT": self.default_response, "POST": self.default_response},
            "is-invoke-allowed": {"POST": self.is_invoke_allowed},
            "internal-errors": {"GET": self.internal_errors},
        }

    def handle(self, method: str, name: str, query: str, body: bytes) -> tuple[int, Any]:
        """Answer one control request: (HTTP status, JSON value)."""
        methods = self.endpoints.get(name.strip("/"))
        if methods is None:
            raise ControlError(404, f"no control endpoint {PREFIX}{name}; endpoints: {sorted(self.endpoints)}")
        endpoint = methods.get(method)
        if endpoint is None:
            raise ControlError(405, f"{PREFIX}{name} accepts {sorted(methods)}, not {method}")
        params = dict(parse_qsl(query, keep_blank_values=True)) if query else {}
        data: Any = {}
        if body.strip():
            try:
                data = json.loads(body)
            except ValueError as exc:
                raise ControlError(400, f"the body is not JSON: {exc}") from None
            if not isinstance(data, dict):
                raise ControlError(400, f"the body must be a JSON object, got {type(data).__name__}")
        try:
            return 200, endpoint(params, data)
        except (ValueError, TypeError, KeyError) as exc:  # the handle's own checks of its arguments
            raise ControlError(400, str(exc)) from None

    def health(self, query: dict[str, str], body: Any) -> Any:
        return {
            "status": "running",
            "account_id": self.mock.account_id,
            "region": self.mock.region,
            "implemented_operations": implemented_operations(),
        }

    def reset(self, query: dict[str, str], body: Any) -> Any:
        self._reset()
        return {"reset": True}

    def invocations(self, query: dict[str, str], body: Any) -> Any:
        filters = _filters(query)
        name = filters.pop("function_name", None)
        return {"invocations": [invocation_json(r) for r in self.mock.invocations(name, **filters)]}

    def routing(self, query: dict[str, str], body: Any) -> Any:
        """Which version each alias invocation ran, in order, and counted per function and qualifier."""
        filters = _filters(query)
        name = filters.pop("function_name", None)
        choices = []
        counts: dict[str, dict[str, dict[str, int]]] = {}
        for record in self.mock.invocations(name, **filters):
            if record.executed_version is None:
                continue
            qualifier = record.invoked_qualifier or "$LATEST"
            choices.append(
                {
                    "function_name": record.function_name,
                    "qualifier": qualifier,
                    "executed_version": record.executed_version,
                    "request_id": record.request_id,
                }
            )
            per_version = counts.setdefault(record.function_name, {}).setdefault(qualifier, {})
            per_version[record.executed_version] = per_version.get(record.executed_version, 0) + 1
        return {"choices": choices, "counts": counts}

    def seed(self, query: dict[str, str], body: Any) -> Any:
        if "seed" not in body:
            raise ControlError(400, 'expected {"seed": <integer or null>}')
        seed = body["seed"]
        if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool)):
            raise ControlError(400, f"seed must be an integer or null, got {seed!r}")
        self.mock.set_seed(seed)
        return {"seed": seed}

    def route_next(self, query: dict[str, str], body: Any) -> Any:
        _require(body, "function_name", "alias", "versions")
        versions = body["versions"]
        if not isinstance(versions, list) or not versions:
            raise ControlError(400, f"versions must be a non-empty list of version numbers, got {versions!r}")
        self.mock.route_next(
            body["function_name"],
            body["alias"],
            *[str(v) for v in versions],
            account_id=body.get("account_id"),
            region=body.get("region"),
        )
        return {"queued": [str(v) for v in versions]}

    def add_fault(self, query: dict[str, str], body: Any) -> Any:
        _require(body, "function_name", "version")
        options = {
            key: body[key]
            for key in ("kind", "rate", "error_type", "message", "account_id", "region")
            if body.get(key) is not None
        }
        self.mock.inject_fault(body["function_name"], str(body["version"]), **options)
        return {"fault": {"function_name": body["function_name"], "version": str(body["version"]), **options}}

    def clear_faults(self, query: dict[str, str], body: Any) -> Any:
        self.mock.clear_faults()
        return {"faults": []}

    def default_response(self, query: dict[str, str], body: Any) -> Any:
        if "value" not in body:
            raise ControlError(400, 'expected {"value": <any JSON value>}')
        self.mock.set_default_response(body["value"])
        return {"value": body["value"]}

    def is_invoke_allowed(self, query: dict[str, str], body: Any) -> Any:
        _require(body, "principal", "arn")
        options = {
            key: body[key]
            for key in (
                "source_arn",
                "source_account",
                "principal_org_id",
                "event_source_token",
                "action",
                "function_url_auth_type",
            )
            if body.get(key) is not None
        }
        decision = self.mock.is_invoke_allowed(body["principal"], body["arn"], **options)
        return {"allowed": bool(decision), "statement_id": decision.statement_id, "reason": decision.reason}

    def internal_errors(self, query: dict[str, str], body: Any) -> Any:
        return {"internal_errors": [{"operation": op, "error": repr(exc)} for op, exc in self.mock.internal_errors]}
