"""botocore's clients: the class-level wrapper and the ``before-send`` handler of a Lambda client.

While engaged, ``BaseClient._make_request`` is wrapped at the class, so every client is covered
however and whenever it was made. For a Lambda client the wrapper only makes sure the answering
handler is registered on the client's own emitter, then calls the original: botocore's endpoint
then runs its whole path as it would against AWS (``request-created``, ``before-sign``, signing
with the caller's credentials, ``before-send``, parsing, retries, modeled errors) and the handler
answers in ``before-send``, ahead of every plain ``before-send`` handler.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from . import ownership

SERVICE = "lambda"


def answering(service_model: Any) -> Callable[..., Any]:
    """The ``before-send.lambda`` handler of a client of ``service_model``."""
    operation_model = service_model.operation_model

    def answer_lambda_request(request: Any, event_name: str, **_: Any) -> Optional[Any]:
        engagement = ownership.current()
        if engagement is None:
            return None  # disengaged while this request was on its way: it goes on as without us
        return engagement.answer(operation_model(event_name.rpartition(".")[2]), request)

    return answer_lambda_request


def wrap(original: Callable[..., Any]) -> Callable[..., Any]:
    def _make_request(
        self: Any, operation_model: Any, request_dict: dict[str, Any], request_context: dict[str, Any]
    ) -> Any:
        if self._service_model.service_name == SERVICE:
            ownership.own_emitter(self.meta.events, answering, self._service_model)
        return original(self, operation_model, request_dict, request_context)

    _make_request.__wrapped__ = original  # type: ignore[attr-defined]
    _make_request.__mock_lambda_alias__ = True  # type: ignore[attr-defined]
    return _make_request
