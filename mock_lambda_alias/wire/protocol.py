"""rest-json on the wire, driven by botocore's service model.

Reads the ``AWSPreparedRequest`` botocore built (URI labels, querystring, headers, JSON or payload
body) into a dict keyed by the input shape's member names, and writes a backend result dict back
as a real HTTP response (status code, header members, JSON or payload body, request id), so that
botocore's own parser, paginators, waiters and ``ClientError`` do the rest. Nothing here knows
about individual operations: each operation's codec is compiled once from its model and cached.
"""

from __future__ import annotations

import base64
import datetime
import io
import json
import re
import struct
import uuid
import zlib
from typing import Any, Callable, NamedTuple, Optional
from urllib.parse import parse_qsl, unquote, urlsplit

from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.model import OperationModel, Shape

from ..backend import rendered
from ..errors import InvalidRequestContent, LambdaError, ValidationError
from .validation import camel, type_error_message

Converter = Callable[[Any], Any]


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


class RequestParts(NamedTuple):
    """What the codec reads of a request: botocore's request dict or a prepared HTTP request alike."""

    url: str
    headers: Any
    body: Any


def _read_body(body: Any) -> Any:
    """A stream body's bytes, leaving the stream where it was (botocore rewinds it for retries)."""
    if not hasattr(body, "read"):
        return bytes(body) if isinstance(body, (bytearray, memoryview)) else body
    position = None
    try:
        position = body.tell()
    except Exception:
        pass
    data = body.read()
    if position is not None:
        try:
            body.seek(position)
        except Exception:
            pass
    return data


class RawBody(io.BytesIO):
    """The raw stream of a response; ``AWSResponse.content`` reads it through ``stream()``."""

    def stream(self, **_: Any) -> Any:
        contents = self.read()
        while contents:
            yield contents
            contents = self.read()


# ---------------------------------------------------------------------------
# shape-driven conversions between JSON values and Python values
# ---------------------------------------------------------------------------


_DECODED = frozenset({"blob", "timestamp", "double", "float"})
_ENCODED = frozenset({"blob", "timestamp"})


#: Whether a shape's values need converting, by (shape name, types), per API version: each named
#: shape is looked at once per process, whichever operations and members reach it.
Memo = dict[tuple[str, frozenset], bool]
_CONVERSIONS: dict[str, Memo] = {}


def _shape_map(shape: Shape) -> Optional[dict]:
    """The model's shape definitions as loaded (botocore's resolver keeps them), when reachable.

    Walking them costs nothing; resolving a ``Shape`` for every member of a deep output (botocore
    copies each definition) cost CreateFunction's first call most of a millisecond.
    """
    resolver = getattr(shape, "_shape_resolver", None)
    shapes = getattr(resolver, "_shape_map", None)
    return shapes if isinstance(shapes, dict) else None


def _needs_conversion(shape: Shape, types: frozenset, memo: Memo) -> bool:
    """Whether values of ``shape`` contain a type that JSON does not carry as Python does."""
    key = (shape.name, types)
    found = memo.get(key)
    if found is None:
        shapes = _shape_map(shape)
        if shapes is not None and shape.name in shapes:
            found = _walk_definitions(shapes, shape.name, types, memo, frozenset())[0]
        else:
            found = _walk_shapes(shape, types, frozenset())
        memo[key] = found
    return found


def _walk_definitions(shapes: dict, name: str, types: frozenset, memo: Memo, seen: frozenset) -> tuple[bool, bool]:
    """(needs conversion, known for sure): a walk cut short at a shape already on the path (a
    recursive shape) proves nothing about a False, so only complete answers are remembered."""
    key = (name, types)
    found = memo.get(key)
    if found is not None:
        return found, True
    if name in seen:
        return False, False
    definition = shapes.get(name) or {}
    kind = definition.get("type")
    if kind in types:
        memo[key] = True
        return True, True
    if kind == "structure":
        refs = [m.get("shape") for m in (definition.get("members") or {}).values()]
    elif kind == "list":
        refs = [(definition.get("member") or {}).get("shape")]
    elif kind == "map":
        refs = [(definition.get("value") or {}).get("shape")]
    else:
        refs = []
    complete = True
    seen = seen | {name}
    for ref in refs:
        if ref is None:
            continue
        needs, sure = _walk_definitions(shapes, ref, types, memo, seen)
        if needs:
            memo[key] = True
            return True, True
        complete = complete and sure
    if complete:
        memo[key] = False
    return False, complete


def _walk_shapes(shape: Shape, types: frozenset, seen: frozenset) -> bool:
    """The same question through botocore's resolved shapes (a model whose definitions are not
    reachable)."""
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


def _decoder(shape: Shape, memo: Memo) -> Optional[Converter]:
    """JSON value -> Python value for shapes that need it (blobs are base64 on the wire)."""
    if not _needs_conversion(shape, _DECODED, memo):
        return None
    if shape.type_name == "blob":
        return _b64decode
    if shape.type_name == "timestamp":
        return _parse_timestamp
    if shape.type_name in ("double", "float"):
        return _to_float
    if shape.type_name == "structure":
        members = {
            name: conv
            for name, m in shape.members.items()  # type: ignore[attr-defined]
            if (conv := _decoder(m, memo)) is not None
        }

        def structure(value: Any) -> Any:
            if isinstance(value, dict):
                for name, conv in members.items():
                    if value.get(name) is not None:
                        value[name] = conv(value[name])
            return value

        return structure
    if shape.type_name == "list":
        conv = _decoder(shape.member, memo)  # type: ignore[attr-defined]
        assert conv is not None
        return lambda value: [conv(v) for v in value] if isinstance(value, list) else value
    if shape.type_name == "map":
        conv = _decoder(shape.value, memo)  # type: ignore[attr-defined]
        assert conv is not None
        return lambda value: {k: conv(v) for k, v in value.items()} if isinstance(value, dict) else value
    return None


def _encoder(shape: Shape, memo: Memo) -> Optional[Converter]:
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
            if (conv := _encoder(m, memo)) is not None
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
        conv = _encoder(shape.member, memo)  # type: ignore[attr-defined]
        assert conv is not None
        return lambda value: [conv(v) for v in value]
    if shape.type_name == "map":
        conv = _encoder(shape.value, memo)  # type: ignore[attr-defined]
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


def _parse_timestamp(value: Any) -> Any:
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


def _from_text(shape: Shape) -> Converter:
    """Converter for values that arrive as text (URI labels, querystring, headers)."""
    type_name = shape.type_name
    if type_name in ("integer", "long"):
        return _integer_text
    if type_name in ("double", "float"):
        return float
    if type_name == "boolean":
        return lambda text: text.lower() == "true"
    if type_name == "timestamp":
        return _parse_timestamp
    if shape.serialization.get("jsonvalue"):
        return lambda text: json.loads(base64.b64decode(text))
    return lambda text: text


def _to_text(shape: Shape, value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if shape.serialization.get("jsonvalue"):
        return base64.b64encode(json.dumps(value).encode()).decode()
    return str(value)


# ---------------------------------------------------------------------------
# per-operation codec
# ---------------------------------------------------------------------------


_OCTETS = "application/octet-stream"


def _event_plan(stream_shape: Shape, event: str) -> tuple[Optional[str], str]:
    """How an event of a stream is written: (its payload member, content type), or (None, JSON)
    when its members are the payload."""
    event_shape = stream_shape.members[event]  # type: ignore[attr-defined]
    for name, member in event_shape.members.items():
        if member.serialization.get("eventpayload"):
            return name, _OCTETS if member.type_name == "blob" else "text/plain"
    return None, "application/json"


class OperationCodec:
    """Request parser and response writer for one operation, compiled from its model."""

    def __init__(self, operation: OperationModel) -> None:
        # Keeps shapes only, never the operation model: a model keeps its client's whole service
        # model alive, and codecs are shared by every client of the process.
        self.name = operation.name
        #: How each event of an event-stream output is written, by event name (made at first use).
        self._event_plans: dict[str, tuple[Optional[str], str]] = {}
        memo = _CONVERSIONS.setdefault(operation.metadata.get("apiVersion", ""), {})
        http = operation.http
        self.status = int(http.get("responseCode", 200))
        request_uri = http.get("requestUri", "/")
        path_template, _, static_query = request_uri.partition("?")
        self._compile_uri(path_template)
        self.static_query = frozenset(k for k, _ in parse_qsl(static_query, keep_blank_values=True))

        self.query: dict[str, tuple[str, Shape, Converter]] = {}
        self.query_map: Optional[str] = None
        self.headers: dict[str, tuple[str, Converter]] = {}
        self.body_members: dict[str, Optional[Converter]] = {}
        self.payload: Optional[tuple[str, Shape]] = None
        #: URI labels by wire name: (member name, shape, converter); a label arrives as text.
        self.label_members: dict[str, tuple[str, Shape, Converter]] = {}
        shape = operation.input_shape
        if shape is not None:
            payload_name = shape.serialization.get("payload")
            for name, member in shape.members.items():  # type: ignore[attr-defined]
                location = member.serialization.get("location")
                wire = member.serialization.get("name", name)
                if location == "querystring":
                    if member.type_name == "map":
                        self.query_map = name
                    else:
                        inner = member.member if member.type_name == "list" else member  # type: ignore[attr-defined]
                        self.query[wire] = (name, member, _from_text(inner))
                elif location == "header":
                    self.headers[wire.lower()] = (name, _from_text(member))
                elif location == "uri":
                    self.label_members[wire] = (name, member, _from_text(member))
                elif location in ("headers", "statusCode"):
                    continue
                elif name == payload_name:
                    self.payload = (name, member)
                else:
                    self.body_members[name] = _decoder(member, memo)
            self.body_decoders = {k: v for k, v in self.body_members.items() if v is not None}
        else:
            self.body_decoders = {}

        self.out_headers: list[tuple[str, str, Shape]] = []
        self.out_status: Optional[str] = None
        self.out_payload: Optional[tuple[str, Shape]] = None
        self.out_body: dict[str, Optional[Converter]] = {}
        out = operation.output_shape
        if out is not None:
            payload_name = out.serialization.get("payload")
            for name, member in out.members.items():  # type: ignore[attr-defined]
                location = member.serialization.get("location")
                if location == "header":
                    self.out_headers.append((name, member.serialization.get("name", name), member))
                elif location == "statusCode":
                    self.out_status = name
                elif name == payload_name:
                    self.out_payload = (name, member)
                else:
                    self.out_body[name] = _encoder(member, memo)
        self.out_encoders = {k: v for k, v in self.out_body.items() if v is not None}

    def _compile_uri(self, template: str) -> None:
        """Plan the match of a request path's end against the template, one segment at a time.

        Templates whose labels each fill a whole segment (all of Lambda's) are matched by
        comparing segments, which costs nothing to prepare; compiling a regular expression for
        every operation took a tenth of a millisecond from its first call. Other templates
        (greedy ``{Label+}``, a label inside a segment) use a regular expression, made on first use.
        """
        labels: list[str] = []
        plan: list[Optional[str]] = []
        whole_segments = True
        for segment in template.rstrip("/").split("/")[1:]:
            if segment.startswith("{") and segment.endswith("}") and segment.count("{") == 1:
                label = segment[1:-1]
                whole_segments = whole_segments and not label.endswith("+")
                labels.append(label.rstrip("+"))
                plan.append(None)
            else:
                whole_segments = whole_segments and "{" not in segment
                plan.append(segment)
        self.uri_labels = tuple(labels)
        self._uri_plan: Optional[tuple[Optional[str], ...]] = tuple(plan) if whole_segments else None
        self._uri_template = template
        self._uri_regex: Any = None

    def _match_uri(self, path: str) -> Optional[list[str]]:
        """The raw label values when the path ends with the template (an endpoint may add a prefix)."""
        plan = self._uri_plan
        if plan is None:
            return self._match_uri_regex(path)
        if path.endswith("/"):
            path = path[:-1]
        segments = path.split("/")
        if len(segments) <= len(plan):
            return None
        values = []
        for expected, segment in zip(plan, segments[len(segments) - len(plan) :]):
            if expected is None:
                if not segment:
                    return None
                values.append(segment)
            elif segment != expected:
                return None
        return values

    def _match_uri_regex(self, path: str) -> Optional[list[str]]:
        if self._uri_regex is None:
            pattern = ""
            for part in re.split(r"(\{[^}]+\})", self._uri_template):
                if part.startswith("{") and part.endswith("}"):
                    pattern += "(.+)" if part.endswith("+}") else "([^/]+)"
                else:
                    pattern += re.escape(part)
            self._uri_regex = re.compile(pattern.rstrip("/") + "/?$")
        match = self._uri_regex.search(path)
        return None if match is None else list(match.groups())

    # -- requests -----------------------------------------------------------

    def parse_request(self, request: AWSPreparedRequest) -> dict:
        """The request as a dict of input members, as the caller passed them to boto3."""
        params: dict[str, Any] = {}
        split = urlsplit(request.url)
        if self.uri_labels:
            raws = self._match_uri(split.path)
            if raws is not None:
                for label, raw in zip(self.uri_labels, raws):
                    text = unquote(raw)
                    entry = self.label_members.get(label)
                    if entry is None:
                        params[label] = text
                        continue
                    name, shape, conv = entry
                    try:
                        params[name] = conv(text)
                    except ValueError:
                        raise ValidationError(type_error_message(text, camel(name), shape.type_name)) from None
        if split.query:
            self._parse_query(split.query, params)
        if self.headers:
            for header, value in request.headers.items():
                entry = self.headers.get(header.lower())
                if entry is not None:
                    if isinstance(value, bytes):
                        value = value.decode("utf-8")
                    elif not isinstance(value, str):
                        value = str(value)  # what HTTP would carry
                    params[entry[0]] = entry[1](value)
        body = request.body
        if body is not None and not isinstance(body, (bytes, str)):
            body = _read_body(body)
        if self.payload is not None:
            name, shape = self.payload
            if body:
                if shape.type_name == "blob":
                    params[name] = body if isinstance(body, bytes) else str(body).encode()
                else:
                    params[name] = self._decode_json(body)
        elif body and self.body_members:
            data = self._decode_json(body)
            if isinstance(data, dict):
                for name, conv in self.body_decoders.items():
                    if data.get(name) is not None:
                        data[name] = conv(data[name])
                params.update(data)
        return params

    def _parse_query(self, query: str, params: dict) -> None:
        for key, value in parse_qsl(query, keep_blank_values=True):
            entry = self.query.get(key)
            if entry is None:
                if self.query_map is not None and key not in self.static_query:
                    params.setdefault(self.query_map, {})[key] = value
                continue
            name, shape, conv = entry
            try:
                converted = conv(value)
            except ValueError:
                inner = shape.member if shape.type_name == "list" else shape  # type: ignore[attr-defined]
                raise ValidationError(type_error_message(value, camel(name), inner.type_name)) from None
            if shape.type_name == "list":
                params.setdefault(name, []).append(converted)
            else:
                params[name] = converted

    @staticmethod
    def _decode_json(body: Any) -> Any:
        try:
            return json.loads(body)
        except ValueError as exc:
            raise InvalidRequestContent(f"Could not parse request body into json: {exc}") from None

    # -- responses ----------------------------------------------------------

    def _encode_event(self, stream_shape: Shape, event: str, members: dict) -> bytes:
        plan = self._event_plans.get(event)
        if plan is None:
            plan = self._event_plans[event] = _event_plan(stream_shape, event)
        payload_member, content_type = plan
        if payload_member is not None:
            value = members.get(payload_member) or b""
            return encode_event(event, value if content_type == _OCTETS else str(value).encode(), content_type)
        body = rendered.compact({k: v for k, v in members.items() if v is not None}).encode()
        return encode_event(event, body, "application/json")

    def write_response(self, url: str, result: Optional[dict], request_id: Optional[str] = None) -> AWSResponse:
        """A real HTTP response carrying ``result`` (a dict of output members)."""
        result = result or {}
        status = self.status
        headers = {"Content-Type": "application/json", "x-amzn-RequestId": request_id or str(uuid.uuid4())}
        if self.out_status is not None and self.out_status in result:
            status = int(result[self.out_status])
        for name, wire, shape in self.out_headers:
            value = result.get(name)
            if value is not None:
                headers[wire] = _to_text(shape, value)
        if self.out_payload is not None:
            name, shape = self.out_payload
            value = result.get(name)
            if value is None:
                body = b""
            elif shape.serialization.get("eventstream"):
                body = b"".join(self._encode_event(shape, event, members) for event, members in value)
            elif shape.type_name == "blob":
                body = value if isinstance(value, bytes) else str(value).encode()
            else:
                body = rendered.compact(value).encode()
        elif (
            type(result) is rendered.Rendered
            and not self.out_encoders
            and not self.out_headers
            and result.keys() <= self.out_body.keys()
        ):
            # A kept item answered as the whole output (GetAlias): its text is already written.
            body = result.json().encode()
        else:
            data = {}
            encoders = self.out_encoders
            for name in self.out_body:
                value = result.get(name)
                if value is not None:
                    conv = encoders.get(name)
                    data[name] = conv(value) if conv is not None else value
            body = rendered.dumps(data) if (data or status != 204) else b""
        headers["Content-Length"] = str(len(body))
        return AWSResponse(url, status, headers, RawBody(body))


#: Codecs by (API version, operation name): one per operation for the whole process, however
#: many clients (each with its own copy of the service model) come and go.
_CODECS: dict[tuple[str, str], OperationCodec] = {}


def codec_for(operation: OperationModel) -> OperationCodec:
    """The codec of an operation, compiled at its first use in the process."""
    key = (operation.metadata.get("apiVersion", ""), operation.name)
    codec = _CODECS.get(key)
    if codec is None:
        codec = _CODECS[key] = OperationCodec(operation)
    return codec


def error_response(url: str, error: LambdaError, service_model: Any, request_id: Optional[str] = None) -> AWSResponse:
    """An AWS error response: status, ``x-amzn-errortype`` and the JSON body Lambda writes.

    The body carries the members the modeled error shape has (``Type`` plus ``Message`` or
    ``message``, exactly as spelled in the model), so botocore fills the same fields into the
    ``ClientError`` response as it does for real AWS.
    """
    body: dict[str, Any] = {}
    shape = _error_shape(service_model, error.code)
    if shape is None:
        body["message"] = error.message
    else:
        for name, member in shape.members.items():
            if member.serialization.get("location") == "header":
                continue
            if name.lower() == "message":
                body[name] = error.message
            elif name == "Type":
                if error.error_type is not None:
                    body[name] = error.error_type
            elif name in error.extra:
                body[name] = error.extra[name]
    data = rendered.compact(body).encode()
    headers = {
        "Content-Type": "application/json",
        "x-amzn-RequestId": request_id or str(uuid.uuid4()),
        # Recorded from real AWS (Nov 2025): the bare code, no Coral namespace suffix.
        "x-amzn-errortype": error.code,
        "Content-Length": str(len(data)),
    }
    if shape is not None:
        for name, member in shape.members.items():
            if member.serialization.get("location") == "header" and name in error.extra:
                headers[member.serialization.get("name", name)] = str(error.extra[name])
    return AWSResponse(url, error.status, headers, RawBody(data))


_ERROR_SHAPES: dict[str, Any] = {}


def _error_shape(service_model: Any, code: str) -> Any:
    if service_model is None:
        return None
    try:
        return _ERROR_SHAPES[code]
    except KeyError:
        shape = next((s for s in service_model.error_shapes if s.name == code), None)
        _ERROR_SHAPES[code] = shape
        return shape
