"""Where moto's SQS, Kinesis and DynamoDB hand us their data, and where mappings are told apart.

While a mock is active these moto methods are wrapped (also when moto's module is imported after
the mock started; restored at the last stop), each calling moto's own code first:

- ``moto.sqs.models.Queue.add_message`` (every SendMessage, SendMessageBatch entry, and a message
  moved to a dead-letter queue): stamps the message with the mock's clock (``SentTimestamp``; a
  ``DelaySeconds`` runs out on the mock's clock) and wakes the queue's mappings;
- ``moto.sqs.models.SQSBackend.send_message_batch``: the whole batch is queued before any poll,
  as AWS's poller would find it;
- ``moto.kinesis.models.Stream.put_record`` (PutRecord and each PutRecords entry) and
  ``KinesisBackend.put_records``: stamps ``ApproximateArrivalTimestamp`` with the mock's clock;
- ``moto.dynamodb.models.table.StreamShard.add`` (every write to a table with a stream).

Then the scheduler settles (immediate mode: the batches run before the producer's call returns).
"""

from __future__ import annotations

import itertools
import threading
import time
from typing import Any, Callable, Optional

from ..moto_patches import MotoPatches, Patch
from .pollers import Poller, wake_source
from .sqs import SqsPoller
from .streams import StreamPoller

_local = threading.local()
#: FIFO sequence numbers for messages moto left without one (20 digits, increasing, as SQS's).
_SEQUENCE = itertools.count(18849496460467696128)


def _store() -> Any:
    mock = PATCHES.active()
    return None if mock is None else mock.store


def _settle(store: Any) -> None:
    if not getattr(_local, "grouping", 0):
        store.scheduler.settle()


def _queue_add_message(original: Callable[..., Any]) -> Callable[..., Any]:
    def add_message(queue: Any, message: Any) -> None:
        _add_message(original, queue, message)

    return add_message


def _add_message(original: Callable[..., Any], queue: Any, message: Any) -> None:
    store = _store()
    fresh = store is not None and message.approximate_receive_count == 0
    if fresh:
        delay = message.delayed_until / 1000 - time.time()
        message.sent_timestamp = int(store.clock.time() * 1000)
        if queue.fifo_queue and message.sequence_number is None:  # SQS numbers every FIFO message
            message.sequence_number = str(next(_SEQUENCE))
    original(queue, message)
    if store is None or message not in queue._messages:
        return
    if fresh and delay > 0:

        def release() -> None:
            message.delayed_until = 0
            wake_source(store, queue.queue_arn)

        store.scheduler.schedule(delay, release, f"delay of message {message.id}")
    wake_source(store, queue.queue_arn)
    _settle(store)


def _grouped(original: Callable[..., Any]) -> Callable[..., Any]:
    """A batch call of moto: its entries are all written before any mapping polls."""

    def wrapper(backend: Any, *args: Any, **kwargs: Any) -> Any:
        _local.grouping = getattr(_local, "grouping", 0) + 1
        try:
            return original(backend, *args, **kwargs)
        finally:
            _local.grouping -= 1
            store = _store()
            if store is not None:
                _settle(store)

    return wrapper


def _stream_put_record(original: Callable[..., Any]) -> Callable[..., Any]:
    def put_record(stream: Any, *args: Any, **kwargs: Any) -> Any:
        return _put_record(original, stream, *args, **kwargs)

    return put_record


def _put_record(original: Callable[..., Any], stream: Any, *args: Any, **kwargs: Any) -> Any:
    sequence_number, shard_id = original(stream, *args, **kwargs)
    store = _store()
    if store is not None:
        for shard in stream.shards.values():
            if shard.shard_id == shard_id:
                shard.records[int(sequence_number)].created_at = store.clock.now().replace(tzinfo=None)
        wake_source(store, stream.arn)
        _settle(store)
    return sequence_number, shard_id


def _stream_shard_add(original: Callable[..., Any]) -> Callable[..., Any]:
    def add(shard: Any, old: Any, new: Any) -> None:
        _shard_add(original, shard, old, new)

    return add


def _shard_add(original: Callable[..., Any], shard: Any, old: Any, new: Any) -> None:
    original(shard, old, new)
    store = _store()
    if store is None:
        return
    if shard.items:
        shard.items[-1].record["dynamodb"]["ApproximateCreationDateTime"] = store.clock.now().replace(tzinfo=None)
    table = shard.table
    wake_source(store, f"{table.table_arn}/stream/{table.latest_stream_label}")
    _settle(store)


#: What stands in for moto while a mock is active.
PATCHES = MotoPatches(
    Patch("moto.sqs.models", "Queue", "add_message", _queue_add_message),
    Patch("moto.sqs.models", "SQSBackend", "send_message_batch", _grouped),
    Patch("moto.kinesis.models", "Stream", "put_record", _stream_put_record),
    Patch("moto.kinesis.models", "KinesisBackend", "put_records", _grouped),
    Patch("moto.dynamodb.models.table", "StreamShard", "add", _stream_shard_add),
)


# -- mappings ---------------------------------------------------------------------

_KINDS: dict[str, type[Poller]] = {"sqs": SqsPoller, "kinesis": StreamPoller, "dynamodb": StreamPoller}


def mapping_changed(store: Any, account_id: str, region: str, uuid: str) -> None:
    """``store.mapping_listener``: a mapping was created, updated or deleted (store lock held)."""
    mapping = store.backend(account_id, region).event_source_mappings.get(uuid)
    poller: Optional[Poller] = store.pollers.get(uuid)
    if mapping is None:
        if poller is not None:
            del store.pollers[uuid]
            poller.stop()
        return
    if poller is None:
        parts = str(mapping.get("EventSourceArn", "")).split(":")
        kind = _KINDS.get(parts[2] if len(parts) > 2 else "")
        if kind is None:
            return
        poller = store.pollers[uuid] = kind(store, account_id, region, uuid)
    poller.changed()
    poller.wake()
