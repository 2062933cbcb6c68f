"""Response items rendered once and encoded once: what keeps List* pages cheap at scale.

A list of 1,000 versions or aliases is mostly items that did not change since the previous page.
The backend keeps each such item as a :class:`Rendered` dict on its model object (dropped on every
write, see ``backend.model.Cached``), and :func:`dumps` writes a response body from the items'
cached JSON text instead of encoding every item again. This module sits at the bottom of the
backend and imports nothing of ours; the wire layer writes bodies with it.
"""

from __future__ import annotations

import json
import threading
from operator import is_
from typing import Any, Optional

#: ``json.dumps(value, separators=(",", ":"))`` without making an encoder per call.
compact = json.JSONEncoder(separators=(",", ":")).encode


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
            text = self._json = compact(self)
            return text


class _Run:
    """A run of kept items as last written: their joined bytes, and the last body around them."""

    __slots__ = ("around", "body", "data", "items")

    def __init__(self, items: list, data: bytes) -> None:
        self.items = items
        self.data = data
        self.around: Any = None
        self.body = b""


#: The last few runs of kept items written, by ``id`` of the run's first item: a repeated page of
#: 1,000 unchanged items is then one identity check per item, with no join and no copy of the
#: body. Each entry holds its items, so no id in it can be reused while it is kept.
_RUNS: dict[int, _Run] = {}
_RUNS_KEPT = 16
_runs_lock = threading.Lock()


def _kept_run(run: list) -> Optional[_Run]:
    """The run's joined bytes, reused while the same objects come in the same order; None when
    not every item is :class:`Rendered` (checked only when the run is not the kept one)."""
    key = id(run[0])
    kept = _RUNS.get(key)
    if kept is not None and len(kept.items) == len(run) and all(map(is_, kept.items, run)):
        return kept
    if not all(type(item) is Rendered for item in run):
        return None
    kept = _Run(run, ",".join([item.json() for item in run]).encode())
    with _runs_lock:
        _RUNS.pop(key, None)
        _RUNS[key] = kept
        while len(_RUNS) > _RUNS_KEPT:
            del _RUNS[next(iter(_RUNS))]
    return kept


def _list_pieces(value: list) -> tuple[list, Optional[_Run]]:
    """A list of items of which some are :class:`Rendered`: one kept run when all are, or all but
    the first (``$LATEST`` heading a list of versions); otherwise each item on its own."""
    run = _kept_run(value)
    if run is not None:
        return [b"[", run, b"]"], run
    rest = value[1:]
    run = _kept_run(rest) if rest else None
    if run is not None:
        return [b"[", compact(value[0]).encode(), b",", run, b"]"], run
    text = ",".join([item.json() if type(item) is Rendered else compact(item) for item in value])
    return [b"[", text.encode(), b"]"], None


def dumps(data: dict[str, Any]) -> bytes:
    """``json.dumps(data, separators=(",", ":"))``, reusing the cached text of :class:`Rendered` items.

    Only top-level lists holding :class:`Rendered` items take the fast path (their other items, such
    as ``$LATEST`` heading a list of versions, are encoded as usual); everything else is encoded as
    usual too, so the bytes are identical to the plain encoding. A body holding one run of kept items
    is assembled with one join, and when everything around the run is what it was last time, the
    last body is answered again as it is.
    """
    fast = False
    for value in data.values():
        if type(value) is list and any(type(item) is Rendered for item in value[:2]):
            fast = True
            break
    if not fast:
        return compact(data).encode()
    pieces: list = [b"{"]
    runs: list[_Run] = []
    for key, value in data.items():
        if len(pieces) > 1:
            pieces.append(b",")
        pieces.append(compact(key).encode() + b":")
        if type(value) is list and value:
            more, run = _list_pieces(value)
            pieces += more
            if run is not None:
                runs.append(run)
        else:
            pieces.append(compact(value).encode())
    pieces.append(b"}")
    if len(runs) != 1:
        return b"".join([p.data if type(p) is _Run else p for p in pieces])
    run = runs[0]
    around = tuple(p for p in pieces if p is not run)
    if run.around == around:
        return run.body
    body = b"".join([run.data if p is run else p for p in pieces])
    run.around, run.body = around, body
    return body
