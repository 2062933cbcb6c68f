"""What changes a durable execution's operations: the SDK's checkpoints and the service's own work.

Called with the store lock held; nothing here runs a handler. Work that falls due later (a wait
ends, a step's retry is due, a chained invoke runs) and "invoke the handler again" are handed to
the :class:`Hooks` the caller gives, which :mod:`.run` implements on the scheduler.

The history follows AWS's: one event per checkpointed update (``StepStarted``, ``StepSucceeded``,
``WaitStarted``, ...; a step ``RETRY`` is a ``StepFailed`` or ``StepSucceeded`` with its
``RetryDetails``), and one per change the service makes (``WaitSucceeded``, ``CallbackSucceeded``,
``ChainedInvokeSucceeded``, ...), numbered from 1. Deadlines (the execution's ``ExecutionTimeout``,
callbacks' timeouts and heartbeats) are not scheduled work: they are enforced whenever the
execution is looked at (:func:`sweep`), at the moment they fell due on the mock's clock, so a
suspended execution waiting for a callback is not timed out by the clock skipping idle time. (A
callback deadline before other scheduled work of its execution gets a check at its moment, see
``Hooks.arm`` in :mod:`.run`: the clock passes it anyway, and Lambda invokes the handler then.)
"""

from __future__ import annotations

import datetime
from typing import Any, Callable, Optional, Protocol

from ...errors import InvalidParameterValue
from .executions import OPERATION_DONE, TERMINAL, DurableState, Execution, error_payload, new_callback_id, payload

#: The error a callback gets when its timeout or heartbeat timeout passes (types as the SDK reads them).
CALLBACK_TIMEOUT = {"ErrorType": "Callback.Timeout", "ErrorMessage": "Callback timed out"}
CALLBACK_HEARTBEAT = {"ErrorType": "Callback.Heartbeat", "ErrorMessage": "Callback heartbeat timed out"}


class Hooks(Protocol):
    def wake(self, execution: Execution) -> None: ...

    def at(self, execution: Execution, operation_id: str, due: datetime.datetime, run: Callable[[], None]) -> None: ...

    def chain(self, execution: Execution, operation: dict[str, Any], options: dict[str, Any]) -> None: ...

    def finished(self, execution: Execution) -> None: ...


def _seconds(value: Any) -> int:
    return int(value) if isinstance(value, int) and not isinstance(value, bool) else 0


# -- the end of an execution ------------------------------------------------------------


def finish(
    execution: Execution,
    status: str,
    at: datetime.datetime,
    hooks: Hooks,
    result: Optional[str] = None,
    error: Optional[dict[str, Any]] = None,
) -> None:
    """Close the execution: its EXECUTION operation, the history, pending work."""
    if execution.status in TERMINAL:
        return
    execution.status, execution.ended = status, at
    execution.result, execution.error = result, error
    root = execution.operations[execution.execution_id]
    root.update(Status=status, EndTimestamp=at)
    event_type = {
        "SUCCEEDED": "ExecutionSucceeded",
        "FAILED": "ExecutionFailed",
        "TIMED_OUT": "ExecutionTimedOut",
        "STOPPED": "ExecutionStopped",
    }[status]
    if status == "SUCCEEDED":
        execution.event(event_type, at, root, Result=payload(result))
    else:
        execution.event(event_type, at, root, Error=error_payload(error))
    for task in execution.tasks.values():
        task.cancel()
    execution.tasks.clear()
    execution.deadlines.clear()
    execution.wake = False
    hooks.finished(execution)


# -- deadlines, checked whenever an execution is looked at -----------------------------------


def sweep(state: DurableState, now: datetime.datetime, hooks: Hooks) -> None:
    """Apply every deadline that passed by ``now``; drop executions whose retention ended."""
    for execution in list(state.executions.values()):
        if execution.status in TERMINAL:
            if execution.ended is not None and now >= execution.ended + datetime.timedelta(
                days=execution.retention_days
            ):
                state.drop(execution)
            continue
        expire(execution, now, hooks)


def expire(execution: Execution, now: datetime.datetime, hooks: Hooks) -> None:
    """Time out the callbacks and the execution whose deadlines passed, in the order they passed."""
    while execution.status not in TERMINAL:
        due = [(d, op, kind) for op, pair in execution.deadlines.items() for kind, d in enumerate(pair) if d]
        due.append((execution.deadline, "", 2))
        at, operation_id, kind = min(due)
        if at > now:
            return
        if kind == 2:
            error = {"ErrorMessage": f"Execution timed out after {execution.execution_timeout} seconds."}
            finish(execution, "TIMED_OUT", at, hooks, error=error)
            return
        error = CALLBACK_TIMEOUT if kind == 0 else CALLBACK_HEARTBEAT
        resolve_callback(execution, operation_id, "TIMED_OUT", at, hooks, error=error)


def resolve_callback(
    execution: Execution,
    operation_id: str,
    status: str,
    at: datetime.datetime,
    hooks: Hooks,
    result: Optional[str] = None,
    error: Optional[dict[str, Any]] = None,
) -> None:
    """A callback answered (SUCCEEDED, FAILED) or timed out; the handler then runs again."""
    operation = execution.operations[operation_id]
    execution.deadlines.pop(operation_id, None)
    details = operation.setdefault("CallbackDetails", {})
    operation.update(Status=status, EndTimestamp=at)
    if result is not None:
        details["Result"] = result
    if error is not None:
        details["Error"] = error
    if status == "SUCCEEDED":
        execution.event("CallbackSucceeded", at, operation, Result=payload(result))
    else:
        event_type = "CallbackFailed" if status == "FAILED" else "CallbackTimedOut"
        execution.event(event_type, at, operation, Error=error_payload(error))
    execution.touch(operation_id)
    hooks.wake(execution)


def heartbeat(execution: Execution, operation_id: str, now: datetime.datetime) -> None:
    timeout, beat = execution.deadlines.get(operation_id, (None, None))
    if beat is None:
        return
    seconds = execution.operations[operation_id].get("_heartbeat", 0)
    execution.deadlines[operation_id] = (timeout, now + datetime.timedelta(seconds=seconds))


# -- service-side completions -------------------------------------------------------------


def complete_wait(execution: Execution, operation_id: str, at: datetime.datetime, hooks: Hooks) -> None:
    operation = execution.operations.get(operation_id)
    if execution.status in TERMINAL or operation is None or operation["Status"] != "STARTED":
        return
    operation.update(Status="SUCCEEDED", EndTimestamp=at)
    duration = int((operation["WaitDetails"]["ScheduledEndTimestamp"] - operation["StartTimestamp"]).total_seconds())
    execution.event("WaitSucceeded", at, operation, Duration=duration)
    execution.touch(operation_id)
    hooks.wake(execution)


def retry_due(execution: Execution, operation_id: str, hooks: Hooks) -> None:
    """A step's (or a wait-for-condition's) next attempt is due: READY, and the handler runs it."""
    operation = execution.operations.get(operation_id)
    if execution.status in TERMINAL or operation is None or operation["Status"] != "PENDING":
        return
    operation["Status"] = "READY"
    execution.touch(operation_id)
    hooks.wake(execution)


def complete_chained(
    execution: Execution,
    operation_id: str,
    at: datetime.datetime,
    hooks: Hooks,
    result: Optional[str] = None,
    error: Optional[dict[str, Any]] = None,
    status: str = "SUCCEEDED",
) -> None:
    operation = execution.operations.get(operation_id)
    if execution.status in TERMINAL or operation is None or operation["Status"] in OPERATION_DONE:
        return
    details = operation.setdefault("ChainedInvokeDetails", {})
    operation.update(Status=status, EndTimestamp=at)
    if status == "SUCCEEDED":
        if result is not None:
            details["Result"] = result
        execution.event("ChainedInvokeSucceeded", at, operation, Result=payload(result))
    else:
        details["Error"] = error
        event_type = {"FAILED": "ChainedInvokeFailed", "TIMED_OUT": "ChainedInvokeTimedOut"}.get(
            status, "ChainedInvokeStopped"
        )
        execution.event(event_type, at, operation, Error=error_payload(error))
    execution.touch(operation_id)
    hooks.wake(execution)


# -- checkpoints ----------------------------------------------------------------------------


def apply(
    execution: Execution, state: DurableState, updates: list[dict[str, Any]], now: datetime.datetime, hooks: Hooks
) -> list[str]:
    """Apply a checkpoint's updates in order; returns the ids of the operations they changed."""
    changed: list[str] = []
    for update in updates:
        _check(execution, update)
        _apply_one(execution, state, update, now, hooks)
        if update["Id"] not in changed:
            changed.append(update["Id"])
    return changed


_ACTIONS = {
    "EXECUTION": {"SUCCEED", "FAIL"},
    "CONTEXT": {"START", "SUCCEED", "FAIL"},
    "STEP": {"START", "SUCCEED", "FAIL", "RETRY"},
    "WAIT": {"START", "CANCEL"},
    "CALLBACK": {"START"},
    "CHAINED_INVOKE": {"START"},
}


def _check(execution: Execution, update: dict[str, Any]) -> None:
    kind, action = update["Type"], update["Action"]
    if action not in _ACTIONS[kind]:
        raise InvalidParameterValue(f"Invalid action {action} for an operation of type {kind}.")
    current = execution.operations.get(update["Id"])
    if current is not None and current["Type"] != kind:
        raise InvalidParameterValue(f"Operation {update['Id']} already exists with type {current['Type']}.")
    if action != "START" and kind != "EXECUTION" and current is None:
        raise InvalidParameterValue(f"Operation {update['Id']} has not been started.")
    if current is not None and current["Status"] in OPERATION_DONE:
        raise InvalidParameterValue(f"Operation {update['Id']} is already completed.")
    if kind == "CHAINED_INVOKE" and not (update.get("ChainedInvokeOptions") or {}).get("FunctionName"):
        raise InvalidParameterValue("ChainedInvokeOptions.FunctionName is required to start a chained invoke.")


def _started(update: dict[str, Any], now: datetime.datetime, current: Optional[dict[str, Any]]) -> dict[str, Any]:
    if current is not None:
        return current
    operation: dict[str, Any] = {"Id": update["Id"], "Type": update["Type"], "StartTimestamp": now}
    for key in ("ParentId", "Name", "SubType"):
        if update.get(key):
            operation[key] = update[key]
    return operation


def _apply_one(
    execution: Execution, state: DurableState, update: dict[str, Any], now: datetime.datetime, hooks: Hooks
) -> None:
    kind, action = update["Type"], update["Action"]
    if kind == "EXECUTION":
        if action == "SUCCEED":
            finish(execution, "SUCCEEDED", now, hooks, result=update.get("Payload"))
        else:
            finish(execution, "FAILED", now, hooks, error=update.get("Error"))
        return
    current = execution.operations.get(update["Id"])
    operation = _started(update, now, current)
    execution.operations[update["Id"]] = operation
    {"CONTEXT": _context, "STEP": _step, "WAIT": _wait, "CALLBACK": _callback, "CHAINED_INVOKE": _chained}[kind](
        execution, state, operation, update, now, hooks
    )


def _context(
    execution: Execution, state: DurableState, op: dict, update: dict, now: datetime.datetime, hooks: Hooks
) -> None:
    action = update["Action"]
    if action == "START":
        op["Status"] = "STARTED"
        execution.event("ContextStarted", now, op)
        return
    details = op.setdefault("ContextDetails", {})
    if (update.get("ContextOptions") or {}).get("ReplayChildren"):
        details["ReplayChildren"] = True
    op.update(Status="SUCCEEDED" if action == "SUCCEED" else "FAILED", EndTimestamp=now)
    if action == "SUCCEED":
        if update.get("Payload") is not None:
            details["Result"] = update["Payload"]
        execution.event("ContextSucceeded", now, op, Result=payload(update.get("Payload")))
    else:
        details["Error"] = update.get("Error") or {}
        execution.event("ContextFailed", now, op, Error=error_payload(update.get("Error")))


def _step(
    execution: Execution, state: DurableState, op: dict, update: dict, now: datetime.datetime, hooks: Hooks
) -> None:
    action = update["Action"]
    details = op.setdefault("StepDetails", {"Attempt": 0})
    details.pop("NextAttemptTimestamp", None)
    if action == "START":
        op["Status"] = "STARTED"
        execution.event("StepStarted", now, op)
        return
    details["Attempt"] = details.get("Attempt", 0) + 1
    for member, key in (("Payload", "Result"), ("Error", "Error")):
        if update.get(member) is not None:
            details[key] = update[member]
        else:
            details.pop(key, None)
    if action == "RETRY":
        delay = _seconds((update.get("StepOptions") or {}).get("NextAttemptDelaySeconds"))
        due = now + datetime.timedelta(seconds=delay)
        op["Status"] = "PENDING"
        details["NextAttemptTimestamp"] = due
        retry = {"CurrentAttempt": details["Attempt"], "NextAttemptDelaySeconds": delay}
        if update.get("Error") is not None:
            execution.event("StepFailed", now, op, Error=error_payload(update["Error"]), RetryDetails=retry)
        else:
            execution.event("StepSucceeded", now, op, Result=payload(update.get("Payload")), RetryDetails=retry)
        hooks.at(execution, op["Id"], due, lambda: retry_due(execution, op["Id"], hooks))
        return
    op.update(Status="SUCCEEDED" if action == "SUCCEED" else "FAILED", EndTimestamp=now)
    retry = {"CurrentAttempt": details["Attempt"], "NextAttemptDelaySeconds": 0}
    if action == "SUCCEED":
        execution.event("StepSucceeded", now, op, Result=payload(update.get("Payload")), RetryDetails=retry)
    else:
        execution.event("StepFailed", now, op, Error=error_payload(update.get("Error")), RetryDetails=retry)


def _wait(
    execution: Execution, state: DurableState, op: dict, update: dict, now: datetime.datetime, hooks: Hooks
) -> None:
    if update["Action"] == "CANCEL":
        op.update(Status="CANCELLED", EndTimestamp=now)
        task = execution.tasks.pop(op["Id"], None)
        if task is not None:
            task.cancel()
        execution.event("WaitCancelled", now, op, Error=error_payload(update.get("Error")))
        return
    seconds = _seconds((update.get("WaitOptions") or {}).get("WaitSeconds"))
    end = now + datetime.timedelta(seconds=seconds)
    op.update(Status="STARTED", WaitDetails={"ScheduledEndTimestamp": end})
    execution.event("WaitStarted", now, op, Duration=seconds, ScheduledEndTimestamp=end)
    hooks.at(execution, op["Id"], end, lambda: complete_wait(execution, op["Id"], end, hooks))


def _callback(
    execution: Execution, state: DurableState, op: dict, update: dict, now: datetime.datetime, hooks: Hooks
) -> None:
    options = update.get("CallbackOptions") or {}
    timeout, beat = _seconds(options.get("TimeoutSeconds")), _seconds(options.get("HeartbeatTimeoutSeconds"))
    callback_id = new_callback_id(execution, op["Id"])
    op.update(Status="STARTED", CallbackDetails={"CallbackId": callback_id})
    if beat:
        op["_heartbeat"] = beat
    state.callbacks[callback_id] = (execution.arn, op["Id"])
    execution.deadlines[op["Id"]] = (
        now + datetime.timedelta(seconds=timeout) if timeout else None,
        now + datetime.timedelta(seconds=beat) if beat else None,
    )
    execution.event(
        "CallbackStarted", now, op, CallbackId=callback_id, Timeout=timeout or None, HeartbeatTimeout=beat or None
    )


def _chained(
    execution: Execution, state: DurableState, op: dict, update: dict, now: datetime.datetime, hooks: Hooks
) -> None:
    options = update["ChainedInvokeOptions"]
    op.update(Status="STARTED", ChainedInvokeDetails={})
    op["_input"] = update.get("Payload")
    details: dict[str, Any] = {"FunctionName": options["FunctionName"], "Input": payload(update.get("Payload"))}
    if options.get("TenantId"):
        details["TenantId"] = options["TenantId"]
    execution.event("ChainedInvokeStarted", now, op, **details)
    hooks.chain(execution, op, options)


def public(operation: dict[str, Any]) -> dict[str, Any]:
    """An operation in the API's shape (the mock's own bookkeeping keys start with ``_``)."""
    return {k: v for k, v in operation.items() if not k.startswith("_")}
