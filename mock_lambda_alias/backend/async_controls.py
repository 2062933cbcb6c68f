"""The handle's inspection of asynchronous events (see :mod:`.async_events`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Optional

from . import lookup
from .async_events import CONDITIONS, AsyncEvent
from .lookup import Scope

if TYPE_CHECKING:
    from .store import Store


class AsyncControls:
    """Mixed into the mock's handle, which owns ``store`` and ``_scope``."""

    store: Store
    _scope: Callable[[Optional[str], Optional[str]], Scope]

    def async_events(
        self,
        function_name: Optional[str] = None,
        *,
        qualifier: Optional[str] = None,
        condition: Optional[str] = None,
        account_id: Optional[str] = None,
        region: Optional[str] = None,
    ) -> list[AsyncEvent]:
        """Asynchronous events (``Event`` invokes, InvokeAsync, service deliveries), oldest first:
        each with its attempts, final ``condition`` and where its record or event went.

        ``condition`` is "Success", "RetriesExhausted" or "EventAgeExceeded" (an event not done yet
        has none). A function or qualifier that neither exists nor was invoked raises ``NotFound``.
        """
        if condition is not None and condition not in CONDITIONS:
            raise ValueError(f"condition must be one of {', '.join(CONDITIONS)}, got {condition!r}")
        scope = self._scope(account_id, region)
        with self.store.lock:
            events = [e for e in self.store.async_events if scope.covers(e.account_id, e.region)]
            found = [
                e
                for e in events
                if function_name in (None, e.function_name)
                and qualifier in (None, e.qualifier or "$LATEST")
                and condition in (None, e.condition)
            ]
            if not found:
                seen = [(e.function_name, e.qualifier or "$LATEST", e.executed_version) for e in events]
                lookup.refuse_unknown(self.store.backends(), scope, function_name, seen, qualifier)
        return found
