"""The handle's controls of event source mappings: the batches they delivered, polling on demand,
and pushing records through a mapping by hand (no moto needed)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Optional

from ...backend import event_filters
from ...backend.lookup import NotFound, Scope
from .pollers import OUTCOMES, Batch, invoke_batch, judge

if TYPE_CHECKING:
    from ...backend.store import Store


class EventSourceControls:
    """Mixed into the mock's handle, which owns ``store`` and ``_scope``."""

    store: Store
    _scope: Callable[[Optional[str], Optional[str]], Scope]

    def batches(
        self,
        mapping_uuid: Optional[str] = None,
        *,
        source_arn: Optional[str] = None,
        outcome: Optional[str] = None,
        account_id: Optional[str] = None,
        region: Optional[str] = None,
    ) -> list[Batch]:
        """Batches event source mappings delivered (one invocation each), oldest first, filtered by
        what is given (mappings of any account and region unless narrowed). An unknown mapping UUID
        raises ``NotFound``, so that a typo never reads as "nothing delivered"."""
        if outcome is not None and outcome not in OUTCOMES:
            raise ValueError(f"outcome must be one of {', '.join(OUTCOMES)}, got {outcome!r}")
        scope = self._scope(account_id, region)
        with self.store.lock:
            found = list(self.store.batches)
            if mapping_uuid is not None and not any(b.mapping_uuid == mapping_uuid for b in found):
                self._mapping(mapping_uuid)
        return [
            b
            for b in found
            if mapping_uuid in (None, b.mapping_uuid)
            and source_arn in (None, b.source_arn)
            and outcome in (None, b.outcome)
            and scope.covers(b.account_id, b.region)
        ]

    def poll(self, mapping_uuid: Optional[str] = None) -> int:
        """Have every mapping (or one) read its source now, and run the work that causes (in manual
        mode too: up to what is due now). Returns how many batches were delivered. In background
        mode the mock's thread may be the one running it: ``drain()`` waits for it."""
        with self.store.lock:
            if mapping_uuid is not None:
                self._mapping(mapping_uuid)
            before = self.store.batches_delivered
            pollers = [p for uuid, p in self.store.pollers.items() if mapping_uuid in (None, uuid)]
        for poller in pollers:
            poller.wake()
        self.store.scheduler.run(until=self.store.clock.now())
        with self.store.lock:
            return self.store.batches_delivered - before

    def deliver_to_mapping(self, mapping_uuid: str, records: list[dict]) -> Optional[Batch]:
        """Push ``records`` (as Lambda sends them, e.g. SQS messages) through a mapping by hand: its
        filters, then one synchronous invocation of the ARN it names, recorded as a batch.

        The source is not touched (nothing is deleted or retried): this is for sources moto does
        not serve, or tests without moto. None when the filters drop every record; a disabled
        mapping delivers nothing and raises ``ValueError``.
        """
        with self.store.lock:
            account_id, region, mapping = self._mapping(mapping_uuid)
        if mapping.get("State") != "Enabled":
            raise ValueError(f"event source mapping {mapping_uuid} is {mapping.get('State')}: it delivers nothing")
        patterns = event_filters.parse_criteria(mapping.get("FilterCriteria"))
        sqs = str(mapping["EventSourceArn"]).split(":")[2:3] == ["sqs"]
        view: Any = event_filters.sqs_view if sqs else event_filters.kinesis_view
        kept = [r for r in records if event_filters.passes(patterns, view(r) if ("body" in r or "kinesis" in r) else r)]
        if not kept:
            return None
        result = invoke_batch(self.store, (account_id, region), mapping, {"Records": kept})
        batch = Batch(mapping_uuid, mapping["EventSourceArn"], mapping["FunctionArn"], kept, "success")
        batch.account_id, batch.region = account_id, region
        batch.outcome, batch.failed = judge(result, mapping, batch.item_ids)
        batch.invocation, batch.executed_version, batch.error = result.invocation, result.executed_version, result.error
        self.store.record_batch(batch)
        return batch

    def _mapping(self, mapping_uuid: str) -> tuple[str, str, dict]:
        """(account, region, copy of the mapping) of a UUID in any account and region; caller holds the lock."""
        for backend in self.store.backends():
            found = backend.event_source_mappings.get(mapping_uuid)
            if found is not None:
                return backend.account_id, backend.region, dict(found)
        known = sorted(u for b in self.store.backends() for u in b.event_source_mappings)
        raise NotFound(f"no event source mapping {mapping_uuid!r}; mappings: {', '.join(known) or 'none'}")
