"""Invoke payloads: parsed as AWS parses them (Jackson), and refused with Jackson's words."""

from __future__ import annotations

import base64
import json
from typing import Any, Optional

from ..errors import InvalidRequestContent


def _jackson_error(data: bytes) -> str:
    """AWS parses payloads with Jackson; describe the first problem as it does."""
    prefix = "Could not parse request body into json: Could not parse payload into json: "
    location = "\n at [Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: 1, column: {}]"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return prefix + f"Invalid UTF-8 start byte 0x{data[exc.start]:02x}" + location.format(exc.start + 2)
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        line, column = exc.lineno, exc.colno
        char = text[exc.pos] if exc.pos < len(text) else ""
        if char.isalpha():
            end = exc.pos
            while end < len(text) and (text[end].isalnum() or text[end] == "_"):
                end += 1
            detail = (
                f"Unrecognized token '{text[exc.pos : end]}': was expecting (JSON String, Number, Array, Object or "
                "token 'null', 'true' or 'false')"
            )
            return prefix + detail + location.replace("line: 1", f"line: {line}").format(column + end - exc.pos)
        if not char:
            detail = "Unexpected end-of-input: expected close marker"
        elif ord(char) < 32 or 127 <= ord(char) < 160:
            detail = (
                f"Unexpected character ((CTRL-CHAR, code {ord(char)})): expected a valid value "
                "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')"
            )
        else:
            detail = (
                f"Unexpected character ('{char}' (code {ord(char)})): expected a valid value "
                "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')"
            )
        return prefix + detail + location.replace("line: 1", f"line: {line}").format(column)
    return prefix + "invalid JSON"


def parse_event(payload: bytes) -> Any:
    if not payload:
        return {}
    try:
        return json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise InvalidRequestContent(_jackson_error(payload)) from None


def client_context(header: Optional[str]) -> Any:
    """The ``ClientContext`` an Invoke carries (base64 JSON); None when absent or unreadable."""
    if not header:
        return None
    try:
        return json.loads(base64.b64decode(header))
    except (ValueError, TypeError):
        return None
