"""What Lambda's Python runtime does around a handler: context, result encoding, error reports.

This module imports nothing but the standard library and nothing of this package, because the
worker process of ``isolation="process"`` loads it by file path (importing the package there would
cost boto3's import time on every cold start). The in-process runner and the worker therefore
produce the same payloads, byte for byte.

Error reports follow the runtime interface client (``awslambdaric``): it catches ``Exception``
only, so a ``BaseException`` escaping a handler ends the runtime process and the Lambda service
answers ``Runtime.ExitError`` naming the exit status or signal, the way Go's ``exec.ExitError``
words it (``exit status 1``, ``signal: segmentation fault``).
"""

from __future__ import annotations

import importlib
import importlib.machinery
import importlib.util
import json
import os
import sys
import time
import traceback
from typing import TYPE_CHECKING, Any, Optional

if TYPE_CHECKING:
    from .packages import TopLevel

TASK_ROOT = "/var/task"
#: How long Lambda gives a function's init phase before it counts against the invoke's timeout.
INIT_LIMIT_SECONDS = 10.0
#: Lambda's limit on a synchronous invocation's response, in bytes. Its quotas say "6 MB"; its
#: error message names 6 MiB + 100 bytes, and a response of 6 MiB + 2 bytes is returned whole
#: (LocalStack's AWS-validated test_lambda_large_response / test_lambda_too_large_response).
RESPONSE_LIMIT = 6_291_556

#: Signal names as Lambda prints them (Go's ``syscall.Signal.String()`` on Linux).
SIGNAL_NAMES = {
    1: "hangup",
    2: "interrupt",
    3: "quit",
    4: "illegal instruction",
    5: "trace/breakpoint trap",
    6: "aborted",
    7: "bus error",
    8: "floating point exception",
    9: "killed",
    10: "user defined signal 1",
    11: "segmentation fault",
    12: "user defined signal 2",
    13: "broken pipe",
    14: "alarm clock",
    15: "terminated",
}


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
        timeout_seconds: float,
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


class OwnVariables:
    """Lambda's variables for one execution environment: its version's plus the environment's own
    (``LAMBDA_TASK_ROOT``, ``AWS_LAMBDA_LOG_STREAM_NAME``).

    The version's variables arrive as one dict shared by its invocations and never changed; the
    combined set is made when that dict is new to the environment and kept, so a warm invocation
    neither copies nor compares them.
    """

    task_root: Optional[str]
    log_stream_name: str
    _variables: Optional[tuple[dict[str, str], dict[str, str]]] = None

    def variables_with_own(self, version_variables: dict[str, str]) -> dict[str, str]:
        kept = self._variables
        if kept is None or kept[0] is not version_variables:
            combined = dict(version_variables)
            combined["LAMBDA_TASK_ROOT"] = self.task_root or TASK_ROOT
            combined["AWS_LAMBDA_LOG_STREAM_NAME"] = self.log_stream_name
            kept = self._variables = (version_variables, combined)
        return kept[1]


class HandlerError(Exception):
    """An error payload Lambda's runtime reports (``errorType``, ``errorMessage``, ...)."""

    def __init__(self, payload: dict[str, Any]) -> None:
        super().__init__(payload.get("errorMessage"))
        self.payload = payload


def init_error(message: str, error_type: str, stack: Optional[list[str]] = None) -> HandlerError:
    return HandlerError({"errorMessage": message, "errorType": error_type, "requestId": "", "stackTrace": stack or []})


def rewrite_paths(lines: list[str], task_root: Optional[str]) -> list[str]:
    """Stack frames as Lambda shows them: the package lives in ``/var/task`` there."""
    if not task_root:
        return lines
    return [line.replace(task_root, TASK_ROOT) for line in lines]


def split_handler(handler: str) -> tuple[str, str]:
    """("module", "function") of a ``Handler`` setting, with the runtime's errors for bad names."""
    try:
        modname, fname = handler.rsplit(".", 1)
    except ValueError as exc:
        raise init_error(f"Bad handler '{handler}': {exc}", "Runtime.MalformedHandlerName") from None
    top = modname.split("/")[0].split(".")[0]
    if top in sys.builtin_module_names:
        raise init_error(f"Cannot use built-in module {modname} as a handler module", "Runtime.BuiltInModuleConflict")
    return modname, fname


def _plain_source_module(import_name: str, top_level: Optional[TopLevel]) -> bool:
    """Whether ``import_name`` can only be the file ``<import_name>.py`` at the top of the package.

    The path finder would prefer a package directory of that name, then an extension module, then
    the source, then bytecode alone; when the package's names rule all but the source out, the
    module is loaded from it directly, without listing and probing the directory.
    """
    if top_level is None or "." in import_name or import_name in top_level.directories:
        return False
    files = top_level.files
    if import_name + ".py" not in files:
        return False
    others = (*importlib.machinery.EXTENSION_SUFFIXES, *importlib.machinery.BYTECODE_SUFFIXES)
    return not any(import_name + suffix in files for suffix in others)


def _load_source(name: str, task_root: str, source: Optional[bytes] = None) -> Any:
    """The module of ``<task_root>/<name>.py``, made and run as the import system would.

    ``source`` is the file's content when known (as the package wrote it): it is compiled as the
    loader would compile the file, without the loader reading it back and looking for bytecode
    (there is none to find: nothing writes any, and the package has no ``__pycache__``).
    """
    path = os.path.join(task_root, name + ".py")
    loader = importlib.machinery.SourceFileLoader(name, path)
    module = importlib.util.module_from_spec(importlib.util.spec_from_file_location(name, path, loader=loader))
    sys.modules[name] = module
    try:
        if source is None:
            loader.exec_module(module)
        else:
            exec(compile(source, path, "exec", dont_inherit=True), module.__dict__)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return module


def _import_fresh(import_name: str, task_root: str, top_level: Optional[TopLevel] = None) -> Any:
    """Import ``import_name`` from ``task_root`` itself, whatever ``sys.modules`` holds.

    The module (and its parent packages) are executed directly rather than through
    ``importlib.import_module``, whose per-name import lock would make this wait for any other
    thread importing a module of the same name, such as another version's handler that never
    finishes importing. Each module is put into ``sys.modules`` while it runs, as an import does.
    ``top_level`` (the package's top-level names, when known) lets a plain module skip the finder.
    """
    if _plain_source_module(import_name, top_level):
        assert top_level is not None
        source = None if "__pycache__" in top_level.directories else top_level.sources.get(import_name + ".py")
        return _load_source(import_name, task_root, source)
    parts = import_name.split(".")
    search: list[str] = [task_root]
    parent: Any = None
    module: Any = None
    for index, part in enumerate(parts):
        name = ".".join(parts[: index + 1])
        spec = importlib.machinery.PathFinder.find_spec(name, search)
        if spec is None:
            if parent is not None and getattr(parent, "__path__", None) is None:
                raise ModuleNotFoundError(f"No module named '{name}'; '{parent.__name__}' is not a package", name=name)
            raise ModuleNotFoundError(f"No module named '{name}'", name=name)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        try:
            if spec.loader is not None:
                spec.loader.exec_module(module)
        except BaseException:
            sys.modules.pop(name, None)
            raise
        if parent is not None:
            setattr(parent, part, module)
        parent = module
        search = list(getattr(module, "__path__", None) or [])
    return module


def _user_frames(tb: Any) -> list[Any]:
    """The traceback without this module's own frames."""
    return [frame for frame in traceback.extract_tb(tb) if frame.filename != __file__]


def import_handler(task_root: str, handler: str, top_level: Optional[TopLevel] = None) -> tuple[Any, Any]:
    """(module, function) of ``handler``, imported from ``task_root``.

    The caller puts ``task_root`` first on ``sys.path`` (for the module's own imports) and sets
    aside modules of the same names. Errors at import are reported the way the runtime reports
    them at init: import and syntax problems by name, anything the module raises as that
    exception with its stack.
    """
    modname, fname = split_handler(handler)
    try:
        module = _import_fresh(modname.replace("/", "."), task_root, top_level)
    except ImportError as exc:
        raise init_error(f"Unable to import module '{modname}': {exc}", "Runtime.ImportModuleError") from None
    except SyntaxError as exc:
        text = (exc.text or "").strip()
        stack = [f'  File "{(exc.filename or "").replace(task_root, TASK_ROOT)}" Line {exc.lineno}\n    {text}\n']
        raise init_error(f"Syntax error in module '{modname}': {exc}", "Runtime.UserCodeSyntaxError", stack) from None
    except Exception as exc:
        stack = rewrite_paths(traceback.format_list(_user_frames(exc.__traceback__)), task_root)
        raise init_error(str(exc), type(exc).__name__, stack) from None
    function = getattr(module, fname, None)
    if function is None:
        raise init_error(f"Handler '{fname}' missing on module '{modname}'", "Runtime.HandlerNotFound")
    return module, function


#: ``json.dumps`` builds a new encoder for every call with ``ensure_ascii=False``: these are made once.
_ENCODERS = {flag: json.JSONEncoder(ensure_ascii=flag) for flag in (True, False)}


def encode_result(result: Any, ensure_ascii: bool) -> bytes:
    """The response body Lambda's Python runtime writes for a handler's return value."""
    if isinstance(result, (bytes, bytearray)):
        return bytes(result)
    try:
        return _ENCODERS[bool(ensure_ascii)].encode(result).encode()
    except (TypeError, ValueError) as exc:
        raise HandlerError(
            {
                "errorMessage": f"Unable to marshal response: {exc}",
                "errorType": "Runtime.MarshalError",
                "stackTrace": [],
            }
        ) from None


def oversized_response(payload: bytes, limit: Optional[int]) -> Optional[bytes]:
    """The error payload Lambda answers instead of a response over ``limit`` bytes (None if within).

    AWS answers it as a function error (``FunctionError: Unhandled``, status 200), recorded by
    LocalStack's AWS snapshot ``test_lambda_too_large_response``; the environment stays warm.
    """
    if limit is None or len(payload) <= limit:
        return None
    message = f"Response payload size exceeded maximum allowed payload size ({limit} bytes)."
    return json.dumps({"errorMessage": message, "errorType": "Function.ResponseSizeTooLarge"}).encode()


def exception_payload(exc: BaseException, request_id: str, task_root: Optional[str]) -> dict[str, Any]:
    """The ``Unhandled`` payload of an exception a handler raised (its own frame first)."""
    frames = traceback.extract_tb(exc.__traceback__)[1:]
    return {
        "errorMessage": str(exc),
        "errorType": type(exc).__name__,
        "requestId": request_id,
        "stackTrace": rewrite_paths(traceback.format_list(frames), task_root),
    }


def error_log_line(payload: dict[str, Any], json_format: bool = False, ensure_ascii: bool = True) -> str:
    """The line the runtime logs for an error it reports; in the JSON log format, the report itself
    after its time and ``"log_level": "ERROR"`` (awslambdaric's ``log_error``)."""
    if json_format:
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        return json.dumps({"timestamp": stamp, "log_level": "ERROR", **payload}, ensure_ascii=ensure_ascii) + "\n"
    return f"[ERROR] {payload.get('errorType')}: {payload.get('errorMessage')}\n"


def exit_status(code: Any) -> int:
    """The process exit status ``sys.exit(code)`` gives, as CPython computes it."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    return 1  # any other object is printed to stderr and the status is 1


def exit_reason(status: Optional[int] = None, signal_number: Optional[int] = None) -> str:
    """How Lambda words a runtime process's end: ``exit status 3``, ``signal: killed``, ..."""
    if signal_number is not None:
        return f"Runtime exited with error: signal: {SIGNAL_NAMES.get(signal_number, f'signal {signal_number}')}"
    if not status:
        return "Runtime exited without providing a reason"
    return f"Runtime exited with error: exit status {status}"


def exit_payload(
    request_id: str, status: Optional[int] = None, signal_number: Optional[int] = None, out_of_memory: bool = False
) -> dict[str, Any]:
    """``Runtime.ExitError`` (or ``Runtime.OutOfMemory``) as the Lambda service reports it."""
    return {
        "errorType": "Runtime.OutOfMemory" if out_of_memory else "Runtime.ExitError",
        "errorMessage": f"RequestId: {request_id} Error: {exit_reason(status, signal_number)}",
    }


def timeout_payload(request_id: str, timeout_seconds: float) -> dict[str, Any]:
    return {
        "errorType": "Sandbox.Timedout",
        "errorMessage": f"RequestId: {request_id} Error: Task timed out after {timeout_seconds:.2f} seconds",
    }


def service_log_lines(payload: dict[str, Any]) -> str:
    """The lines the Lambda service adds to the log when it, not the runtime, reports an error."""
    return f"{payload['errorMessage']}\n{payload['errorType']}\n"


def base_exception_report(exc: BaseException, request_id: str) -> tuple[dict[str, Any], str]:
    """(payload, log) of a ``BaseException`` that would end Lambda's runtime process.

    ``SystemExit`` gives its exit status, ``KeyboardInterrupt`` the SIGINT CPython exits with, any
    other the status 1 after the traceback CPython prints.
    """
    if isinstance(exc, SystemExit):
        status = exit_status(exc.code)
        log = "" if exc.code is None or isinstance(exc.code, int) else f"{exc.code}\n"
        payload = exit_payload(request_id, status=status)
    elif isinstance(exc, KeyboardInterrupt):
        log = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        payload = exit_payload(request_id, signal_number=2)
    else:
        log = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        payload = exit_payload(request_id, status=1)
    return payload, log + service_log_lines(payload)
