"""Response items rendered once and encoded once: what keeps List* pages cheap at scale.

A list of 1,000 versions or aliases is mostly items that did not change since the previous page.
The backend keeps each such item as a :class:`Rendered` dict on its model object (dropped on every
write, see ``backend.model.Cached``), and :func:`dumps` writes a response body from the items'
cached JSON text instead of encoding every item again. This module sits below both the backend and
the wire layer and imports neither.
"""

from __future__ import annotations

import json
import threading
from operator import is_
from typing import Any

_encode = json.JSONEncoder(separators=(",", ":")).encode


class Rendered(dict):
    """A read-only response item whose compact JSON text is computed on first use and kept.

    Shared between responses: nothing may mutate it (the model object it belongs to replaces it
    instead, when it changes).
    """

    __slots__ = ("_json",)

    def json(self) -> str:
        try:
            return self._json
        except AttributeError:
            text = self._json = _encode(self)
            return text


#: The text of the last few runs of kept items written, by ``id`` of the run's first item: a
#: repeated page of 1,000 unchanged items is then one identity check per item, not one join of
#: 1,000 texts. Each entry holds its items, so no id in it can be reused while it is kept.
_RUNS: dict[int, tuple[list, str]] = {}
_RUNS_KEPT = 16
_runs_lock = threading.Lock()


def _run_text(run: list) -> str:
    """The items' texts joined with commas; reused while the same objects come in the same order."""
    key = id(run[0])
    kept = _RUNS.get(key)
    if kept is not None and len(kept[0]) == len(run) and all(map(is_, kept[0], run)):
        return kept[1]
    text = ",".join([item.json() for item in run])
    with _runs_lock:
        _RUNS.pop(key, None)
        _RUNS[key] = (run, text)
        while len(_RUNS) > _RUNS_KEPT:
            del _RUNS[next(iter(_RUNS))]
    return text


def _list_text(value: list) -> str:
    """A list whose items are :class:`Rendered`, except perhaps the first (``$LATEST``)."""
    if type(value[0]) is Rendered:
        return "[" + _run_text(value) + "]"
    head = _encode(value[0])
    rest = value[1:]
    if rest and all(type(item) is Rendered for item in rest):
        return "[" + head + "," + _run_text(rest) + "]"
    return "[" + ",".join([item.json() if type(item) is Rendered else _encode(item) for item in value]) + "]"


def dumps(data: dict[str, Any]) -> bytes:
    """``json.dumps(data, separators=(",", ":"))``, reusing the cached text of :class:`Rendered` items.

    Only top-level lists holding :class:`Rendered` items take the fast path (their other items, such
    as ``$LATEST`` heading a list of versions, are encoded as usual); everything else is encoded as
    usual too, so the bytes are identical to the plain encoding.
    """
    fast = False
    for value in data.values():
        if type(value) is list and any(type(item) is Rendered for item in value[:2]):
            fast = True
            break
    if not fast:
        return _encode(data).encode()
    parts = []
    for key, value in data.items():
        text = _list_text(value) if type(value) is list and value else _encode(value)
        parts.append(_encode(key) + ":" + text)
    return ("{" + ",".join(parts) + "}").encode()
