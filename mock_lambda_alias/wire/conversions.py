"""Shape-driven conversions between JSON (or text) values on the wire and Python values.

Blobs travel as base64, timestamps as epoch seconds, doubles may arrive as integers, and members
bound to URI labels, the querystring or headers arrive as text. Each operation's codec asks here
once, per member, which converter (if any) a shape needs.
"""

from __future__ import annotations

import base64
import datetime
import json
import re
from typing import Any, Callable, Optional

from botocore.model import Shape

Converter = Callable[[Any], Any]

_DECODED = frozenset({"blob", "timestamp", "double", "float"})
_ENCODED = frozenset({"blob", "timestamp"})


#: Whether a shape's values need converting, by (shape name, types), per API version: each named
#: shape is looked at once per process, whichever operations and members reach it.
Memo = dict[tuple[str, frozenset], bool]
MEMOS: dict[str, Memo] = {}


def _needs_conversion(shape: Shape, types: frozenset, memo: Memo) -> bool:
    """Whether values of ``shape`` contain a type that JSON does not carry as Python does."""
    key = (shape.name, types)
    found = memo.get(key)
    if found is None:
        found = memo[key] = _walk_shapes(shape, types, frozenset())
    return found


def _walk_shapes(shape: Shape, types: frozenset, seen: frozenset) -> bool:
    """Walk the shape's members; a shape already on the path (a recursive shape) adds nothing."""
    if shape.name in seen:
        return False
    if shape.type_name in types:
        return True
    seen = seen | {shape.name}
    if shape.type_name == "structure":
        return any(_walk_shapes(m, types, seen) for m in shape.members.values())  # type: ignore[attr-defined]
    if shape.type_name == "list":
        return _walk_shapes(shape.member, types, seen)  # type: ignore[attr-defined]
    if shape.type_name == "map":
        return _walk_shapes(shape.value, types, seen)  # type: ignore[attr-defined]
    return False


def decoder(shape: Shape, memo: Memo) -> Optional[Converter]:
    """JSON value -> Python value for shapes that need it (blobs are base64 on the wire)."""
    if not _needs_conversion(shape, _DECODED, memo):
        return None
    if shape.type_name == "blob":
        return _b64decode
    if shape.type_name == "timestamp":
        return parse_timestamp
    if shape.type_name in ("double", "float"):
        return _to_float
    if shape.type_name == "structure":
        members = {
            name: conv
            for name, m in shape.members.items()  # type: ignore[attr-defined]
            if (conv := decoder(m, memo)) is not None
        }

        def structure(value: Any) -> Any:
            if isinstance(value, dict):
                for name, conv in members.items():
                    if value.get(name) is not None:
                        value[name] = conv(value[name])
            return value

        return structure
    if shape.type_name == "list":
        conv = decoder(shape.member, memo)  # type: ignore[attr-defined]
        assert conv is not None
        return lambda value: [conv(v) for v in value] if isinstance(value, list) else value
    if shape.type_name == "map":
        conv = decoder(shape.value, memo)  # type: ignore[attr-defined]
        assert conv is not None
        return lambda value: {k: conv(v) for k, v in value.items()} if isinstance(value, dict) else value
    return None


def encoder(shape: Shape, memo: Memo) -> Optional[Converter]:
    """Python value -> JSON value for shapes that need it."""
    if not _needs_conversion(shape, _ENCODED, memo):
        return None
    if shape.type_name == "blob":
        return lambda v: base64.b64encode(v).decode("ascii") if isinstance(v, (bytes, bytearray)) else v
    if shape.type_name == "timestamp":
        return _format_epoch
    if shape.type_name == "structure":
        members = {
            name: conv
            for name, m in shape.members.items()  # type: ignore[attr-defined]
            if (conv := encoder(m, memo)) is not None
        }

        def structure(value: Any) -> Any:
            if not members or not isinstance(value, dict):
                return value
            out = dict(value)
            for name, conv in members.items():
                if out.get(name) is not None:
                    out[name] = conv(out[name])
            return out

        return structure
    if shape.type_name == "list":
        conv = encoder(shape.member, memo)  # type: ignore[attr-defined]
        assert conv is not None
        return lambda value: [conv(v) for v in value]
    if shape.type_name == "map":
        conv = encoder(shape.value, memo)  # type: ignore[attr-defined]
        assert conv is not None
        return lambda value: {k: conv(v) for k, v in value.items()}
    return None


class Undecodable:
    """A blob member whose text is not base64: kept for the type check to report with its path."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __str__(self) -> str:
        return self.text


def _b64decode(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return base64.b64decode(value, validate=True)
    except (ValueError, TypeError):
        return Undecodable(value)


def _to_float(value: Any) -> Any:
    """JSON writes 2.0 as 2; AWS reads a double either way (and prints it as 2.0)."""
    return float(value) if isinstance(value, int) and not isinstance(value, bool) else value


def parse_timestamp(value: Any) -> Any:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return datetime.datetime.fromtimestamp(value, datetime.timezone.utc)
        except (ValueError, OverflowError, OSError):
            return value  # the type check reports it
    if isinstance(value, str):
        try:
            return datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    return value


def _format_epoch(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return value.timestamp()
    return value


#: What Java's ``Integer.parseInt`` reads: a sign and decimal digits. Python's ``int()`` also takes
#: surrounding whitespace and ``_`` separators (``"1_000"``), which are no integer on AWS's side.
_INTEGER_TEXT = re.compile(r"[+-]?\d+")


def _integer_text(text: str) -> int:
    if _INTEGER_TEXT.fullmatch(text) is None:
        raise ValueError(text)
    return int(text)


def _boolean_text(text: str) -> bool:
    """``true`` or ``false`` (any case); other text is no boolean (the durable operations' query flags)."""
    lowered = text.lower()
    if lowered not in ("true", "false"):
        raise ValueError(text)
    return lowered == "true"


def from_text(shape: Shape) -> Converter:
    """Converter for values that arrive as text (URI labels, querystring, headers)."""
    type_name = shape.type_name
    if type_name in ("integer", "long"):
        return _integer_text
    if type_name in ("double", "float"):
        return float
    if type_name == "boolean":
        return _boolean_text
    if type_name == "timestamp":
        return parse_timestamp
    if shape.serialization.get("jsonvalue"):
        return lambda text: json.loads(base64.b64decode(text))
    return lambda text: text


def to_text(shape: Shape, value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if shape.serialization.get("jsonvalue"):
        return base64.b64encode(json.dumps(value).encode()).decode()
    return str(value)
