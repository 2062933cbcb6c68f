"""Asynchronous invocation as Lambda runs it: the event queue, retries, event age, destinations.

An ``Event`` invoke (and InvokeAsync, and S3/SNS/EventBridge deliveries) is validated and
answered with 202; the event is queued here and its attempts run as tasks of the activation's
scheduler (:mod:`.clock`), on its clock, so retries a minute apart take no real time. AWS's rules
(developer guide, "Asynchronous invocation"):

- the version is decided when the event is accepted (an alias's weights are drawn then: our
  choice, not recorded), and every attempt runs that version with the event's request id
  (recorded); an event for ``$LATEST`` runs the configuration ``$LATEST`` has at each attempt
  (recorded: LocalStack's ``test_async_invoke_queue_upon_function_update``);
- a function error (timeouts included) is retried ``MaximumRetryAttempts`` times (default 2),
  one minute after the first attempt, two minutes after the second;
- a throttle (429) is retried with a delay growing from 1 second to 5 minutes, for as long as
  the event is younger than ``MaximumEventAgeInSeconds`` (default 6 hours); a function whose
  reserved concurrency is 0 sends its events to failure at once, without retries;
- an event whose next attempt would come when it is already too old is done at once, with the
  condition ``EventAgeExceeded`` (Lambda does not wait for the age to run out: LocalStack's
  ``test_maxeventage``, recorded against AWS);
- at the end the invocation record goes to the invoked qualifier's ``OnSuccess`` or ``OnFailure``
  destination; a failed event also goes to the version's dead-letter queue (the event itself,
  with ``RequestID``, ``ErrorCode``, ``ErrorMessage``): destinations work "in addition to or
  instead of a dead-letter queue" (API reference, PutFunctionEventInvokeConfig).

What runs an attempt is given by the invoke family (``attempt``), and what reaches another
service by senders registered per service (:data:`SENDERS`): the moto integration registers SQS,
SNS, EventBridge and S3; the invoke family registers Lambda. A destination nobody can reach is
recorded as a failed delivery (AWS's ``DestinationDeliveryFailures`` / ``DeadLetterErrors``).
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Optional

from ..errors import RECURSIVE_LOOP_MESSAGE, RecursiveInvocation
from . import lineage
from .ids import new_uuid
from .invocations import Invocation
from .lineage import Lineage
from .model import LATEST, Function, FunctionVersion
from .telemetry import emit_metric, recursion_dropped

if TYPE_CHECKING:
    from .call import Call
    from .store import Store

DEFAULT_RETRY_ATTEMPTS = 2
DEFAULT_EVENT_AGE = 6 * 3600
#: Seconds before the retry of a function error: after the first attempt, after the second.
RETRY_DELAYS = (60.0, 120.0)
#: Throttled events are retried after 1 s, doubling up to 5 minutes.
THROTTLE_FIRST_DELAY, THROTTLE_MAX_DELAY = 1.0, 300.0
CONDITIONS = ("Success", "RetriesExhausted", "EventAgeExceeded")
#: What AWS's DLQ message keeps of the error message: its first kilobyte.
DLQ_MESSAGE_LIMIT = 1024


class DeliveryFailed(Exception):
    """A destination or dead-letter target could not take the message (why, as a sentence)."""


@dataclass(frozen=True)
class Outgoing:
    """One message Lambda sends for an event: the invocation record, or the event to a DLQ."""

    #: The destination or dead-letter target ARN.
    target: str
    #: "OnSuccess", "OnFailure" or "DeadLetter".
    kind: str
    #: The message body: the invocation record (JSON), or the event itself for a DLQ.
    body: str
    #: Message attributes (DLQ only): name -> (DataType, value).
    attributes: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: EventBridge's ``detail-type`` and ``resources``.
    detail_type: str = ""
    resources: tuple[str, ...] = ()
    #: The S3 object key of an S3 destination.
    key: str = ""
    #: The chain the message continues (a Lambda destination is invoked within it).
    lineage: Optional[Lineage] = None


#: Who sends to each service (the third field of the target ARN): ``sender(store, message)``,
#: raising :class:`DeliveryFailed` when the target cannot take it.
SENDERS: dict[str, Callable[[Store, Outgoing], None]] = {}


@dataclass(frozen=True)
class Attempt:
    """What one attempt of an event came to, as the invoke family reports it."""

    #: The invocation record of the attempt (None: nothing was recorded, e.g. function deleted).
    invocation: Optional[Invocation]
    #: The HTTP status of the attempt: 200 (ran, maybe with a function error), 429 (throttled), ...
    status: int
    #: The error message (function error, throttle, or why it could not run); None on success.
    error: Optional[str] = None
    #: True when AWS does not retry it (reserved concurrency 0, function gone, recursive loop).
    final: bool = False


@dataclass
class Delivery:
    """Where an event's record (or the event itself, for a DLQ) went, and whether it arrived."""

    target: str
    #: "OnSuccess", "OnFailure" or "DeadLetter".
    kind: str
    delivered: bool
    #: Why it did not arrive (AWS counts it in ``DestinationDeliveryFailures`` / ``DeadLetterErrors``).
    error: Optional[str]
    #: What was sent: the invocation record (JSON text) or the event.
    body: str


@dataclass
class AsyncEvent:
    """One asynchronous event, from acceptance to its final condition."""

    request_id: str
    function_name: str
    #: The qualifier invoked (None: unqualified, i.e. ``$LATEST``).
    qualifier: Optional[str]
    #: The invoked ARN, always qualified (``:$LATEST`` for an unqualified invoke).
    function_arn: str
    #: The version decided when the event was accepted; every attempt runs it.
    executed_version: str
    account_id: str
    region: str
    payload: bytes
    event: Any
    accepted: datetime.datetime
    maximum_retry_attempts: int
    maximum_event_age: int
    on_success: Optional[str]
    on_failure: Optional[str]
    #: The executed version's ``DeadLetterConfig.TargetArn``.
    dead_letter: Optional[str]
    #: The chain the event continues (recursive loop detection).
    lineage: Optional[Lineage]
    #: Every attempt, throttled ones included, oldest first.
    attempts: list[Invocation] = field(default_factory=list)
    #: "Success", "RetriesExhausted" or "EventAgeExceeded" once the event is done; None before.
    condition: Optional[str] = None
    #: Why the event never ran: "RecursiveLoop" when loop detection stopped it.
    stopped: Optional[str] = None
    #: Where the record and/or the event went at the end: the destination's delivery first, then
    #: the dead-letter queue's (empty: no destination, no DLQ).
    deliveries: list[Delivery] = field(default_factory=list)
    finished: Optional[datetime.datetime] = None
    #: Status and error of the last attempt (for the record and the DLQ attributes).
    last_status: int = 0
    last_error: Optional[str] = None
    _attempt: Optional[Callable[[AsyncEvent], Attempt]] = field(default=None, repr=False, compare=False)
    _throttles: int = field(default=0, repr=False, compare=False)

    @property
    def done(self) -> bool:
        return self.condition is not None

    @property
    def delivery(self) -> Optional[Delivery]:
        """The first of :attr:`deliveries` (the destination's when there is one), or None."""
        return self.deliveries[0] if self.deliveries else None

    @property
    def invoke_count(self) -> int:
        """How many attempts ran the handler (``approximateInvokeCount``): throttles do not count."""
        return sum(1 for a in self.attempts if not a.throttled)

    @property
    def retries(self) -> int:
        """How many times a function error was retried."""
        return max(0, self.invoke_count - 1)

    @property
    def expires(self) -> datetime.datetime:
        return self.accepted + datetime.timedelta(seconds=self.maximum_event_age)

    @property
    def label(self) -> str:
        return f"{self.function_name}:{self.qualifier or '$LATEST'} ({self.request_id})"


def enqueue(
    call: Call,
    function: Function,
    record: FunctionVersion,
    qualifier: Optional[str],
    invoked_arn: str,
    payload: bytes,
    event: Any,
    chain: Optional[Lineage],
    attempt: Callable[[AsyncEvent], Attempt],
) -> AsyncEvent:
    """Accept an ``Event`` invocation of ``record`` (the version already chosen); with the lock held.

    The settings are the invoked qualifier's event invoke config (``$LATEST``'s for an unqualified
    invoke) and the executed version's dead-letter queue. An event continuing a chain that has had
    its invocations is stopped (``RecursiveLoop=Terminate``) and goes to failure without running.
    """
    config = function.event_invoke.get(qualifier or LATEST)
    retries = getattr(config, "maximum_retry_attempts", None)
    age = getattr(config, "maximum_event_age", None)
    destinations = getattr(config, "destinations", None) or {}
    accepted = AsyncEvent(
        call.request_id,
        function.name,
        qualifier,
        invoked_arn if qualifier else f"{invoked_arn}:{LATEST}",
        record.version,
        call.account_id,
        call.region,
        payload,
        event,
        call.store.clock.now(),
        DEFAULT_RETRY_ATTEMPTS if retries is None else retries,
        DEFAULT_EVENT_AGE if age is None else age,
        (destinations.get("OnSuccess") or {}).get("Destination"),
        (destinations.get("OnFailure") or {}).get("Destination"),
        (record.config.get("DeadLetterConfig") or {}).get("TargetArn") or None,
        chain if chain is not None else lineage.start(call.request_id),
    )
    if lineage.stops(chain, function.recursive_loop):
        accepted.stopped = "RecursiveLoop"
        accepted.last_status, accepted.last_error = RecursiveInvocation.status, RECURSIVE_LOOP_MESSAGE
    return accept(call.store, accepted, attempt)


def error_message(response: Optional[bytes]) -> str:
    """The error message of a function error's response (its ``errorMessage``, else the text)."""
    found = _payload(response)
    if isinstance(found, dict) and isinstance(found.get("errorMessage"), str):
        return found["errorMessage"]
    return found if isinstance(found, str) else json.dumps(found)


def accept(store: Store, event: AsyncEvent, attempt: Callable[[AsyncEvent], Attempt]) -> AsyncEvent:
    """Queue ``event``: its first attempt runs as soon as the scheduler runs due work.

    Call with the store lock held; nothing runs here.
    """
    event._attempt = attempt
    store.async_events.append(event)
    if event.stopped is not None:
        store.scheduler.schedule(0, lambda: _stop(store, event), f"stop of {event.label}")
    else:
        store.scheduler.schedule(0, lambda: _run(store, event), f"attempt 1 of {event.label}")
    return event


def _stop(store: Store, event: AsyncEvent) -> None:
    """Loop detection dropped the event: counted as dropped, then sent to failure. The record's
    condition, ``RetriesExhausted``, is our choice: no recording of a stopped event's record found."""
    recursion_dropped(
        store, event.account_id, event.region, event.function_name, event.qualifier, event.executed_version
    )
    _finish(store, event, "RetriesExhausted")


def _run(store: Store, event: AsyncEvent) -> None:
    """One attempt (a scheduler task, no lock held): run it, then retry, expire or finish."""
    if store.clock.now() >= event.expires:
        _finish(store, event, "EventAgeExceeded")
        return
    assert event._attempt is not None
    result = event._attempt(event)
    with store.lock:
        if result.invocation is not None:
            event.attempts.append(result.invocation)
        event.last_status, event.last_error = result.status, result.error
    if result.status == 200 and result.error is None:
        _finish(store, event, "Success")
    elif result.final:
        _finish(store, event, "RetriesExhausted")
    elif result.status == 429 or result.status >= 500:
        event._throttles += 1
        delay = min(THROTTLE_MAX_DELAY, THROTTLE_FIRST_DELAY * 2 ** (event._throttles - 1))
        _again(store, event, delay, f"throttle retry {event._throttles} of {event.label}")
    elif event.retries < event.maximum_retry_attempts:
        delay = RETRY_DELAYS[min(event.retries, len(RETRY_DELAYS) - 1)]
        _again(store, event, delay, f"retry {event.retries + 1} of {event.label}")
    else:
        _finish(store, event, "RetriesExhausted")


def _again(store: Store, event: AsyncEvent, delay: float, label: str) -> None:
    """Schedule the next attempt; an event too old by then is done now, as on AWS (with
    ``MaximumEventAgeInSeconds`` 60 a failed first attempt goes to failure at once, as
    ``EventAgeExceeded``, without waiting for the minute to pass)."""
    due = store.clock.now() + datetime.timedelta(seconds=delay)
    if due >= event.expires:
        _finish(store, event, "EventAgeExceeded")
    else:
        store.scheduler.schedule_at(due, lambda: _run(store, event), label)


def _finish(store: Store, event: AsyncEvent, condition: str) -> None:
    """The event is done: send its record to the destination, and a failed event to the DLQ."""
    with store.lock:
        if event.condition is not None:
            return
        event.condition = condition
        event.finished = store.clock.now()
    for message in _outgoing(event):
        _send(store, event, message)


def _send(store: Store, event: AsyncEvent, message: Outgoing) -> None:
    """Hand one message to its service; a refusal is recorded and counted, never raised."""
    sender = SENDERS.get(_service(message.target))
    error: Optional[str] = None
    if sender is None:
        error = f"moto's mock_aws is not active: nothing serves {message.target}"
    else:
        try:
            sender(store, message)
        except DeliveryFailed as failed:
            error = str(failed)
        except Exception as failed:  # the target service refused it: recorded, never raised at the test
            error = f"{type(failed).__name__}: {failed}"
    with store.lock:
        event.deliveries.append(Delivery(message.target, message.kind, error is None, error, message.body))
    if error is not None:  # what Lambda counts when it cannot hand an event over
        metric = "DeadLetterErrors" if message.kind == "DeadLetter" else "DestinationDeliveryFailures"
        version = event.executed_version
        qualifier = event.qualifier
        emit_metric(
            store,
            event.account_id,
            event.region,
            event.function_name,
            metric,
            1,
            qualifier=qualifier,
            executed_version=version,
        )


def _service(arn: str) -> str:
    parts = arn.split(":")
    return parts[2] if len(parts) > 2 else ""


def _outgoing(event: AsyncEvent) -> list[Outgoing]:
    """The record for the destination, then (for a failed event) the event for the DLQ."""
    messages: list[Outgoing] = []
    success = event.condition == "Success"
    target = event.on_success if success else event.on_failure
    if target:
        kind = "OnSuccess" if success else "OnFailure"
        record = invocation_record(event)
        result = "Success" if success else "Failure"
        # EventBridge: ``resources`` are the bus, then the invoked function's qualified ARN (an
        # event recorded on AWS: cdk-patterns/serverless, the-destined-lambda/README.md).
        message = Outgoing(
            target,
            kind,
            json.dumps(record),
            detail_type=f"Lambda Function Invocation Result - {result}",
            resources=(target, event.function_arn),
            key=_s3_key(event),
            lineage=event.lineage.next() if event.lineage is not None else None,
        )
        messages.append(message)
    if not success and event.dead_letter:
        attributes = {
            "RequestID": ("String", event.request_id),
            "ErrorCode": ("Number", str(event.last_status or 200)),
            "ErrorMessage": ("String", _truncate(event.last_error or "")),
        }
        body = event.payload.decode("utf-8", "replace") if event.payload else "{}"
        messages.append(Outgoing(event.dead_letter, "DeadLetter", body, attributes))
    return messages


def _truncate(text: str) -> str:
    return text.encode("utf-8")[:DLQ_MESSAGE_LIMIT].decode("utf-8", "ignore")


def _s3_key(event: AsyncEvent) -> str:
    """``aws/lambda/async/<function-name>/YYYY/MM/DD/YYYY-MM-DDTHH.MM.SS-<uuid>`` (AWS's naming)."""
    moment = (event.finished or event.accepted).astimezone(datetime.timezone.utc)
    return f"aws/lambda/async/{event.function_name}/{moment:%Y/%m/%d}/{moment:%Y-%m-%dT%H.%M.%S}-{new_uuid()}"


def _stamp(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _payload(data: Optional[bytes]) -> Any:
    if data is None:
        return None
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return data.decode("utf-8", "replace")


def invocation_record(event: AsyncEvent) -> dict[str, Any]:
    """The invocation record Lambda sends to a destination (developer guide, "Capturing records of
    Lambda asynchronous invocations")."""
    ran = [a for a in event.attempts if not a.throttled]
    last = ran[-1] if ran else None
    response: dict[str, Any] = {"statusCode": event.last_status or 200, "executedVersion": event.executed_version}
    if last is not None and last.function_error:
        response["functionError"] = last.function_error
    record: dict[str, Any] = {
        "version": "1.0",
        "timestamp": _stamp(event.finished or event.accepted),
        "requestContext": {
            "requestId": event.request_id,
            "functionArn": event.function_arn,
            "condition": event.condition,
            "approximateInvokeCount": event.invoke_count,
        },
        "requestPayload": event.event,
        "responseContext": response,
    }
    if last is not None:
        record["responsePayload"] = _payload(last.response)
    return record
