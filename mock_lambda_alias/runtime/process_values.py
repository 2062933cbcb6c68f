"""The kinds of process state held by one value, with how to read and set each.

The working directory, the recursion limit, the root logger's level and ``logging.disable``,
``sys.stdout``/``sys.stderr`` and ``tempfile.tempdir``: :mod:`.process_state` snapshots and
reverts them as one table.
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
