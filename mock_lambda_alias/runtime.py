"""Running Python handlers in-process, the way Lambda's Python runtime does.

Each published version (and ``$LATEST``) gets its own "execution environment": the zip is
extracted once per CodeSha256, the handler module is imported under a private name so that two
versions with different code never share module state, and it stays loaded (warm) for later
invocations of the same version, like a warm Lambda sandbox. While a handler runs, Lambda's
environment variables and the function's own ``Environment`` are set, stdout/stderr are captured
as the invocation log, and errors become the payloads Lambda's runtime interface client writes.
"""

from __future__ import annotations

import atexit
import contextlib
import datetime
import importlib
import io
import json
import os
import shutil
import sys
import tempfile
import threading
import time
import traceback
import uuid
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

TASK_ROOT = "/var/task"
_EXTRACTED: dict[str, str] = {}
_EXTRACT_LOCK = threading.Lock()
_ROOT: Optional[str] = None


def _extraction_root() -> str:
    global _ROOT
    if _ROOT is None:
        _ROOT = tempfile.mkdtemp(prefix="mock_lambda_alias-")
        atexit.register(shutil.rmtree, _ROOT, True)
    return _ROOT


def extract(code_sha256: str, zip_bytes: bytes) -> str:
    """The directory holding the unzipped package; one per distinct package, reused."""
    with _EXTRACT_LOCK:
        path = _EXTRACTED.get(code_sha256)
        if path is None:
            path = tempfile.mkdtemp(dir=_extraction_root())
            with zipfile.ZipFile(io.BytesIO(zip_bytes)) as archive:
                archive.extractall(path)
            _EXTRACTED[code_sha256] = path
        return path


class LambdaContext:
    """The context object Lambda passes to Python handlers (same attribute names and types)."""

    def __init__(
        self,
        *,
        function_name: str,
        function_version: str,
        invoked_function_arn: str,
        memory_limit_in_mb: int,
        aws_request_id: str,
        log_group_name: str,
        log_stream_name: str,
        timeout_seconds: int,
        client_context: Any = None,
        identity: Any = None,
        tenant_id: Optional[str] = None,
    ) -> None:
        self.function_name = function_name
        self.function_version = function_version
        self.invoked_function_arn = invoked_function_arn
        # Lambda's Python runtime reads it from AWS_LAMBDA_FUNCTION_MEMORY_SIZE: a string.
        self.memory_limit_in_mb = str(memory_limit_in_mb)
        self.aws_request_id = aws_request_id
        self.log_group_name = log_group_name
        self.log_stream_name = log_stream_name
        self.client_context = client_context
        self.identity = identity
        #: The invocation's TenantId (tenant isolation); None otherwise, as in Lambda's Python runtime.
        self.tenant_id = tenant_id
        self._deadline = time.monotonic() + timeout_seconds

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))

    def __repr__(self) -> str:
        return (
            f"LambdaCont([aws_request_id={self.aws_request_id},log_group_name={self.log_group_name},"
            f"log_stream_name={self.log_stream_name},function_name={self.function_name},"
            f"memory_limit_in_mb={self.memory_limit_in_mb},function_version={self.function_version},"
            f"invoked_function_arn={self.invoked_function_arn},client_context={self.client_context},"
            f"identity={self.identity}])"
        )


@dataclass
class Outcome:
    """What one run produced: the response body, a function error, and the log it wrote."""

    payload: bytes
    function_error: Optional[str] = None
    log: str = ""
    duration_ms: float = 0.0
    init_duration_ms: Optional[float] = None


class HandlerError(Exception):
    """An error payload Lambda's runtime reports (``errorType``, ``errorMessage``, ...)."""

    def __init__(self, payload: dict[str, Any]) -> None:
        super().__init__(payload.get("errorMessage"))
        self.payload = payload


@dataclass
class Environment:
    """A warm execution environment of one function version."""

    handler: Callable[[Any, Any], Any]
    task_root: Optional[str]
    log_stream_name: str
    module: Any = None
    cold: bool = True
    extra_paths: list[str] = field(default_factory=list)


def log_stream_name(version: str) -> str:
    day = datetime.datetime.now(datetime.timezone.utc).strftime("%Y/%m/%d")
    return f"{day}/[{version}]{uuid.uuid4().hex}"


def _init_error(message: str, error_type: str, stack: Optional[list[str]] = None) -> HandlerError:
    return HandlerError({"errorMessage": message, "errorType": error_type, "requestId": "", "stackTrace": stack or []})


def _rewrite_paths(lines: list[str], task_root: Optional[str]) -> list[str]:
    if not task_root:
        return lines
    return [line.replace(task_root, TASK_ROOT) for line in lines]


def extract_layers(layers: Sequence[tuple[str, bytes]]) -> str:
    """One directory holding the layers' archives unzipped in order, as Lambda fills ``/opt``.

    A file in a later layer replaces the same file of an earlier one. Reused for the same layers.
    """
    key = "layers:" + ",".join(sha for sha, _ in layers)
    with _EXTRACT_LOCK:
        path = _EXTRACTED.get(key)
        if path is None:
            path = tempfile.mkdtemp(dir=_extraction_root())
            for _, data in layers:
                with zipfile.ZipFile(io.BytesIO(data)) as archive:
                    archive.extractall(path)
            _EXTRACTED[key] = path
        return path


def layer_paths(opt: str, runtime: str) -> list[str]:
    """The import paths Lambda's Python runtimes put after ``/var/task`` for ``/opt``."""
    return [os.path.join(opt, "python", "lib", runtime, "site-packages"), os.path.join(opt, "python")]


@contextlib.contextmanager
def _on_path(path: Optional[str], loading: bool = False, extra: Sequence[str] = ()):
    """Make the package (then ``extra``: its layers) importable while loading or running it, then
    forget what it imported.

    Modules imported from the package are dropped from ``sys.modules`` afterwards, so another
    version's package can import its own modules of the same names. Cheap when nothing is imported.
    """
    if path is None:
        yield
        return
    paths = [path, *extra]
    count = len(sys.modules)
    sys.path[0:0] = paths
    if loading:
        importlib.invalidate_caches()
    try:
        yield
    finally:
        for entry in paths:
            with contextlib.suppress(ValueError):
                sys.path.remove(entry)
        if len(sys.modules) != count:
            roots = tuple(paths)
            for name, module in list(sys.modules.items()):
                if (getattr(module, "__file__", None) or "").startswith(roots):
                    del sys.modules[name]


def load_zip_handler(task_root: str, handler: str, version: str, extra_paths: Sequence[str] = ()) -> Environment:
    """Import ``handler`` ("module.function") from an extracted package (and its layers' paths), privately."""
    try:
        modname, fname = handler.rsplit(".", 1)
    except ValueError as exc:
        raise _init_error(f"Bad handler '{handler}': {exc}", "Runtime.MalformedHandlerName") from None
    top = modname.split("/")[0].split(".")[0]
    if top in sys.builtin_module_names:
        raise _init_error(f"Cannot use built-in module {modname} as a handler module", "Runtime.BuiltInModuleConflict")
    import_name = modname.replace("/", ".")
    with _on_path(task_root, loading=True, extra=extra_paths):
        # A module of the same name may be loaded from elsewhere (another version, the test suite).
        shadowed = {
            n: sys.modules.pop(n) for n in list(sys.modules) if n == import_name or n.startswith(import_name + ".")
        }
        try:
            module = importlib.import_module(import_name)
        except ImportError as exc:
            raise _init_error(f"Unable to import module '{modname}': {exc}", "Runtime.ImportModuleError") from None
        except SyntaxError as exc:
            text = (exc.text or "").strip()
            stack = [f'  File "{(exc.filename or "").replace(task_root, TASK_ROOT)}" Line {exc.lineno}\n    {text}\n']
            raise _init_error(
                f"Syntax error in module '{modname}': {exc}", "Runtime.UserCodeSyntaxError", stack
            ) from None
        except Exception as exc:
            frames = traceback.extract_tb(exc.__traceback__)[1:]
            raise _init_error(
                str(exc), type(exc).__name__, _rewrite_paths(traceback.format_list(frames), task_root)
            ) from None
        finally:
            sys.modules.update(shadowed)
    function = getattr(module, fname, None)
    if function is None:
        raise _init_error(f"Handler '{fname}' missing on module '{modname}'", "Runtime.HandlerNotFound")
    return Environment(function, task_root, log_stream_name(version), module=module, extra_paths=list(extra_paths))


def callable_environment(handler: Callable[[Any, Any], Any], version: str) -> Environment:
    return Environment(handler, None, log_stream_name(version))


def encode_result(result: Any, ensure_ascii: bool) -> bytes:
    """The response body Lambda's Python runtime writes for a handler's return value."""
    if isinstance(result, (bytes, bytearray)):
        return bytes(result)
    try:
        return json.dumps(result, ensure_ascii=ensure_ascii).encode()
    except (TypeError, ValueError) as exc:
        raise HandlerError(
            {
                "errorMessage": f"Unable to marshal response: {exc}",
                "errorType": "Runtime.MarshalError",
                "stackTrace": [],
            }
        ) from None


class _EnvPatch:
    """Set environment variables for the duration of a run and restore them exactly.

    On POSIX it writes ``os.environ``'s byte mapping and the C environment directly, which is
    several times cheaper per variable than ``os.environ[...] = ...`` (this runs on every invoke).
    """

    _fast = os.name == "posix" and isinstance(getattr(os.environ, "_data", None), dict)

    def __init__(self, variables: dict[str, str]) -> None:
        self.variables = variables
        self.saved: list[tuple[Any, Any]] = []

    def __enter__(self) -> None:
        if not self._fast:
            self.saved = [(key, os.environ.get(key)) for key in self.variables]
            os.environ.update(self.variables)
            return
        data = os.environ._data  # type: ignore[attr-defined]
        encoding = sys.getfilesystemencoding()
        saved = self.saved
        for key, value in self.variables.items():
            bkey = key.encode(encoding, "surrogateescape")
            bvalue = value.encode(encoding, "surrogateescape")
            saved.append((bkey, data.get(bkey)))
            os.putenv(bkey, bvalue)
            data[bkey] = bvalue

    def __exit__(self, *exc: object) -> None:
        if not self._fast:
            for key, value in self.saved:
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
            return
        data = os.environ._data  # type: ignore[attr-defined]
        for bkey, bvalue in reversed(self.saved):
            if bvalue is None:
                os.unsetenv(bkey)
                data.pop(bkey, None)
            else:
                os.putenv(bkey, bvalue)
                data[bkey] = bvalue


def run(
    environment: Environment,
    event: Any,
    context: LambdaContext,
    env_vars: dict[str, str],
    timeout_seconds: int,
    ensure_ascii: bool,
) -> Outcome:
    """Run the handler once with Lambda's environment, capturing its output as the log."""
    buffer = io.StringIO()
    started = time.perf_counter()
    function_error: Optional[str] = None
    with contextlib.ExitStack() as stack:
        stack.enter_context(_EnvPatch(env_vars))
        stack.enter_context(_on_path(environment.task_root, extra=environment.extra_paths))
        stack.enter_context(contextlib.redirect_stdout(buffer))
        stack.enter_context(contextlib.redirect_stderr(buffer))
        try:
            result = environment.handler(event, context)
            payload = encode_result(result, ensure_ascii)
        except HandlerError as exc:
            payload, function_error = json.dumps(exc.payload).encode(), "Unhandled"
        except Exception as exc:
            frames = traceback.extract_tb(exc.__traceback__)[1:]
            error = {
                "errorMessage": str(exc),
                "errorType": type(exc).__name__,
                "requestId": context.aws_request_id,
                "stackTrace": _rewrite_paths(traceback.format_list(frames), environment.task_root),
            }
            payload, function_error = json.dumps(error).encode(), "Unhandled"
            buffer.write(f"[ERROR] {type(exc).__name__}: {exc}\n")
    duration = (time.perf_counter() - started) * 1000
    if duration > timeout_seconds * 1000:
        payload = json.dumps(
            {
                "errorType": "Sandbox.Timedout",
                "errorMessage": f"RequestId: {context.aws_request_id} Error: Task timed out after "
                f"{timeout_seconds:.2f} seconds",
            }
        ).encode()
        function_error = "Unhandled"
    return Outcome(payload, function_error, buffer.getvalue(), duration)
