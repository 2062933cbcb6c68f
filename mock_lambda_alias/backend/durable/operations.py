"""The durable execution operations of the Lambda API (``/2025-12-01/``).

``CheckpointDurableExecution`` and ``GetDurableExecutionState`` are the Durable Execution SDK's
calls from inside the handler; ``GetDurableExecution``, ``GetDurableExecutionHistory``,
``ListDurableExecutionsByFunction``, ``StopDurableExecution``, ``PauseDurableExecution``,
``ResumeDurableExecution`` and ``DeleteDurableExecution`` (see :mod:`.lifecycle`) manage
executions;
``SendDurableExecutionCallbackSuccess`` / ``Failure`` / ``Heartbeat`` answer callbacks. None of
them runs a handler: a callback answered or an execution woken is scheduled work
(:mod:`.run`), which the default delivery mode runs before the call returns.

Access: from another account (or in strict mode), a call needs the function's resource-based
policy to grant the operation's IAM action (``lambda:<Operation>``) on the execution's version.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ... import arns
from ...errors import CallbackTimeout, InvalidParameterValue, ResourceNotFound
from .. import paging
from ..access import authorize
from ..addressing import split_name
from ..call import Call
from .executions import (
    NO_CALLBACK,
    NO_EXECUTION,
    TERMINAL,
    Execution,
    callback_target,
    find,
    render_event,
    state_of,
)
from .lifecycle import at_checkpoint, pause, pause_details, repeated, request_deletion, resume
from .run import Hooks, sweep_backend
from .updates import apply, finish, heartbeat, public, resolve_callback

DEFAULT_PAGE = 100
STATE_PAGE = 1000
INVALID_TOKEN = "Invalid checkpoint token"


def _authorized(call: Call, execution: Execution) -> None:
    """Another account's (or, strict, another principal's) call needs the function's policy."""
    caller = call.caller
    if caller is None:
        return
    if caller.account_id != execution.account_id or caller.strict:
        target = replace(call, account_id=execution.account_id)
        call.allowed_by = authorize(target, execution.function_name, execution.version)


def _execution(call: Call, arn: str, sdk: bool = False) -> Execution:
    """The execution an ARN names; a 404, or for the SDK's calls (which model no 404) the token's 400.

    The SDK's calls (``sdk``) come from the handler, holding the execution's checkpoint token: on
    Lambda with the function's own role and region. In-process, the SDK's client is made once per
    process (a class attribute), with whatever region and credentials the first durable handler
    had, so the token, not the client's region or account, decides.
    """
    execution, match = find(call.store, arn)
    missing = InvalidParameterValue(INVALID_TOKEN) if sdk else ResourceNotFound(NO_EXECUTION)
    if match is None or (match.group("region") != call.region and not sdk):
        raise missing
    sweep_backend(call.store, match.group("account"), match.group("region"))
    execution, _ = find(call.store, arn)
    if execution is None:
        raise missing
    if not sdk:
        _authorized(call, execution)
    return execution


# -- the SDK's calls -------------------------------------------------------------------------------


def checkpoint_durable_execution(call: Call, req: dict) -> dict:
    execution = _execution(call, req["DurableExecutionArn"], sdk=True)
    token, client = req["CheckpointToken"], req.get("ClientToken")
    last = execution.last_checkpoint
    if client and last is not None and last[:2] == (client, token):
        return last[2]
    if execution.status in TERMINAL or token != execution.token:
        raise InvalidParameterValue(INVALID_TOKEN)
    state = state_of(call.store.backend(execution.account_id, execution.region))
    hooks = Hooks(call.store)
    ids = apply(execution, state, req.get("Updates") or [], call.store.clock.now(), hooks)
    ids += [i for i in sorted(execution.changed) if i not in ids]
    execution.changed.clear()
    out: dict[str, Any] = {
        "NewExecutionState": {"Operations": [public(execution.operations[i]) for i in ids if i in execution.operations]}
    }
    # A PAUSING execution pauses here: no token ends the invocation (the SDK reports PENDING).
    if execution.status not in TERMINAL and not at_checkpoint(execution, call.store.clock.now()):
        out["CheckpointToken"] = execution.new_token()
    if client:
        execution.last_checkpoint = (client, token, out)
    return out


def get_durable_execution_state(call: Call, req: dict) -> dict:
    execution = _execution(call, req["DurableExecutionArn"], sdk=True)
    if req["CheckpointToken"] != execution.token:
        raise InvalidParameterValue(INVALID_TOKEN)
    operations = [public(op) for op in execution.operations.values()]
    page, marker = paging.page_in_order(operations, req.get("Marker"), req.get("MaxItems") or STATE_PAGE)
    out: dict[str, Any] = {"Operations": page}
    if marker:
        out["NextMarker"] = marker
    return out


# -- managing executions -----------------------------------------------------------------------------


def get_durable_execution(call: Call, req: dict) -> dict:
    execution = _execution(call, req["DurableExecutionArn"])
    include = req.get("IncludeExecutionData") is not False
    out: dict[str, Any] = {
        "DurableExecutionArn": execution.arn,
        "DurableExecutionName": execution.name,
        "FunctionArn": execution.function_arn,
        "StartTimestamp": execution.started,
        "Status": execution.shown_status,
        "Version": execution.version,
        "DurableConfig": dict(execution.durable_config),
        "ExecutionDataIncluded": include,
    }
    if include:
        out["InputPayload"] = execution.input_payload
        if execution.result is not None:
            out["Result"] = execution.result
        if execution.error:
            out["Error"] = execution.error
    if execution.ended is not None:
        out["EndTimestamp"] = execution.ended
    else:
        out["ExpectedExecutionTimeoutTimestamp"] = execution.deadline
    pause = pause_details(execution, include)
    if pause is not None:
        out["PauseDetails"] = pause
    return out


def get_durable_execution_history(call: Call, req: dict) -> dict:
    execution = _execution(call, req["DurableExecutionArn"])
    include = req.get("IncludeExecutionData") is not False
    events = [render_event(e, include) for e in execution.events]
    # The marker names the last event listed (by EventId), so a page resumes after it however
    # many events were added meanwhile, newest first as well.
    newest_first = bool(req.get("ReverseOrder"))
    if newest_first:
        events.reverse()
    page, marker = paging.page(
        events,
        (lambda e: -e["EventId"]) if newest_first else (lambda e: e["EventId"]),
        req.get("Marker"),
        req.get("MaxItems") or DEFAULT_PAGE,
    )
    out: dict[str, Any] = {"Events": page}
    if marker:
        out["NextMarker"] = marker
    return out


def list_durable_executions_by_function(call: Call, req: dict) -> dict:
    call, name, qualifier = split_name(call, req["FunctionName"], req.get("Qualifier"))
    if name not in call.backend.functions:
        raise ResourceNotFound(
            f"Function not found: {arns.function_arn(call.region, call.account_id, name, qualifier)}"
        )
    sweep_backend(call.store, call.account_id, call.region)
    state = state_of(call.backend)
    statuses = set(req.get("Statuses") or ())
    after, before, given = req.get("StartedAfter"), req.get("StartedBefore"), req.get("DurableExecutionName")
    found = [
        e
        for e in state.executions.values()
        if e.function_name == name
        and (qualifier is None or e.version == qualifier or e.invoked_arn.endswith(f":{qualifier}"))
        and (not statuses or e.shown_status in statuses)
        and (given is None or e.name == given)
        and (after is None or e.started > after)
        and (before is None or e.started < before)
    ]
    # Newest first unless ReverseOrder; the marker names the last execution listed (start, ARN).
    sign = 1 if req.get("ReverseOrder") else -1
    found.sort(key=lambda e: (sign * e.started.timestamp(), e.arn))
    page, marker = paging.page(
        found, lambda e: (sign * e.started.timestamp(), e.arn), req.get("Marker"), req.get("MaxItems") or DEFAULT_PAGE
    )
    out: dict[str, Any] = {"DurableExecutions": [e.summary() for e in page]}
    if marker:
        out["NextMarker"] = marker
    return out


def stop_durable_execution(call: Call, req: dict) -> dict:
    """Stop a running execution; a finished one answers the moment it ended."""
    execution = _execution(call, req["DurableExecutionArn"])
    if execution.status not in TERMINAL:
        finish(execution, "STOPPED", call.store.clock.now(), Hooks(call.store), error=req.get("Error"))
    assert execution.ended is not None
    return {"StopTimestamp": execution.ended}


def pause_durable_execution(call: Call, req: dict) -> dict:
    execution = _execution(call, req["DurableExecutionArn"])
    reason, timeout_paused = req.get("Reason"), req.get("ExecutionTimeoutPaused") is not False
    now = call.store.clock.now()
    if not repeated(execution, req.get("ClientToken"), "pause", (reason, timeout_paused), now):
        pause(execution, now, reason, timeout_paused)
    return {}


def resume_durable_execution(call: Call, req: dict) -> dict:
    execution = _execution(call, req["DurableExecutionArn"])
    now = call.store.clock.now()
    again = repeated(execution, req.get("ClientToken"), "resume", (req.get("Reason"),), now)
    if not again and resume(execution, now, req.get("Reason")):
        Hooks(call.store).wake(execution)
    return {}


def delete_durable_execution(call: Call, req: dict) -> dict:
    """Accept the deletion of a finished execution; it is DELETING until the scheduled deletion runs."""
    execution = _execution(call, req["DurableExecutionArn"])
    if request_deletion(execution, call.store.clock.now()):
        store, state = call.store, state_of(call.store.backend(execution.account_id, execution.region))

        def delete() -> None:
            with store.lock:
                state.drop(execution)

        store.scheduler.schedule(0, delete, f"deletion of durable execution {execution.name}")
    assert execution.deletion_requested is not None
    return {"DeletionRequestTimestamp": execution.deletion_requested}


# -- callbacks -------------------------------------------------------------------------------------------


def _callback(call: Call, callback_id: str) -> tuple[Execution, str]:
    execution, operation_id = callback_target(call.store, callback_id)
    if execution.region != call.region:
        raise ResourceNotFound(NO_CALLBACK)
    execution = _execution(call, execution.arn)
    operation = execution.operations[operation_id]
    # API reference (CallbackTimeoutException, HTTP 400): "The callback ID token has either expired
    # or the callback associated with the token has already been closed." The texts are the mock's.
    if operation["Status"] == "TIMED_OUT":
        raise CallbackTimeout(f"Callback {callback_id} timed out.")
    if operation["Status"] != "STARTED" or execution.status in TERMINAL:
        raise CallbackTimeout(f"Callback {callback_id} is already completed.")
    return execution, operation_id


def send_durable_execution_callback_success(call: Call, req: dict) -> dict:
    execution, operation_id = _callback(call, req["CallbackId"])
    raw = req.get("Result")
    result = raw.decode("utf-8", "replace") if isinstance(raw, (bytes, bytearray)) else raw
    resolve_callback(execution, operation_id, "SUCCEEDED", call.store.clock.now(), Hooks(call.store), result=result)
    return {}


def send_durable_execution_callback_failure(call: Call, req: dict) -> dict:
    execution, operation_id = _callback(call, req["CallbackId"])
    error = req.get("Error") or {}
    resolve_callback(execution, operation_id, "FAILED", call.store.clock.now(), Hooks(call.store), error=error)
    return {}


def send_durable_execution_callback_heartbeat(call: Call, req: dict) -> dict:
    execution, operation_id = _callback(call, req["CallbackId"])
    heartbeat(execution, operation_id, call.store.clock.now())
    return {}
