"""Where a request lands and who sent it: the first argument of every operation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

from .store import LambdaBackend, Store

if TYPE_CHECKING:
    from .identity import Identity
    from .lineage import Lineage


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
    #: The chain of invocations this call continues (recursive loop detection, :mod:`.lineage`):
    #: None for a call from outside any function; Invoke takes the running handler's otherwise.
    lineage: Optional[Lineage] = None

    @property
    def backend(self) -> LambdaBackend:
        return self.store.backend(self.account_id, self.region)
