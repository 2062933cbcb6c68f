"""Tumbling windows of stream mappings (``TumblingWindowInSeconds``).

As on AWS (AWS Lambda developer guide, "Using tumbling windows" for Kinesis and DynamoDB Streams):
records are grouped into fixed, back-to-back windows of that many seconds by their arrival time;
a batch never spans two windows. Each invocation gets the window (``start``/``end``), the
``state`` the previous invocation of that window returned (``{"state": {...}}``; ``{}`` at first),
the ``shardId`` and ``eventSourceARN``; when the window ends, one more invocation with no records
and ``isFinalInvokeForWindow: true`` hands over the final state, which is then dropped.
"""

from __future__ import annotations

import datetime
from typing import Any, Optional

from .pollers import Batch, Poller, invoke_batch

UTC = datetime.timezone.utc


def _iso(seconds: float) -> str:
    return datetime.datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class TumblingWindows(Poller):
    """The window state of each shard of one stream mapping."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        #: shard -> (window start, state the last invocation returned)
        self.states: dict[str, tuple[float, Any]] = {}
        self.closers: dict[str, Any] = {}

    @staticmethod
    def window_of(mapping: dict, arrival: float) -> Optional[float]:
        """The start of the tumbling window a record arriving then falls in (None: no windows)."""
        size = int(mapping.get("TumblingWindowInSeconds") or 0)
        return None if not size else arrival // size * size

    def window_event(self, mapping: dict, shard_id: str, records: list, start: float) -> dict:
        """The event of a batch in the window beginning at ``start``; a new window first ends the
        shard's previous one with its final invocation."""
        kept = self.states.get(shard_id)
        if kept is not None and kept[0] != start:
            self.final(mapping, shard_id)
        if shard_id not in self.closers:
            end = datetime.datetime.fromtimestamp(start + int(mapping["TumblingWindowInSeconds"]), UTC)
            label = f"end of tumbling window of shard {shard_id} ({self.uuid})"
            self.closers[shard_id] = self.store.scheduler.schedule_at(end, lambda: self._close(shard_id), label)
        state = self.states.get(shard_id, (start, {}))[1]
        return self._event(mapping, shard_id, records, start, state, final=False)

    def keep_state(self, shard_id: str, start: float, response: Any) -> None:
        state = response.get("state") if isinstance(response, dict) else None
        self.states[shard_id] = (start, state if isinstance(state, dict) else {})

    def _event(self, mapping: dict, shard_id: str, records: list, start: float, state: Any, final: bool) -> dict:
        size = int(mapping["TumblingWindowInSeconds"])
        return {
            "Records": records,
            "window": {"start": _iso(start), "end": _iso(start + size)},
            "state": state,
            "shardId": shard_id,
            "eventSourceARN": mapping["EventSourceArn"],
            "isFinalInvokeForWindow": final,
            "isWindowTerminatedEarly": False,
        }

    def _close(self, shard_id: str) -> None:
        self.closers.pop(shard_id, None)
        mapping = self.enabled_mapping()
        if mapping is not None:
            self.final(mapping, shard_id)

    def final(self, mapping: dict, shard_id: str) -> None:
        """The window's last invocation: no records, the final state."""
        task = self.closers.pop(shard_id, None)
        if task is not None:
            task.cancel()
        kept = self.states.pop(shard_id, None)
        if kept is None:
            return
        event = self._event(mapping, shard_id, [], kept[0], kept[1], final=True)
        result = invoke_batch(self.store, self.place, mapping, event)
        outcome = "success" if result.ok else "throttled" if result.throttled else "failure"
        batch = Batch(self.uuid, mapping["EventSourceArn"], mapping["FunctionArn"], [], outcome)
        batch.invocation, batch.executed_version, batch.error = result.invocation, result.executed_version, result.error
        self.record(batch)

    def stop(self) -> None:
        super().stop()
        for task in self.closers.values():
            task.cancel()
        self.closers.clear()
