"""The AWS event stream encoding (``application/vnd.amazon.eventstream``), for streaming outputs
such as InvokeWithResponseStream's."""

from __future__ import annotations

import struct
import zlib
from typing import Optional

from botocore.model import Shape

OCTETS = "application/octet-stream"


def _event_header(name: str, value: str) -> bytes:
    encoded_name, encoded_value = name.encode(), value.encode()
    return (
        struct.pack("!B", len(encoded_name))
        + encoded_name
        + b"\x07"
        + struct.pack("!H", len(encoded_value))
        + encoded_value
    )


#: An event's headers by (event type, content type): a stream repeats the same few.
_EVENT_HEADERS: dict[tuple[str, str], bytes] = {}
_PRELUDE = struct.Struct("!II")
_CRC = struct.Struct("!I")


def encode_event(event_type: str, payload: bytes, content_type: str) -> bytes:
    """One message of the AWS event stream encoding (prelude, headers, payload, CRCs)."""
    headers = _EVENT_HEADERS.get((event_type, content_type))
    if headers is None:
        headers = _EVENT_HEADERS[event_type, content_type] = (
            _event_header(":event-type", event_type)
            + _event_header(":content-type", content_type)
            + _event_header(":message-type", "event")
        )
    prelude = _PRELUDE.pack(12 + len(headers) + len(payload) + 4, len(headers))
    message = prelude + _CRC.pack(zlib.crc32(prelude)) + headers + payload
    return message + _CRC.pack(zlib.crc32(message))


OCTETS = "application/octet-stream"


def event_plan(stream_shape: Shape, event: str) -> tuple[Optional[str], str]:
    """How an event of a stream is written: (its payload member, content type), or (None, JSON)
    when its members are the payload."""
    event_shape = stream_shape.members[event]  # type: ignore[attr-defined]
    for name, member in event_shape.members.items():
        if member.serialization.get("eventpayload"):
            return name, OCTETS if member.type_name == "blob" else "text/plain"
    return None, "application/json"
