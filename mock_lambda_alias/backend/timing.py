"""The handle's controls of time and of scheduled work (see :mod:`.clock` for the modes)."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Optional

from .clock import Task, check_mode

if TYPE_CHECKING:
    from .store import Store


class TimeControls:
    """Mixed into the mock's handle, which owns ``store``."""

    store: Store

    @property
    def delivery(self) -> str:
        """How scheduled work runs: "immediate" (default), "background" or "manual"."""
        return self.store.scheduler.mode

    def set_delivery(self, mode: str) -> None:
        """Switch how deliveries, retries and wake-ups run from now on (see :mod:`.clock`)."""
        self.store.scheduler.set_mode(check_mode(mode))
        self._delivery = mode

    def now(self) -> datetime.datetime:
        """The mock's current time: real time plus however far the mock's clock was moved."""
        return self.store.clock.now()

    def advance(self, seconds: float) -> datetime.datetime:
        """Move the mock's clock ``seconds`` forward, running the work due on the way (retries,
        expired events, durable waits, batching windows); returns the new time."""
        self.store.scheduler.advance(seconds)
        return self.store.clock.now()

    def drain(self, timeout: Optional[float] = None) -> None:
        """Run every piece of scheduled work, skipping idle time; in background mode, wait for
        the mock's thread to finish it. Raises ``TimeoutError`` when ``timeout`` seconds pass first."""
        if not self.store.scheduler.drain(timeout):
            raise TimeoutError(f"scheduled work still running after {timeout} s: {self.pending_work()}")

    def pending_work(self) -> list[str]:
        """What is scheduled and not yet run, in due order, e.g. ``"retry 1 of fn:PROD at ..."``."""
        return [_describe(task) for task in self.store.scheduler.pending()]


def _describe(task: Task) -> str:
    return f"{task.label or 'task'} at {task.due.isoformat(timespec='seconds')}"
