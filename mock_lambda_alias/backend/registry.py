"""Which backend function answers which Lambda operation.

Resource-family modules mark their entry points with ``@api("OperationName")``; the dispatcher
looks the operation up here by the name botocore's event carries. An operation with no entry
answers ``UnknownOperationException`` naming it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

from .store import LambdaBackend, Store


@dataclass
class Call:
    """Where a request lands: the activation's store and the caller's account and region."""

    store: Store
    account_id: str
    region: str
    #: The request id of this call (``x-amzn-RequestId``; Invoke hands it to the handler too).
    request_id: str = ""

    @property
    def backend(self) -> LambdaBackend:
        return self.store.backend(self.account_id, self.region)


Handler = Callable[[Call, dict], Optional[dict]]

HANDLERS: dict[str, Handler] = {}


def api(operation: str) -> Callable[[Handler], Handler]:
    def register(func: Handler) -> Handler:
        if operation in HANDLERS:
            raise RuntimeError(f"{operation} is registered twice")
        HANDLERS[operation] = func
        return func

    return register


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
