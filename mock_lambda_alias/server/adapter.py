"""The seam between HTTP and the in-process wire layer.

The in-process hook hands ``responder.answer`` the ``AWSPreparedRequest`` botocore built; the server
builds the very same object from the bytes a client sent, so parsing, validation, the backend and
response writing are shared unchanged and a client over HTTP gets exactly the in-process answer.
Everything the server knows about the responder's signature is in :func:`answer` below.

The caller's identity comes from the SigV4 signature, as on AWS and in LocalStack: the region from
the credential scope (``Credential=AKID/20250101/eu-west-1/lambda/aws4_request``), the account
from the access key id (a configured mapping, else a 12-digit key id is itself the account, else
the server's default account). Signatures are not verified: nobody but the client knows the secret.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Optional
from urllib.parse import parse_qs

from botocore.awsrequest import AWSPreparedRequest, AWSResponse, HeadersDict
from botocore.model import OperationModel

if TYPE_CHECKING:
    from ..switch import LambdaAliasMock

_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/(\d{8})/([a-z0-9-]+)/([a-z0-9-]+)/aws4_request")
_ACCOUNT = re.compile(r"^\d{12}$")


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


def account_for(access_key: Optional[str], accounts: dict[str, str], default: str) -> str:
    """The account an access key belongs to: configured, else a 12-digit key id, else the default."""
    if access_key is None:
        return default
    configured = accounts.get(access_key)
    if configured is not None:
        return configured
    if _ACCOUNT.match(access_key):
        return access_key
    return default


class AccountView:
    """The mock handle as seen by one caller: the same store, with the caller's account as default.

    ``responder.answer`` places a call in ``mock.account_id``; handing it this view instead of
    adding a parameter keeps the responder exactly as the in-process hook uses it.
    """

    def __init__(self, mock: LambdaAliasMock, account_id: str) -> None:
        self._mock = mock
        self.account_id = account_id

    def __getattr__(self, name: str) -> Any:
        return getattr(self._mock, name)


def prepared_request(method: str, url: str, headers: Any, body: bytes) -> AWSPreparedRequest:
    """The request as botocore would have prepared it for the in-process hook."""
    copied = HeadersDict()
    for key, value in headers.items():
        copied[key] = value
    return AWSPreparedRequest(method, url, copied, body, stream_output=False)


def answer(
    mock: LambdaAliasMock,
    account_id: str,
    operation: OperationModel,
    request: AWSPreparedRequest,
    region: Optional[str],
    access_key: Optional[str] = None,
) -> AWSResponse:
    """Run one Lambda API request through the shared responder (the only place that calls it).

    The responder tells the caller's identity from ``access_key`` (the mock's configured keys, a
    12-digit key id as its account); ``account_id`` stays the default for unsigned requests.
    """
    from .. import responder

    view: Any = mock if account_id == mock.account_id else AccountView(mock, account_id)
    return responder.answer(view, operation.name, request, operation, region, access_key)
