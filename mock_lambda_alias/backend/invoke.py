"""Invoke: resolve the qualifier, route an alias by its weights, run the version, record it
(what tests steer and the records kept are in :mod:`.invocations`).

Handlers are user code, so an invocation holds the store lock only to read and record: the
version is resolved and the record opened under it (:func:`begin`), the handler runs without
it (:meth:`Pending.run`), and the result is recorded under it again (:func:`end`). Other
threads, and the handler's own threads, can call the Lambda API meanwhile.
"""

from __future__ import annotations

import base64
import json
from dataclasses import replace
from functools import partial
from typing import Any, Optional

from .. import runtime
from ..errors import (
    RECURSIVE_LOOP_MESSAGE,
    InvalidParameterValue,
    InvalidRequestContent,
    LambdaError,
    RecursiveInvocation,
    RequestTooLarge,
    TooManyRequests,
)
from . import async_events, lineage
from .addressing import split_name
from .async_events import Attempt
from .call import Call
from .durable import run as durable_run
from .ids import new_uuid
from .invocations import ECHO, Invocation, InvokeState, json_logging
from .invoke_target import resolve_target, spec_for
from .model import LATEST, Function, FunctionVersion, throttled
from .payloads import client_context as _client_context
from .payloads import parse_event
from .telemetry import finished, recursion_dropped, started

SYNC_PAYLOAD_LIMIT = 6 * 1024 * 1024
ASYNC_PAYLOAD_LIMIT = 1024 * 1024
LOG_TAIL_BYTES = 4096


#: AWS's answer to an Invoke whose TenantId does not match the function's tenant isolation: a
#: tenant-isolated function invoked without one, or a function without isolation invoked with one.
#: Source: AWS Lambda developer guide, "Troubleshooting tenant isolation" (InvalidParameterValueException).
TENANT_MISMATCH = "Tenant ID configuration not specified or passed to a function when tenant isolation is not enabled."


def _default_outcome(state: InvokeState, payload: bytes) -> runtime.Outcome:
    default = state.default_response
    if default is ECHO:
        return runtime.Outcome(payload or b"{}")
    return runtime.Outcome(runtime.encode_result(default, ensure_ascii=True))


class Pending:
    """An invocation between :func:`begin` (under the lock) and :func:`end` (under it again).

    Either its outcome is already known (a fault, code that cannot run here), or ``run`` executes
    the handler in a leased environment, without the lock.
    """

    __slots__ = ("entry", "environment", "outcome", "record", "request", "spec", "state")

    def __init__(self, state: InvokeState, record: FunctionVersion, entry: Invocation) -> None:
        self.state = state
        self.record = record
        self.entry = entry
        self.outcome: Optional[runtime.Outcome] = None
        self.spec: Optional[runtime.EnvironmentSpec] = None
        self.environment: Any = None
        self.request: Optional[runtime.Request] = None

    def run(self) -> runtime.Outcome:
        if self.outcome is None:
            assert self.spec is not None and self.request is not None
            self.outcome = self.state.sandbox.run(self.spec, self.environment, self.request)
        return self.outcome


def check_tenant(record: FunctionVersion, req: dict) -> Optional[str]:
    """The invocation's TenantId: required by tenant-isolated functions, refused by the others."""
    tenant_id = req.get("TenantId")
    if bool(tenant_id) != bool(record.config.get("TenancyConfig")):
        raise InvalidParameterValue(TENANT_MISMATCH)
    return tenant_id or None


def begin(
    state: InvokeState,
    call: Call,
    function: Function,
    record: FunctionVersion,
    invoked_arn: str,
    event: Any,
    payload: bytes,
    invocation_type: str,
    client_context: Any = None,
    qualifier: Optional[str] = None,
    tenant_id: Optional[str] = None,
    streaming: bool = False,
) -> Pending:
    """Record the invocation and decide what runs; call with the store lock held.

    A synchronous response is held to Lambda's response limit, unless it is streamed
    (InvokeWithResponseStream), whose larger limit the mock does not enforce.

    Raises ``TooManyRequestsException`` (the record says throttled) when it is throttled.
    """
    request_id = call.request_id
    entry = Invocation(
        function.name,
        qualifier,
        record.version,
        invocation_type,
        payload,
        None,
        None,
        request_id,
        call.store.clock.now(),
        call.account_id,
        call.region,
        caller=call.caller,
        allowed_by=call.allowed_by,
        tenant_id=tenant_id,
    )
    state.records.append(entry)
    started(state, entry, function)
    pending = Pending(state, record, entry)
    try:
        if throttled(function, qualifier, record.version):
            raise TooManyRequests("Rate Exceeded.", Reason="ReservedFunctionConcurrentInvocationLimitExceeded")
        fault = state.fault_for((call.account_id, call.region, function.name), record.version)
        if fault is not None:
            if fault.kind == "throttle":
                raise TooManyRequests("Rate Exceeded.", Reason=fault.reason)
            error = {
                "errorMessage": fault.message,
                "errorType": fault.error_type,
                "requestId": request_id,
                "stackTrace": [],
            }
            pending.outcome = runtime.Outcome(
                json.dumps(error).encode(), "Unhandled", f"[ERROR] {fault.error_type}: {fault.message}\n"
            )
            return pending
    except TooManyRequests:
        entry.throttled = entry.completed = True
        finished(state, entry)
        raise
    spec, variables = spec_for(state, call, function, record, tenant_id)
    if spec is None:
        pending.outcome = _default_outcome(state, payload)
        return pending
    config = record.config
    runtime_name = str(config.get("Runtime", ""))
    pending.spec = spec
    pending.environment = state.sandbox.lease(spec)
    pending.request = runtime.Request(
        event=event,
        request_id=request_id,
        variables=variables,
        timeout_seconds=float(config.get("Timeout", 3)),
        ensure_ascii=runtime_name not in ("python3.12", "python3.13", "python3.14"),
        context={
            "function_name": function.name,
            "function_version": record.version,
            "invoked_function_arn": invoked_arn,
            "memory_limit_in_mb": int(config.get("MemorySize", 128)),
            "log_group_name": config.get("LoggingConfig", {}).get("LogGroup", f"/aws/lambda/{function.name}"),
            "client_context": client_context,
            "tenant_id": tenant_id,
        },
        response_limit=runtime.RESPONSE_LIMIT if invocation_type == "RequestResponse" and not streaming else None,
    )
    return pending


def end(pending: Pending, outcome: Optional[runtime.Outcome]) -> None:
    """Record what the invocation produced and give its environment back; with the lock held.

    ``outcome`` None means the run itself failed (a bug of ours): the environment is dropped.
    """
    environment = pending.environment
    if pending.spec is not None and environment is not None:
        pending.state.sandbox.release(pending.spec, environment, outcome)
        pending.environment = None
    if outcome is None:
        return finished(pending.state, pending.entry)
    entry, record = pending.entry, pending.record
    config = record.config
    json_format = json_logging(config, entry.region, entry.account_id, entry.function_name)
    entry.log_source = (record.version, outcome, int(config.get("MemorySize", 128)), json_format)
    entry.response, entry.function_error = outcome.payload, outcome.function_error
    entry.completed = True
    finished(pending.state, entry, config, environment, outcome)


def run_unlocked(lock: Any, pending: Pending) -> runtime.Outcome:
    """Run a pending invocation without the lock and record it under the lock."""
    outcome: Optional[runtime.Outcome] = None
    try:
        outcome = pending.run()
    finally:
        with lock:
            end(pending, outcome)
    return outcome


def _attempt(call: Call, tenant_id: Optional[str], client_context: Any, event: async_events.AsyncEvent) -> Attempt:
    """One attempt of an asynchronous event (a scheduler task): the version decided at acceptance
    runs under the event's request id, and what it came to is reported to the queue."""
    state, lock = call.store.invoke, call.store.lock
    with lock:
        function = call.backend.functions.get(event.function_name)
        versions = function.versions if function is not None else {}
        record = function.latest if function is not None and event.executed_version == LATEST else None
        record = record or versions.get(event.executed_version)
        if function is None or record is None:
            return Attempt(None, 404, f"Function not found: {event.function_arn}", final=True)
        run_as, arn = replace(call, request_id=event.request_id), event.function_arn
        try:
            args = (state, run_as, function, record, arn, event.event, event.payload, "Event", client_context)
            pending = begin(*args, qualifier=event.qualifier, tenant_id=tenant_id)
        except TooManyRequests as throttle:
            entry = state.records[-1] if state.records else None
            # Reserved concurrency 0 sends asynchronous events to failure without retries (AWS).
            return Attempt(entry, 429, throttle.message, final=function.reserved_concurrency == 0)
    with lineage.running(event.request_id, event.lineage):
        outcome = run_unlocked(lock, pending)
    if outcome.function_error:
        return Attempt(pending.entry, 200, async_events.error_message(outcome.payload))
    return Attempt(pending.entry, 200)


def _to_function(store: Any, message: async_events.Outgoing) -> None:
    """A Lambda destination: the record is the payload of an asynchronous invocation."""
    parts = message.target.split(":")
    call = Call(store, parts[4], parts[3], new_uuid(), lineage=message.lineage)
    request = {"FunctionName": message.target, "InvocationType": "Event", "Payload": message.body.encode()}
    try:
        invoke(call, request)
    except LambdaError as error:
        raise async_events.DeliveryFailed(f"{error.code}: {error.message}") from None


async_events.SENDERS["lambda"] = _to_function


def invoke(call: Call, req: dict, streaming: bool = False) -> dict:
    state = call.store.invoke
    invocation_type = req.get("InvocationType") or "RequestResponse"
    payload = req.get("Payload") or b""
    # AWS sends these as "RequestEntityTooLargeException", a code botocore does not model; we answer
    # with the modeled RequestTooLargeException (same status and message) so clients can catch it.
    if invocation_type == "Event" and len(payload) > ASYNC_PAYLOAD_LIMIT:
        raise RequestTooLarge(
            f"{len(payload)} byte payload is too large for the Event invocation type "
            f"(limit {ASYNC_PAYLOAD_LIMIT} bytes)"
        )
    if len(payload) > SYNC_PAYLOAD_LIMIT:
        raise RequestTooLarge(
            f"Request must be smaller than {SYNC_PAYLOAD_LIMIT} bytes for the InvokeFunction operation"
        )
    durable = durable_run.invoke(call, req)
    if durable is not None:  # a durable function: its execution runs the handler (durable/run.py)
        return durable
    lock = call.store.lock
    with lock:
        call, name, qualifier = split_name(call, req["FunctionName"], req.get("Qualifier"))
        function, record, invoked_arn = resolve_target(state, call, name, qualifier)
        tenant_id = check_tenant(record, req)
        event = parse_event(payload)
        if invocation_type == "DryRun":
            return {"StatusCode": 204}
        chain = call.lineage or lineage.current()
        if invocation_type == "Event":
            attempt = partial(_attempt, call, tenant_id, _client_context(req.get("ClientContext")))
            async_events.enqueue(call, function, record, qualifier, invoked_arn, payload, event, chain, attempt)
            return {"StatusCode": 202}
        if lineage.stops(chain, function.recursive_loop):
            recursion_dropped(call.store, call.account_id, call.region, function.name, qualifier, record.version)
            raise RecursiveInvocation(RECURSIVE_LOOP_MESSAGE)
        pending = begin(
            state,
            call,
            function,
            record,
            invoked_arn,
            event,
            payload,
            invocation_type,
            _client_context(req.get("ClientContext")),
            qualifier=qualifier,
            tenant_id=tenant_id,
            streaming=streaming,
        )
    lineage.enter(pending.entry.request_id, chain)
    try:
        outcome = run_unlocked(lock, pending)
    finally:
        lineage.leave(pending.entry.request_id)
    out: dict[str, Any] = {"StatusCode": 200, "ExecutedVersion": record.version, "Payload": outcome.payload}
    if outcome.function_error:
        out["FunctionError"] = outcome.function_error
    if req.get("LogType") == "Tail":
        tail = pending.entry.log.encode()[-LOG_TAIL_BYTES:]
        out["LogResult"] = base64.b64encode(tail).decode()
    return out


def invoke_with_response_stream(call: Call, req: dict) -> dict:
    """Invoke, answered as an event stream: the payload as one chunk, then InvokeComplete."""
    response = invoke(call, req, streaming=True)
    if response["StatusCode"] != 200:
        return response
    complete: dict[str, Any] = {}
    if response.get("FunctionError"):
        complete["ErrorCode"] = response["FunctionError"]
        complete["ErrorDetails"] = response["Payload"].decode("utf-8", "replace")
    if response.get("LogResult"):
        complete["LogResult"] = response["LogResult"]
    events: list[tuple[str, dict]] = []
    if not response.get("FunctionError"):
        events.append(("PayloadChunk", {"Payload": response["Payload"]}))
    events.append(("InvokeComplete", complete))
    return {
        "StatusCode": 200,
        "ExecutedVersion": response["ExecutedVersion"],
        "ResponseStreamContentType": "application/vnd.amazon.eventstream",
        "EventStream": events,
    }


def invoke_async(call: Call, req: dict) -> dict:
    """The deprecated asynchronous invoke: an ``Event`` invocation answered with ``Status`` 202 (F-MA-001).

    It runs and is recorded exactly like ``Invoke`` with ``InvocationType="Event"``. AWS queues such
    events and retries throttled ones, and InvokeAsync models no throttling error, so a throttled
    event is recorded as throttled and still accepted.
    """
    event_request = {"FunctionName": req["FunctionName"], "InvocationType": "Event", "Payload": req.get("InvokeArgs")}
    try:
        invoke(call, event_request)
    except TooManyRequests:
        pass
    except InvalidParameterValue as error:
        # InvokeAsync models no InvalidParameterValueException, and what AWS answers here (e.g. for a
        # tenant-isolated function, which InvokeAsync cannot give a tenant id) is not recorded: the
        # same message under the 400 InvokeAsync does model for a request it cannot take.
        raise InvalidRequestContent(error.message) from None
    return {"Status": 202}


durable_run.RUNNER = durable_run.Runner(split_name, resolve_target, begin, run_unlocked, parse_event)
