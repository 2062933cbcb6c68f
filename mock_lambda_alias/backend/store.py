"""The state of one activation: a lazy backend per (account, region) behind one lock.

Every handler runs under :attr:`Store.lock`, so concurrent clients in several threads see each
operation as atomic. Parsing and response writing happen outside the lock, and so does users'
code: Invoke holds the lock only to read and record state.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from .clock import Clock, Scheduler
from .invocations import DEFAULT_MAX_RECORDS, InvokeState
from .model import Function, Layer

__all__ = ["DEFAULT_ACCOUNT_ID", "DEFAULT_MAX_RECORDS", "DEFAULT_REGION", "LambdaBackend", "Store"]

DEFAULT_ACCOUNT_ID = "123456789012"
DEFAULT_REGION = "us-east-1"


@dataclass
class LambdaBackend:
    """Lambda resources of one account in one region."""

    account_id: str
    region: str
    functions: dict[str, Function] = field(default_factory=dict)
    #: Event source mappings by UUID; they outlive the functions they point to, as on AWS.
    event_source_mappings: dict[str, dict] = field(default_factory=dict)
    #: Layers by name (PublishLayerVersion); each keeps its own version numbering.
    layers: dict[str, Layer] = field(default_factory=dict)
    #: Zip bytes tests register for ``Code={"S3Bucket":..., "S3Key":...}``: (bucket, key) -> bytes.
    s3_objects: dict[tuple[str, str], bytes] = field(default_factory=dict)
    #: Code signing configurations by ARN (code_signing.py).
    code_signing_configs: dict[str, Any] = field(default_factory=dict)
    #: Capacity providers (Lambda Managed Instances) by name (capacity_providers.py).
    capacity_providers: dict[str, Any] = field(default_factory=dict)
    #: Functions given a reserved concurrency, by name (concurrency.py): the account's reserved
    #: total is summed over these, not over every function. An entry whose function was deleted
    #: (the name maps to another object, or to none) no longer counts.
    reserving: dict[str, Function] = field(default_factory=dict)
    #: Functions that were given a CapacityProviderConfig (functions.py), by name: a capacity
    #: provider's users are looked for among these only. Stale entries are skipped as above.
    capacity_users: dict[str, Function] = field(default_factory=dict)
    #: Functions that were given a code signing configuration, by name (functions.py,
    #: code_signing.py): a configuration's users are looked for among these only.
    signed: dict[str, Function] = field(default_factory=dict)
    #: ``functions``' names in order, kept between ListFunctions pages; None after a create or
    #: delete (see :meth:`function_names`).
    sorted_names: Optional[list[str]] = field(default=None, repr=False)
    #: GetAccountSettings' ``TotalCodeSize``, kept until a package is added or dropped: a create,
    #: a code update, or a delete (publishing copies ``$LATEST``'s package, already counted).
    code_size: Optional[int] = field(default=None, repr=False)

    def current(self, index: dict[str, Function]) -> list[tuple[str, Function]]:
        """The entries of an index above (``reserving``, ``capacity_users``, ``signed``) whose function
        still exists, by name: a deleted function's entry, or one whose name now belongs to another
        function, is skipped."""
        functions = self.functions
        return [(name, f) for name, f in sorted(index.items()) if functions.get(name) is f]

    def function_names(self) -> list[str]:
        """The functions' names in order: sorted once per change of the set of functions."""
        names = self.sorted_names
        if names is None or len(names) != len(self.functions):
            names = self.sorted_names = sorted(self.functions)
        return names


class Store:
    """All backends of one activation of the mock; starts empty."""

    def __init__(
        self,
        default_account_id: str = DEFAULT_ACCOUNT_ID,
        seed: Optional[int] = None,
        isolation: str = "in-process",
        max_invocation_records: Optional[int] = DEFAULT_MAX_RECORDS,
        delivery: str = "immediate",
    ) -> None:
        self.default_account_id = default_account_id
        #: How handlers run and how many invocation records are kept (see :class:`InvokeState`).
        self.isolation = isolation
        self.max_invocation_records = max_invocation_records
        self.lock = threading.RLock()
        #: The activation's time, and the work (retries, deliveries, wake-ups) due on it.
        self.clock = Clock()
        self.scheduler = Scheduler(self.clock, delivery)
        self._backends: dict[tuple[str, str], LambdaBackend] = {}
        #: Function URLs of all accounts and regions: url-id -> (account, region, function, qualifier).
        self.function_urls: dict[str, tuple[str, str, str, Optional[str]]] = {}
        #: Called when a function URL is created (the switch starts serving URLs then).
        self.url_listener: Optional[Callable[[], None]] = None
        self.seed = seed
        self._invoke: Optional[InvokeState] = None
        #: Whether a durable function was ever created here: until then Invoke skips durable checks.
        self.has_durable = False
        #: Pushes invocations to CloudWatch (moto's) when set (the switch sets it; see InvokeState.sink).
        self.telemetry_sink: Any = None
        #: Events services delivered (or failed to deliver) to functions: ``delivery.Delivery``
        #: (as many as the invocation records kept, the oldest going first).
        self.deliveries: deque[Any] = deque(maxlen=max_invocation_records)
        #: Asynchronous events accepted, oldest first: ``async_events.AsyncEvent`` (as many as the
        #: invocation records kept, the oldest going first).
        self.async_events: deque[Any] = deque(maxlen=max_invocation_records)
        #: Told (account, region, UUID) when an event source mapping is created, updated or deleted.
        self.mapping_listener: Optional[Callable[[str, str, str], None]] = None
        #: Batches event source mappings delivered, oldest first (as many as the invocation records
        #: kept), how many were ever delivered, and each mapping's poller state.
        self.batches: deque[Any] = deque(maxlen=max_invocation_records)
        self.batches_delivered = 0
        self.pollers: dict[str, Any] = {}

    @property
    def invoke(self) -> InvokeState:
        """Routing randomness, forced choices, faults, handlers and records of invocations (made on
        first use: most activations never invoke)."""
        state = self._invoke
        if state is None:
            with self.lock:
                if self._invoke is None:
                    fresh = InvokeState(isolation=self.isolation)
                    fresh.sink = self.telemetry_sink
                    fresh.sandbox.now = self.clock.now
                    fresh.reseed(self.seed)
                    fresh.limit_records(self.max_invocation_records)
                    self._invoke = fresh
                state = self._invoke
        return state

    def record_batch(self, batch: Any) -> None:
        """Keep a batch an event source mapping delivered (the oldest goes beyond the limit)."""
        with self.lock:
            self.batches.append(batch)
            self.batches_delivered += 1

    def backend(self, account_id: str, region: str) -> LambdaBackend:
        key = (account_id, region)
        backend = self._backends.get(key)
        if backend is None:
            with self.lock:
                backend = self._backends.get(key)
                if backend is None:
                    backend = LambdaBackend(account_id, region)
                    self._backends[key] = backend
        return backend

    def backends(self) -> list[LambdaBackend]:
        with self.lock:
            return list(self._backends.values())

    def reset(self) -> None:
        self.scheduler.close()
        self.scheduler = Scheduler(self.clock, self.scheduler.mode)
        with self.lock:
            self._backends.clear()
            self.function_urls.clear()
            self.deliveries.clear()
            self.async_events.clear()
            self.batches.clear()
            self.batches_delivered = 0
            self.pollers.clear()
            if self._invoke is not None:
                self.seed = self._invoke.seed
            old, self._invoke = self._invoke, None
        if old is not None:
            old.sandbox.close()

    def close(self) -> None:
        """End the activation's execution environments and remove its extracted packages."""
        self.scheduler.close()
        with self.lock:
            state = self._invoke
        if state is not None:
            state.sandbox.close()
