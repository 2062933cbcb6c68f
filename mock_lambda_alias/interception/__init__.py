"""Interception: botocore's whole request path runs for a Lambda request, and the answer comes in
``before-send``.

:func:`engage` wraps ``_make_request`` on botocore's ``BaseClient`` (and aiobotocore's
``AioBaseClient``, now or when it is first imported): every client is covered, however and whenever
it was made (before our import, in another thread, from a session without builtin handlers). For
a Lambda client the wrapper registers one handler first on ``before-send.lambda`` of the client's
own emitter (once per client) and calls the original. So a Lambda request is built, announced
(``request-created``), signed with the caller's credentials (``before-sign`` included) and handed
to ``before-send`` as it would be for AWS; tracers and the user's own handlers see it there, and
what botocore cannot send (a payload it cannot sign) fails as it would against AWS. The handler
calls ``answer(operation_model, request)`` with the signed ``AWSPreparedRequest``; the response it
returns is what botocore reads, parses, retries on and turns into modeled errors; None lets the
request go where it would without us. Handlers named by ``suspended()`` (moto's stubber, which
would record the request and run moto's own Lambda) are taken off that client's ``before-send``
while engaged.

:func:`disengage` gives everything back: the classes hold exactly what they held, the handler is
unregistered from every emitter it was registered on and the suspended handlers are registered
back. This package knows no mock, no wire and no moto: the caller supplies both callables.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import Any, Callable, Optional

from . import ownership
from .ownership import Answer, Suspended

__all__ = ["Answer", "Suspended", "disengage", "engage", "engaged"]

_AIO_MODULE = "aiobotocore.client"
_finder: Optional[Any] = None


def _nothing() -> Iterable[Callable[..., Any]]:
    return ()


def engage(answer: Answer, suspended: Optional[Suspended] = None) -> None:
    """Start answering Lambda requests of every botocore-based client with ``answer``.

    ``answer(operation_model, request)`` gets the signed ``botocore.awsrequest.AWSPreparedRequest``
    and returns a ``botocore.awsrequest.AWSResponse`` (its raw object readable as botocore reads a
    streaming body: ``read()`` and ``stream()``), or None to let the request go on. ``suspended()``
    returns the handlers to take off ``before-send`` of each Lambda client while engaged. Raises
    ``RuntimeError`` when already engaged.
    """
    global _finder
    from botocore.client import BaseClient

    from . import clients

    with ownership.lock:
        ownership.begin(ownership.Engagement(answer, suspended or _nothing))
        try:
            ownership.wrap_class(BaseClient, clients.wrap)
            if _AIO_MODULE in sys.modules:
                _wrap_aio()
            else:
                from .import_hooks import AfterImport

                _finder = AfterImport(_AIO_MODULE, _wrap_aio)
        except BaseException:
            disengage()
            raise


def _wrap_aio() -> None:
    from . import aio

    ownership.wrap_class(sys.modules[_AIO_MODULE].AioBaseClient, aio.wrap)


def disengage() -> None:
    """Stop answering and leave nothing of ours in anyone's path. Idempotent."""
    global _finder
    with ownership.lock:
        if _finder is not None:
            _finder.cancel()
            _finder = None
        ownership.release()


def engaged() -> bool:
    """Whether :func:`engage` is in force."""
    return ownership.current() is not None
