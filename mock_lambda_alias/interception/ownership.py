"""What the interception owns while it is engaged, and giving every piece of it back.

Two kinds of things are owned:

* client classes (botocore's ``BaseClient``, aiobotocore's ``AioBaseClient``) whose
  ``_make_request`` is wrapped: each class gets back exactly the function it held;
* the emitters of Lambda clients, on which the answering handler is registered first for
  ``before-send.lambda`` and from which the handlers ``suspended()`` names (moto's stubber) are
  taken off ``before-send``: the handler is unregistered (by its ``unique_id``) and each handler
  taken off is registered back. Emitters are held by weak reference, so a client that goes away
  takes its entry with it.

Every change happens under one lock and only while engaged, so a call racing with
:func:`release` either registers before the release (and is undone by it) or not at all.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterable
from typing import Any, Callable, NamedTuple, Optional

from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.model import OperationModel

#: The event the mock answers on: more specific than any plain ``before-send`` handler, so a
#: handler registered first on it runs before every handler of those.
EVENT = "before-send.lambda"
#: Where moto's stubber (and any other suspended handler) is registered.
SEND = "before-send"
UNIQUE_ID = "mock_lambda_alias.interception"

#: ``answer(operation_model, request) -> Optional[AWSResponse]``: the response to a signed
#: ``AWSPreparedRequest``, or None when no mock is active (the request then goes on as without us).
Answer = Callable[[OperationModel, AWSPreparedRequest], Optional[AWSResponse]]
#: Returns the handler objects to take off ``before-send`` of Lambda clients while engaged.
Suspended = Callable[[], Iterable[Callable[..., Any]]]


class Engagement(NamedTuple):
    answer: Answer
    suspended: Suspended


class _Owned(NamedTuple):
    handler: Callable[..., Any]
    #: Handlers taken off ``before-send`` of this emitter, to register back.
    taken: tuple[Callable[..., Any], ...]


lock = threading.RLock()
_engagement: Optional[Engagement] = None
_emitters: weakref.WeakKeyDictionary[Any, _Owned] = weakref.WeakKeyDictionary()
#: (class, original ``_make_request``) for each class wrapped, to restore exactly.
_classes: list[tuple[type, Callable[..., Any]]] = []


def current() -> Optional[Engagement]:
    """The engagement in force, read once: None when disengaged."""
    return _engagement


def begin(engagement: Engagement) -> None:
    global _engagement
    with lock:
        if _engagement is not None:
            raise RuntimeError("interception.engage() called while engaged: call disengage() first")
        _engagement = engagement


def own_emitter(emitter: Any, make_handler: Callable[[Any], Callable[..., Any]], service_model: Any) -> None:
    """Make sure the mock answers first on ``emitter`` (a Lambda client's): idempotent, cheap once done."""
    if emitter in _emitters:
        return
    with lock:
        engagement = _engagement
        if engagement is None or emitter in _emitters:
            return
        taken = tuple(h for h in engagement.suspended() if registered(emitter, SEND, h))
        handler = make_handler(service_model)
        emitter.register_first(EVENT, handler, unique_id=UNIQUE_ID)
        for suspended in taken:
            emitter.unregister(SEND, suspended)
        _emitters[emitter] = _Owned(handler, taken)


def registered(emitter: Any, event: str, handler: Any) -> bool:
    """Whether ``handler`` is registered on ``emitter`` for ``event``.

    botocore's emitters have no public way to list handlers. This reads the trie every botocore
    release keeps them in (moto's ``patch_client`` reads the same); should that ever change, the
    answer is True, so a suspended handler is taken off and registered back at the release.
    """
    inner = getattr(emitter, "_emitter", emitter)
    try:
        return handler in inner._handlers.prefix_search(event)
    except AttributeError:
        return True


def wrap_class(cls: type, wrap: Callable[[Callable[..., Any]], Callable[..., Any]]) -> None:
    """Replace ``cls._make_request`` with ``wrap(original)`` (once; only while engaged)."""
    with lock:
        if _engagement is None or any(wrapped is cls for wrapped, _ in _classes):
            return
        original = cls.__dict__["_make_request"]
        _classes.append((cls, original))
        cls._make_request = wrap(original)  # type: ignore[attr-defined]


def release() -> None:
    """End the engagement: every class, emitter and suspended handler as it was. Idempotent."""
    global _engagement
    with lock:
        _engagement = None
        while _classes:
            cls, original = _classes.pop()
            if getattr(cls.__dict__.get("_make_request"), "__mock_lambda_alias__", False):
                cls._make_request = original  # type: ignore[attr-defined]
            # else: someone wrapped it over us since; leave theirs (ours, beneath it, only calls on).
        for emitter, owned in list(_emitters.items()):
            # Suspended handlers go back first: a request sent meanwhile meets our handler, which
            # answers None now, and then theirs, never neither.
            for handler in owned.taken:
                if not registered(emitter, SEND, handler):  # unless someone put it back meanwhile
                    emitter.register(SEND, handler)
            emitter.unregister(EVENT, owned.handler, unique_id=UNIQUE_ID)
        _emitters.clear()


def owned_emitters() -> list[Any]:
    """The emitters the answering handler is registered on now (for tests and diagnostics)."""
    return list(_emitters.keys())
