"""The handle's controls of durable executions: records to assert on, and running one to an end.

``durable_executions()`` lists records (:class:`DurableExecutionRecord`) of the executions the
mock keeps; ``run_durable(arn, until=...)`` runs one until it suspends or until it is done, on
the mock's clock (see :mod:`.clock`): in ``"manual"`` delivery nothing runs by itself, so a test
steps an execution through its waits with it or with ``advance(seconds)``.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Optional

from ..lookup import Scope
from .executions import TERMINAL, Execution, find, render_event, state_of
from .run import Hooks, sweep_backend
from .updates import expire, public

if TYPE_CHECKING:
    from ..store import Store

UNTIL = ("suspended", "done")


def _json(text: Optional[str]) -> Any:
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


@dataclass(frozen=True)
class DurableExecutionRecord:
    """A durable execution as the mock holds it (a snapshot: ask again for news)."""

    arn: str
    name: str
    function_name: str
    #: The version every invocation of the execution runs.
    version: str
    status: str
    #: The input, the result (None until it succeeds) and the error, decoded from JSON.
    input: Any
    result: Any
    error: Optional[dict[str, Any]]
    started: datetime.datetime
    ended: Optional[datetime.datetime]
    #: Request ids of the invocations of its handler (the first, then each replay).
    invocations: tuple[str, ...]
    #: Its operations in the API's ``Operation`` shape, in the order they were recorded.
    operations: tuple[dict[str, Any], ...]
    #: Its history (``GetDurableExecutionHistory``'s events, payloads included).
    history: tuple[dict[str, Any], ...]

    @property
    def callbacks(self) -> dict[str, str]:
        """Callback ids of the callbacks waiting for an answer, by operation name (or id)."""
        return {
            op.get("Name") or op["Id"]: op["CallbackDetails"]["CallbackId"]
            for op in self.operations
            if op["Type"] == "CALLBACK" and op["Status"] == "STARTED"
        }

    @classmethod
    def of(cls, execution: Execution) -> DurableExecutionRecord:
        return cls(
            arn=execution.arn,
            name=execution.name,
            function_name=execution.function_name,
            version=execution.version,
            status=execution.shown_status,
            input=_json(execution.input_payload),
            result=_json(execution.result),
            error=dict(execution.error) if execution.error else None,
            started=execution.started,
            ended=execution.ended,
            invocations=tuple(execution.request_ids),
            operations=tuple(public(op) for op in execution.operations.values()),
            history=tuple(render_event(e, True) for e in execution.events),
        )


class DurableControls:
    """Mixed into the mock's handle, which owns ``store`` and ``_scope``."""

    store: Store

    @staticmethod
    def _scope(account_id: Optional[str], region: Optional[str]) -> Scope:  # pragma: no cover - Controls'
        raise NotImplementedError

    def durable_executions(
        self,
        function_name: Optional[str] = None,
        *,
        status: Optional[str] = None,
        account_id: Optional[str] = None,
        region: Optional[str] = None,
    ) -> list[DurableExecutionRecord]:
        """Durable executions (:class:`DurableExecutionRecord`), oldest first, filtered by what is given."""
        scope = self._scope(account_id, region)
        with self.store.lock:
            found = []
            for backend in self.store.backends():
                if not scope.covers(backend.account_id, backend.region):
                    continue
                sweep_backend(self.store, backend.account_id, backend.region)
                found += [
                    e
                    for e in state_of(backend).executions.values()
                    if function_name in (None, e.function_name) and status in (None, e.shown_status)
                ]
            found.sort(key=lambda e: e.started)
            return [DurableExecutionRecord.of(e) for e in found]

    def run_durable(self, execution_arn: str, until: str = "done") -> DurableExecutionRecord:
        """Run an execution's scheduled work on the mock's clock and return its record.

        ``until="suspended"``: run what is due now (replays the execution is queued for) and return
        once it waits for time to pass or for a callback. ``until="done"``: also skip idle time to
        each wait, retry and, when nothing else is left, deadline (callback and execution
        timeouts) until the execution has ended.
        """
        if until not in UNTIL:
            raise ValueError(f"until must be one of {', '.join(map(repr, UNTIL))}, got {until!r}")
        store = self.store
        while True:
            execution = self._execution(execution_arn)
            if execution.status in TERMINAL:
                break
            if until == "suspended":
                if store.scheduler.run(until=store.clock.now()) == 0 and not execution.queued:
                    break
            elif store.scheduler.run(until=None) == 0 and not self._skip_to_deadline(execution):
                break
        return DurableExecutionRecord.of(self._execution(execution_arn))

    def _execution(self, arn: str) -> Execution:
        with self.store.lock:
            execution, match = find(self.store, arn)
            if execution is None or match is None:
                raise KeyError(f"no durable execution {arn}")
            sweep_backend(self.store, execution.account_id, execution.region)
            return execution

    def _skip_to_deadline(self, execution: Execution) -> bool:
        """Move the clock to the execution's next deadline and apply it; False if it is busy elsewhere."""
        with self.store.lock:
            if execution.running or execution.queued:
                return False
            deadlines = [d for pair in execution.deadlines.values() for d in pair if d is not None]
            self.store.clock.advance_to(min([*deadlines, execution.deadline]))
            expire(execution, self.store.clock.now(), Hooks(self.store))
            return True
