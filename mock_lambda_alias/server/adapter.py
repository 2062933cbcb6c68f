"""The seam between HTTP and the in-process wire layer.

In process, the interception hands :func:`~mock_lambda_alias.wire.dispatch.answer` the
``AWSPreparedRequest`` botocore built; the server builds the very same object from the bytes a
client sent, so parsing, validation, the backend and response writing are shared unchanged and a
client over HTTP gets exactly the in-process answer.

The caller's identity comes from the SigV4 signature, as on AWS and in LocalStack: the region from
the credential scope (``Credential=AKID/20250101/eu-west-1/lambda/aws4_request``), the account
from the access key id (a configured mapping, else a 12-digit key id is itself the account, else
the server's default account). Signatures are not verified: nobody but the client knows the secret.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Optional
from urllib.parse import parse_qs

from botocore.awsrequest import AWSPreparedRequest, AWSResponse, HeadersDict
from botocore.model import OperationModel

from ..wire import dispatch

_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/(\d{8})/([a-z0-9-]+)/([a-z0-9-]+)/aws4_request")


@dataclass(frozen=True)
class Caller:
    """Who signed a request, as far as the signature tells."""

    access_key: Optional[str]
    region: Optional[str]


def caller_of(headers: Any, query: str) -> Caller:
    """Access key and region from an ``Authorization`` header or a presigned URL's querystring."""
    authorization = headers.get("Authorization") or ""
    match = _CREDENTIAL.search(authorization)
    if match is None and "X-Amz-Credential" in query:
        credential = (parse_qs(query).get("X-Amz-Credential") or [""])[0]
        match = _CREDENTIAL.search("Credential=" + credential)
    if match is None:
        return Caller(None, None)
    return Caller(match.group(1), match.group(3))


def prepared_request(method: str, url: str, headers: Any, body: bytes) -> AWSPreparedRequest:
    """The request as botocore would have prepared it for the in-process hook."""
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
