"""What every poller shares: the batch record, the synchronous invocation of the mapping's ARN,
and waking a mapping's poller on the activation's scheduler.

A poller is kept per mapping in ``store.pollers`` (by UUID). It is told when its mapping is
created, updated or deleted (``store.mapping_listener``) and when its source received data (the
moto hooks), and then schedules one poll task; a poll reads the source until nothing is left to
deliver, one batch (one invocation) at a time, without the store lock while a handler runs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Optional

from ...backend import identity
from ...backend.call import Call
from ...backend.ids import new_uuid
from ...backend.invocations import Invocation
from ...backend.invoke import invoke
from ...errors import LambdaError

if TYPE_CHECKING:
    from ...backend.clock import Task
    from ...backend.lineage import Lineage
    from ...backend.store import Store

#: What a batch came to.
OUTCOMES = ("success", "partial", "failure", "throttled")


@dataclass
class Batch:
    """One batch an event source mapping delivered: one synchronous invocation."""

    mapping_uuid: str
    #: The queue or stream ARN the records came from.
    source_arn: str
    #: The ARN the mapping names (function, version or alias): what was invoked.
    function_arn: str
    #: The records exactly as the function received them (``event["Records"]``).
    records: list[dict]
    #: ``"success"``, ``"partial"`` (some items reported failed), ``"failure"`` (a function
    #: error, or a response Lambda cannot read as batch item failures) or ``"throttled"``.
    outcome: str
    #: The invocation record (None when the function could not be invoked at all).
    invocation: Optional[Invocation] = None
    #: The version that ran (an alias's routing chose it).
    executed_version: Optional[str] = None
    #: Ids of the items that failed: SQS message ids, stream sequence numbers.
    failed: list[str] = field(default_factory=list)
    #: The how-manyth attempt at these records (1 the first time; SQS counts receives).
    attempt: int = 1
    #: The function error or refusal, as ``"Code: message"`` or the handler's ``errorMessage``.
    error: Optional[str] = None
    #: Failed items that left the source, by id: the redrive queue or on-failure destination ARN.
    moved: dict[str, str] = field(default_factory=dict)
    #: Where the mapping is (its account and region).
    account_id: str = ""
    region: str = ""

    @property
    def item_ids(self) -> list[str]:
        """Ids of all items of the batch (message ids, or sequence numbers for streams)."""
        return [_item_id(r) for r in self.records]


def _item_id(record: dict) -> str:
    if "messageId" in record:
        return str(record["messageId"])
    if "kinesis" in record:
        return str(record["kinesis"]["sequenceNumber"])
    return str((record.get("dynamodb") or {}).get("SequenceNumber", ""))


@dataclass
class Result:
    """What one synchronous invocation of a batch answered."""

    response: Any = None
    error: Optional[str] = None
    throttled: bool = False
    invocation: Optional[Invocation] = None
    executed_version: Optional[str] = None

    @property
    def ok(self) -> bool:
        return self.error is None and not self.throttled


def invoke_batch(
    store: Store, place: tuple[str, str], mapping: dict, event: dict, lineage: Optional[Lineage] = None
) -> Result:
    """Invoke the mapping's ARN synchronously with ``event`` through the backend's invoke path."""
    account_id, region = place
    caller = identity.service("lambda.amazonaws.com", mapping["EventSourceArn"], account_id)
    call = Call(store, account_id, region, new_uuid(), caller, "Invoke")
    if lineage is not None:
        call.lineage = lineage
    request = {"FunctionName": mapping["FunctionArn"], "InvocationType": "RequestResponse"}
    request["Payload"] = json.dumps(event).encode()
    result = Result()
    try:
        response = invoke(call, request)
    except LambdaError as error:
        result.error = f"{error.code}: {error.message}"
        result.throttled = error.code == "TooManyRequestsException"
    else:
        result.executed_version = response.get("ExecutedVersion")
        payload = response.get("Payload") or b""
        try:
            result.response = json.loads(payload) if payload else None
        except ValueError:
            result.response = payload.decode("utf-8", "replace")
        if response.get("FunctionError"):
            message = result.response.get("errorMessage") if isinstance(result.response, dict) else None
            result.error = str(message or response["FunctionError"])
    with store.lock:
        records = store.invoke.records
        result.invocation = next((r for r in reversed(records) if r.request_id == call.request_id), None)
    return result


def reported_failures(response: Any, ids: list[str]) -> Optional[list[str]]:
    """The items a ReportBatchItemFailures response names, in batch order; None when Lambda would
    fail the whole batch (an item identifier that is empty, null, or not in the batch).

    An absent, null or empty ``batchItemFailures`` (or an empty response) is complete success.
    Source: AWS Lambda developer guide, "Handling errors for an SQS event source" (success and
    failure conditions of batchItemFailures).
    """
    if response is None or response == "" or response == {}:
        return []
    if not isinstance(response, dict):
        return None
    failures = response.get("batchItemFailures")
    if failures is None or failures == []:
        return []
    if not isinstance(failures, list):
        return None
    named: set[str] = set()
    for item in failures:
        value = item.get("itemIdentifier") if isinstance(item, dict) else None
        if value is None or value == "" or str(value) not in ids:
            return None
        named.add(str(value))
    return [i for i in ids if i in named]


def judge(result: Result, mapping: dict, ids: list[str]) -> tuple[str, list[str]]:
    """(outcome, failed item ids) of a batch that was invoked: a function error or a throttle fails
    every item; with ``ReportBatchItemFailures`` the response names the failed ones ("partial"), and
    a response Lambda cannot read that way fails the whole batch (``result.error`` says why)."""
    if result.throttled:
        return "throttled", ids
    if not result.ok:
        return "failure", ids
    if "ReportBatchItemFailures" not in (mapping.get("FunctionResponseTypes") or []):
        return "success", []
    failed = reported_failures(result.response, ids)
    if failed is None:
        result.error = "the response's batchItemFailures cannot be read as failed items of this batch"
        return "failure", ids
    return ("partial" if failed else "success"), failed


class Poller:
    """One mapping's reader of its source; subclasses poll SQS or a stream."""

    def __init__(self, store: Store, account_id: str, region: str, uuid: str) -> None:
        self.store = store
        self.place = (account_id, region)
        self.uuid = uuid
        self._task: Optional[Task] = None

    def mapping(self) -> Optional[dict]:
        """A copy of the mapping as it is now, or None once deleted."""
        with self.store.lock:
            found = self.store.backend(*self.place).event_source_mappings.get(self.uuid)
            return None if found is None else dict(found)

    def enabled_mapping(self) -> Optional[dict]:
        mapping = self.mapping()
        return mapping if mapping is not None and mapping.get("State") == "Enabled" else None

    def wake(self) -> None:
        """Schedule one poll (at most one is pending at a time)."""
        if self._task is None:
            self._task = self.store.scheduler.schedule(0, self._run, f"poll event source mapping {self.uuid}")

    def _run(self) -> None:
        self._task = None
        self.poll()

    def poll(self) -> None:  # pragma: no cover - every poller overrides it
        raise NotImplementedError

    def changed(self) -> None:
        """The mapping was created or updated (subclasses remember where a stream starts)."""

    def stop(self) -> None:
        """The mapping was deleted: nothing more is read."""
        if self._task is not None:
            self._task.cancel()
            self._task = None

    def record(self, batch: Batch) -> Batch:
        batch.account_id, batch.region = self.place
        self.store.record_batch(batch)
        return batch


def wake_source(store: Store, source_arn: str) -> None:
    """Wake every poller reading ``source_arn`` (it received data, or data became visible)."""
    with store.lock:
        pollers = list(store.pollers.values())
    for poller in pollers:
        mapping = poller.mapping()
        if mapping is not None and mapping.get("EventSourceArn") == source_arn:
            poller.wake()
