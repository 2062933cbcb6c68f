"""Who signed a request: the access key and region of a SigV4 signature.

AWS decides where a request lands (which account's functions it sees) from the credentials that
signed it. In process and over HTTP alike the mock reads them from the request as AWS receives it:
the ``Authorization`` header's credential scope
(``Credential=AKID/20250101/eu-west-1/lambda/aws4_request``) or a presigned URL's querystring.
Signatures are not verified: nobody but the client knows the secret.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Optional, Union
from urllib.parse import parse_qs

_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/(\d{8})/([a-z0-9-]+)/([a-z0-9-]+)/aws4_request")


@dataclass(frozen=True)
class Caller:
    """Who signed a request, as far as the signature tells."""

    access_key: Optional[str]
    region: Optional[str]


UNSIGNED = Caller(None, None)

#: Callers by the credential part of an ``Authorization`` header (everything before its first
#: comma): a client signs every request with the same credential scope for a day.
_SCOPES: dict[Union[str, bytes], Caller] = {}
_SCOPES_KEPT = 256


def signed_by(authorization: Union[str, bytes]) -> Caller:
    """Access key and region of an ``Authorization`` header's credential scope (botocore hands the
    headers it prepared over as bytes, a server as text)."""
    scope = authorization.partition(b"," if isinstance(authorization, bytes) else ",")[0]
    found = _SCOPES.get(scope)
    if found is None:
        text = scope.decode("latin-1") if isinstance(scope, bytes) else scope
        match = _CREDENTIAL.search(text)
        found = UNSIGNED if match is None else Caller(match.group(1), match.group(3))
        if len(_SCOPES) >= _SCOPES_KEPT:
            _SCOPES.clear()
        _SCOPES[scope] = found
    return found


def caller_of(headers: Any, query: str) -> Caller:
    """Access key and region from an ``Authorization`` header or a presigned URL's querystring."""
    authorization = headers.get("Authorization")
    if authorization:
        caller = signed_by(authorization)
        if caller is not UNSIGNED:
            return caller
    if "X-Amz-Credential" in query:
        credential = (parse_qs(query).get("X-Amz-Credential") or [""])[0]
        match = _CREDENTIAL.search("Credential=" + credential)
        if match is not None:
            return Caller(match.group(1), match.group(3))
    return UNSIGNED
