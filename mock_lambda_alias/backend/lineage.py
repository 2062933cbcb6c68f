"""The chain of invocations an event has caused, as Lambda's recursive loop detection counts it.

AWS carries the chain in the X-Ray trace header: Lambda hands a handler ``_X_AMZN_TRACE_ID``, the
SDKs copy it into the ``X-Amzn-Trace-Id`` header of each request made inside the function, SQS
keeps it as the ``AWSTraceHeader`` system attribute of a message, SNS passes it on, and Lambda
counts the invocations in its ``Lineage`` field. Once an event has invoked functions 16 times, the
next invocation is stopped (``RecursiveLoop=Terminate``, the default) and the event goes to the
on-failure destination or dead-letter queue (AWS Lambda developer guide, "Lambda recursive loop
detection").

In the in-process runtime a handler's chain is known here (:func:`current`) while its handler
runs, so calls made from the handler continue it without any header. Where a chain must travel
through another service (an SQS message, an SNS notification), it is rendered as a trace header
(:func:`header`) and read back (:func:`parse`).

How others use it:

- :func:`current` inside a handler's thread: the chain of the running invocation (None elsewhere:
  the test's own calls, helper threads a handler starts, process isolation);
- ``Call.lineage``: the chain an invocation continues (set it when delivering an event that
  carries one, e.g. an SQS message stamped with :func:`header`);
- :func:`stops` decides whether an invocation continuing a chain is refused.
"""

from __future__ import annotations

import threading
import uuid
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any, Optional

from ..runtime.process_state import STATE

#: How many invocations a chain may have: the next one is stopped (AWS: "after 16 invocations").
LIMIT = 16


@dataclass(frozen=True)
class Lineage:
    """One chain of invocations caused by the same triggering event."""

    #: The X-Ray trace id of the chain (``1-<8 hex seconds>-<24 hex>``), kept along the chain.
    root: str
    #: How many Lambda invocations the chain has had so far.
    depth: int = 0

    def next(self) -> Lineage:
        """The chain as the next invocation in it runs it."""
        return replace(self, depth=self.depth + 1)


def new(now: float) -> Lineage:
    """A fresh chain (an event from outside any function), with no invocation yet."""
    return Lineage(f"1-{int(now) & 0xFFFFFFFF:08x}-{uuid.uuid4().hex[:24]}", 0)


def continued(chain: Optional[Lineage], call: Any) -> Lineage:
    """The chain an invocation runs in: the one it continues plus itself, or a new one."""
    if chain is None:
        chain = Lineage(f"1-{int(call.store.clock.time()) & 0xFFFFFFFF:08x}-{call.request_id.replace('-', '')[:24]}")
    return chain.next()


def header(lineage: Lineage) -> str:
    """The chain as the trace header AWS passes along (``X-Amzn-Trace-Id``, ``AWSTraceHeader``)."""
    tag = zlib.crc32(lineage.root.encode()) & 0xFFFFFFFF
    return f"Root={lineage.root};Sampled=0;Lineage={tag:08x}:{lineage.depth}"


def parse(text: Optional[str]) -> Optional[Lineage]:
    """The chain a trace header carries; None when it has no ``Root``. A header without a
    ``Lineage`` field starts a chain (depth 0)."""
    if not text:
        return None
    fields = dict(part.strip().partition("=")[::2] for part in text.split(";") if "=" in part)
    root = fields.get("Root")
    if not root:
        return None
    depth = 0
    count = fields.get("Lineage", "").split("|")[0].rsplit(":", 1)[-1]
    if count.isdigit():
        depth = int(count)
    return Lineage(root, depth)


def stops(lineage: Optional[Lineage], recursive_loop: str) -> bool:
    """Whether an invocation continuing ``lineage`` is refused: the chain has had its
    :data:`LIMIT` invocations and the function's ``RecursiveLoop`` is ``Terminate``."""
    return lineage is not None and lineage.depth >= LIMIT and recursive_loop != "Allow"


# -- the chain of the handler running in this thread --------------------------------

#: Chains of the invocations whose handlers run now, by request id.
_RUNNING: dict[str, Lineage] = {}
_RUNNING_LOCK = threading.Lock()


@contextmanager
def running(request_id: str, lineage: Lineage) -> Iterator[None]:
    """Make ``lineage`` the chain of the invocation ``request_id`` while its handler runs."""
    with _RUNNING_LOCK:
        _RUNNING[request_id] = lineage
    try:
        yield
    finally:
        with _RUNNING_LOCK:
            _RUNNING.pop(request_id, None)


def current() -> Optional[Lineage]:
    """The chain of the invocation whose handler runs in the calling thread (in-process
    isolation), else None."""
    route = STATE.routes.get(threading.get_ident())
    environment = route.environment if route is not None else None
    job = getattr(environment, "job", None)
    request = getattr(job, "request", None)
    if request is None:
        return None
    return _RUNNING.get(request.request_id)
