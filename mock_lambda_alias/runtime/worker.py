"""The worker process of ``isolation="process"``: one Lambda execution environment.

Run as a script (``python -I -u worker.py``), never imported: it loads ``lambda_api.py`` (and
``lambda_logging.py``) by path and nothing else of the package, so a cold start costs the
interpreter's start-up plus the handler's own imports. It talks to the test process over its
original stdin/stdout with length-prefixed pickles; the handler's stdout and stderr (file
descriptors 1 and 2, so output of C code and child processes too) go to the log file the parent
reads. The root logger gets Lambda's handler, writing to that log too, and its level from
``AWS_LAMBDA_LOG_LEVEL``, as Lambda's runtime sets them up at start-up; here that happens when
``logging`` is first imported, by the handler's code or a library (:class:`_SetUpLogging`), as
nothing can log before, and a handler that never imports it is not made to wait for it.

Like Lambda's runtime interface client it catches ``Exception`` only: a ``BaseException`` ends
the process with the status (or signal) CPython would exit with, and the parent reports the
``Runtime.ExitError`` Lambda would. ``MemoryError`` ends it with SIGKILL, as Lambda's
out-of-memory kill does.

A handler may ``os.fork()``. A child that returns from the handler (or from the import) exits
there with ``os._exit``, without a word on the protocol pipe, which belongs to the worker; the
worker reaps the children the handler forked once they have ended (after each invocation, and
before it exits), so none stays a zombie. Only children made by ``os.fork``/``os.forkpty`` are
reaped: a ``subprocess.Popen`` waits for its own.
"""

from __future__ import annotations

import importlib.util
import os
import pickle
import signal
import struct
import sys
import time
import traceback
from typing import Any, BinaryIO


def _load(name: str) -> Any:
    """A module of this folder, loaded by path (importing the package would import boto3)."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), f"{name}.py")
    spec = importlib.util.spec_from_file_location(f"_mock_lambda_alias_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


api = _load("lambda_api")

_HEADER = struct.Struct("!I")


def send(stream: BinaryIO, message: Any) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def receive(stream: BinaryIO) -> Any:
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        raise EOFError
    (size,) = _HEADER.unpack(header)
    return pickle.loads(stream.read(size))


def _vm_size() -> int:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _limit_memory(memory_mb: int) -> None:
    """Give the handler ``MemorySize`` MB of address space beyond what the interpreter holds now."""
    try:
        import resource
    except ImportError:
        return
    base = _vm_size()
    if not base:
        return
    limit = base + memory_mb * 1024 * 1024
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass


def _end(exc: BaseException) -> None:
    """End the process as CPython would on this uncaught exception, without waiting for threads."""
    if isinstance(exc, MemoryError):
        os.kill(os.getpid(), signal.SIGKILL)
    if isinstance(exc, SystemExit):
        if exc.code is not None and not isinstance(exc.code, int):
            print(exc.code, file=sys.stderr)
        _flush()
        os._exit(api.exit_status(exc.code))
    traceback.print_exception(type(exc), exc, exc.__traceback__)
    _flush()
    if isinstance(exc, KeyboardInterrupt):
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGINT)
    os._exit(1)


#: The worker's own process id: a forked child of the handler has another.
_WORKER_PID = os.getpid()
#: Children the handler forked that have not been reaped yet.
_forked: set[int] = set()


def _track_forks() -> None:
    """Let ``os.fork`` and ``os.forkpty`` note the children they make (in this worker only)."""
    fork, forkpty = os.fork, getattr(os, "forkpty", None)

    def tracked_fork() -> int:
        pid = fork()
        if pid:
            _forked.add(pid)
        return pid

    os.fork = tracked_fork
    if forkpty is not None:

        def tracked_forkpty() -> tuple[int, int]:
            pid, fd = forkpty()
            if pid:
                _forked.add(pid)
            return pid, fd

        os.forkpty = tracked_forkpty


def _reap() -> None:
    """Reap the handler's forked children that have ended (the running ones are left alone)."""
    for pid in list(_forked):
        try:
            done, _status = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:  # reaped by the handler itself
            done = pid
        if done:
            _forked.discard(pid)


def _leave_if_forked(status: int) -> None:
    """In a child the handler forked, returning into the worker's loop: exit, never answering."""
    if os.getpid() != _WORKER_PID:
        _flush()
        os._exit(status)


class _Invocation:
    """The invocation running, as the runtime's log records name it (``""`` during init)."""

    request_id = ""
    tenant_id: Any = None


class _SetUpLogging:
    """A finder on ``sys.meta_path`` that lets ``logging`` load as usual, then gives the root logger
    Lambda's handler before the importer gets the module; it is gone after that first import."""

    def __init__(self, task_root: str, invocation: _Invocation) -> None:
        self.task_root = task_root
        self.invocation = invocation

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        if name != "logging":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.loader is not None:
            load = spec.loader.exec_module

            def exec_module(module: Any) -> None:
                load(module)
                writer = _LogWriter(os.dup(2))
                _load("lambda_logging").install(os.environ, lambda handler: writer, self.task_root, self.invocation)

            spec.loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


class _LogWriter:
    """The root handler's stream: the log file itself, through a descriptor of its own, as Lambda's
    runtime writes records to its own log descriptor whatever the handler does to ``sys.stdout``."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def write(self, text: str) -> None:
        data = text.encode("utf-8", "replace")
        while data:
            data = data[os.write(self.fd, data) :]


def _exit(status: int) -> None:
    _reap()
    os._exit(status)


def main() -> None:
    _track_forks()
    # The protocol keeps the original pipes; the handler's fd 0 reads nothing, fds 1 and 2 log.
    requests = os.fdopen(os.dup(0), "rb")
    replies = os.fdopen(os.dup(1), "wb")
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.dup2(2, 1)

    setup = receive(requests)
    task_root = setup["task_root"]
    sys.path[:] = [task_root, *setup["extra_paths"], *[p for p in setup["sys_path"] if p]]
    os.chdir(task_root)
    if setup["memory_mb"]:
        _limit_memory(setup["memory_mb"])
    invocation = _Invocation()
    sys.meta_path.insert(0, _SetUpLogging(task_root, invocation))
    # The runtime's choice of format (lambda_logging.is_json), for the errors it reports itself.
    json_format = os.environ.get("AWS_LAMBDA_LOG_FORMAT", "").upper() == "JSON"

    started = time.monotonic()
    try:
        _module, function = api.import_handler(task_root, setup["handler"])
    except api.HandlerError as exc:
        _leave_if_forked(1)
        sys.stdout.write(api.error_log_line(exc.payload, json_format, setup["ensure_ascii"]))
        _flush()
        send(replies, ("init_error", exc.payload))
        _exit(0)
    except BaseException as exc:
        _end(exc)
    _leave_if_forked(0)
    _reap()
    send(replies, ("ready", (time.monotonic() - started) * 1000))

    while True:
        try:
            request = receive(requests)
        except EOFError:
            _exit(0)
        context = api.LambdaContext(
            timeout_seconds=request["remaining"],
            aws_request_id=request["request_id"],
            log_stream_name=setup["log_stream_name"],
            **request["context"],
        )
        invocation.request_id = request["request_id"]
        invocation.tenant_id = request["context"].get("tenant_id")
        begun = time.perf_counter()
        function_error = None
        try:
            result = function(request["event"], context)
            payload = api.encode_result(result, request["ensure_ascii"])
            oversized = api.oversized_response(payload, request["response_limit"])
            if oversized is not None:
                payload, function_error = oversized, "Unhandled"
        except api.HandlerError as exc:
            payload, function_error = pickle_safe_json(exc.payload), "Unhandled"
        except MemoryError as exc:
            _end(exc)
        except Exception as exc:
            error = api.exception_payload(exc, request["request_id"], task_root)
            sys.stdout.write(api.error_log_line(error, json_format, request["ensure_ascii"]))
            payload, function_error = pickle_safe_json(error), "Unhandled"
        except BaseException as exc:
            _end(exc)
        _leave_if_forked(0 if function_error is None else 1)
        _flush()
        _reap()
        send(replies, ("result", payload, function_error, (time.perf_counter() - begun) * 1000))


def pickle_safe_json(payload: dict) -> bytes:
    import json

    return json.dumps(payload).encode()


if __name__ == "__main__":
    main()
