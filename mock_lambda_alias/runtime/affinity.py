"""Keeping an in-process invocation's hand-off between two threads on one CPU.

An in-process invocation hands its job to the environment's thread and waits for the answer:
two wake-ups of a sleeping thread. When the two threads sit on different CPUs, each wake-up has
to bring an idle CPU back, which on virtual machines (where CI runs) costs tens of microseconds
and made an Invoke cost half as much again as the call around it. Pinning the waiting thread,
for the length of the hand-off, and the environment's thread, while it waits for work, to one
CPU turns both wake-ups into a switch on a CPU that is busy anyway. With the GIL only one of the
two runs Python at a time, so no parallelism is lost; the handler itself runs with the invoking
thread's own CPU set, which the threads and processes it starts inherit. A cold start's hand-off
is not pinned: the environment's thread is new, and made while its caller is pinned it would only
be moved off that CPU again.

The environment's thread also runs under ``SCHED_BATCH``: woken by the invoking thread, it does
not preempt it (only to find the GIL still held and sleep again) but runs once that thread waits.
Two threads handing a job back and forth on one CPU took about six context switches per round
trip without it and two with it; in an invocation, where the caller has more to do before it
waits, the preemptions it spares are fewer (about one invocation in five was preempted). The
policy differs from the default only in that wake-up preference; threads and processes a handler
starts inherit it.

The meeting CPU is the one the invoking thread is running on (libc's ``sched_getcpu``): it is
not moved, and the environment's thread, waiting elsewhere, is moved to it before it is woken.
A fixed meeting CPU would be the same for every process: the workers of ``pytest -n`` would all
meet on it and queue there while other CPUs idle (a 1,000-test suite under ``-n 2`` took a fifth
longer in wall time). Without ``sched_getcpu`` it is the lowest CPU the thread may use.

Linux only (``os.sched_setaffinity``), and not on free-threaded builds, where the handlers of
concurrent invocations really run in parallel. A refusal (a container's seccomp policy, a CPU
gone offline) switches it off for the rest of the process.
"""

from __future__ import annotations

import os
import sys
from typing import Any, Callable, Optional

_setaffinity = getattr(os, "sched_setaffinity", None)
_getaffinity = getattr(os, "sched_getaffinity", None)

#: Cleared by the first refusal, or never set where pinning cannot help.
enabled = _setaffinity is not None and _getaffinity is not None and getattr(sys, "_is_gil_enabled", lambda: True)()


#: libc's ``sched_getcpu``, once :func:`prepare` found it.
_current_cpu: Optional[Callable[[], int]] = None


def prepare() -> None:
    """Find libc's ``sched_getcpu``, once per process.

    ``ctypes`` takes milliseconds to import: the process's first activation calls this in the
    thread that prepares the process while the backend loads, not an invocation.
    """
    global _current_cpu
    if not enabled or _current_cpu is not None:
        return
    try:
        import ctypes

        found: Any = ctypes.CDLL(None).sched_getcpu
        found.restype = ctypes.c_int
        found.argtypes = ()
        if found() >= 0:
            _current_cpu = found
    except (ImportError, OSError, AttributeError):  # no ctypes, no such symbol: the lowest CPU, then
        pass


class Pin:
    """The invoking thread's own CPU set and the one CPU both threads meet on."""

    __slots__ = ("cpu", "cpus", "number")

    def __init__(self, cpus: set[int], cpu: int) -> None:
        self.cpus = cpus
        self.number = cpu
        self.cpu = {cpu}


def _set(cpus: set[int], thread: int = 0) -> bool:
    global enabled
    try:
        _setaffinity(thread, cpus)  # type: ignore[misc]
        return True
    except ProcessLookupError:  # the thread has ended: nothing to move
        return False
    except (OSError, ValueError):
        enabled = False
        return False


def pin() -> Optional[Pin]:
    """In the invoking thread: pin it to the CPU it is on until :func:`unpin`; None when off."""
    if not enabled:
        return None
    try:
        cpus = _getaffinity(0)  # type: ignore[misc]
    except OSError:
        return None
    if len(cpus) < 2:
        return None
    current = _current_cpu() if _current_cpu is not None else -1
    found = Pin(cpus, current if current in cpus else min(cpus))
    return found if _set(found.cpu) else None


def move(native_id: Optional[int], found: Pin) -> bool:
    """In the invoking thread: move a waiting environment's thread to the meeting CPU."""
    return native_id is not None and enabled and _set(found.cpu, native_id)


def unpin(found: Optional[Pin]) -> None:
    """In the invoking thread: give it its own CPU set back."""
    if found is not None:
        _set(found.cpus)


def settle_worker() -> None:
    """In an environment's thread, once: wait for work without preempting whoever hands it over."""
    if not enabled:
        return
    try:
        os.sched_setscheduler(0, os.SCHED_BATCH, os.sched_param(0))  # type: ignore[attr-defined]
    except (OSError, AttributeError):  # refused, or not Linux: the hand-off merely costs more
        pass


def widen(found: Optional[Pin]) -> None:
    """In the environment's thread, before the handler runs: the invoking thread's CPU set."""
    if found is not None and enabled:
        _set(found.cpus)


def narrow(found: Optional[Pin]) -> None:
    """In the environment's thread, before it waits for the next job: the meeting CPU."""
    if found is not None and enabled:
        _set(found.cpu)
