"""Lambda's SQS poller, reading moto's queues on the activation's clock.

As on AWS (AWS Lambda developer guide, "Using Lambda with Amazon SQS"): up to ``BatchSize``
visible messages make one synchronous invocation; with ``MaximumBatchingWindowInSeconds`` the
poller waits that long for a full batch. A message that does not pass ``FilterCriteria`` is
deleted unseen. Messages of a successful batch are deleted; those of a failed batch (or the items
a ``ReportBatchItemFailures`` response names) stay in flight for the queue's visibility timeout
and are then received again. A message received ``maxReceiveCount`` times already moves to the
queue's redrive dead-letter queue instead. A FIFO queue delivers each message group in order and
holds a group back while one of its messages is in flight.

moto measures visibility and delays in real time; here they are measured on the mock's clock: an
in-flight message is made invisible to moto (``visible_at`` in the far future) until a scheduled
task makes it visible again.
"""

from __future__ import annotations

import base64
import os
import sys
import time
from typing import Any, Optional

from ...backend import event_filters
from ...backend.invoke import SYNC_PAYLOAD_LIMIT
from ...backend.lineage import Lineage
from ...errors import RecursiveInvocation
from ..destinations import lineage_of_message
from .pollers import Batch, Poller, invoke_batch, judge, wake_source

_IN_FLIGHT = float("inf")
#: SQS's default MessageRetentionPeriod: four days.
_RETENTION = 4 * 24 * 3600
#: What a record adds to its body in the event (ids, receipt handle, attributes), about.
_RECORD_OVERHEAD = 1024


def find_queue(arn: str) -> Any:
    """moto's queue of an SQS ARN, or None (moto's SQS not loaded, or no such queue)."""
    models = sys.modules.get("moto.sqs.models")
    parts = arn.split(":")
    if models is None or len(parts) < 6:
        return None
    try:
        return models.sqs_backends[parts[4]][parts[3]].queues.get(parts[5])
    except (KeyError, AttributeError):
        return None


def _in_flight(message: Any) -> bool:
    return message.visible_at > time.time() * 1000


def message_attributes(message: Any) -> dict:
    """Message attributes in Lambda's lower-camel form."""
    out = {}
    for name, value in sorted((message.message_attributes or {}).items()):
        entry: dict[str, Any] = {}
        if value.get("StringValue") is not None:
            entry["stringValue"] = value["StringValue"]
        if value.get("BinaryValue") is not None:
            binary = value["BinaryValue"]
            entry["binaryValue"] = binary if isinstance(binary, str) else base64.b64encode(binary).decode()
        entry.update(stringListValues=[], binaryListValues=[], dataType=value.get("DataType", "String"))
        out[name] = entry
    return out


def sqs_record(message: Any, queue_arn: str, region: str) -> dict:
    """One message as Lambda hands it to the function (``event["Records"][i]``)."""
    attributes = {
        "ApproximateReceiveCount": str(message.approximate_receive_count),
        "SentTimestamp": str(message.sent_timestamp),
    }
    if message.group_id is not None:
        if message.sequence_number is not None:
            attributes["SequenceNumber"] = str(message.sequence_number)
        attributes["MessageGroupId"] = message.group_id
    attributes["SenderId"] = message.sender_id
    if message.deduplication_id is not None:
        attributes["MessageDeduplicationId"] = message.deduplication_id
    attributes["ApproximateFirstReceiveTimestamp"] = str(message.approximate_first_receive_timestamp)
    trace = (message.system_attributes or {}).get("AWSTraceHeader")
    if trace:
        attributes["AWSTraceHeader"] = trace.get("StringValue") if isinstance(trace, dict) else str(trace)
    custom = message_attributes(message)
    return {
        "messageId": message.id,
        "receiptHandle": message.receipt_handle,
        "body": message.body,
        "attributes": attributes,
        "messageAttributes": custom,
        "md5OfMessageAttributes": message.attribute_md5 if custom else None,
        "md5OfBody": message.body_md5,
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    }


def _within_payload_limit(messages: list[Any]) -> list[Any]:
    """The first messages whose event fits a synchronous invocation's 6 MB payload (at least one):
    Lambda ends a batch early rather than exceed it (AWS Lambda developer guide, SQS batching)."""
    total, taken = 0, []
    for message in messages:
        total += len(message.body.encode()) + _RECORD_OVERHEAD
        if taken and total > SYNC_PAYLOAD_LIMIT:
            break
        taken.append(message)
    return taken


class SqsPoller(Poller):
    """Delivers one queue's messages to one mapping."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._window: Optional[Any] = None
        self._window_over = False

    def poll(self) -> None:
        while True:
            mapping = self.enabled_mapping()
            queue = None if mapping is None else find_queue(mapping["EventSourceArn"])
            if mapping is None or queue is None:
                return
            size = int(mapping["BatchSize"])
            available = self._available(queue, size)
            window = int(mapping.get("MaximumBatchingWindowInSeconds") or 0)
            if not available:
                return
            if window and len(available) < size and not self._window_over:
                if self._window is None:
                    self._window = self.store.scheduler.schedule(
                        window, self._close_window, f"batching window {self.uuid}"
                    )
                return
            self._window_over = False
            if self._window is not None:
                self._window.cancel()
                self._window = None
            self._deliver(mapping, queue, _within_payload_limit(available[:size]))

    def _close_window(self) -> None:
        self._window, self._window_over = None, True
        self.poll()

    def stop(self) -> None:
        super().stop()
        if self._window is not None:
            self._window.cancel()
            self._window = None

    def _available(self, queue: Any, size: int) -> list[Any]:
        """Up to ``size`` messages the poller may receive now, in queue order; those received too
        often already move to the redrive queue on the way (as SQS does on a receive)."""
        messages = list(queue._messages)
        blocked = (
            {m.group_id for m in messages if m.group_id is not None and _in_flight(m)} if queue.fifo_queue else set()
        )
        found = []
        retention_ms = int(getattr(queue, "message_retention_period", None) or _RETENTION) * 1000
        now_ms = self.store.clock.time() * 1000
        for message in messages:
            if now_ms - (message.sent_timestamp or now_ms) >= retention_ms:
                queue._messages.remove(message)  # the retention period ended: SQS deletes it
                continue
            if _in_flight(message) or message.delayed:
                continue
            if queue.fifo_queue and message.group_id in blocked:
                continue
            policy = queue.redrive_policy
            dlq = queue.dead_letter_queue
            if dlq is not None and policy and message.approximate_receive_count >= int(policy["maxReceiveCount"]):
                self._redrive(queue, message)
                continue
            found.append(message)
            if len(found) >= size:
                break
        return found

    def _redrive(self, queue: Any, message: Any) -> None:
        if message in queue._messages:
            queue._messages.remove(message)
        with self.store.lock:
            for batch in reversed(self.store.batches):
                if batch.source_arn == queue.queue_arn and message.id in batch.failed:
                    batch.moved[message.id] = queue.dead_letter_queue.queue_arn
                    break
        queue.dead_letter_queue.add_message(message)

    def _receive(self, message: Any) -> None:
        """What a receive does to a message (moto's ``mark_received``, on the mock's clock)."""
        if not message.approximate_first_receive_timestamp:
            message.approximate_first_receive_timestamp = int(self.store.clock.time() * 1000)
        message.approximate_receive_count += 1
        message._old_receipt_handles.append(message.receipt_handle)
        message.receipt_handle = "AQEB" + base64.b64encode(os.urandom(96)).decode()  # AWS's handles start so
        message.visible_at = _IN_FLIGHT

    def _deliver(self, mapping: dict, queue: Any, messages: list[Any]) -> None:
        patterns = event_filters.parse_criteria(mapping.get("FilterCriteria"))
        region = self.place[1]
        kept = []
        for message in messages:
            self._receive(message)
            record = sqs_record(message, queue.queue_arn, region)
            if event_filters.passes(patterns, event_filters.sqs_view(record)):
                kept.append((message, record))
            else:  # Lambda deletes what its filters drop
                queue.delete_message(message.receipt_handle)
        if not kept:
            return
        records = [record for _, record in kept]
        ids = [record["messageId"] for record in records]
        result = invoke_batch(self.store, self.place, mapping, {"Records": records}, self._lineage(kept))
        outcome, failed = judge(result, mapping, ids)
        if result.error is not None and result.error.startswith(RecursiveInvocation.code):
            self._stopped(queue, kept, self.record(self._batch(mapping, queue, records, "failure", result, ids, kept)))
            return
        for message, record in kept:
            if record["messageId"] not in failed:
                queue.delete_message(message.receipt_handle)
        returning = [(m, m.receipt_handle) for m, r in kept if r["messageId"] in failed]
        if returning:
            label = f"visibility timeout of {len(returning)} message(s) of {queue.name}"
            self.store.scheduler.schedule(
                int(queue.visibility_timeout or 0), lambda: self._return(queue, returning), label
            )
        self.record(self._batch(mapping, queue, records, outcome, result, failed, kept))

    def _batch(
        self, mapping: dict, queue: Any, records: list, outcome: str, result: Any, failed: list, kept: list
    ) -> Batch:
        attempt = max(m.approximate_receive_count for m, _ in kept)
        invocation, version = result.invocation, result.executed_version
        return Batch(
            self.uuid,
            queue.queue_arn,
            mapping["FunctionArn"],
            records,
            outcome,
            invocation,
            version,
            list(failed),
            attempt,
            result.error,
        )

    def _lineage(self, kept: list) -> Optional[Lineage]:
        """The chain of invocations the batch continues (recursive loop detection): the longest its
        messages carry in their ``AWSTraceHeader``."""
        chains = [c for c in (lineage_of_message(m) for m, _ in kept) if c is not None]
        return max(chains, key=lambda c: c.depth) if chains else None

    def _stopped(self, queue: Any, kept: list, batch: Batch) -> None:
        """Recursive loop detection stopped the batch: its messages go to the queue's redrive
        queue when it has one, else they are dropped (AWS Lambda developer guide, "Lambda
        recursive loop detection")."""
        dlq = queue.dead_letter_queue
        for message, _ in kept:
            if message not in queue._messages:
                continue
            queue._messages.remove(message)
            if dlq is not None:
                message.visible_at = 0
                batch.moved[message.id] = dlq.queue_arn
                dlq.add_message(message)

    def _return(self, queue: Any, returning: list[tuple[Any, str]]) -> None:
        """The visibility timeout ran out: the messages are visible again, and polled."""
        for message, handle in returning:
            if message.receipt_handle == handle and message in queue._messages:
                message.visible_at = 0
        wake_source(self.store, queue.queue_arn)
