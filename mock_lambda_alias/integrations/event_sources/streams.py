"""Lambda's stream pollers: Kinesis data streams and DynamoDB Streams, read from moto.

As on AWS (AWS Lambda developer guide, "Using Lambda with Kinesis Data Streams" and "... with
DynamoDB"): each shard is read in order from the ``StartingPosition`` the mapping was created with
(``TRIM_HORIZON``: the oldest record; ``LATEST``: only records written after; ``AT_TIMESTAMP``:
from that moment, Kinesis only). A failed batch blocks its shard and is retried until it
succeeds, ``MaximumRetryAttempts`` is used up, or its records are older than
``MaximumRecordAgeInSeconds`` (or the stream's retention); then it is skipped and, with
``DestinationConfig.OnFailure``, described to that SQS queue or SNS topic. With
``BisectBatchOnFunctionError`` a failing batch is split in two first (not counted as a retry);
with ``ReportBatchItemFailures`` the shard restarts from the lowest failed sequence number.
"""

from __future__ import annotations

import base64
import datetime
import itertools
import json
import sys
from typing import Any, Optional

from ...backend import event_filters
from ...backend.telemetry import emit_metric
from .pollers import Batch, Result, invoke_batch, judge
from .windows import TumblingWindows

UTC = datetime.timezone.utc
#: How long a stream keeps records (DynamoDB Streams: 24 hours; Kinesis: the stream's setting).
DEFAULT_RETENTION = 24 * 3600


def _epoch(moment: Any) -> float:
    if isinstance(moment, (int, float)):
        return float(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def _backend(service: str, arn: str) -> Any:
    module = {"kinesis": "moto.kinesis.models", "dynamodb": "moto.dynamodb.models"}[service]
    models = sys.modules.get(module)
    parts = arn.split(":")
    if models is None or len(parts) < 6:
        return None
    backends = getattr(models, f"{service}_backends", None)
    try:
        return backends[parts[4]][parts[3]]
    except (KeyError, TypeError):
        return None


def kinesis_shards(arn: str, region: str, role: str) -> tuple[list[tuple[str, list[dict]]], int]:
    """(shard id, records as Lambda sends them) of a Kinesis stream, and its retention in seconds."""
    backend = _backend("kinesis", arn)
    stream = None if backend is None else backend.streams.get(arn.split("/", 1)[-1])
    if stream is None:
        return [], DEFAULT_RETENTION
    shards = []
    for shard_id, shard in sorted((s.shard_id, s) for s in stream.shards.values()):
        records = [_kinesis_record(r, shard_id, arn, region, role) for r in list(shard.records.values())]
        shards.append((shard_id, records))
    return shards, int(stream.retention_period_hours) * 3600


def _kinesis_record(record: Any, shard_id: str, arn: str, region: str, role: str) -> dict:
    data = record.data
    if isinstance(data, (bytes, bytearray)):  # moto 5.2 keeps the decoded blob; 5.1 the wire's base64 text
        data = base64.b64encode(bytes(data)).decode("ascii")
    return {
        "kinesis": {
            "kinesisSchemaVersion": "1.0",
            "partitionKey": record.partition_key,
            "sequenceNumber": str(record.sequence_number),
            "data": data,
            "approximateArrivalTimestamp": round(_epoch(record.created_at), 3),
        },
        "eventSource": "aws:kinesis",
        "eventVersion": "1.0",
        "eventID": f"{shard_id}:{record.sequence_number}",
        "eventName": "aws:kinesis:record",
        "invokeIdentityArn": role,
        "awsRegion": region,
        "eventSourceARN": arn,
    }


def dynamodb_shards(arn: str, region: str, role: str) -> tuple[list[tuple[str, list[dict]]], int]:
    """The one shard of a table's stream (moto keeps one), with its records as Lambda sends them."""
    del role
    backend = _backend("dynamodb", arn)
    name = arn.split(":table/", 1)[-1].split("/stream/", 1)[0]
    table = None if backend is None else backend.tables.get(name)
    shard = None if table is None else table.stream_shard
    if shard is None or not arn.endswith(f"/stream/{table.latest_stream_label}"):
        return [], DEFAULT_RETENTION
    return [(shard.id, [_dynamodb_record(item, arn, region) for item in list(shard.items)])], DEFAULT_RETENTION


def _dynamodb_record(item: Any, arn: str, region: str) -> dict:
    raw = item.to_json()
    dynamodb = dict(raw["dynamodb"])
    dynamodb["ApproximateCreationDateTime"] = int(_epoch(dynamodb["ApproximateCreationDateTime"]))
    # An insert has no old image and a removal no new one (older moto writes them empty).
    dynamodb.pop({"INSERT": "OldImage", "REMOVE": "NewImage"}.get(raw["eventName"], ""), None)
    return {
        "eventID": raw["eventID"],
        "eventName": raw["eventName"],
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": region,
        "dynamodb": dynamodb,
        "eventSourceARN": arn,
    }


def _iterator_age(store: Any, place: tuple[str, str], mapping: dict, age_ms: float, result: Any) -> None:
    """Lambda's ``IteratorAge``: how old the batch's last record was when the poller read it."""
    if result.invocation is None:
        return
    name, _, qualifier = mapping["FunctionArn"].split(":function:", 1)[1].partition(":")
    version = result.executed_version
    age = max(0.0, round(age_ms))
    emit_metric(
        store,
        *place,
        name,
        "IteratorAge",
        age,
        unit="Milliseconds",
        qualifier=qualifier or None,
        executed_version=version,
    )


def _arrival(record: dict) -> float:
    if "kinesis" in record:
        return float(record["kinesis"]["approximateArrivalTimestamp"])
    return float(record["dynamodb"]["ApproximateCreationDateTime"])


def _sequence(record: dict) -> str:
    return str(record["kinesis"]["sequenceNumber"] if "kinesis" in record else record["dynamodb"]["SequenceNumber"])


class StreamPoller(TumblingWindows):
    """Delivers one stream's shards to one mapping, each shard in order."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.service = ""
        self.positions: dict[str, int] = {}
        self.attempts: dict[str, int] = {}
        self.limits: dict[str, int] = {}
        self.retries: dict[str, Any] = {}
        self.windows: dict[str, Any] = {}
        self.windows_over: set[str] = set()
        self.started = False

    def shards(self, mapping: dict) -> tuple[list[tuple[str, list[dict]]], int]:
        arn = mapping["EventSourceArn"]
        role = self._role(mapping)
        reader = kinesis_shards if arn.split(":")[2] == "kinesis" else dynamodb_shards
        return reader(arn, self.place[1], role)

    def _role(self, mapping: dict) -> str:
        name = mapping["FunctionArn"].split(":")[6]
        with self.store.lock:
            function = self.store.backend(*self.place).functions.get(name)
            return "" if function is None else str(function.latest.config.get("Role", ""))

    def changed(self) -> None:
        """Where each shard starts is fixed when the mapping is created (``StartingPosition``)."""
        mapping = self.mapping()
        if mapping is None or self.started:
            return
        self.started = True
        position = mapping.get("StartingPosition")
        moment = mapping.get("StartingPositionTimestamp")
        for shard_id, records in self.shards(mapping)[0]:
            if position == "LATEST":
                self.positions[shard_id] = len(records)
            elif position == "AT_TIMESTAMP" and moment is not None:
                self.positions[shard_id] = sum(1 for r in records if _arrival(r) < _epoch(moment))
            else:
                self.positions[shard_id] = 0

    def stop(self) -> None:
        super().stop()
        for task in (*self.retries.values(), *self.windows.values()):
            task.cancel()
        self.retries.clear()
        self.windows.clear()

    def poll(self) -> None:
        mapping = self.enabled_mapping()
        if mapping is None:
            return
        shards, retention = self.shards(mapping)
        for shard_id, records in shards:
            while shard_id not in self.retries and self._next(mapping, shard_id, records, retention):
                mapping = self.enabled_mapping()
                if mapping is None:
                    return

    def _next(self, mapping: dict, shard_id: str, records: list[dict], retention: int) -> bool:
        """Deliver the shard's next batch; False when nothing is left to read now."""
        start = self.positions.setdefault(shard_id, 0)
        pending = records[start:]
        if not pending:
            return False
        now = self.store.clock.time()
        max_age = int(mapping.get("MaximumRecordAgeInSeconds", -1))
        limit = retention if max_age < 0 else max_age
        expired = list(itertools.takewhile(lambda r: now - _arrival(r) > limit, pending))
        if expired:
            self.positions[shard_id] = start + len(expired)
            if max_age >= 0:
                self._on_failure(mapping, shard_id, expired, "RecordAgeExceeded", None, None)
            return True
        if self._waiting(mapping, shard_id, len(pending)):
            return False
        batch = pending[: self.limits.get(shard_id, int(mapping["BatchSize"]))]
        window = self.window_of(mapping, _arrival(batch[0]))
        if window is not None:  # a batch never spans two tumbling windows
            batch = list(itertools.takewhile(lambda r: self.window_of(mapping, _arrival(r)) == window, batch))
        patterns = event_filters.parse_criteria(mapping.get("FilterCriteria"))
        view = event_filters.kinesis_view if "kinesis" in batch[0] else dict
        kept = [r for r in batch if event_filters.passes(patterns, view(r))]
        if not kept:
            self.positions[shard_id] = start + len(batch)
            return True
        event = {"Records": kept} if window is None else self.window_event(mapping, shard_id, kept, window)
        result = invoke_batch(self.store, self.place, mapping, event)
        _iterator_age(self.store, self.place, mapping, (now - _arrival(kept[-1])) * 1000, result)
        if window is not None and result.ok:
            self.keep_state(shard_id, window, result.response)
        self._settle(mapping, shard_id, start, batch, kept, result)
        return True

    def _waiting(self, mapping: dict, shard_id: str, pending: int) -> bool:
        """Whether the shard's batching window is still filling (``MaximumBatchingWindowInSeconds``:
        a batch waits for that long, on the mock's clock, unless it is full; retries do not wait)."""
        window = int(mapping.get("MaximumBatchingWindowInSeconds") or 0)
        if not window or pending >= int(mapping["BatchSize"]) or self.attempts.get(shard_id):
            return False
        if shard_id in self.windows_over:
            self.windows_over.discard(shard_id)
            return False
        if shard_id not in self.windows:
            self.windows[shard_id] = self.store.scheduler.schedule(
                window, lambda: self._window_closed(shard_id), f"batching window of shard {shard_id} ({self.uuid})"
            )
        return True

    def _window_closed(self, shard_id: str) -> None:
        self.windows.pop(shard_id, None)
        self.windows_over.add(shard_id)
        self.poll()

    def _settle(self, mapping: dict, shard_id: str, start: int, batch: list, kept: list, result: Result) -> None:
        ids = [_sequence(r) for r in kept]
        outcome, failed = judge(result, mapping, ids)
        attempt = self.attempts.get(shard_id, 0) + 1
        done = Batch(self.uuid, mapping["EventSourceArn"], mapping["FunctionArn"], kept, outcome)
        done.invocation, done.executed_version, done.failed = result.invocation, result.executed_version, failed
        done.attempt, done.error = attempt, result.error
        self.record(done)
        self._last_result("OK" if result.ok else "PROBLEM: Function call failed")
        if not failed:
            self.positions[shard_id] = start + len(batch)
            self.attempts.pop(shard_id, None)
            self.limits.pop(shard_id, None)
            return
        checkpoint = next(i for i, r in enumerate(batch) if _sequence(r) == failed[0])
        self.positions[shard_id] = start + checkpoint
        rest = batch[checkpoint:]
        if checkpoint == 0 and mapping.get("BisectBatchOnFunctionError") and len(rest) > 1 and not result.throttled:
            self.limits[shard_id] = len(rest) // 2  # split in two: not counted as a retry
            return
        retries = int(mapping.get("MaximumRetryAttempts", -1))
        if 0 <= retries < attempt:
            self.positions[shard_id] = start + len(batch)
            self.attempts.pop(shard_id, None)
            self.limits.pop(shard_id, None)
            done.moved.update(self._on_failure(mapping, shard_id, rest, "RetryAttemptsExhausted", result, attempt))
            return
        self.attempts[shard_id] = attempt
        delay = min(2 ** (attempt - 1), 60)
        self.retries[shard_id] = self.store.scheduler.schedule(
            delay, lambda: self._retry(shard_id), f"retry {attempt} of shard {shard_id} ({self.uuid})"
        )

    def _last_result(self, text: str) -> None:
        """The mapping's ``LastProcessingResult``, as GetEventSourceMapping reports it."""
        with self.store.lock:
            mapping = self.store.backend(*self.place).event_source_mappings.get(self.uuid)
            if mapping is not None:
                mapping["LastProcessingResult"] = text

    def _retry(self, shard_id: str) -> None:
        self.retries.pop(shard_id, None)
        self.poll()

    def _on_failure(
        self, mapping: dict, shard_id: str, records: list, condition: str, result: Optional[Result], attempts: Any
    ) -> dict[str, str]:
        """Describe discarded records to the on-failure destination (the records stay in the stream)."""
        destination = ((mapping.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination")
        if not destination:
            return {}
        invocation = None if result is None else result.invocation
        info = {
            "shardId": shard_id,
            "startSequenceNumber": _sequence(records[0]),
            "endSequenceNumber": _sequence(records[-1]),
            "approximateArrivalOfFirstRecord": _iso(_arrival(records[0])),
            "approximateArrivalOfLastRecord": _iso(_arrival(records[-1])),
            "batchSize": len(records),
            "streamArn": mapping["EventSourceArn"],
        }
        message = {
            "requestContext": {
                "requestId": invocation.request_id if invocation else "",
                "functionArn": mapping["FunctionArn"],
                "condition": condition,
                "approximateInvokeCount": attempts or 0,
            },
            "responseContext": {
                "statusCode": 429 if result is not None and result.throttled else 200,
                "executedVersion": (result.executed_version if result else None) or "",
                "functionError": "Unhandled" if result is not None and not result.ok else "",
            },
            "version": "1.0",
            "timestamp": _iso(self.store.clock.time()),
            ("KinesisBatchInfo" if "kinesis" in records[0] else "DDBStreamBatchInfo"): info,
        }
        if not send_to_destination(destination, json.dumps(message)):
            return {}
        return {_sequence(r): destination for r in records}


def _iso(seconds: float) -> str:
    moment = datetime.datetime.fromtimestamp(seconds, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def send_to_destination(arn: str, body: str) -> bool:
    """Send to an SQS queue or SNS topic served by moto; False when it is not there (AWS would
    fail the delivery too: the record is lost, never raised at the test)."""
    parts = arn.split(":")
    service = parts[2] if len(parts) > 5 else ""
    models = sys.modules.get(f"moto.{service}.models") if service in ("sqs", "sns") else None
    if models is None:
        return False
    backend = getattr(models, f"{service}_backends")[parts[4]][parts[3]]
    try:
        if service == "sqs":
            backend.send_message(parts[5], body)
        else:
            backend.publish(body, arn=arn, message_attributes={})
    except Exception:  # moto's errors (no such queue or topic) are the destination's failure
        return False
    return True
