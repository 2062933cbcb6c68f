"""Which backend function answers which Lambda operation.

Resource-family modules mark their entry points with ``@api("OperationName")``; the dispatcher
looks the operation up here by the name botocore's event carries. An operation with no entry
answers ``UnknownOperationException`` naming it.
"""

from __future__ import annotations

import importlib
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


#: The module of each operation. An activation loads them all (:func:`load_all`); an operation
#: answered without one (the server's mock is never started) imports only its own module on its
#: first call. An operation missing here still works: its first call loads every module. A test
#: keeps this complete.
MODULES: dict[str, tuple[str, ...]] = {
    "aliases": ("CreateAlias", "DeleteAlias", "GetAlias", "ListAliases", "UpdateAlias"),
    "capacity_providers": (
        "CreateCapacityProvider",
        "DeleteCapacityProvider",
        "GetCapacityProvider",
        "ListCapacityProviders",
        "ListFunctionVersionsByCapacityProvider",
        "UpdateCapacityProvider",
    ),
    "code_signing": (
        "CreateCodeSigningConfig",
        "DeleteCodeSigningConfig",
        "DeleteFunctionCodeSigningConfig",
        "GetCodeSigningConfig",
        "GetFunctionCodeSigningConfig",
        "ListCodeSigningConfigs",
        "ListFunctionsByCodeSigningConfig",
        "PutFunctionCodeSigningConfig",
        "UpdateCodeSigningConfig",
    ),
    "concurrency": (
        "DeleteFunctionConcurrency",
        "DeleteProvisionedConcurrencyConfig",
        "GetAccountSettings",
        "GetFunctionConcurrency",
        "GetProvisionedConcurrencyConfig",
        "ListProvisionedConcurrencyConfigs",
        "PutFunctionConcurrency",
        "PutProvisionedConcurrencyConfig",
    ),
    "event_invoke": (
        "DeleteFunctionEventInvokeConfig",
        "GetFunctionEventInvokeConfig",
        "ListFunctionEventInvokeConfigs",
        "PutFunctionEventInvokeConfig",
        "UpdateFunctionEventInvokeConfig",
    ),
    "event_sources": (
        "CreateEventSourceMapping",
        "DeleteEventSourceMapping",
        "GetEventSourceMapping",
        "ListEventSourceMappings",
        "UpdateEventSourceMapping",
    ),
    "function_settings": (
        "GetFunctionRecursionConfig",
        "GetFunctionScalingConfig",
        "GetRuntimeManagementConfig",
        "PutFunctionRecursionConfig",
        "PutFunctionScalingConfig",
        "PutRuntimeManagementConfig",
    ),
    "functions": (
        "CreateFunction",
        "DeleteFunction",
        "GetFunction",
        "GetFunctionConfiguration",
        "ListFunctions",
        "UpdateFunctionCode",
        "UpdateFunctionConfiguration",
    ),
    "invoke": ("Invoke", "InvokeAsync", "InvokeWithResponseStream"),
    "layers": (
        "AddLayerVersionPermission",
        "DeleteLayerVersion",
        "GetLayerVersion",
        "GetLayerVersionByArn",
        "GetLayerVersionPolicy",
        "ListLayerVersions",
        "ListLayers",
        "PublishLayerVersion",
        "RemoveLayerVersionPermission",
    ),
    "policies": (
        "AddPermission",
        "DeleteResourcePolicy",
        "GetPolicy",
        "GetResourcePolicy",
        "PutResourcePolicy",
        "RemovePermission",
    ),
    "tags": ("ListTags", "TagResource", "UntagResource"),
    "urls": (
        "CreateFunctionUrlConfig",
        "DeleteFunctionUrlConfig",
        "GetFunctionUrlConfig",
        "ListFunctionUrlConfigs",
        "UpdateFunctionUrlConfig",
    ),
    "versions": ("ListVersionsByFunction", "PublishVersion"),
}
_MODULE_OF = {operation: module for module, operations in MODULES.items() for operation in operations}


def handler_for(operation: str) -> Optional[Handler]:
    handler = HANDLERS.get(operation)
    if handler is None and not _loaded:
        module = _MODULE_OF.get(operation)
        if module is not None:
            importlib.import_module(f"{__package__}.{module}")
            handler = HANDLERS.get(operation)
        if handler is None:
            load_all()
            handler = HANDLERS.get(operation)
    return handler


def implemented_operations() -> list[str]:
    load_all()
    return sorted(HANDLERS)


_loaded = False


def load_all() -> None:
    """Import every resource family, so their ``@api`` registrations run; once per process.

    The first activation does this: a family's first operation would otherwise pay for importing
    it (a millisecond and more for the functions family) inside its first call.
    """
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
