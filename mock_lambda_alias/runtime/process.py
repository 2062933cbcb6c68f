"""``isolation="process"``: each execution environment is a warm worker process.

The worker (``worker.py``) is started on a version's cold start and kept for later invocations,
as Lambda keeps a sandbox warm. A timeout kills it, ``MemorySize`` limits its address space,
and whatever it does to its own process — ``os._exit``, a segfault, global side effects — stays
there; when it dies, the invocation answers the ``Runtime.ExitError`` Lambda reports and the
next invocation starts a fresh environment, as Lambda does after a crash.

Workers start in their own session, so a Ctrl-C in the terminal reaches only the test process,
and inherit its environment plus Lambda's variables. They do not see this mock: AWS calls a
handler makes in a worker are not answered by it (nor by moto), so unless ``AWS_ENDPOINT_URL``
is set, workers get an endpoint on the loopback interface that refuses connections, keeping
those calls off the network.

Each worker has a temporary directory of its own as ``TMPDIR`` (its ``/tmp``, which ``tempfile``,
child processes and C libraries use), kept while the environment is warm and removed with it. A
handler that writes to the literal path ``"/tmp"`` still reaches the host's.
"""

from __future__ import annotations

import atexit
import json
import os
import pickle
import select
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from typing import Any, Optional

from . import lambda_api, packages
from .inprocess import Outcome, Request

WORKER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "worker.py")
#: Where AWS calls from a worker go unless the test configured an endpoint: nothing listens there.
UNREACHABLE_ENDPOINT = "http://127.0.0.1:9"
_HEADER = struct.Struct("!I")
_LIVE: weakref.WeakSet[ProcessEnvironment] = weakref.WeakSet()


class _Died(Exception):
    """The worker's end of the pipe closed: its process is gone."""


class ProcessEnvironment(lambda_api.OwnVariables):
    """A warm execution environment that is a worker process running one version's handler."""

    isolation = "process"

    def __init__(
        self,
        *,
        task_root: str,
        handler_name: str,
        extra_paths: list[str],
        log_stream_name: str,
        name: str,
        memory_mb: int,
    ) -> None:
        self.task_root = task_root
        self.handler_name = handler_name
        self.extra_paths = extra_paths
        self.log_stream_name = log_stream_name
        self.name = name
        self.memory_mb = memory_mb
        self.cold = True
        self._process: Optional[subprocess.Popen] = None
        self._log: Any = None
        self._lock = threading.Lock()
        #: This environment's ``/tmp`` (the worker's ``TMPDIR``), removed when the environment ends.
        self.tmpdir: Optional[str] = None
        _LIVE.add(self)

    # -- the process ----------------------------------------------------------

    def _spawn(self, variables: dict[str, str], ensure_ascii: bool) -> None:
        env = dict(os.environ)
        env.update(variables)
        env.setdefault("AWS_ENDPOINT_URL", UNREACHABLE_ENDPOINT)
        # In the process's directory: tempfile's own directory is never asked for, as asking
        # settles ``tempfile.tempdir`` for the test process.
        root = packages.extraction_root(check=True)
        if self.tmpdir is None:
            self.tmpdir = tempfile.mkdtemp(prefix="mock-lambda-tmp-", dir=root)
        # The function's own TMPDIR variable wins; the host's never reaches the worker.
        env["TMPDIR"] = variables.get("TMPDIR", self.tmpdir)
        # glibc reserves 64 MB of address space per malloc arena: keep MemorySize about the handler.
        env.setdefault("MALLOC_ARENA_MAX", "2")
        self._log = tempfile.TemporaryFile(dir=root)  # noqa: SIM115 (lives as long as the worker)
        self._process = subprocess.Popen(  # -B: no bytecode written, as in Lambda's read-only /var/task
            [sys.executable, "-I", "-u", "-B", WORKER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            env=env,
            cwd=self.task_root,
            close_fds=True,
            start_new_session=True,
        )
        self._send(
            {
                "task_root": self.task_root,
                "handler": self.handler_name,
                "extra_paths": list(self.extra_paths),
                "sys_path": [p for p in sys.path if p and os.path.isabs(p)],
                "memory_mb": self.memory_mb,
                "log_stream_name": self.log_stream_name,
                "ensure_ascii": ensure_ascii,
            }
        )

    def _send(self, message: Any) -> None:
        assert self._process is not None and self._process.stdin is not None
        data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        try:
            self._process.stdin.write(_HEADER.pack(len(data)) + data)
            self._process.stdin.flush()
        except (BrokenPipeError, OSError):
            raise _Died from None

    def _read_exact(self, size: int, deadline: float) -> Optional[bytes]:
        assert self._process is not None and self._process.stdout is not None
        fd = self._process.stdout.fileno()
        chunks: list[bytes] = []
        missing = size
        while missing:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            ready, _, _ = select.select([fd], [], [], remaining)
            if not ready:
                return None
            chunk = os.read(fd, missing)
            if not chunk:
                raise _Died
            chunks.append(chunk)
            missing -= len(chunk)
        return b"".join(chunks)

    def _receive(self, deadline: float) -> Optional[Any]:
        """The worker's next message, None when the deadline passes first."""
        header = self._read_exact(_HEADER.size, deadline)
        if header is None:
            return None
        (size,) = _HEADER.unpack(header)
        # Once a message has started, its end is a matter of a pipe write: allow a little slack.
        body = self._read_exact(size, max(deadline, time.monotonic() + 1.0))
        if body is None:
            return None
        return pickle.loads(body)

    def _take_log(self) -> str:
        log = self._log
        if log is None:
            return ""
        fd = log.fileno()
        os.lseek(fd, 0, os.SEEK_SET)
        chunks = []
        while True:
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        return b"".join(chunks).decode("utf-8", "replace")

    def _kill(self) -> Optional[int]:
        process = self._process
        if process is None:
            return None
        if process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except OSError:
                process.kill()
        code = process.wait()
        for stream in (process.stdin, process.stdout):
            if stream is not None:
                try:
                    stream.close()
                except OSError:
                    pass
        return code

    # -- invoking -------------------------------------------------------------

    def invoke(self, request: Request) -> Outcome:
        with self._lock:  # one invocation at a time, as in a Lambda sandbox
            return self._invoke(request)

    def _invoke(self, request: Request) -> Outcome:
        started = time.monotonic()
        init_ms: Optional[float] = None
        try:
            if self._process is None:
                self._spawn(request.variables, request.ensure_ascii)
                message = self._receive(started + lambda_api.INIT_LIMIT_SECONDS + request.timeout_seconds)
                if message is None:
                    return self._timed_out(request, started, None)
                if message[0] == "init_error":
                    log = self._take_log()
                    self._kill()
                    return Outcome(json.dumps(message[1]).encode(), "Unhandled", log, 0.0, None, discard=True)
                init_ms = message[1]
                init_end = time.monotonic()
                deadline = min(init_end, started + lambda_api.INIT_LIMIT_SECONDS) + request.timeout_seconds
            else:
                deadline = started + request.timeout_seconds
            self._send(
                {
                    "event": request.event,
                    "request_id": request.request_id,
                    "context": request.context,
                    "remaining": max(0.0, deadline - time.monotonic()),
                    "ensure_ascii": request.ensure_ascii,
                    "response_limit": request.response_limit,
                }
            )
            message = self._receive(deadline)
            if message is None:
                return self._timed_out(request, started, init_ms)
        except _Died:
            return self._died(request, started, init_ms)
        _, payload, function_error, duration_ms = message
        return Outcome(payload, function_error, self._take_log(), duration_ms, init_ms)

    def _timed_out(self, request: Request, started: float, init_ms: Optional[float]) -> Outcome:
        self._kill()
        payload = lambda_api.timeout_payload(request.request_id, request.timeout_seconds)
        log = self._take_log()
        if log and not log.endswith("\n"):
            log += "\n"
        log += f"{payload['errorMessage']}\n"
        self._close_log()
        duration = (time.monotonic() - started) * 1000
        return Outcome(json.dumps(payload).encode(), "Unhandled", log, duration, init_ms, discard=True)

    def _died(self, request: Request, started: float, init_ms: Optional[float]) -> Outcome:
        code = self._kill()
        if code is not None and code < 0:
            payload = lambda_api.exit_payload(
                request.request_id, signal_number=-code, out_of_memory=-code == signal.SIGKILL
            )
        else:
            payload = lambda_api.exit_payload(request.request_id, status=code or 0)
        log = self._take_log()
        if log and not log.endswith("\n"):
            log += "\n"
        log += lambda_api.service_log_lines(payload)
        self._close_log()
        duration = (time.monotonic() - started) * 1000
        return Outcome(json.dumps(payload).encode(), "Unhandled", log, duration, init_ms, discard=True)

    def _close_log(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None

    def dispose(self) -> None:
        """Stop the worker; one running a handler is killed, and that invocation cleans up."""
        if self._lock.acquire(blocking=False):
            try:
                self._kill()
                self._close_log()
            finally:
                self._lock.release()
        else:
            self._kill()
        self._remove_tmpdir()

    def _remove_tmpdir(self) -> None:
        """The environment's ``/tmp`` goes with it (the worker is dead: nothing writes there any more)."""
        tmpdir, self.tmpdir = self.tmpdir, None
        if tmpdir is not None:
            shutil.rmtree(tmpdir, ignore_errors=True)


@atexit.register
def _kill_all() -> None:
    for environment in list(_LIVE):
        try:
            environment._kill()
            environment._remove_tmpdir()
        except Exception:
            pass
