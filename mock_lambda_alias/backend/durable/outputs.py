"""What an invocation of a durable handler answered, and what Lambda does about an answer that is wrong.

The SDK ends every invocation with an *invocation output*: ``{"Status": "SUCCEEDED", "Result": ...}``,
``{"Status": "FAILED", "Error": ...}`` or ``{"Status": "PENDING"}`` (suspended). What Lambda does
when that goes wrong, as its sources say:

- An invocation that ends without an output (the runtime crashed, ran out of memory or time, or
  the handler raised outside the SDK) is retried with exponential backoff, replaying from the last
  checkpoint, until the execution timeout (developer guide, "Retries for Lambda durable functions",
  Backend retries; the conformance suite's step/1-17 and 1-18 record the retried invocation's
  ``InvocationCompleted`` with the runtime's error). The delays are not published: the mock's
  start at one second and double with each crash in a row.
- An invalid output (no or an unknown ``Status``, ``FAILED`` with a ``Result``, ``SUCCEEDED`` with
  an ``Error``, no output object) fails the execution at once with an error object of type
  ``InvalidParameterValueException``. ``PENDING`` while the execution waits for nothing is retried,
  up to 3 consecutive attempts, then fails it the same way (aws/aws-durable-execution-sdk-python
  issue 670, the service's behaviour as AWS's maintainers verified it). The messages are the mock's.

It also makes a synchronous ``Invoke``'s answer from the execution (:func:`sync_answer`).
"""

from __future__ import annotations

import datetime
import json
from typing import Any, Optional

from .executions import TERMINAL, Execution

#: The status :func:`read` gives an invocation that ended without an output.
CRASHED = "CRASHED"
#: The first delay before an invocation is retried; each retry in a row doubles it (the mock's).
RETRY_SECONDS = 1
#: How many times in a row a PENDING output that waits for nothing is retried before it fails.
EMPTY_PENDING_RETRIES = 3
#: The message of the error an execution fails with after those retries (the mock's text).
EMPTY_PENDING = "Invalid invocation output: Status is PENDING but the execution has no pending operations."
#: Operation types and the statuses in which the service owes the execution something.
PENDING_STATUSES = {
    "WAIT": ("STARTED",),
    "CALLBACK": ("STARTED",),
    "CHAINED_INVOKE": ("STARTED",),
    "STEP": ("PENDING", "READY"),
}


def invalid(message: str) -> dict[str, Any]:
    """The error object of an invalid invocation output."""
    return {"ErrorType": "InvalidParameterValueException", "ErrorMessage": message}


def read(outcome: Any, payload: Any) -> tuple[str, Optional[str], Optional[dict[str, Any]]]:
    """(status, result, error) of an invocation: its output's, or CRASHED and the runtime's error.

    ``outcome`` is None when the invocation did not run to an answer; ``payload`` is its parsed
    payload (None when it was no JSON).
    """
    if outcome is None:
        return CRASHED, None, {"ErrorType": "ServiceException", "ErrorMessage": "The invocation failed."}
    if outcome.function_error:
        data = payload if isinstance(payload, dict) else {}
        error = {
            "ErrorType": str(data.get("errorType", "Unhandled")),
            "ErrorMessage": str(data.get("errorMessage", "")),
        }
        return CRASHED, None, error
    status = payload.get("Status") if isinstance(payload, dict) else None
    if status == "SUCCEEDED" and payload.get("Error") is None:
        return "SUCCEEDED", payload.get("Result"), None
    if status == "FAILED" and payload.get("Result") is None:
        return "FAILED", None, payload.get("Error") or {}
    if status == "PENDING":
        return "PENDING", None, None
    if status in ("SUCCEEDED", "FAILED"):
        other = "Error" if status == "SUCCEEDED" else "Result"
        return "FAILED", None, invalid(f"Invalid invocation output: a {status} output cannot carry {other}.")
    return "FAILED", None, invalid("Invalid invocation output: Status must be SUCCEEDED, FAILED or PENDING.")


def waits_for_nothing(execution: Execution) -> bool:
    """Whether a suspended execution has nothing that would invoke it again (no wait, retry,
    callback or chained invoke under way, nothing completed meanwhile)."""
    if execution.wake or execution.changed or execution.deferred or execution.tasks or execution.deadlines:
        return False
    return not any(
        op.get("Status") in PENDING_STATUSES.get(str(op.get("Type")), ()) for op in execution.operations.values()
    )


def retry_at(execution: Execution, now: datetime.datetime) -> datetime.datetime:
    """When to retry an invocation that went wrong (``execution.retries`` in a row so far), at the
    latest at the execution's deadline (which then times it out)."""
    delay = datetime.timedelta(seconds=RETRY_SECONDS * 2**execution.retries)
    execution.retries += 1
    return min(now + delay, execution.deadline)


def sync_answer(execution: Execution) -> dict:
    """What a synchronous Invoke answers: the execution's result, its error, or (still running) nothing.

    For a failed execution the answer's shape (``FunctionError`` and Lambda's error payload made
    from the execution's error) is the mock's choice: no recording of AWS's shows it."""
    out: dict[str, Any] = {
        "StatusCode": 200,
        "ExecutedVersion": execution.version,
        "DurableExecutionArn": execution.arn,
        "Payload": b"",
    }
    if execution.status == "SUCCEEDED":
        out["Payload"] = (execution.result if execution.result is not None else "null").encode()
    elif execution.status in TERMINAL:
        error = execution.error or {}
        body = {"errorType": error.get("ErrorType", execution.status), "errorMessage": error.get("ErrorMessage", "")}
        out["Payload"] = json.dumps(body).encode()
        out["FunctionError"] = "Unhandled"
    return out
