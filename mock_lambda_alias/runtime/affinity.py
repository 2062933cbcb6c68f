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

Linux only (``os.sched_setaffinity``), and not on free-threaded builds, where the handlers of
concurrent invocations really run in parallel. A refusal (a container's seccomp policy, a CPU
gone offline) switches it off for the rest of the process.
"""

from __future__ import annotations

import os
import sys
from typing import Optional

_setaffinity = getattr(os, "sched_setaffinity", None)
_getaffinity = getattr(os, "sched_getaffinity", None)

#: Cleared by the first refusal, or never set where pinning cannot help.
enabled = _setaffinity is not None and _getaffinity is not None and getattr(sys, "_is_gil_enabled", lambda: True)()


class Pin:
    """The invoking thread's own CPU set and the one CPU both threads meet on."""

    __slots__ = ("cpu", "cpus")

    def __init__(self, cpus: set[int], cpu: int) -> None:
        self.cpus = cpus
        self.cpu = {cpu}


def _set(cpus: set[int]) -> bool:
    global enabled
    try:
        _setaffinity(0, cpus)  # type: ignore[misc]
        return True
    except (OSError, ValueError):
        enabled = False
        return False


def pin() -> Optional[Pin]:
    """In the invoking thread: pin it to the meeting CPU until :func:`unpin`; None when off.

    The meeting CPU is the lowest the thread may use: always the same one, so the thread is
    usually there already, and environments' threads left there by an earlier hand-off are too.
    """
    if not enabled:
        return None
    try:
        cpus = _getaffinity(0)  # type: ignore[misc]
    except OSError:
        return None
    if len(cpus) < 2:
        return None
    found = Pin(cpus, min(cpus))
    return found if _set(found.cpu) else None


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
