"""aiobotocore's clients (aioboto3's too): the same interception through aiobotocore's own endpoint.

``AioBaseClient`` overrides ``_make_request`` as a coroutine: it gets an async wrapper that does
what the sync one does. aiobotocore's endpoint emits ``before-send`` too (awaiting coroutine
handlers, calling plain ones), and reads the response it gets there with its own async
``convert_to_response_dict``: so the answer is handed over as an ``AioAWSResponse`` whose raw
object is an in-memory stand-in for the aiohttp response (what aiobotocore's ``StreamingBody``
and event-stream reader read). Imported only once ``aiobotocore.client`` is.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from aiobotocore.awsrequest import AioAWSResponse

from . import ownership
from .clients import SERVICE


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


def aio_response(response: Any) -> AioAWSResponse:
    """botocore's ``AWSResponse`` as the ``AioAWSResponse`` aiobotocore's endpoint reads."""
    return AioAWSResponse(response.url, response.status_code, response.headers, _AioRaw(response.url, response.content))


def answering(service_model: Any) -> Callable[..., Any]:
    """The ``before-send.lambda`` handler of an aiobotocore client of ``service_model``."""
    operation_model = service_model.operation_model

    def answer_lambda_request(request: Any, event_name: str, **_: Any) -> Optional[AioAWSResponse]:
        engagement = ownership.current()
        if engagement is None:
            return None
        response = engagement.answer(operation_model(event_name.rpartition(".")[2]), request)
        return None if response is None else aio_response(response)

    return answer_lambda_request


def wrap(original: Callable[..., Any]) -> Callable[..., Any]:
    async def _make_request(
        self: Any, operation_model: Any, request_dict: dict[str, Any], request_context: dict[str, Any]
    ) -> Any:
        if self._service_model.service_name == SERVICE:
            ownership.own_emitter(self.meta.events, answering, self._service_model)
        return await original(self, operation_model, request_dict, request_context)

    _make_request.__wrapped__ = original  # type: ignore[attr-defined]
    _make_request.__mock_lambda_alias__ = True  # type: ignore[attr-defined]
    return _make_request
