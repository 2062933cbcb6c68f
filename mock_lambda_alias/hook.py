"""Interception: answer every Lambda call of every botocore-based client while a mock is active.

Where. botocore's ``BaseClient._make_api_call`` serializes the request, emits ``before-call`` (a
handler there, such as botocore's Stubber, may answer with ``(http_response, parsed)``), and only
when nobody answered calls ``self._make_request(operation_model, request_dict, context)``, which
signs, sends through the endpoint (``before-send`` handlers, moto's included, see it there) and
parses. We replace ``_make_request`` *on the client classes* while a mock is active: for a Lambda
client the replacement answers from the mock and parses the answer with the client's own parser;
for any other service it calls the original. So:

* every Lambda client is answered, however and whenever its session or client was made (before
  our import, ``include_builtin_handlers=False``, another thread) — a class attribute is seen by
  all instances; there is no per-session registration to miss;
* what the caller sees is what botocore makes of a real response: ``provide-client-params``,
  ``before-parameter-build``, ``before-call`` and ``after-call`` handlers run as usual, botocore's
  parser builds the result (``ResponseMetadata`` included), errors become the client's modeled
  ``ClientError`` subclasses, and the ``needs-retry`` handlers decide about retries as they would
  for the network (a throttled answer is retried, with ``RetryAttempts`` counted);
* nothing after ``before-call`` runs for Lambda: no signing (no credentials needed), no request
  preparation, no ``before-send`` — moto's ``mock_aws`` never sees our requests;
* aiobotocore / aioboto3 clients (``AioBaseClient`` overrides ``_make_request`` as a coroutine)
  get an async replacement and aiobotocore's own async parser and streaming bodies.

When. :func:`engage` at the first activation, :func:`disengage` at the last stop (the switch calls
them under its lock): afterwards the classes hold exactly the functions they held before, and no
handler of ours is registered anywhere. If aiobotocore is imported while a mock is active, a
``sys.meta_path`` finder (present only while active) patches it as soon as it is loaded.

Threads. Activations are process-wide, like moto's: the innermost active mock (the last one
started, in whichever thread) answers the calls of every thread.
"""

from __future__ import annotations

import sys
import threading
from typing import TYPE_CHECKING, Any, Callable, Optional

if TYPE_CHECKING:
    from .switch import LambdaAliasMock

#: Active mocks, innermost last. The innermost answers; a list read is atomic under the GIL.
ACTIVE: list[LambdaAliasMock] = []

_SERVICE = "lambda"
_AIO_MODULE = "aiobotocore.client"

_guard_lock = threading.RLock()
#: (class, original ``_make_request``) for each class we patched, to restore exactly.
_patched: list[tuple[type, Callable[..., Any]]] = []
_finder: Optional[Any] = None


# ---------------------------------------------------------------------------
# answering (sync)
# ---------------------------------------------------------------------------


def access_key_of(request_signer: Any) -> Optional[str]:
    """The access key ID the client would sign with: who the caller is (see identity.py)."""
    credentials = getattr(request_signer, "_credentials", None)
    return getattr(credentials, "access_key", None) if credentials is not None else None


def _client_region(client: Any, context: dict) -> Optional[str]:
    signing = context.get("signing")
    region = signing.get("region") if signing else None
    return region or client.meta.region_name


def _protocol(service_model: Any) -> str:
    # ``resolved_protocol`` (botocore 1.36+) picks among several; older releases have one.
    return getattr(service_model, "resolved_protocol", None) or service_model.protocol


#: The last few large success bodies botocore's parsers decoded, by ``id``: (body, decoded JSON).
#: Each entry holds its body, so no id in it can be reused while it is kept; emptied at the last stop.
_DECODED: dict[int, tuple[bytes, Any]] = {}
_DECODED_KEPT = 4
#: Bodies from this size on (a list page of some hundred items) are worth keeping decoded.
DECODE_KEPT_FROM = 32 * 1024


def _reuse_decoded(parser: Any, body: Any) -> None:
    """Let ``parser`` reuse the JSON it decoded from the very same body object before.

    A list page whose items did not change is answered with the same bytes object again
    (``rendered.dumps``), and decoding 1,000 items is a sixth of botocore's cost for the page.
    botocore's JSON parsers only read the decoded value to build their own result (Lambda's model
    has no document shapes, the one case where they hand a decoded value on), so sharing it between
    calls changes nothing a caller sees.
    """
    decode = getattr(parser, "_parse_body_as_json", None)
    if decode is None or type(body) is not bytes or len(body) < DECODE_KEPT_FROM:
        return

    def decode_once(contents: Any) -> Any:
        kept = _DECODED.get(id(contents))
        if kept is not None and kept[0] is contents:
            return kept[1]
        decoded = decode(contents)
        if contents is body:
            with _guard_lock:
                _DECODED[id(body)] = (body, decoded)
                while len(_DECODED) > _DECODED_KEPT:
                    del _DECODED[next(iter(_DECODED))]
        return decoded

    parser._parse_body_as_json = decode_once


def _parsed(endpoint: Any, operation_model: Any, response_dict: dict, status: int) -> dict:
    parser = endpoint._response_parser_factory.create_parser(_protocol(operation_model.service_model))
    if status < 300:
        _reuse_decoded(parser, response_dict.get("body"))
    parsed = parser.parse(response_dict, operation_model.output_shape)
    if status >= 300:
        endpoint._add_modeled_error_fields(response_dict, parsed, operation_model, parser)
    return parsed


def _answer(client: Any, operation_model: Any, request_dict: dict, context: dict) -> tuple[Any, dict]:
    """The ``(http_response, parsed)`` pair ``_make_request`` returns, made by the mock."""
    from botocore.response import StreamingBody

    from .wire.dispatch import respond

    endpoint = client._endpoint
    region = _client_region(client, context)
    access_key = access_key_of(client._request_signer)
    attempts = 1
    endpoint._update_retries_context(context, attempts)
    while True:
        http = respond(ACTIVE[-1], operation_model, request_dict, region, access_key)
        body = http.raw
        response_dict = _response_dict(operation_model, http, body.getvalue, body, StreamingBody)
        success = (http, _parsed(endpoint, operation_model, response_dict, http.status_code))
        if not endpoint._needs_retry(attempts, operation_model, request_dict, success):
            break
        attempts += 1
        endpoint._update_retries_context(context, attempts, success)
    return _count_retries(success, attempts)


def _response_dict(
    operation_model: Any, http: Any, whole: Callable[[], bytes], stream: Any, body_class: Callable[..., Any]
) -> dict:
    """The response dict botocore's parsers read: the whole body, or a stream for streaming output.

    ``whole()`` is read only when the body is parsed at once; ``stream`` is handed to event-stream
    parsers as it is, and wrapped in the client's own ``body_class`` for a streaming blob
    (``Invoke``'s ``Payload``).
    """
    status = http.status_code
    response_dict: dict[str, Any] = {
        "headers": http.headers,
        "status_code": status,
        "context": {"operation_name": operation_model.name},
    }
    if status >= 300 or not (operation_model.has_streaming_output or operation_model.has_event_stream_output):
        response_dict["body"] = whole()
    elif operation_model.has_event_stream_output:
        response_dict["body"] = stream
    else:
        response_dict["body"] = body_class(stream, http.headers.get("content-length"))
    return response_dict


def _count_retries(success: tuple[Any, dict], attempts: int) -> tuple[Any, dict]:
    """Report the retries in ``ResponseMetadata``, as botocore's endpoint does."""
    metadata = success[1].get("ResponseMetadata")
    if metadata is not None:
        metadata["RetryAttempts"] = attempts - 1
    return success


def _wrap_sync(original: Callable[..., Any]) -> Callable[..., Any]:
    def _make_request(self: Any, operation_model: Any, request_dict: dict, request_context: dict) -> Any:
        if ACTIVE and self._service_model.service_name == _SERVICE:
            return _answer(self, operation_model, request_dict, request_context)
        return original(self, operation_model, request_dict, request_context)

    _make_request.__wrapped__ = original  # type: ignore[attr-defined]
    _make_request.__mock_lambda_alias__ = True  # type: ignore[attr-defined]
    return _make_request


# ---------------------------------------------------------------------------
# answering (aiobotocore)
# ---------------------------------------------------------------------------


class _AioContent:
    """The part of aiohttp's ``StreamReader`` that aiobotocore's bodies and event streams read."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._position = 0

    async def read(self, n: int = -1) -> bytes:
        start = self._position
        end = len(self._data) if n is None or n < 0 else min(len(self._data), start + n)
        self._position = end
        return self._data[start:end]

    def at_eof(self) -> bool:
        return self._position >= len(self._data)

    async def iter_chunks(self) -> Any:
        while not self.at_eof():
            yield await self.read(65536), True


class _AioRaw:
    """An in-memory stand-in for the aiohttp response aiobotocore wraps as ``raw``."""

    def __init__(self, url: str, data: bytes) -> None:
        self.url = url
        self.content = _AioContent(data)

    async def read(self) -> bytes:
        return await self.content.read()

    def close(self) -> None:
        pass

    def release(self) -> None:
        pass


async def _aio_parsed(endpoint: Any, operation_model: Any, response_dict: dict, status: int) -> dict:
    parser = endpoint._response_parser_factory.create_parser(_protocol(operation_model.service_model))
    parsed = await parser.parse(response_dict, operation_model.output_shape)
    if status >= 300:
        await endpoint._add_modeled_error_fields(response_dict, parsed, operation_model, parser)
    return parsed


async def _aio_answer(client: Any, operation_model: Any, request_dict: dict, context: dict) -> tuple[Any, dict]:
    from aiobotocore.awsrequest import AioAWSResponse

    try:
        from aiobotocore.response import AioStreamingBody
    except ImportError:  # aiobotocore 2.x (the one aioboto3 pins) names its async body StreamingBody
        from aiobotocore.response import StreamingBody as AioStreamingBody

    from .wire.dispatch import respond

    endpoint = client._endpoint
    region = _client_region(client, context)
    access_key = access_key_of(client._request_signer)
    attempts = 1
    endpoint._update_retries_context(context, attempts)
    while True:
        answer = respond(ACTIVE[-1], operation_model, request_dict, region, access_key)
        data = answer.raw.getvalue()
        raw = _AioRaw(answer.url, data)
        http = AioAWSResponse(answer.url, answer.status_code, answer.headers, raw)
        response_dict = _response_dict(operation_model, http, answer.raw.getvalue, raw, AioStreamingBody)
        success = (http, await _aio_parsed(endpoint, operation_model, response_dict, http.status_code))
        if not await endpoint._needs_retry(attempts, operation_model, request_dict, success):
            break
        attempts += 1
        endpoint._update_retries_context(context, attempts, success)
    return _count_retries(success, attempts)


def _wrap_async(original: Callable[..., Any]) -> Callable[..., Any]:
    async def _make_request(self: Any, operation_model: Any, request_dict: dict, request_context: dict) -> Any:
        if ACTIVE and self._service_model.service_name == _SERVICE:
            return await _aio_answer(self, operation_model, request_dict, request_context)
        return await original(self, operation_model, request_dict, request_context)

    _make_request.__wrapped__ = original  # type: ignore[attr-defined]
    _make_request.__mock_lambda_alias__ = True  # type: ignore[attr-defined]
    return _make_request


# ---------------------------------------------------------------------------
# engaging and disengaging the guard
# ---------------------------------------------------------------------------


def _patch(cls: type, wrap: Callable[[Callable[..., Any]], Callable[..., Any]]) -> None:
    if any(patched is cls for patched, _ in _patched):
        return
    original = cls.__dict__["_make_request"]
    _patched.append((cls, original))
    cls._make_request = wrap(original)  # type: ignore[attr-defined]


def _patch_aio(module: Any) -> None:
    with _guard_lock:
        if _patched:  # still engaged
            _patch(module.AioBaseClient, _wrap_async)


def engage() -> None:
    """Put the guard on the client classes (first activation). Idempotent."""
    global _finder
    from botocore.client import BaseClient

    with _guard_lock:
        _patch(BaseClient, _wrap_sync)
        aio = sys.modules.get(_AIO_MODULE)
        if aio is not None:
            _patch(aio.AioBaseClient, _wrap_async)
        elif _finder is None:
            # Patch aiobotocore's client class when it is first imported while a mock is active.
            from .import_hooks import AfterImport

            _finder = AfterImport(_AIO_MODULE, lambda: _patch_aio(sys.modules[_AIO_MODULE]))


def disengage() -> None:
    """Restore every patched class exactly (last stop). Idempotent."""
    global _finder
    with _guard_lock:
        while _patched:
            cls, original = _patched.pop()
            current = cls.__dict__.get("_make_request")
            if getattr(current, "__mock_lambda_alias__", False):
                cls._make_request = original  # type: ignore[attr-defined]
            # else: someone patched over us since; leave theirs (ours, beneath it, is dormant).
        if _finder is not None:
            _finder.cancel()
            _finder = None
        _DECODED.clear()


def engaged() -> bool:
    """Whether the guard is on (a mock is active)."""
    return bool(_patched)


def register_on(botocore_session: Any) -> None:
    """Kept for compatibility: every session is covered without registration now."""
    del botocore_session
