"""Durable executions: their state, operations and history, kept per account and region.

An execution is started by invoking a durable function (one created with ``DurableConfig``) on a
version or an alias; its ARN names the version that runs it, and every replay runs that version,
whatever the alias says later. The Durable Execution SDK inside the handler records its progress
as *operations* (``CheckpointDurableExecution``); the service side (waits elapsing, callbacks
answered, chained invokes finishing) changes them too. Each change is also written to the
execution's history as an event of the Lambda API model's ``Event`` shape.

This module is the data model only: :mod:`.run` drives executions, :mod:`.operations`
answers the API. Payloads are kept whole; the history hides them unless asked
(``IncludeExecutionData``).
"""

from __future__ import annotations

import base64
import binascii
import datetime
import re
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from ... import arns
from ...errors import InvalidParameterValue, ResourceNotFound
from ..clock import Task
from ..store import LambdaBackend, Store

#: The execution statuses after which nothing runs again.
TERMINAL = frozenset({"SUCCEEDED", "FAILED", "TIMED_OUT", "STOPPED"})
#: Operation statuses that are final.
OPERATION_DONE = frozenset({"SUCCEEDED", "FAILED", "CANCELLED", "TIMED_OUT", "STOPPED"})

#: The execution ARN, as the Lambda API model's ``DurableExecutionArn`` pattern has it.
EXECUTION_ARN = re.compile(
    r"arn:(?P<partition>[a-zA-Z0-9-]+):lambda:(?P<region>[a-zA-Z0-9-]+):(?P<account>\d{12}):function:"
    r"(?P<function>[a-zA-Z0-9_-]+):(?P<version>\$LATEST(?:\.PUBLISHED)?|[0-9]+)/durable-execution/"
    r"(?P<name>[a-zA-Z0-9_-]+)/(?P<id>[a-zA-Z0-9_-]+)"
)

#: An execution whose pause also paused its timeout still times out this long after it started.
MAX_PAUSED_LIFETIME = datetime.timedelta(days=366)

#: The text of the 404 for an execution ARN that names nothing (the Lambda API's ResourceNotFound).
NO_EXECUTION = "The resource you requested does not exist."
#: The text of the 404 for a callback id that names no callback.
NO_CALLBACK = "The callback you requested does not exist."


def execution_arn(region: str, account_id: str, function: str, version: str, name: str, execution_id: str) -> str:
    base = arns.function_arn(region, account_id, function, version)
    return f"{base}/durable-execution/{name}/{execution_id}"


def encode_id(*parts: str) -> str:
    """An opaque id (checkpoint token, callback id) in the base64 alphabet AWS's patterns allow."""
    return base64.b64encode("\x1f".join(parts).encode()).decode()


def decode_id(value: str) -> list[str]:
    try:
        return base64.b64decode(value.encode(), validate=True).decode().split("\x1f")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return []


@dataclass
class Execution:
    """One durable execution: what started it, its operations, its history and what is pending."""

    arn: str
    name: str
    execution_id: str
    account_id: str
    region: str
    function_name: str
    #: The version that runs every invocation of this execution ($LATEST or a number).
    version: str
    #: The ARN the caller invoked (a version or an alias ARN): the handler's ``invoked_function_arn``.
    invoked_arn: str
    input_payload: str
    started: datetime.datetime
    #: ``DurableConfig`` of the version when the execution started.
    durable_config: dict[str, Any]
    status: str = "RUNNING"
    ended: Optional[datetime.datetime] = None
    result: Optional[str] = None
    error: Optional[dict[str, Any]] = None
    #: Operations by id, in the order they were first recorded; each in the API's ``Operation`` shape.
    operations: dict[str, dict[str, Any]] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)
    token: str = ""
    tokens_issued: int = 0
    #: An invocation of the handler is under way.
    running: bool = False
    #: An invocation is scheduled and has not begun.
    queued: bool = False
    #: Something changed while the handler ran: invoke it again as soon as it suspends.
    wake: bool = False
    #: Invocations retried in a row (crashed, or PENDING with nothing pending): see :mod:`.outputs`.
    retries: int = 0
    #: Invocations in a row that answered PENDING while nothing was pending.
    empty_pendings: int = 0
    #: Operations the service changed since the handler last heard from it.
    changed: set[str] = field(default_factory=set)
    #: Work the handler's checkpoints asked for while it ran, scheduled once the invocation ends:
    #: on Lambda a wait starts counting while the handler suspends, not inside its invocation.
    deferred: list[Callable[[], None]] = field(default_factory=list)
    #: Scheduled work (waits, retries, chained invokes) by operation id.
    tasks: dict[str, Task] = field(default_factory=dict)
    #: Running callbacks: operation id -> (timeout deadline, heartbeat deadline), either may be None.
    deadlines: dict[str, tuple[Optional[datetime.datetime], Optional[datetime.datetime]]] = field(default_factory=dict)
    #: The (client token, inbound token) of the last checkpoint and its answer, for retried calls.
    last_checkpoint: Optional[tuple[str, str, dict[str, Any]]] = None
    #: Request ids of the invocations of the handler, in order.
    request_ids: list[str] = field(default_factory=list)
    #: (execution ARN, operation id) of the chained invoke that started this execution.
    parent: Optional[tuple[str, str]] = None
    #: While PAUSING or PAUSED: the API's ``PauseDetails`` (see :mod:`.lifecycle`).
    pause: Optional[dict[str, Any]] = None
    #: When it became PAUSED, and how long paused timeouts have extended its execution timeout.
    paused_since: Optional[datetime.datetime] = None
    timeout_extension: datetime.timedelta = datetime.timedelta(0)
    #: Resuming must invoke the handler: the pause interrupted an invocation or something completed.
    invoke_on_resume: bool = False
    #: When DeleteDurableExecution was accepted: it shows as DELETING until the deletion runs.
    deletion_requested: Optional[datetime.datetime] = None
    #: ClientToken -> (operation, its parameters, when) of pause and resume calls, for retried calls.
    client_tokens: dict[str, tuple[str, tuple[Any, ...], datetime.datetime]] = field(default_factory=dict)

    @property
    def function_arn(self) -> str:
        return arns.function_arn(self.region, self.account_id, self.function_name, self.version)

    @property
    def execution_timeout(self) -> int:
        return int(self.durable_config.get("ExecutionTimeout", 86400))

    @property
    def retention_days(self) -> int:
        return int(self.durable_config.get("RetentionPeriodInDays", 14))

    @property
    def deadline(self) -> datetime.datetime:
        """When the execution times out: its timeout, extended by pauses that paused it (while such
        a pause lasts, only the 366-day limit counts)."""
        limit = self.started + MAX_PAUSED_LIFETIME
        if self.status == "PAUSED" and self.pause and self.pause["ExecutionTimeoutPaused"]:
            return limit
        return min(self.started + datetime.timedelta(seconds=self.execution_timeout) + self.timeout_extension, limit)

    @property
    def shown_status(self) -> str:
        """The status the API reports: DELETING once a deletion was accepted."""
        return "DELETING" if self.deletion_requested is not None else self.status

    def new_token(self) -> str:
        self.tokens_issued += 1
        self.token = encode_id(self.execution_id, str(self.tokens_issued), uuid.uuid4().hex[:8])
        return self.token

    def summary(self) -> dict[str, Any]:
        """The API's ``Execution`` shape (ListDurableExecutionsByFunction)."""
        out: dict[str, Any] = {
            "DurableExecutionArn": self.arn,
            "DurableExecutionName": self.name,
            "FunctionArn": self.function_arn,
            "Status": self.shown_status,
            "StartTimestamp": self.started,
        }
        if self.ended is not None:
            out["EndTimestamp"] = self.ended
        if self.durable_config.get("KMSKeyArn"):
            out["KMSKeyArn"] = self.durable_config["KMSKeyArn"]
        return out

    # -- history --------------------------------------------------------------------

    def event(
        self, event_type: str, at: datetime.datetime, operation: Optional[dict[str, Any]] = None, **details: Any
    ) -> None:
        """Append an event to the history: ``details`` become its ``<EventType>Details``."""
        entry: dict[str, Any] = {"EventType": event_type, "EventId": len(self.events) + 1, "EventTimestamp": at}
        if operation is not None:
            for key in ("SubType", "Id", "Name", "ParentId"):
                if operation.get(key) is not None:
                    entry[key] = operation[key]
        entry[f"{event_type}Details"] = {k: v for k, v in details.items() if v is not None}
        self.events.append(entry)

    # -- operations -----------------------------------------------------------------

    def operation(self, operation_id: str) -> Optional[dict[str, Any]]:
        return self.operations.get(operation_id)

    def touch(self, operation_id: str) -> None:
        """Note a change the service made, for the handler's next checkpoint or invocation."""
        self.changed.add(operation_id)


def execution_operation(execution: Execution) -> dict[str, Any]:
    """The EXECUTION operation the SDK finds first in the state: the input and the start."""
    return {
        "Id": execution.execution_id,
        "Name": execution.name,
        "Type": "EXECUTION",
        "StartTimestamp": execution.started,
        "Status": "STARTED",
        "ExecutionDetails": {"InputPayload": execution.input_payload},
    }


def payload(value: Optional[str]) -> dict[str, Any]:
    """An ``EventInput`` / ``EventResult`` (its payload hidden by :func:`render_event` unless asked)."""
    return {"Payload": value} if value is not None else {}


def error_payload(error: Optional[dict[str, Any]]) -> dict[str, Any]:
    return {"Payload": error} if error else {}


def render_event(event: dict[str, Any], include_data: bool) -> dict[str, Any]:
    """An event as the API answers it: payloads only with ``IncludeExecutionData``, else ``Truncated``."""
    out = dict(event)
    for key, details in event.items():
        if not key.endswith("Details") or not isinstance(details, dict):
            continue
        shown = dict(details)
        for member in ("Input", "Result", "Error", "Reason"):
            if member in details and isinstance(details[member], dict):
                data = details[member]
                shown[member] = {**data, "Truncated": False} if include_data else {"Truncated": True}
        out[key] = shown
    return out


@dataclass
class DurableState:
    """The durable executions of one account and region."""

    #: Executions by ARN, in the order they started.
    executions: dict[str, Execution] = field(default_factory=dict)
    #: (function name, execution name) -> ARN: names are unique per function.
    names: dict[tuple[str, str], str] = field(default_factory=dict)
    #: Callback id -> (execution ARN, operation id).
    callbacks: dict[str, tuple[str, str]] = field(default_factory=dict)

    def add(self, execution: Execution) -> None:
        self.executions[execution.arn] = execution
        self.names[(execution.function_name, execution.name)] = execution.arn

    def drop(self, execution: Execution) -> None:
        self.executions.pop(execution.arn, None)
        if self.names.get((execution.function_name, execution.name)) == execution.arn:
            del self.names[(execution.function_name, execution.name)]
        for callback_id in [c for c, (arn, _) in self.callbacks.items() if arn == execution.arn]:
            del self.callbacks[callback_id]


def state_of(backend: LambdaBackend) -> DurableState:
    """The durable state of a backend, made on first use (a reset drops it with the backend)."""
    state = backend.__dict__.get("_durable")
    if state is None:
        state = backend.__dict__["_durable"] = DurableState()
    return state


def find(store: Store, arn: str) -> tuple[Optional[Execution], Optional[re.Match[str]]]:
    """The execution an ARN names (None if none), and the ARN's parts (None if it is no execution ARN)."""
    match = EXECUTION_ARN.fullmatch(arn)
    if match is None:
        return None, None
    state = state_of(store.backend(match.group("account"), match.group("region")))
    return state.executions.get(arn), match


def find_or_404(store: Store, arn: str) -> Execution:
    execution, match = find(store, arn)
    if match is None:
        raise InvalidParameterValue(f"Invalid durable execution ARN: {arn}")
    if execution is None:
        raise ResourceNotFound(NO_EXECUTION)
    return execution


def callback_target(store: Store, callback_id: str) -> tuple[Execution, str]:
    """(execution, operation id) of a callback id, or AWS's 404."""
    parts = decode_id(callback_id)
    if len(parts) == 3 and parts[0] == "callback":
        execution, match = find(store, parts[1])
        if execution is not None and match is not None:
            operation = execution.operation(parts[2])
            if operation is not None and operation.get("Type") == "CALLBACK":
                return execution, parts[2]
    raise ResourceNotFound(NO_CALLBACK)


def new_callback_id(execution: Execution, operation_id: str) -> str:
    return encode_id("callback", execution.arn, operation_id)


def millis(value: datetime.datetime) -> int:
    return int(value.timestamp() * 1000)


def as_json(operation: dict[str, Any]) -> dict[str, Any]:
    """An operation as the invocation input carries it: timestamps in epoch milliseconds."""
    out: dict[str, Any] = {}
    for key, value in operation.items():
        if isinstance(value, datetime.datetime):
            out[key] = millis(value)
        elif isinstance(value, dict):
            out[key] = {k: millis(v) if isinstance(v, datetime.datetime) else v for k, v in value.items()}
        else:
            out[key] = value
    return out
