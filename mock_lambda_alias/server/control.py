"""Control endpoints under ``/_mock_lambda_alias/``: what the in-process handle offers, over HTTP.

A test written in any language drives the server's state through these, as a Python test drives
the handle: reset, read invocation records and routing choices, seed routing, force the next
routing choices, inject faults, set the default response, ask the policy evaluator. Bodies and
answers are JSON; mistakes get a 400 (or 404 / 405) with ``{"message": ...}`` saying what was
expected. Python callers in the same process (the pytest fixture) reach the handle itself for
what JSON cannot carry, such as ``register_handler``.

**Where a control request acts** (which account and region it finds functions and records in):

1. ``account_id`` / ``region`` given in the JSON body or the query string;
2. else, for a request signed with SigV4 (an SDK, the AWS CLI, ``curl --aws-sigv4``), the
   caller's account and region, told as the Lambda API tells them: the account of the access key
   (a 12-digit key is that account, ``--access-key KEY=ACCOUNT`` maps others, anything else is
   the server's account) and the region of the ``Authorization`` header's credential scope;
3. else (an unsigned request, as from plain ``curl``) every account and region, as the handle
   looks: a function name must then be unique, or be narrowed by 1.

A function, alias, version or qualifier that does not exist there is a 404, a request AWS could
never honour (a forced route to a version the alias cannot route to, a name in several places)
a 400; either message names what exists.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any, Callable, Optional
from urllib.parse import parse_qsl

from ..arns import parse_function_name
from ..backend.controls import Controls, NotFound, Scope
from ..backend.invocations import Invocation
from ..backend.registry import implemented_operations
from ..wire.signing import UNSIGNED, caller_of

PREFIX = "/_mock_lambda_alias/"
#: Where a request acts, as query parameters or body fields (see the module's docstring).
PLACE_FIELDS = ("account_id", "region")
#: The filters of the record endpoints, as query parameters.
FILTERS = ("function_name", "qualifier", "executed_version", "invocation_type", "tenant_id")


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
    known = FILTERS + PLACE_FIELDS
    unknown = sorted(set(query) - set(known))
    if unknown:
        raise ControlError(400, f"unknown filter(s) {unknown}; expected any of {list(known)}")
    return {key: query[key] for key in FILTERS if key in query}


def _options(query: dict[str, str], names: tuple[str, ...]) -> dict[str, Any]:
    """The query parameters a telemetry endpoint takes (and where it acts); others are refused."""
    unknown = sorted(set(query) - set(names) - set(PLACE_FIELDS))
    if unknown:
        raise ControlError(400, f"unknown parameter(s) {unknown}; expected any of {list(names + PLACE_FIELDS)}")
    return {key: query[key] for key in names if key in query}


def _require(body: dict[str, Any], *names: str) -> None:
    missing = [name for name in names if body.get(name) in (None, "")]
    if missing:
        raise ControlError(400, f"missing field(s) {missing} in the JSON body")


def _given(query: dict[str, str], body: dict[str, Any], name: str) -> Optional[str]:
    """An account or region the request names itself, in its body or else its query string."""
    value = body.get(name)
    if value in (None, ""):
        value = query.get(name) or None
    if value is not None and not isinstance(value, str):
        raise ControlError(400, f"{name} must be a string, got {value!r}")
    return value


@dataclass(frozen=True)
class ControlRequest:
    """One control request: its query parameters and JSON body, and where it acts."""

    query: dict[str, str]
    body: dict[str, Any]
    #: The account and region the request names itself (``account_id`` / ``region`` fields).
    given: Scope
    #: The caller's account and region, when the request is signed (else both None).
    signed: Scope

    @property
    def account_id(self) -> Optional[str]:
        return self.given.account_id or self.signed.account_id

    @property
    def region(self) -> Optional[str]:
        return self.given.region or self.signed.region

    def place(self) -> dict[str, Optional[str]]:
        """``account_id=`` and ``region=`` for the handle's methods."""
        return {"account_id": self.account_id, "region": self.region}


Endpoint = Callable[[ControlRequest], Any]


class Control:
    """The control endpoints of one server."""

    def __init__(self, mock: Controls, reset: Callable[[], None]) -> None:
        #: The server's state and controls (never activated: nothing in this process is intercepted).
        self.mock = mock
        self._reset = reset
        self.endpoints: dict[str, dict[str, Endpoint]] = {
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
            "logs": {"GET": self.logs},
            "metrics": {"GET": self.metrics},
            "clock": {"GET": self.clock, "POST": self.advance},
            "drain": {"POST": self.drain},
            "delivery": {"PUT": self.delivery, "POST": self.delivery},
        }

    def handle(self, method: str, name: str, query: str, body: bytes, headers: Any = None) -> tuple[int, Any]:
        """Answer one control request: (HTTP status, JSON value).

        ``headers`` (the request's, with ``.get``) tell who signed it, hence where it acts (see
        the module's docstring); without them the request is taken as unsigned.
        """
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
            return 200, endpoint(self._request(params, data, headers, query))
        except NotFound as exc:  # an unknown function, alias, version or qualifier
            raise ControlError(404, str(exc)) from None
        except (ValueError, TypeError, KeyError) as exc:  # the handle's own checks of its arguments
            raise ControlError(400, str(exc)) from None

    def _request(self, query: dict[str, str], body: dict[str, Any], headers: Any, raw_query: str) -> ControlRequest:
        given = Scope(_given(query, body, "account_id"), _given(query, body, "region"))
        caller = UNSIGNED if headers is None else caller_of(headers, raw_query)
        account = None if caller.access_key is None else self.mock.identity_for(caller.access_key).account_id
        return ControlRequest(query, body, given, Scope(account, caller.region))

    def health(self, request: ControlRequest) -> Any:
        return {
            "status": "running",
            "account_id": self.mock.account_id,
            "region": self.mock.region,
            "implemented_operations": implemented_operations(),
        }

    def reset(self, request: ControlRequest) -> Any:
        self._reset()
        return {"reset": True}

    def _records(self, request: ControlRequest) -> list[Invocation]:
        filters = _filters(request.query)
        name = filters.pop("function_name", None)
        return self.mock.invocations(name, **filters, **request.place())

    def invocations(self, request: ControlRequest) -> Any:
        return {"invocations": [invocation_json(r) for r in self._records(request)]}

    def routing(self, request: ControlRequest) -> Any:
        """Which version each alias invocation ran, in order, and counted per function and qualifier."""
        choices = []
        counts: dict[str, dict[str, dict[str, int]]] = {}
        for record in self._records(request):
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

    def seed(self, request: ControlRequest) -> Any:
        body = request.body
        if "seed" not in body:
            raise ControlError(400, 'expected {"seed": <integer or null>}')
        seed = body["seed"]
        if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool)):
            raise ControlError(400, f"seed must be an integer or null, got {seed!r}")
        self.mock.set_seed(seed)
        return {"seed": seed}

    def route_next(self, request: ControlRequest) -> Any:
        body = request.body
        _require(body, "function_name", "alias", "versions")
        versions = body["versions"]
        if not isinstance(versions, list) or not versions:
            raise ControlError(400, f"versions must be a non-empty list of version numbers, got {versions!r}")
        queued = [str(v) for v in versions]
        self.mock.route_next(body["function_name"], body["alias"], *queued, **request.place())
        return {"queued": queued}

    def add_fault(self, request: ControlRequest) -> Any:
        body = request.body
        _require(body, "function_name", "version")
        options = {key: body[key] for key in ("kind", "rate", "error_type", "message") if body.get(key) is not None}
        self.mock.inject_fault(body["function_name"], str(body["version"]), **options, **request.place())
        given = {key: body[key] for key in PLACE_FIELDS if body.get(key) is not None}
        return {"fault": {"function_name": body["function_name"], "version": str(body["version"]), **options, **given}}

    def clear_faults(self, request: ControlRequest) -> Any:
        self.mock.clear_faults()
        return {"faults": []}

    def default_response(self, request: ControlRequest) -> Any:
        if "value" not in request.body:
            raise ControlError(400, 'expected {"value": <any JSON value>}')
        self.mock.set_default_response(request.body["value"])
        return {"value": request.body["value"]}

    def is_invoke_allowed(self, request: ControlRequest) -> Any:
        body = request.body
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
        place = self._place_for_arn(request, str(body["arn"]))
        decision = self.mock.is_invoke_allowed(body["principal"], body["arn"], **options, **place)
        return {"allowed": bool(decision), "statement_id": decision.statement_id, "reason": decision.reason}

    @staticmethod
    def _place_for_arn(request: ControlRequest, arn: str) -> dict[str, Optional[str]]:
        """Where to find the function an ARN names: the parts the ARN gives win over the caller's
        (a signed caller may ask about another account's ARN); fields the request gives must agree."""
        ref = parse_function_name(arn)
        account = request.given.account_id or (None if ref is not None and ref.account else request.account_id)
        region = request.given.region or (None if ref is not None and ref.region else request.region)
        return {"account_id": account, "region": region}

    def logs(self, request: ControlRequest) -> Any:
        """CloudWatch Logs events Lambda wrote, as ``m.logs(...)`` gives them (query: its filters)."""
        options = _options(request.query, ("function_name", "version", "log_group", "log_stream"))
        name = options.pop("function_name", None)
        return {"events": [e.to_json() for e in self.mock.logs(name, **options, **request.place())]}

    def metrics(self, request: ControlRequest) -> Any:
        """``AWS/Lambda`` data points, as ``m.metrics(...)`` gives them, and their sum; the query's
        ``dimensions`` is a JSON object matched exactly (``{}``: the account-wide series)."""
        options: dict[str, Any] = _options(request.query, ("metric_name", "function_name", "dimensions"))
        if "dimensions" in options:
            try:
                options["dimensions"] = json.loads(options["dimensions"])
            except ValueError:
                raise ControlError(400, "dimensions must be a JSON object of names to values") from None
            if not isinstance(options["dimensions"], dict):
                raise ControlError(400, "dimensions must be a JSON object of names to values")
        name = options.pop("metric_name", None)
        data = self.mock.metrics(name, **options, **request.place())
        return {"metrics": [d.to_json() for d in data], "sum": sum(d.value for d in data)}

    def clock(self, request: ControlRequest) -> Any:
        """The mock's time, delivery mode and the work scheduled on its clock."""
        return {"now": self.mock.now().isoformat(), "delivery": self.mock.delivery, "pending": self.mock.pending_work()}

    def advance(self, request: ControlRequest) -> Any:
        """``{"seconds": n}``: move the clock forward, running the work that falls due (``m.advance``)."""
        seconds = request.body.get("seconds")
        if not isinstance(seconds, (int, float)) or isinstance(seconds, bool) or seconds < 0:
            raise ControlError(400, f'expected {{"seconds": <number >= 0>}}, got {request.body!r}')
        self.mock.advance(seconds)
        return self.clock(request)

    def drain(self, request: ControlRequest) -> Any:
        """Run every piece of scheduled work, skipping idle time (``m.drain``)."""
        timeout = request.body.get("timeout")
        if timeout is not None and (not isinstance(timeout, (int, float)) or isinstance(timeout, bool) or timeout < 0):
            raise ControlError(400, f"timeout must be a number of seconds >= 0, got {timeout!r}")
        try:
            self.mock.drain(timeout)
        except TimeoutError as error:
            raise ControlError(409, str(error)) from None
        return self.clock(request)

    def delivery(self, request: ControlRequest) -> Any:
        """``{"mode": "immediate" | "background" | "manual"}``: how scheduled work runs from now on."""
        try:
            self.mock.set_delivery(request.body.get("mode"))  # type: ignore[arg-type]
        except ValueError as error:
            raise ControlError(400, str(error)) from None
        return self.clock(request)

    def internal_errors(self, request: ControlRequest) -> Any:
        return {"internal_errors": [{"operation": op, "error": repr(exc)} for op, exc in self.mock.internal_errors]}
