"""Where asynchronous invocations' records land with moto serving the other services, and how an
SQS message sent from a handler carries the handler's chain of invocations.

**Destinations and dead-letter queues.** When an asynchronous event is done, Lambda sends its
invocation record to the invoked qualifier's ``OnSuccess`` / ``OnFailure`` destination, or the event
to the version's dead-letter queue (:mod:`..backend.async_events`). While a mock is active, the
senders here put those messages straight into moto's backends (looked up when a message is sent,
so moto is imported only by tests that use it): an SQS queue or SNS topic gets the record as its
message (a DLQ message also gets ``RequestID``, ``ErrorCode`` and ``ErrorMessage`` attributes), an
EventBridge bus gets a ``PutEvents`` entry with source ``lambda`` and the record as ``detail``, an S3
bucket an object ``aws/lambda/async/<function>/YYYY/MM/DD/<time>-<uuid>`` holding the record.
A target moto does not have (no such queue, moto's ``mock_aws`` not active, moto not installed) is
a failed delivery, recorded on the event (AWS's ``DestinationDeliveryFailures`` /
``DeadLetterErrors``), never raised at the test.

**Lineage through SQS.** AWS keeps the trace header of the request that sent a message as the
message's ``AWSTraceHeader`` system attribute, and Lambda's recursive loop detection reads the
chain of invocations from it. While a mock is active, moto's ``Queue.add_message`` is patched: a
message added while a handler runs (``send_message``, ``send_message_batch``, an SNS topic's SQS
subscription) gets the handler's chain as ``AWSTraceHeader`` unless it has one already.

For the event source mapping poller: read a polled message's chain with
:func:`lineage_of_message` and pass it as ``Call.lineage`` of the invocation it causes; the event
record's ``attributes.AWSTraceHeader`` is ``message.system_attributes["AWSTraceHeader"]["StringValue"]``.
"""

from __future__ import annotations

import sys
from typing import Any, Callable, Optional

from ..backend import async_events, lineage
from ..backend.async_events import DeliveryFailed, Outgoing
from ..backend.lineage import Lineage
from ..backend.store import Store
from .moto_patches import MotoPatches, Patch, moto_active

TRACE_ATTRIBUTE = "AWSTraceHeader"


def lineage_of_message(message: Any) -> Optional[Lineage]:
    """The chain of invocations a moto SQS message carries (its ``AWSTraceHeader``), or None."""
    attributes = getattr(message, "system_attributes", None) or {}
    value = attributes.get(TRACE_ATTRIBUTE)
    if isinstance(value, dict):
        value = value.get("StringValue")
    return lineage.parse(value if isinstance(value, str) else None)


def _moto_backend(module_name: str, attribute: str, message: Outgoing) -> Any:
    """moto's backend of the target's account and region, when moto is there and mocking."""
    try:
        __import__(module_name)
    except ImportError:
        raise DeliveryFailed("moto is not installed: nothing serves " + message.target) from None
    if not moto_active():
        raise DeliveryFailed(f"moto's mock_aws is not active: nothing serves {message.target}")
    parts = message.target.split(":")
    backends = getattr(sys.modules[module_name], attribute)
    return backends[parts[4]][parts[3] or "aws"]


#: Why a FIFO queue or topic takes nothing: Lambda sends to standard ones only, and counts a FIFO
#: target as a failed delivery (developer guide, "Capturing records of Lambda asynchronous
#: invocations": an unsupported destination type "such as an Amazon SQS FIFO queue or an Amazon
#: SNS FIFO topic" gives ``DestinationDeliveryFailures``).
FIFO_REFUSED = "{} is a FIFO {}: Lambda sends only to standard ones"


def _to_sqs(store: Store, message: Outgoing) -> None:
    backend = _moto_backend("moto.sqs.models", "sqs_backends", message)
    name = message.target.rsplit(":", 1)[-1]
    if name not in backend.queues:
        raise DeliveryFailed(f"SQS queue {message.target} does not exist")
    if backend.queues[name].fifo_queue:
        raise DeliveryFailed(FIFO_REFUSED.format(message.target, "queue"))
    attributes = {key: {"DataType": kind, "StringValue": value} for key, (kind, value) in message.attributes.items()}
    # A destination record carries the event's trace header as its AWSTraceHeader system attribute
    # (LocalStack's test_retries and test_maxeventage, recorded against AWS, receive it).
    system = None
    if message.lineage is not None:
        system = {TRACE_ATTRIBUTE: {"DataType": "String", "StringValue": lineage.header(message.lineage)}}
    backend.send_message(name, message.body, message_attributes=attributes or None, system_attributes=system)


def _to_sns(store: Store, message: Outgoing) -> None:
    backend = _moto_backend("moto.sns.models", "sns_backends", message)
    if message.target not in backend.topics:
        raise DeliveryFailed(f"SNS topic {message.target} does not exist")
    if backend.topics[message.target].fifo_topic:
        raise DeliveryFailed(FIFO_REFUSED.format(message.target, "topic"))
    attributes = {key: {"Type": kind, "Value": value} for key, (kind, value) in message.attributes.items()}
    backend.publish(message.body, arn=message.target, message_attributes=attributes or {})


def _to_events(store: Store, message: Outgoing) -> None:
    backend = _moto_backend("moto.events.models", "events_backends", message)
    bus = message.target.split(":event-bus/", 1)[-1]
    if bus not in backend.event_buses:
        raise DeliveryFailed(f"EventBridge bus {message.target} does not exist")
    entry = {
        "Source": "lambda",
        "DetailType": message.detail_type,
        "Detail": message.body,
        "Resources": list(message.resources),
        "EventBusName": bus,
    }
    (result,) = backend.put_events([entry])
    if result.get("ErrorCode"):
        raise DeliveryFailed(f"{result['ErrorCode']}: {result.get('ErrorMessage')}")


def _to_s3(store: Store, message: Outgoing) -> None:
    _moto_backend("moto.s3.models", "s3_backends", message)
    from moto.s3.models import s3_backends

    bucket = message.target.split(":::", 1)[-1]
    found = getattr(s3_backends, "bucket_accounts", {}).get(bucket)
    if found is None:
        raise DeliveryFailed(f"S3 bucket {message.target} does not exist")
    partition, account = found
    s3_backends[account][partition].put_object(bucket, message.key, message.body.encode())


SENDERS: dict[str, Callable[[Store, Outgoing], None]] = {
    "sqs": _to_sqs,
    "sns": _to_sns,
    "events": _to_events,
    "s3": _to_s3,
}


# -- stamping SQS messages with the chain -----------------------------------------

SQS_MODULE = "moto.sqs.models"


def _add_message(original: Callable[..., Any]) -> Callable[..., Any]:
    """Stands in for moto's ``Queue.add_message`` while a mock is active: a message sent from
    inside a handler carries its chain (``AWSTraceHeader``), as Lambda's trace header does."""

    def add_message(queue: Any, message: Any) -> Any:
        chain = lineage.current()
        attributes = getattr(message, "system_attributes", None)
        if chain is not None and isinstance(attributes, dict) and TRACE_ATTRIBUTE not in attributes:
            attributes[TRACE_ATTRIBUTE] = {"DataType": "String", "StringValue": lineage.header(chain)}
        return original(queue, message)

    return add_message


PATCHES = MotoPatches(Patch(SQS_MODULE, "Queue", "add_message", _add_message))


def patch_moto() -> list[str]:
    """Register the senders and stamp SQS messages; returns the module names to patch with
    :func:`patch_module` once imported."""
    async_events.SENDERS.update(SENDERS)
    return PATCHES.engage()


def patch_module(module_name: str) -> None:
    PATCHES.patch_module(module_name)


def unpatch_moto() -> None:
    """The last mock stopped: moto gets its own method back; the senders are dropped."""
    PATCHES.disengage()
    for service in SENDERS:
        async_events.SENDERS.pop(service, None)
