"""From an HTTP request to an HTTP response: parse, validate, run, write.

The one place where wire layer, validation and backend meet; the interception (in process) and the
server (over HTTP) both answer through :func:`answer`. Any AWS error becomes an AWS error
response; anything else (a bug of ours) becomes a ``ServiceException`` 500 that is also kept on
the mock handle (``m.internal_errors``), so a test run can fail loudly on it instead of a user
seeing a traceback from inside botocore.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Optional, Protocol

from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.model import OperationModel

from ..backend import registry
from ..backend.call import Call
from ..backend.identity import Identity
from ..backend.ids import new_uuid
from ..backend.store import Store
from ..errors import LambdaError, NotImplementedOperation, ServiceError
from . import protocol, validation
from .signing import caller_of


class Context(Protocol):
    """What answering needs of a mock: its state, who callers are, where our own failures go."""

    store: Store
    #: The region used when a request's region cannot be told.
    region: str
    internal_errors: list[tuple[str, BaseException]]

    def identity_for(self, access_key_id: Optional[str]) -> Identity: ...


log = logging.getLogger("mock_lambda_alias")

_HOST_REGION = re.compile(r"lambda[.-]([a-z0-9-]+)\.amazonaws")
_OPERATIONS: dict[str, OperationModel] = {}
_service_model: Any = None


def _fallback_operation(name: str) -> Optional[OperationModel]:
    """Our own copy of the model, for requests whose client model we did not see."""
    global _service_model
    if _service_model is None:
        import botocore.session

        _service_model = botocore.session.get_session().get_service_model("lambda")
    try:
        return _service_model.operation_model(name)
    except Exception:
        return None


def _region_from(url: str, fallback: str) -> str:
    match = _HOST_REGION.search(url)
    return match.group(1) if match else fallback


def respond(mock: Context, model: OperationModel, request: AWSPreparedRequest) -> AWSResponse:
    """Answer the signed request botocore prepared for ``model`` (the interception's entry).

    The caller is who signed it: the access key and region of the ``Authorization`` header's
    credential scope (parsed as server mode parses it); an unsigned request is the activation's
    own account, in the region of the URL's host, else the mock's region.
    """
    url = request.url
    caller = caller_of(request.headers, url.partition("?")[2] if "X-Amz-Credential" in url else "")
    return answer(mock, model.name, request, model, caller.region, caller.access_key)


def answer(
    mock: Context,
    operation_name: str,
    request: Any,
    model: Optional[OperationModel],
    region: Optional[str],
    access_key: Optional[str] = None,
) -> AWSResponse:
    """Answer one HTTP request (anything with ``url``, ``headers`` and ``body``) for an operation."""
    url = request.url
    request_id = new_uuid()
    if model is None:
        model = _OPERATIONS.get(operation_name) or _fallback_operation(operation_name)
        if model is None:
            return protocol.error_response(url, NotImplementedOperation(operation_name), None)
    else:
        _OPERATIONS.setdefault(operation_name, model)
    service_model = model.service_model
    try:
        codec = protocol.codec_for(model)
        params = codec.parse_request(request)
        validation.validate(model, params)
        handler = registry.handler_for(operation_name)
        if handler is None:
            raise NotImplementedOperation(operation_name)
        caller = mock.identity_for(access_key)
        region = region or _region_from(url, mock.region)
        call = Call(mock.store, caller.account_id, region, request_id, caller, operation_name)
        if registry.manages_lock(operation_name):
            result = handler(call, params)
        else:
            with mock.store.lock:
                result = handler(call, params)
        response = codec.write_response(url, result, request_id)
    except LambdaError as error:
        response = protocol.error_response(url, error, service_model, request_id)
    except Exception as exc:  # a bug of ours: answer like AWS's internal error, keep the evidence
        log.exception("mock_lambda_alias failed on %s", operation_name)
        mock.internal_errors.append((operation_name, exc))
        response = protocol.error_response(
            url,
            ServiceError(f"mock_lambda_alias internal error in {operation_name}: {exc!r}"),
            service_model,
            request_id,
        )
    # Work the call caused (an Event invoke, a retry due now) runs before it is answered, in the
    # default delivery mode: for every client, intercepted or over HTTP.
    mock.store.scheduler.settle()
    return response
