"""Which backend function answers which Lambda operation.

Resource-family modules mark their entry points with ``@api("OperationName")``; the dispatcher
looks the operation up here by the name botocore's event carries. An operation with no entry
answers ``UnknownOperationException`` naming it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Optional

from .store import LambdaBackend, Store

if TYPE_CHECKING:
    from ..identity import Identity


@dataclass
class Call:
    """Where a request lands (store, account, region) and who sent it."""

    store: Store
    account_id: str
    region: str
    #: The request id of this call (``x-amzn-RequestId``; Invoke hands it to the handler too).
    request_id: str = ""
    #: Who signed the request (None: the activation's own account, e.g. calls made by the mock).
    caller: Optional[Identity] = None
    #: The operation being answered, for the IAM action a resource-based policy is matched on.
    operation: str = ""
    #: The policy statement that let a cross-account (or strict, or service) caller in.
    allowed_by: Optional[str] = None

    @property
    def backend(self) -> LambdaBackend:
        return self.store.backend(self.account_id, self.region)


Handler = Callable[[Call, dict], Optional[dict]]

HANDLERS: dict[str, Handler] = {}
#: Operations that take the store lock themselves.
SELF_LOCKING: set[str] = set()


def api(operation: str, *, manages_lock: bool = False) -> Callable[[Handler], Handler]:
    """Register ``operation``'s entry point.

    The dispatcher runs it under the store lock, unless it ``manages_lock`` itself: operations
    that run users' code (Invoke) take the lock only around reading and recording state.
    """

    def register(func: Handler) -> Handler:
        if operation in HANDLERS:
            raise RuntimeError(f"{operation} is registered twice")
        HANDLERS[operation] = func
        if manages_lock:
            SELF_LOCKING.add(operation)
        return func

    return register


def manages_lock(operation: str) -> bool:
    """Whether the operation takes the store lock itself (the dispatcher must not hold it)."""
    return operation in SELF_LOCKING


def handler_for(operation: str) -> Optional[Handler]:
    if not _loaded:
        _load()
    return HANDLERS.get(operation)


def implemented_operations() -> list[str]:
    _load()
    return sorted(HANDLERS)


_loaded = False


def _load() -> None:
    """Import the resource-family modules so their ``@api`` registrations run."""
    global _loaded
    if not _loaded:
        from . import (  # noqa: F401
            aliases,
            capacity_providers,
            code_signing,
            concurrency,
            event_invoke,
            event_sources,
            function_settings,
            functions,
            invoke,
            layers,
            policies,
            tags,
            urls,
            versions,
        )

        _loaded = True
