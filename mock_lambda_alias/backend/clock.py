"""The activation's time, and the work that falls due on it.

AWS retries a failed asynchronous event after a minute, wakes a durable execution after a
seven-day wait, and lets a batching window fill for seconds. A test must see all of that happen
without waiting, so time here is the :class:`Clock`'s: real time plus an offset that only moves
forward — when the test advances it, or when the :class:`Scheduler` skips idle time to the next
piece of due work.

Work is scheduled as tasks with a due time. How they run is the activation's *delivery* mode:

- ``"immediate"`` (default): due work runs before the call that caused it returns to the test,
  skipping idle time, so a test asserts right after ``send_message`` or an ``Event`` invoke.
- ``"background"``: a thread of the mock runs the work (also skipping idle time); the triggering
  call returns at once. ``drain()`` waits until nothing is left.
- ``"manual"``: nothing runs until the test calls ``advance(seconds)`` (work due by then) or
  ``drain()`` (everything, skipping idle time).

Tasks run without any lock held: they run user handlers. A task may schedule more tasks.
"""

from __future__ import annotations

import datetime
import heapq
import itertools
import threading
from dataclasses import dataclass, field
from typing import Callable, Optional

MODES = ("immediate", "background", "manual")
UTC = datetime.timezone.utc


def check_mode(mode: str) -> str:
    if mode not in MODES:
        raise ValueError(f"delivery must be one of {', '.join(map(repr, MODES))}, got {mode!r}")
    return mode


class Clock:
    """Real time plus an offset that only grows."""

    def __init__(self) -> None:
        self._offset = datetime.timedelta(0)
        self._lock = threading.Lock()

    def now(self) -> datetime.datetime:
        """The activation's current time, timezone-aware (UTC)."""
        return datetime.datetime.now(UTC) + self._offset

    def time(self) -> float:
        """The activation's current time as seconds since the epoch."""
        return self.now().timestamp()

    @property
    def offset(self) -> datetime.timedelta:
        """How far the clock is ahead of real time."""
        return self._offset

    def advance(self, seconds: float) -> datetime.datetime:
        """Move the clock ``seconds`` forward (never back) and return the new time."""
        if not isinstance(seconds, (int, float)) or isinstance(seconds, bool) or seconds < 0:
            raise ValueError(f"seconds must be a number >= 0, got {seconds!r}")
        with self._lock:
            self._offset += datetime.timedelta(seconds=seconds)
        return self.now()

    def advance_to(self, moment: datetime.datetime) -> None:
        """Move the clock to ``moment`` if that is later than now."""
        with self._lock:
            ahead = moment - (datetime.datetime.now(UTC) + self._offset)
            if ahead > datetime.timedelta(0):
                self._offset += ahead


@dataclass(order=True)
class Task:
    """A piece of work due at a moment of the activation's clock."""

    due: datetime.datetime
    seq: int
    run: Callable[[], None] = field(compare=False)
    #: What the work is, for ``m.pending()`` and error reports ("retry 1 of fn:PROD", ...).
    label: str = field(default="", compare=False)
    cancelled: bool = field(default=False, compare=False)

    def cancel(self) -> None:
        self.cancelled = True


class Scheduler:
    """Tasks in due order, run per the delivery mode (see the module's docstring)."""

    def __init__(self, clock: Clock, mode: str = "immediate") -> None:
        self.clock = clock
        self.mode = check_mode(mode)
        self._tasks: list[Task] = []
        self._seq = itertools.count()
        self._cond = threading.Condition(threading.Lock())
        #: How many tasks are running now (taken off the heap, not finished).
        self._running = 0
        #: Whether a thread is running tasks now: other threads leave the work to it.
        self._draining = False
        self._worker: Optional[threading.Thread] = None
        self._closed = False
        #: Exceptions tasks raised (a bug of ours, or of a task's callback): should stay empty.
        self.errors: list[tuple[str, BaseException]] = []

    # -- scheduling -------------------------------------------------------------

    def schedule(self, delay_seconds: float, run: Callable[[], None], label: str = "") -> Task:
        """Run ``run`` once the clock reaches now + ``delay_seconds``."""
        due = self.clock.now() + datetime.timedelta(seconds=max(0.0, delay_seconds))
        return self.schedule_at(due, run, label)

    def schedule_at(self, due: datetime.datetime, run: Callable[[], None], label: str = "") -> Task:
        task = Task(due, next(self._seq), run, label)
        with self._cond:
            if self._closed:
                task.cancelled = True
                return task
            heapq.heappush(self._tasks, task)
            if self.mode == "background":
                self._ensure_worker()
            self._cond.notify_all()
        return task

    def pending(self) -> list[Task]:
        """Tasks not yet run, in due order."""
        with self._cond:
            return sorted(t for t in self._tasks if not t.cancelled)

    @property
    def busy(self) -> bool:
        return bool(self._tasks) or self._running > 0

    # -- running ------------------------------------------------------------------

    def settle(self) -> None:
        """What the end of a triggering call does: in immediate mode, run due work now."""
        if self.mode == "immediate" and self._tasks:
            self.run(until=None)

    def run(self, until: Optional[datetime.datetime]) -> int:
        """Run tasks due by ``until`` (None: all of them, skipping idle time), moving the clock to
        each task's due time. A thread already running tasks keeps them: the call returns at once.
        Returns how many tasks this call ran."""
        with self._cond:
            if self._draining:
                return 0
            self._draining = True
        ran = 0
        try:
            while True:
                task = self._take(until)
                if task is None:
                    return ran
                self._run_one(task)
                ran += 1
        finally:
            with self._cond:
                self._draining = False
                self._cond.notify_all()

    def _take(self, until: Optional[datetime.datetime]) -> Optional[Task]:
        with self._cond:
            while self._tasks:
                task = self._tasks[0]
                if task.cancelled:
                    heapq.heappop(self._tasks)
                    continue
                if until is not None and task.due > until:
                    return None
                heapq.heappop(self._tasks)
                self._running += 1
                return task
            return None

    def _run_one(self, task: Task) -> None:
        self.clock.advance_to(task.due)
        try:
            task.run()
        except Exception as error:  # a task's failure is recorded, never lost nor raised at the test
            self.errors.append((task.label, error))
        finally:
            with self._cond:
                self._running -= 1
                self._cond.notify_all()

    def advance(self, seconds: float) -> int:
        """Move the clock ``seconds`` forward, running the work that falls due on the way."""
        if not isinstance(seconds, (int, float)) or isinstance(seconds, bool) or seconds < 0:
            raise ValueError(f"seconds must be a number >= 0, got {seconds!r}")
        target = self.clock.now() + datetime.timedelta(seconds=seconds)
        with self._cond:
            self._cond.wait_for(lambda: not self._draining)
        ran = self.run(until=target)
        self.clock.advance_to(target)
        return ran

    def drain(self, timeout: Optional[float] = None) -> bool:
        """Run (or wait for) every task, skipping idle time; True when nothing is left."""
        if self.mode != "background":
            self.run(until=None)
        with self._cond:
            return self._cond.wait_for(lambda: not self._tasks and not self._running and not self._draining, timeout)

    # -- background -----------------------------------------------------------------

    def set_mode(self, mode: str) -> None:
        with self._cond:
            self.mode = check_mode(mode)
            if mode == "background" and self._tasks:
                self._ensure_worker()
            self._cond.notify_all()

    def _ensure_worker(self) -> None:
        if self._worker is None or not self._worker.is_alive():
            self._worker = threading.Thread(target=self._work, name="mock_lambda_alias-deliveries", daemon=True)
            self._worker.start()

    def _work(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(
                    lambda: self._closed or (bool(self._tasks) and self.mode == "background" and not self._draining)
                )
                if self._closed:
                    return
            self.run(until=None)

    def close(self) -> None:
        """End of the activation: pending work is dropped; a running task finishes on its own."""
        with self._cond:
            self._closed = True
            for task in self._tasks:
                task.cancelled = True
            self._tasks.clear()
            self._cond.notify_all()
            worker = self._worker
        if worker is not None and worker is not threading.current_thread():
            worker.join(timeout=5)
