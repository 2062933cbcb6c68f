"""Where an in-process handler's output and temporary files go: per invocation thread.

While handlers run in-process, ``sys.stdout``/``sys.stderr`` are routers that send each
invocation thread's writes to that invocation's log, and ``tempfile.gettempdir()`` (so
``mkstemp``, ``TemporaryFile``, ``TemporaryDirectory``, ...) answers each invocation thread its
environment's ``/tmp``. Every other thread (the test's own, and threads a handler starts itself)
writes where it wrote before and gets ``tempfile``'s usual directory. The routers are put in
place when the first of the running invocations starts and taken out when the last one ends
(:mod:`.process_state`). Log records reach an invocation's log the same way, through its
environment's Lambda root handler (:func:`own_thread_log`).
"""

from __future__ import annotations

import io
import os
import tempfile
import threading
from typing import Any, Callable, Optional, Protocol


class HasTmpdir(Protocol):
    """An execution environment, as far as routing needs it: its own ``/tmp``."""

    @property
    def tmpdir(self) -> str: ...


class Route:
    """Where one invocation thread's output goes, and whose ``/tmp`` its ``tempfile`` calls get."""

    __slots__ = ("environment", "sink", "thread")

    def __init__(self, thread: threading.Thread, sink: Any, environment: Optional[HasTmpdir] = None) -> None:
        self.thread = thread
        self.sink = sink
        self.environment = environment


class _Discard(io.TextIOBase):
    """The sink of an abandoned invocation: what it prints lands in no log."""

    def write(self, text: str) -> int:
        return len(text)


DISCARD = _Discard()


class OutputRouter(io.TextIOBase):
    """A text stream that writes each invocation thread's output to its own buffer.

    Threads without a route (the test's own, and handlers' helper threads) write to the stream
    that was in place when the router was installed. Attribute look-ups (``encoding``,
    ``fileno``, ``isatty``, ...) go to the stream the calling thread writes to.
    """

    def __init__(self, fallback: Any, routes: dict[int, Route]) -> None:
        self._fallback = fallback
        self._routes = routes

    def _target(self) -> Any:
        route = self._routes.get(threading.get_ident())
        if route is not None and route.thread is threading.current_thread():
            return route.sink
        return self._fallback

    def write(self, text: str) -> int:  # type: ignore[override]
        return self._target().write(text)

    def writelines(self, lines: Any) -> None:  # type: ignore[override]
        self._target().writelines(lines)

    def flush(self) -> None:
        target = self._target()
        if target is not self and hasattr(target, "flush"):
            target.flush()

    def isatty(self) -> bool:
        return bool(getattr(self._target(), "isatty", lambda: False)())

    def fileno(self) -> int:
        return self._target().fileno()

    def writable(self) -> bool:
        return True

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self._target(), "encoding", None) or "utf-8"

    @property
    def errors(self) -> Optional[str]:  # type: ignore[override]
        return getattr(self._target(), "errors", None)

    def close(self) -> None:
        """A handler closing ``sys.stdout`` closes nothing: the streams behind it are not its own."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._target(), name)


def own_thread_log(routes: dict[int, Route]) -> Callable[[Any], Any]:
    """Where an environment's Lambda root handler (:mod:`.lambda_logging`) writes a record: the
    log of the invocation the calling thread runs, when that is the handler's own environment's
    thread; None for any other thread (the test's, a thread the handler started, another
    environment's), whose records it leaves alone."""

    def sink(handler: Any) -> Any:
        route = routes.get(threading.get_ident())
        if route is None or route.thread is not threading.current_thread():
            return None
        log = getattr(route.environment, "log", None)
        return route.sink if log is not None and log.handler is handler else None

    return sink


class TempdirRouter:
    """``tempfile.gettempdir`` / ``gettempdirb`` answering each invocation thread its environment's ``/tmp``.

    ``tempfile.tempdir`` is one process-wide value computed once, so setting ``TMPDIR`` would
    neither take effect nor keep concurrent environments apart; every ``tempfile`` function that
    picks a directory asks ``gettempdir()`` (or ``gettempdirb()``) at call time, so routing those
    two by thread gives each environment its own directory. Other threads get the originals.

    ``tempfile.tempdir`` itself is never assigned or settled here. A handler that assigns it gets
    what it assigned, as on Lambda (the assignment is undone with its other changes). When another
    thread's first ``tempfile`` call settles it (``None`` becomes tempfile's choice), that is
    ``tempfile``'s doing: :attr:`settled` remembers it, so that it is neither mistaken for a
    handler's assignment nor undone.
    """

    def __init__(self, routes: dict[int, Route]) -> None:
        self._routes = routes
        self.original = (tempfile.gettempdir, tempfile.gettempdirb)
        #: What ``tempfile.tempdir`` was when installed, or what tempfile settled it to since.
        self.expected: Any = None
        #: The value tempfile settled ``tempfile.tempdir`` to while installed (None: not seen).
        self.settled: Any = None

    def _own(self) -> Optional[str]:
        route = self._routes.get(threading.get_ident())
        if route is None or route.thread is not threading.current_thread() or route.environment is None:
            return None
        if tempfile.tempdir != self.expected:  # assigned while handlers run: theirs to choose
            return None
        return route.environment.tmpdir

    def _original(self, which: int) -> Any:
        before = tempfile.tempdir
        found = self.original[which]()
        if before is None and before is self.expected and tempfile.tempdir is not None:
            self.expected = self.settled = tempfile.tempdir  # tempfile's first call settled it
        return found

    def gettempdir(self) -> str:
        own = self._own()
        return own if own is not None else self._original(0)

    def gettempdirb(self) -> bytes:
        own = self._own()
        return os.fsencode(own) if own is not None else self._original(1)

    def install(self) -> None:
        self.original = (tempfile.gettempdir, tempfile.gettempdirb)
        self.expected = tempfile.tempdir
        self.settled = None
        tempfile.gettempdir, tempfile.gettempdirb = self.gettempdir, self.gettempdirb  # type: ignore[assignment]

    def uninstall(self) -> None:
        """Put the originals back, unless someone replaced ours meanwhile (then theirs stay)."""
        if tempfile.gettempdir == self.gettempdir:
            tempfile.gettempdir = self.original[0]
        if tempfile.gettempdirb == self.gettempdirb:
            tempfile.gettempdirb = self.original[1]
