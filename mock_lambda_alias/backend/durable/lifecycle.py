"""Pausing, resuming and deleting durable executions: the state changes, with the store lock held.

As the Lambda API reference and the developer guide ("Pausing and resuming durable executions",
"Deleting durable executions") describe them:

- A RUNNING execution pauses at once when no invocation is in progress; during one it is PAUSING
  until the handler's next checkpoint, which Lambda accepts and answers without a checkpoint token
  (the SDK then ends the invocation with PENDING): it is PAUSED, and resuming invokes it again.
  An invocation that ends before another checkpoint leaves it PAUSED with nothing interrupted.
- While PAUSED, Lambda invokes nothing, but waits, retries, chained invokes and callbacks still
  complete; resuming invokes the handler only if the pause interrupted an invocation or something
  completed meanwhile. Resuming a PAUSING execution cancels the pause.
- ``ExecutionTimeoutPaused`` (default true) stops the execution timeout while paused: the timeout
  is extended by the time spent paused, up to 366 days after the start.
- ``ClientToken``: the same call with the same token and parameters within 15 minutes succeeds
  again without acting.
- Only a finished execution can be deleted; it is DELETING until the deletion runs, as scheduled
  work on the mock's clock (at once in the default delivery mode, before the call returns).
"""

from __future__ import annotations

import datetime
from typing import Any, Optional

from ...errors import InvalidParameterValue, ResourceConflict
from .executions import TERMINAL, Execution

#: How long a ClientToken of a pause or resume is remembered.
TOKEN_WINDOW = datetime.timedelta(minutes=15)


def _conflict(action: str, execution: Execution) -> ResourceConflict:
    return ResourceConflict(f"Cannot {action} durable execution in status {execution.shown_status}: {execution.arn}")


def repeated(
    execution: Execution, token: Optional[str], operation: str, params: tuple[Any, ...], now: datetime.datetime
) -> bool:
    """Whether this call repeats one already made with its ClientToken (then it does nothing)."""
    if not token:
        return False
    previous = execution.client_tokens.get(token)
    if previous is None or now - previous[2] > TOKEN_WINDOW:
        execution.client_tokens[token] = (operation, params, now)
        return False
    if previous[:2] != (operation, params):
        raise InvalidParameterValue(f"ClientToken {token} was already used with different parameters.")
    return True


def pause(execution: Execution, now: datetime.datetime, reason: Optional[str], timeout_paused: bool) -> None:
    if execution.status != "RUNNING" or execution.deletion_requested is not None:
        raise _conflict("pause", execution)
    execution.pause = {"PauseRequestTimestamp": now, "ExecutionTimeoutPaused": timeout_paused}
    if reason is not None:
        execution.pause["Reason"] = reason
    if execution.running:
        execution.status = "PAUSING"
    else:
        _paused(execution, now)


def _paused(execution: Execution, now: datetime.datetime) -> None:
    pause = execution.pause
    assert pause is not None
    execution.status, execution.paused_since = "PAUSED", now
    reason = {"Payload": pause["Reason"]} if "Reason" in pause else None
    execution.event(
        "ExecutionPaused",
        now,
        None,
        PauseRequestTimestamp=pause["PauseRequestTimestamp"],
        Reason=reason,
        ExecutionTimeoutPaused=pause["ExecutionTimeoutPaused"],
    )


def at_checkpoint(execution: Execution, now: datetime.datetime) -> bool:
    """A checkpoint of a PAUSING execution pauses it; True: answer it without a token."""
    if execution.status != "PAUSING":
        return False
    _paused(execution, now)
    execution.invoke_on_resume = True
    execution.token = ""  # revoked: nothing checkpoints until a new invocation
    return True


def after_invocation(execution: Execution, now: datetime.datetime) -> None:
    """An invocation ended without being interrupted; what completed meanwhile waits for the resume."""
    if execution.status == "PAUSING":
        _paused(execution, now)
    if execution.status == "PAUSED" and execution.wake:
        execution.wake, execution.invoke_on_resume = False, True


def resume(execution: Execution, now: datetime.datetime, reason: Optional[str]) -> bool:
    """Resume a PAUSING or PAUSED execution; True: invoke the handler now."""
    if execution.status == "PAUSING":
        execution.status, execution.pause = "RUNNING", None
        return False
    if execution.status != "PAUSED" or execution.deletion_requested is not None:
        raise _conflict("resume", execution)
    pause, since = execution.pause, execution.paused_since
    assert pause is not None and since is not None
    if pause["ExecutionTimeoutPaused"]:
        execution.timeout_extension += now - since
    execution.status, execution.pause, execution.paused_since = "RUNNING", None, None
    execution.event(
        "ExecutionResumed",
        now,
        None,
        ResumeRequestTimestamp=now,
        Reason={"Payload": reason} if reason is not None else None,
    )
    invoke = execution.invoke_on_resume or bool(execution.changed)
    execution.invoke_on_resume = False
    return invoke


def pause_details(execution: Execution, include_data: bool) -> Optional[dict[str, Any]]:
    """``PauseDetails`` of GetDurableExecution while PAUSING or PAUSED (the reason is execution data)."""
    if execution.status not in ("PAUSING", "PAUSED") or execution.pause is None:
        return None
    details = dict(execution.pause)
    if not include_data:
        details.pop("Reason", None)
    return details


def request_deletion(execution: Execution, now: datetime.datetime) -> bool:
    """Accept a deletion; False: it was already accepted (the call is idempotent)."""
    if execution.deletion_requested is not None:
        return False
    if execution.status not in TERMINAL:
        raise _conflict("delete", execution)
    execution.deletion_requested = now
    return True
