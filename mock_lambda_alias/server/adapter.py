"""The seam between HTTP and the in-process wire layer.

In process, the interception hands :func:`~mock_lambda_alias.wire.dispatch.answer` the
``AWSPreparedRequest`` botocore built; the server builds the very same object from the bytes a
client sent, so parsing, validation, the backend and response writing are shared unchanged and a
client over HTTP gets exactly the in-process answer.

The caller's identity comes from the SigV4 signature, as on AWS and in LocalStack (see
:mod:`mock_lambda_alias.wire.signing`).
"""

from __future__ import annotations

from typing import Any, Optional

from botocore.awsrequest import AWSPreparedRequest, AWSResponse, HeadersDict
from botocore.model import OperationModel

from ..wire import dispatch


def prepared_request(method: str, url: str, headers: Any, body: bytes) -> AWSPreparedRequest:
    """The request as botocore would have prepared and signed it for the in-process interception."""
    copied = HeadersDict()
    for key, value in headers.items():
        copied[key] = value
    return AWSPreparedRequest(method, url, copied, body, stream_output=False)


def answer(
    mock: dispatch.Context,
    operation: OperationModel,
    request: AWSPreparedRequest,
    region: Optional[str],
    access_key: Optional[str] = None,
) -> AWSResponse:
    """Run one Lambda API request through the shared dispatcher.

    The dispatcher tells the caller's account from ``access_key`` (see
    :mod:`mock_lambda_alias.backend.identity`: keys configured on the handle, a 12-digit key id as
    its account, else the default account).
    """
    return dispatch.answer(mock, operation.name, request, operation, region, access_key)
