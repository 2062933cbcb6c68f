"""Serving function URLs to ``requests`` (and anything built on it) through ``responses``.

Started on the first CreateFunctionUrlConfig of an activation, so tests that never create a URL
pay nothing and keep ``requests`` untouched. Requests to ``https://<url-id>.lambda-url.<region>.on.aws``
run the function through its qualifier (alias routing included) with an API Gateway payload
format 2.0 event; every other URL passes through to whatever ``requests`` would otherwise do.
"""

from __future__ import annotations

import base64
import datetime
import json
import re
import time
import uuid
from typing import Any, Optional
from urllib.parse import parse_qsl, urlsplit

import responses

from ..backend import invoke as invoking
from ..backend.call import Call
from ..backend.controls import Controls
from ..backend.evaluation import Caller, evaluate
from ..backend.ids import new_uuid
from ..backend.invoke_target import resolve_target
from ..errors import LambdaError

URL_PATTERN = re.compile(r"^https?://([a-z0-9]+)\.lambda-url\.([a-z0-9-]+)\.on\.aws(?::\d+)?(/.*)?$")
_OTHER_URLS = re.compile(r"^(?!https?://[a-z0-9]+\.lambda-url\.[a-z0-9-]+\.on\.aws)")
_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
FORBIDDEN = (
    "Forbidden. For troubleshooting Function URL authorization issues, see: "
    "https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html"
)
_TEXT_TYPES = ("text/", "json", "xml", "javascript", "x-www-form-urlencoded")


class UrlServer:
    """A ``responses`` mock answering function URLs of one activation."""

    def __init__(self, mock: Controls) -> None:
        self.mock = mock
        self._rsps: Optional[responses.RequestsMock] = None

    def start(self) -> None:
        if self._rsps is not None:
            return
        rsps = responses.RequestsMock(assert_all_requests_are_fired=False)
        pattern = re.compile(r"https?://[a-z0-9]+\.lambda-url\.[a-z0-9-]+\.on\.aws.*")
        for method in _METHODS:
            rsps.add_callback(method, pattern, callback=self.handle)
        rsps.add_passthru(_OTHER_URLS)
        rsps.start()
        self._rsps = rsps

    def stop(self) -> None:
        if self._rsps is not None:
            self._rsps.stop(allow_assert=False)
            self._rsps.reset()
            self._rsps = None

    # -- one request --------------------------------------------------------

    def handle(self, request: Any) -> tuple[int, dict[str, str], bytes]:
        match = URL_PATTERN.match(request.url)
        request_id = new_uuid()
        if match is None:
            return _json(403, {"Message": None}, request_id, error="AccessDeniedException")
        url_id = match.group(1)
        store = self.mock.store
        with store.lock:
            target = store.function_urls.get(url_id)
            if target is None:
                return _json(403, {"Message": None}, request_id, error="AccessDeniedException")
            account_id, region, name, qualifier = target
            call = Call(store, account_id, region, request_id)
            function = call.backend.functions.get(name)
            config = function.url_configs.get(qualifier) if function is not None else None
            if function is None or config is None:
                return _json(403, {"Message": None}, request_id, error="AccessDeniedException")
            if config.auth_type == "NONE":
                allowed = url_invoke_allowed(function, qualifier)
            else:
                # The signer's identity must be allowed both actions; the mock models no
                # identity-based policies and trusts any signed caller with both, as with the API.
                authorization = request.headers.get("Authorization", "")
                allowed = authorization.startswith("AWS4-HMAC-SHA256")
            if not allowed:
                return _json(403, {"Message": FORBIDDEN}, request_id, error="AccessDeniedException")
            event = build_event(request, url_id, region, account_id if config.auth_type == "AWS_IAM" else None)
            event["requestContext"]["requestId"] = request_id
            state = store.invoke
            function, record, invoked_arn = resolve_target(state, call, name, qualifier)
            payload = json.dumps(event).encode()
            try:
                pending = invoking.begin(
                    state, call, function, record, invoked_arn, event, payload, "RequestResponse", None, qualifier
                )
            except LambdaError:  # throttled: the URL answers 429 like the API would
                return _json(429, {"Message": "Rate Exceeded."}, request_id, error="TooManyRequestsException")
        # The handler runs without the lock, so it (and other threads) can call Lambda meanwhile.
        outcome = invoking.run_unlocked(store.lock, pending)
        if outcome.function_error:
            return 502, {"Content-Type": "application/json", "x-amzn-RequestId": request_id}, b"Internal Server Error"
        return http_response(outcome.payload, request_id)


#: Since October 2025 (and for every URL since November 2026, when AWS's exceptions for older URLs
#: ended) a function URL needs both actions: ``lambda:InvokeFunctionUrl`` and
#: ``lambda:InvokeFunction``, the latter usually granted with ``InvokedViaFunctionUrl=True``
#: (https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html).
URL_ACTIONS = ("lambda:InvokeFunctionUrl", "lambda:InvokeFunction")


def url_invoke_allowed(function: Any, qualifier: Optional[str]) -> bool:
    """Whether the qualifier's policy lets anyone invoke it through a URL with ``AuthType`` NONE."""
    return all(
        evaluate(
            function,
            qualifier,
            Caller("*", action=action, function_url_auth_type="NONE", invoked_via_function_url=True),
        )
        for action in URL_ACTIONS
    )


def _json(status: int, body: Any, request_id: str, error: Optional[str] = None) -> tuple[int, dict[str, str], bytes]:
    headers = {"Content-Type": "application/json", "x-amzn-RequestId": request_id}
    if error:
        headers["x-amzn-ErrorType"] = error
    return status, headers, json.dumps(body, separators=(",", ":")).encode()


def build_event(request: Any, url_id: str, region: str, account_id: Optional[str]) -> dict[str, Any]:
    """The payload format 2.0 event Lambda builds for a function URL request."""
    split = urlsplit(request.url)
    headers = {k.lower(): v for k, v in request.headers.items()}
    host = f"{url_id}.lambda-url.{region}.on.aws"
    headers.setdefault("host", host)
    headers.update(
        {
            "x-amzn-tls-cipher-suite": "ECDHE-RSA-AES128-GCM-SHA256",
            "x-amzn-tls-version": "TLSv1.2",
            "x-forwarded-proto": "https",
            "x-forwarded-port": "443",
            "x-forwarded-for": "127.0.0.1",
            "x-amzn-trace-id": f"Root=1-{int(time.time()):08x}-{uuid.uuid4().hex[:24]}",
        }
    )
    cookies = headers.pop("cookie", None)
    now = datetime.datetime.now(datetime.timezone.utc)
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": split.path or "/",
        "rawQueryString": split.query,
        "headers": headers,
        "requestContext": {
            "accountId": account_id or "anonymous",
            "apiId": url_id,
            "domainName": host,
            "domainPrefix": url_id,
            "http": {
                "method": request.method,
                "path": split.path or "/",
                "protocol": "HTTP/1.1",
                "sourceIp": "127.0.0.1",
                "userAgent": headers.get("user-agent", ""),
            },
            "requestId": "",
            "routeKey": "$default",
            "stage": "$default",
            "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "timeEpoch": int(now.timestamp() * 1000),
        },
        "isBase64Encoded": False,
    }
    if cookies:
        event["cookies"] = [c.strip() for c in cookies.split(";")]
    if split.query:
        params: dict[str, str] = {}
        for key, value in parse_qsl(split.query, keep_blank_values=True):
            params[key] = f"{params[key]},{value}" if key in params else value
        event["queryStringParameters"] = params
    body = request.body
    if body:
        if isinstance(body, str):
            body = body.encode()
        content_type = headers.get("content-type", "")
        try:
            text = body.decode("utf-8") if any(t in content_type for t in _TEXT_TYPES) or not content_type else None
        except UnicodeDecodeError:
            text = None
        if text is not None:
            event["body"] = text
        else:
            event["body"] = base64.b64encode(body).decode()
            event["isBase64Encoded"] = True
    return event


def http_response(payload: bytes, request_id: str) -> tuple[int, dict[str, str], bytes]:
    """Turn a handler's response into the HTTP response a function URL sends."""
    headers = {"Content-Type": "application/json", "x-amzn-RequestId": request_id}
    try:
        result = json.loads(payload) if payload else None
    except ValueError:
        return 200, headers, payload
    if isinstance(result, dict) and "statusCode" in result:
        for key, value in (result.get("headers") or {}).items():
            headers[key] = str(value)
        for cookie in result.get("cookies") or []:
            headers["Set-Cookie"] = cookie
        body = result.get("body") or ""
        data = base64.b64decode(body) if result.get("isBase64Encoded") else str(body).encode()
        return int(result["statusCode"]), headers, data
    if isinstance(result, str):
        return 200, headers, result.encode()
    return 200, headers, json.dumps(result, separators=(",", ":")).encode()
