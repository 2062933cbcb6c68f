"""The kinds of process state held by one value, with how to read and set each.

The working directory, the recursion limit, the root logger's level and ``logging.disable``,
``sys.stdout``/``sys.stderr`` and ``tempfile.tempdir``: :mod:`.process_state` snapshots and
reverts them as one table, and sets one of them for the invocations running (:class:`HeldValue`),
as it puts the environments' Lambda root handlers on the root logger (:class:`LambdaHandlers`).
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
from typing import Any, Callable, Optional

#: Each kind: how to read it and how to set it.
SINGLE: dict[str, tuple[Callable[[], Any], Callable[[Any], None]]] = {}


def _getcwd() -> Optional[str]:
    try:
        return os.getcwd()
    except OSError:  # the working directory was removed
        return None


def _chdir(path: Optional[str]) -> None:
    if path is not None:
        try:
            os.chdir(path)
        except OSError:  # gone since: there is nothing to go back to
            pass


def _set_stdout(stream: Any) -> None:
    sys.stdout = stream


def _set_stderr(stream: Any) -> None:
    sys.stderr = stream


def _set_tempdir(value: Any) -> None:
    tempfile.tempdir = value


SINGLE.update(
    cwd=(_getcwd, _chdir),
    recursion_limit=(sys.getrecursionlimit, sys.setrecursionlimit),
    root_level=(lambda: logging.root.level, lambda level: logging.root.setLevel(level)),
    logging_disable=(lambda: logging.root.manager.disable, logging.disable),
    stdout=(lambda: sys.stdout, _set_stdout),
    stderr=(lambda: sys.stderr, _set_stderr),
    tempdir=(lambda: tempfile.tempdir, _set_tempdir),
)


def read_single() -> dict[str, Any]:
    """Every kind's value now."""
    return {kind: read() for kind, (read, _) in SINGLE.items()}


class HeldValue:
    """One kind the mock sets for the invocations running (each holder's value, the last one's in
    force) and puts back when the last one ends, unless someone else set it meanwhile."""

    __slots__ = ("holders", "kind", "original", "ours")

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.holders: list[tuple[Any, Any]] = []
        self.original: Any = None
        self.ours: Any = None

    def hold(self, holder: Any, value: Any, assign: Callable[[str, Any], None]) -> None:
        now = SINGLE[self.kind][0]()
        if not self.holders:
            self.original = now
        self.holders.append((holder, value))
        if now != value:
            assign(self.kind, value)
        self.ours = value

    def release(self, holder: Any, assign: Callable[[str, Any], None]) -> None:
        mine = [entry for entry in self.holders if entry[0] is holder]
        if not mine:
            return
        self.holders.remove(mine[0])
        if SINGLE[self.kind][0]() != self.ours:
            return  # set by someone else since: theirs to keep
        value = self.holders[-1][1] if self.holders else self.original
        if value != self.ours:
            assign(self.kind, value)
        self.ours = value


class LambdaHandlers:
    """The Lambda root handlers of the environments running, each first on the root logger, as the
    runtime put it before any other there.

    The root logger gets a new list rather than a changed one: a thread going through its handlers
    meanwhile goes on through the list it has, never a shifted one. The list it had before the first
    of them came (the test's own) is its list again when the last one goes.
    """

    __slots__ = ("home", "installed")

    def __init__(self) -> None:
        self.home: Optional[list[Any]] = None
        self.installed = 0

    def put(self, handler: Any, snapshots: list[list[Any]]) -> None:
        """Put ``handler`` in, and in the snapshots of the root logger's handlers taken before."""
        handlers = logging.root.handlers
        if self.home is None:
            self.home = handlers
        self.installed += 1
        logging.root.handlers = [handler, *handlers]
        for listed in snapshots:
            listed.insert(0, handler)

    def take(self, handler: Any, snapshots: list[list[Any]]) -> None:
        """Take ``handler`` out again, and out of the snapshots."""
        handlers = [h for h in logging.root.handlers if h is not handler]
        for listed in snapshots:
            for index, candidate in enumerate(listed):
                if candidate is handler:
                    del listed[index]
                    break
        self.installed -= 1
        if not self.installed and self.home is not None:
            self.home[:] = handlers  # what is there now: the test's own, and its changes meanwhile
            handlers, self.home = self.home, None
        logging.root.handlers = handlers
