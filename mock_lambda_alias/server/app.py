"""The Lambda API over HTTP: one server answering the AWS CLI v2, Terraform, SAM and every SDK.

Why the standard library's ``ThreadingHTTPServer`` and not werkzeug (moto's choice): the server
needs no WSGI layer — each request is handed, as bytes, to the same wire layer the in-process
interception uses — and ``http.server`` gives what is needed with no new dependency: a thread per
connection (concurrent clients; the backend's lock makes each operation atomic), HTTP/1.1
keep-alive, ``Expect: 100-continue``, and bodies read straight from the socket (6 MB invoke
payloads and 50 MB zips alike). What it lacks we add in a few lines: chunked request bodies,
AWS-style JSON errors instead of HTML error pages, a body size cap, one log line per request,
and no reverse DNS lookup at bind time.

A request is served in this order: a function URL (``Host: <url-id>.lambda-url.<region>.on.aws``
or the path form ``/_mock_lambda_alias/function-urls/<url-id>/...``), a control endpoint
(``/_mock_lambda_alias/...``), else a Lambda API operation routed by botocore's model
(:mod:`.routing`) and answered by the shared dispatcher (:mod:`.adapter`). Nothing a client sends
can stop the server: every failure becomes an HTTP answer.
"""

from __future__ import annotations

import json
import logging
import re
import socket
import socketserver
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Optional

from ..backend.controls import Controls
from ..backend.store import DEFAULT_ACCOUNT_ID, DEFAULT_REGION
from ..wire.signing import caller_of
from . import adapter
from .control import PREFIX, Control, ControlError
from .routing import Router, lambda_router

log = logging.getLogger("mock_lambda_alias.server")

#: Larger than any request AWS Lambda accepts (a 50 MB zip, base64 in CreateFunction's JSON).
DEFAULT_MAX_BODY_BYTES = 70167211
FUNCTION_URL_PREFIX = PREFIX + "function-urls/"
#: ``<url-id>.lambda-url.<region>.<anything>``: on.aws, localhost, or a name a test resolves itself.
_URL_HOST = re.compile(r"^([a-z0-9]+)\.lambda-url\.([a-z0-9-]+)\.[A-Za-z0-9.-]+(?::\d+)?$")


class BodyTooLarge(Exception):
    pass


class BadBody(Exception):
    pass


class _UrlRequest:
    """The request shape :class:`~mock_lambda_alias.function_urls.UrlServer` reads (as ``requests`` gives it)."""

    def __init__(self, method: str, url: str, headers: dict[str, str], body: bytes) -> None:
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes; don't wait 40 ms between
    timeout = 300  # idle keep-alive connections are closed after five minutes
    server_version = "mock-lambda-alias"
    sys_version = ""

    _operation = "-"

    def __getattr__(self, name: str) -> Any:
        # http.server looks up ``do_<METHOD>``; every method, known or not, gets an AWS-style answer.
        if name.startswith("do_"):
            return self._dispatch
        raise AttributeError(name)

    # -- one request --------------------------------------------------------

    def _dispatch(self) -> None:
        started = time.perf_counter()
        self._operation = "-"
        self._status = 0
        try:
            self._serve()
        except (ConnectionError, socket.timeout):
            self.close_connection = True
        except Exception as exc:  # a bug of ours: answer, log, keep serving
            log.exception("mock_lambda_alias server failed on %s %s", self.command, self.path)
            self.close_connection = True
            try:
                self._send_error(500, "ServiceException", f"mock_lambda_alias server error: {exc!r}")
            except OSError:
                pass
        elapsed = (time.perf_counter() - started) * 1000
        if self.server.owner.log_requests:
            log.info(
                '%s "%s %s" %s %s %.1fms',
                self.client_address[0],
                self.command,
                self.path,
                self._status,
                self._operation,
                elapsed,
            )

    def _serve(self) -> None:
        owner = self.server.owner
        target = self.path
        if target.startswith("/"):
            path, _, query = target.partition("?")
        else:  # absolute form, as sent to a proxy
            split = target.split("://", 1)[-1]
            path = "/" + split.partition("/")[2]
            path, _, query = path.partition("?")
        query = query.partition("#")[0]
        host = self.headers.get("Host") or f"{self.server.server_name}:{self.server.server_port}"

        try:
            body = self._read_body(owner.max_body_bytes)
        except BodyTooLarge:
            self.close_connection = True
            operation = owner.router.match(self.command, path, query)
            name = f" for the {operation.name} operation" if operation is not None else ""
            self._operation = operation.name if operation is not None else "-"
            self._send_error(
                413, "RequestTooLargeException", f"Request must be smaller than {owner.max_body_bytes} bytes{name}"
            )
            self._linger()
            return
        except BadBody as exc:
            self.close_connection = True
            self._send_error(400, "InvalidRequestContentException", str(exc))
            return

        url_host = _URL_HOST.match(host)
        if url_host is not None:
            self._operation = "FunctionUrl"
            self._function_url(url_host.group(1), url_host.group(2), target if target.startswith("/") else path, body)
            return
        if path.startswith(FUNCTION_URL_PREFIX):
            url_id, _, rest = path[len(FUNCTION_URL_PREFIX) :].partition("/")
            self._operation = "FunctionUrl"
            rest = "/" + rest + (f"?{query}" if query else "")
            self._function_url(url_id, None, rest, body)
            return
        if path.startswith(PREFIX):
            self._operation = "Control"
            self._control(path[len(PREFIX) :], query, body)
            return

        operation = owner.router.match(self.command, path, query)
        if operation is None:
            if owner.router.path_known(path):
                message = f"No Lambda operation accepts {self.command} on {path}"
            else:
                message = f"No Lambda operation matches {self.command} {path}"
            self._send_error(404, "UnknownOperationException", message)
            return
        self._operation = operation.name
        caller = caller_of(self.headers, query)
        url = f"http://{host}{target}" if target.startswith("/") else target
        request = adapter.prepared_request(self.command, url, self.headers, body)
        response = adapter.answer(owner.mock, operation, request, caller.region, caller.access_key)
        self._send(response.status_code, list(response.headers.items()), response.content)

    def _linger(self, seconds: float = 2.0) -> None:
        """Close after an answer sent before the body was read, without resetting the connection.

        Closing a socket with unread data makes the kernel send a reset, and a client still
        uploading would see "connection reset" instead of our 413; so stop writing, then read and
        drop what still arrives for a moment, as web servers do ("lingering close").
        """
        try:
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_WR)
            self.connection.settimeout(0.2)
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline and self.connection.recv(65536):
                pass
        except OSError:
            pass

    def _read_body(self, limit: int) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            return self._read_chunked(limit)
        length = self.headers.get("Content-Length")
        if not length:
            return b""
        try:
            size = int(length)
        except ValueError:
            raise BadBody(f"Invalid Content-Length header: {length!r}") from None
        if size < 0:
            raise BadBody(f"Invalid Content-Length header: {length!r}")
        if size > limit:
            raise BodyTooLarge
        data = self.rfile.read(size)
        if len(data) < size:
            raise ConnectionError("client closed the connection before sending its body")
        return data

    def _read_chunked(self, limit: int) -> bytes:
        chunks: list[bytes] = []
        total = 0
        while True:
            line = self.rfile.readline(1024)
            try:
                size = int(line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                raise BadBody("Malformed chunked request body") from None
            if size == 0:
                while self.rfile.readline(1024).strip():  # trailers
                    pass
                return b"".join(chunks)
            total += size
            if total > limit:
                raise BodyTooLarge
            chunks.append(self.rfile.read(size))
            self.rfile.readline(8)

    def _function_url(self, url_id: str, region: Optional[str], rest: str, body: bytes) -> None:
        owner = self.server.owner
        if region is None:
            with owner.mock.store.lock:
                target = owner.mock.store.function_urls.get(url_id)
            region = target[1] if target is not None else owner.mock.region
        url_host = f"{url_id}.lambda-url.{region}.on.aws"
        headers = {key: value for key, value in self.headers.items() if key.lower() != "host"}
        headers["Host"] = url_host
        request = _UrlRequest(self.command, f"https://{url_host}{rest}", headers, body)
        status, out_headers, data = owner.url_server.handle(request)
        self._send(status, list(out_headers.items()), data)

    def _control(self, name: str, query: str, body: bytes) -> None:
        try:
            status, value = self.server.owner.control.handle(self.command, name, query, body, self.headers)
        except ControlError as error:
            status, value = error.status, {"message": error.message}
        data = json.dumps(value, separators=(",", ":")).encode()
        self._send(status, [("Content-Type", "application/json")], data)

    # -- writing --------------------------------------------------------------

    def _send_error(self, status: int, code: str, message: str) -> None:
        data = json.dumps({"message": message}, separators=(",", ":")).encode()
        headers = [("Content-Type", "application/json"), ("x-amzn-ErrorType", code)]
        self._send(status, headers, data)

    def _send(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        self._status = status
        self.send_response_only(status)
        self.send_header("Date", self.date_time_string())
        for key, value in headers:
            if key.lower() not in ("content-length", "connection", "transfer-encoding", "date"):
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD" and body:
            self.wfile.write(body)

    def send_error(self, code: int, message: Optional[str] = None, explain: Optional[str] = None) -> None:
        """Malformed request lines and headers: JSON instead of http.server's HTML page."""
        self.close_connection = True
        self._status = code
        self.command = getattr(self, "command", None) or "GET"
        if getattr(self, "request_version", "HTTP/0.9") == "HTTP/0.9":  # unparsable: answer in HTTP/1.1
            self.request_version = "HTTP/1.1"
        text = message or explain or "Bad request"
        try:
            self._send_error(code, "BadRequestException", text)
        except OSError:
            pass
        if self.server.owner.log_requests:
            log.info('%s "%s" %s -', self.client_address[0], self.requestline or "-", code)

    def log_message(self, format: str, *args: Any) -> None:
        """Silenced: each request is logged once, by :meth:`_dispatch`."""


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # 16 clients connecting at once must not meet a full backlog

    def __init__(self, owner: LambdaServer, address: tuple[str, int]) -> None:
        self.owner = owner
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind resolves the host name (a reverse DNS lookup that can take seconds).
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = int(port)

    def handle_error(self, request: Any, client_address: Any) -> None:
        log.debug("connection from %s failed", client_address, exc_info=True)


class LambdaServer:
    """The Lambda API, function URLs and control endpoints over HTTP, for one backend.

    ``LambdaServer(port=0).start()`` binds a free port and serves in a background thread (the
    pytest fixture does this); ``serve_forever()`` serves in the calling thread (the CLI).
    ``server.mock`` is the handle of its state — never activated, so the process's own boto3
    clients are not intercepted and reach the server over HTTP like any other client.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 4566,
        *,
        account_id: str = DEFAULT_ACCOUNT_ID,
        region: str = DEFAULT_REGION,
        seed: Optional[int] = None,
        access_keys: Optional[dict[str, str]] = None,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        log_requests: bool = True,
    ) -> None:
        self.mock = Controls(account_id=account_id, region=region, seed=seed)
        self._seed = seed
        for key, account in (access_keys or {}).items():
            if not (isinstance(account, str) and len(account) == 12 and account.isdigit()):
                raise ValueError(f"access key {key!r} must map to a 12-digit account id, got {account!r}")
        #: Access key id -> account id, for callers whose key id is not itself an account id.
        self.access_keys = dict(access_keys or {})
        for key, account in self.access_keys.items():
            self.mock.set_account_for_access_key(key, account)
        self.max_body_bytes = max_body_bytes
        self.log_requests = log_requests
        self.router: Router = lambda_router()
        self.control = Control(self.mock, self.reset)
        from ..integrations.function_urls import UrlServer

        # Only its request handler is used: the server answers URLs itself, ``requests`` stays unpatched.
        self.url_server = UrlServer(self.mock)
        self._httpd = _HTTPServer(self, (host, port))
        self._thread: Optional[threading.Thread] = None

    @property
    def host(self) -> str:
        return self._httpd.server_name

    @property
    def port(self) -> int:
        return self._httpd.server_port

    @property
    def url(self) -> str:
        """The endpoint URL to give clients (``--endpoint-url``, ``AWS_ENDPOINT_URL_LAMBDA``)."""
        host = self.host
        if host in ("0.0.0.0", "::", ""):
            host = "127.0.0.1"
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}"

    def function_url(self, aws_url: str) -> str:
        """The address on this server of a function URL AWS-style (``https://<id>.lambda-url...``)."""
        match = re.match(r"^https?://([a-z0-9]+)\.lambda-url\.[a-z0-9-]+\.on\.aws(/.*)?$", aws_url)
        if match is None:
            raise ValueError(f"not a function URL: {aws_url!r}")
        return f"{self.url}{FUNCTION_URL_PREFIX}{match.group(1)}{match.group(2) or '/'}"

    def reset(self) -> None:
        """Forget every resource, record and invoke control, as a fresh server would."""
        self.mock.reset()
        self.mock.set_seed(self._seed)
        self.mock.set_delivery("immediate")
        self.mock.internal_errors.clear()

    # -- running ----------------------------------------------------------------

    def start(self) -> LambdaServer:
        """Serve in a background (daemon) thread."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._httpd.serve_forever, name=f"mock-lambda-alias:{self.port}", daemon=True
            )
            self._thread.start()
        return self

    def serve_forever(self, on_ready: Optional[Callable[[LambdaServer], None]] = None) -> None:
        """Serve in this thread until :meth:`shutdown` (from another thread or a signal handler)."""
        if on_ready is not None:
            on_ready(self)
        try:
            self._httpd.serve_forever()
        finally:
            self._httpd.server_close()

    def shutdown(self) -> None:
        """Stop a ``serve_forever`` loop; safe from signal handlers (it never waits on itself)."""
        threading.Thread(target=self._httpd.shutdown, daemon=True).start()

    def stop(self) -> None:
        """Stop the background thread started by :meth:`start` and release the port."""
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> LambdaServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"<LambdaServer {self.url} account={self.mock.account_id}>"


class Endpoint(str):
    """A server's endpoint URL — a plain ``str`` for ``endpoint_url=`` — that also reaches the server.

    ``endpoint.mock`` is the server's handle, for what only Python in the same process can do
    (``register_handler``, inspecting functions as objects); ``endpoint.function_url(url)`` turns
    the ``FunctionUrl`` AWS answered into an address on this server.
    """

    server: LambdaServer

    def __new__(cls, server: LambdaServer) -> Endpoint:
        endpoint = super().__new__(cls, server.url)
        endpoint.server = server
        return endpoint

    @property
    def mock(self) -> Controls:
        return self.server.mock

    def function_url(self, aws_url: str) -> str:
        return self.server.function_url(aws_url)
