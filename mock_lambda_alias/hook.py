"""Interception: botocore event handlers that answer Lambda calls while a mock is active.

Three handlers, all on the ``lambda`` service only, so other services never reach our code:

* ``before-call.lambda``: notes the client's operation model, region and access key ID (who is
  calling, see identity.py) for this thread (botocore hands ``before-send`` only the prepared
  request);
* ``choose-signer.lambda``: while active, skips SigV4 signing — nothing leaves the process, and
  clients work with no credentials at all;
* ``before-send.lambda``: answers the request from the active mock's backend.

They are installed once, at import, into botocore's ``BUILTIN_HANDLERS`` (every session created
later gets them, including the one boto3 makes lazily) and into boto3's default session if it
already exists. While no mock is active each handler returns ``None`` after one list check.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, Optional

import botocore
from botocore import handlers as botocore_handlers

if TYPE_CHECKING:
    from .switch import LambdaAliasMock

#: Active mocks, innermost last. The innermost answers; a list read is atomic under the GIL.
ACTIVE: list[LambdaAliasMock] = []

_call_context = threading.local()

_UNIQUE = "mock_lambda_alias."


def _before_call(model: Any = None, context: Any = None, request_signer: Any = None, **_: Any) -> None:
    if ACTIVE:
        region = None
        if context:
            region = (context.get("signing") or {}).get("region")
        if region is None and request_signer is not None:
            region = request_signer._region_name
        _call_context.model = model
        _call_context.region = region
        _call_context.access_key = access_key_of(request_signer)


def access_key_of(request_signer: Any) -> Optional[str]:
    """The access key ID the client would sign with: who the caller is (see identity.py).

    Read from the client's ``RequestSigner`` at ``before-call``; None for unsigned clients.
    """
    credentials = getattr(request_signer, "_credentials", None)
    return getattr(credentials, "access_key", None) if credentials is not None else None


def _choose_signer(**_: Any) -> Optional[object]:
    if ACTIVE:
        return botocore.UNSIGNED
    return None


def _before_send(request: Any, event_name: str = "", **_: Any) -> Any:
    if not ACTIVE:
        return None
    mock = ACTIVE[-1]
    operation_name = event_name.rpartition(".")[2]
    model = getattr(_call_context, "model", None)
    region = getattr(_call_context, "region", None)
    if model is not None and model.name != operation_name:
        model = None
    access_key = getattr(_call_context, "access_key", None)
    _call_context.model = _call_context.access_key = None
    from .responder import answer

    return answer(mock, operation_name, request, model, region, access_key)


HANDLERS = (
    ("before-call.lambda", _before_call, _UNIQUE + "before-call"),
    ("choose-signer.lambda", _choose_signer, _UNIQUE + "choose-signer"),
    ("before-send.lambda", _before_send, _UNIQUE + "before-send"),
)


def install() -> None:
    """Register the handlers for future sessions and for boto3's existing default session."""
    builtin = botocore_handlers.BUILTIN_HANDLERS
    present = {(entry[0], entry[1]) for entry in builtin}
    for event, handler, _unique in HANDLERS:
        if (event, handler) not in present:
            builtin.append((event, handler))
    import sys

    boto3 = sys.modules.get("boto3")
    session = getattr(boto3, "DEFAULT_SESSION", None) if boto3 is not None else None
    if session is not None:
        register_on(session._session)


def register_on(botocore_session: Any) -> None:
    """Register on one botocore session (idempotent): for sessions made before our import."""
    for event, handler, unique in HANDLERS:
        botocore_session.register(event, handler, unique_id=unique)


def uninstall() -> None:
    builtin = botocore_handlers.BUILTIN_HANDLERS
    ours = {h for _, h, _ in HANDLERS}
    builtin[:] = [entry for entry in builtin if entry[1] not in ours]
