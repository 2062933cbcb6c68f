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
from typing import Optional

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


def start(request_id: str) -> Lineage:
    """The chain an event from outside any function starts, named after its request id (the same
    root for every attempt of the event, and for what its handler causes)."""
    digits = request_id.replace("-", "").ljust(32, "0")
    return Lineage(f"1-{digits[:8]}-{digits[8:32]}", 0)


def continued(chain: Optional[Lineage], request_id: str) -> Lineage:
    """The chain an invocation runs in: the one it continues plus itself, or a new one."""
    return (chain if chain is not None else start(request_id)).next()


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

#: The chains the invocations whose handlers run now continue (None: none, they start one), by
#: request id. The chain itself (:func:`continued`) is made only when a handler's call asks for it.
_RUNNING: dict[str, Optional[Lineage]] = {}


def enter(request_id: str, chain: Optional[Lineage]) -> None:
    """The handler of ``request_id`` runs now, continuing ``chain``; :func:`leave` when it is done.
    (Dict writes are atomic: no lock.)"""
    _RUNNING[request_id] = chain


def leave(request_id: str) -> None:
    _RUNNING.pop(request_id, None)


@contextmanager
def running(request_id: str, chain: Optional[Lineage]) -> Iterator[None]:
    """:func:`enter` and :func:`leave` around a block."""
    enter(request_id, chain)
    try:
        yield
    finally:
        leave(request_id)


def current() -> Optional[Lineage]:
    """The chain of the invocation whose handler runs in the calling thread (in-process
    isolation), else None."""
    route = STATE.routes.get(threading.get_ident())
    environment = route.environment if route is not None else None
    job = getattr(environment, "job", None)
    request = getattr(job, "request", None)
    if request is None or request.request_id not in _RUNNING:
        return None
    return continued(_RUNNING.get(request.request_id), request.request_id)
