"""rest-json on the wire, driven by botocore's service model.

Reads the ``AWSPreparedRequest`` botocore built (URI labels, querystring, headers, JSON or payload
body) into a dict keyed by the input shape's member names, and writes a backend result dict back
as a real HTTP response (status code, header members, JSON or payload body, request id), so that
botocore's own parser, paginators, waiters and ``ClientError`` do the rest. Nothing here knows
about individual operations: each operation's codec is compiled once from its model and cached.
"""

from __future__ import annotations

import io
import json
import re
import uuid
from typing import Any, NamedTuple, Optional
from urllib.parse import parse_qsl, unquote, urlsplit

from botocore.awsrequest import AWSPreparedRequest, AWSResponse, HeadersDict
from botocore.compat import HTTPHeaders
from botocore.model import OperationModel, Shape

from ..backend import rendered
from ..errors import InvalidRequestContent, LambdaError, ValidationError
from . import conversions, eventstream
from .conversions import Converter
from .validation import camel, type_error_message


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
# per-operation codec
# ---------------------------------------------------------------------------


class OperationCodec:
    """Request parser and response writer for one operation, compiled from its model."""

    def __init__(self, operation: OperationModel) -> None:
        # Keeps shapes only, never the operation model: a model keeps its client's whole service
        # model alive, and codecs are shared by every client of the process.
        self.name = operation.name
        #: How each event of an event-stream output is written, by event name (made at first use).
        self._event_plans: dict[str, tuple[Optional[str], str]] = {}
        memo = conversions.MEMOS.setdefault(operation.metadata.get("apiVersion", ""), {})
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
                        self.query[wire] = (name, member, conversions.from_text(inner))
                elif location == "header":
                    self.headers[wire.lower()] = (name, conversions.from_text(member))
                elif location == "uri":
                    self.label_members[wire] = (name, member, conversions.from_text(member))
                elif location in ("headers", "statusCode"):
                    continue
                elif name == payload_name:
                    self.payload = (name, member)
                else:
                    self.body_members[name] = conversions.decoder(member, memo)
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
                    self.out_body[name] = conversions.encoder(member, memo)
        self.out_encoders = {k: v for k, v in self.out_body.items() if v is not None}

    def _compile_uri(self, template: str) -> None:
        """Plan the match of a request path's end against the template, one segment at a time.

        Templates whose labels each fill a whole segment (all of Lambda's) are matched by
        comparing segments. Other templates (greedy ``{Label+}``, a label inside a segment) use a
        regular expression, made on first use.
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
            self._parse_headers(request.headers, params)
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

    def _parse_headers(self, headers: Any, params: dict) -> None:
        """The header members: looked up by name in botocore's case-insensitive headers, or found
        by walking a plain mapping."""
        if isinstance(headers, (HeadersDict, HTTPHeaders)):
            found = [(wire, headers.get(wire)) for wire in self.headers]
        else:
            found = [(str(header).lower(), value) for header, value in headers.items()]
        for wire, value in found:
            entry = self.headers.get(wire)
            if entry is None or value is None:
                continue
            if isinstance(value, bytes):
                value = value.decode("utf-8")
            elif not isinstance(value, str):
                value = str(value)  # what HTTP would carry
            params[entry[0]] = entry[1](value)

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
            plan = self._event_plans[event] = eventstream.event_plan(stream_shape, event)
        payload_member, content_type = plan
        if payload_member is not None:
            value = members.get(payload_member) or b""
            data = value if content_type == eventstream.OCTETS else str(value).encode()
            return eventstream.encode_event(event, data, content_type)
        body = rendered.compact({k: v for k, v in members.items() if v is not None}).encode()
        return eventstream.encode_event(event, body, "application/json")

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
                headers[wire] = conversions.to_text(shape, value)
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
            # Only output members are written (a result may carry more); most need no conversion.
            out_body, encoders = self.out_body, self.out_encoders
            data = {name: value for name, value in result.items() if value is not None and name in out_body}
            for name, conv in encoders.items():
                if name in data:
                    data[name] = conv(data[name])
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
