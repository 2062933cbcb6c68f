"""Response items rendered once and encoded once: what keeps List* pages cheap at scale.

A list of 1,000 versions or aliases is mostly items that did not change since the previous page.
The backend keeps each such item as a :class:`Rendered` dict on its model object (dropped on every
write, see ``backend.model.Cached``), and :func:`dumps` writes a response body from the items'
cached JSON text instead of encoding every item again. This module sits below both the backend and
the wire layer and imports neither.
"""

from __future__ import annotations

import json
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
        if type(value) is list:
            text = "[" + ",".join([item.json() if type(item) is Rendered else _encode(item) for item in value]) + "]"
        else:
            text = _encode(value)
        parts.append(_encode(key) + ":" + text)
    return ("{" + ",".join(parts) + "}").encode()
