"""The process environment, in the form the runtime reads and writes it.

Every in-process invocation reads the whole environment twice (its S0 and S1, see
:mod:`.process_state`). On POSIX it is read through ``os.environb``: the same variables as
``os.environ``, held as the operating system holds them, so a whole read decodes nothing. Where
there is no ``os.environb`` (Windows), ``os.environ`` itself. The variables the mock sets are
converted into that form once per set of variables (:func:`encoded`), not per invocation.
"""

from __future__ import annotations

import os
from typing import Any

#: The environment as read and written here: its keys and values are "environment form".
ENVIRON: Any = os.environb if os.supports_bytes_environ else os.environ


def encode(text: str) -> Any:
    """``text`` in environment form (what ``os.environ`` would store for it)."""
    return os.fsencode(text) if os.supports_bytes_environ else text


def encoded(variables: dict[str, str]) -> dict[Any, Any]:
    """Variables in environment form."""
    return {encode(key): encode(value) for key, value in variables.items()}


def snapshot() -> dict[Any, Any]:
    """A copy of the whole environment (taken again if another thread changes it while it is read)."""
    while True:
        try:
            return dict(ENVIRON)
        except (RuntimeError, KeyError):  # changed while read: a key listed was removed since
            continue
