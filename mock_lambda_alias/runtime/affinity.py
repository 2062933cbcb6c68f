"""Keeping an in-process invocation's hand-off between two threads on one CPU.

An in-process invocation hands its job to the environment's thread and waits for the answer:
two wake-ups of a sleeping thread. When the two threads sit on different CPUs, each wake-up has
to bring an idle CPU back, which on virtual machines (where CI runs) costs tens of microseconds
and made an Invoke cost half as much again as the call around it. Pinning the waiting thread,
for the length of the hand-off, and the environment's thread, while it waits for work, to one
CPU turns both wake-ups into a switch on a CPU that is busy anyway. With the GIL only one of the
two runs Python at a time, so no parallelism is lost; the handler itself runs with the invoking
thread's own CPU set, which the threads and processes it starts inherit. A cold start's hand-off
is pinned too: the environment's new thread inherits the meeting CPU and starts there, where the
caches hold what the caller just used, not on an idle CPU that has to be woken first (a process's
first Invoke cost about 0.45 ms less CPU time, a fifth of the call).

The environment's thread also runs under ``SCHED_BATCH``: woken by the invoking thread, it does
not preempt it (only to find the GIL still held and sleep again) but runs once that thread waits.
Two threads handing a job back and forth on one CPU took about six context switches per round
trip without it and two with it; in an invocation, where the caller has more to do before it
waits, the preemptions it spares are fewer (about one invocation in five was preempted). The
policy differs from the default only in that wake-up preference; threads and processes a handler
starts inherit it.

Each process meets on a CPU of its own choosing: the one its invoking thread was running on,
looked up again every few dozen hand-offs (in ``/proc/thread-self/stat``, which costs about as
much as a hand-off's other system calls together). A waiting environment's thread is moved there
before it is woken. A fixed meeting CPU would be the same for every process: the workers of
``pytest -n`` would all meet on it and queue there while other CPUs idle (a 1,000-test suite
under ``-n 2`` took a fifth longer in wall time). Where the lookup fails, it is the lowest CPU
the thread may use.

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


#: The CPU this process's hand-offs meet on, and how many more hand-offs keep it before it is
#: looked up again; threads of a process share it (with the GIL only one of them runs anyway).
_meeting: Optional[int] = None
_keep_for = 0
_LOOKUP_EVERY = 32


def _running_on() -> int:
    """The CPU the calling thread last ran on, from ``/proc/thread-self/stat`` (-1 if unknown)."""
    try:
        fd = os.open("/proc/thread-self/stat", os.O_RDONLY)
        try:
            data = os.read(fd, 1024)
        finally:
            os.close(fd)
        return int(data[data.rindex(b")") + 2 :].split()[36])  # field 39, "processor"
    except (OSError, ValueError, IndexError):
        return -1


class Pin:
    """The invoking thread's own CPU set and the one CPU both threads meet on."""

    __slots__ = ("cpu", "cpus", "meeting")

    def __init__(self, cpus: set[int], cpu: int) -> None:
        self.cpus = cpus
        self.cpu = cpu
        self.meeting = {cpu}


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
    """In the invoking thread: pin it to the process's meeting CPU until :func:`unpin`; None when off."""
    global _meeting, _keep_for
    if not enabled:
        return None
    try:
        cpus = _getaffinity(0)  # type: ignore[misc]
    except OSError:
        return None
    if len(cpus) < 2:
        return None
    cpu = _meeting
    _keep_for -= 1
    if cpu is None or _keep_for < 0 or cpu not in cpus:
        cpu = _running_on()
        if cpu not in cpus:
            cpu = min(cpus)
        _meeting, _keep_for = cpu, _LOOKUP_EVERY
    found = Pin(cpus, cpu)
    return found if _set(found.meeting) else None


def move(native_id: Optional[int], found: Pin) -> bool:
    """In the invoking thread: move a waiting environment's thread to the meeting CPU."""
    return native_id is not None and enabled and _set(found.meeting, native_id)


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
        _set(found.meeting)
