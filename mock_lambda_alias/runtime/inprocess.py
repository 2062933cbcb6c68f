"""Running a handler inside the test process without letting it take the process over.

- Each invocation runs in its environment's daemon thread; the invoking thread waits at most until the
  deadline (init, then ``Timeout``) and answers ``Sandbox.Timedout`` when it passes. The
  abandoned thread gets an exception raised into it (pure-Python code stops at its next line;
  a blocking call first has to return) and, being a daemon, never delays the interpreter's exit.
- Output and ``tempfile``'s directory are routed per invocation thread (:mod:`.output`), and so
  are log records: the environment's Lambda root handler (:mod:`.lambda_logging`), on the root
  logger while it runs, writes only its own thread's records to its log.
- What the mock sets for an invocation (Lambda's variables, import paths) and what the handler
  changes in the process are put back key by key afterwards (:mod:`.process_state`).
- A ``BaseException`` never escapes: ``SystemExit``, ``KeyboardInterrupt`` and the like become
  the ``Runtime.ExitError`` Lambda reports when its runtime process ends, and the environment is
  thrown away, as Lambda throws away a crashed sandbox. A real Ctrl-C arrives in the main
  thread, which is only waiting, so it still stops the test run.
- ``stop()`` ends every environment's thread: an idle one is told to stop; a running handler is
  abandoned as at a timeout, and its thread is given :data:`STOP_GRACE_SECONDS` to end.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import threading
import time
from dataclasses import dataclass
from queue import SimpleQueue
from typing import Any, Callable, Optional

from . import environ, lambda_api, lambda_logging, packages
from .lambda_api import HandlerError, LambdaContext
from .loading import LOAD_LOCK, load_package_handler
from .output import DISCARD, Route, own_thread_log
from .process_state import STATE

#: How long ``stop()`` waits, in all, for the threads of an activation's environments to end
#: once told to: code blocked in a long C call (``time.sleep(60)``) can outlive it, as a daemon.
STOP_GRACE_SECONDS = 1.0


class _Abandoned(BaseException):
    """Raised into a handler thread whose invocation timed out, to stop it where Python can."""


class Latch:
    """Closed until :meth:`open` is called once; :meth:`wait` returns whether it is open.

    A plain lock held from the start and released by whoever opens it: the hand-off between an
    invoking thread and an environment's thread is made on every invocation, and a lock is the
    least a thread can block on (an ``Event`` adds a condition and a lock of its own per waiter).
    """

    __slots__ = ("_lock",)

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._lock.acquire()

    def open(self) -> None:
        """Open it: call once only."""
        self._lock.release()

    def wait(self, timeout: float) -> bool:
        if self._lock.acquire(timeout=timeout):
            self._lock.release()  # open for any other waiter too
            return True
        return False


@dataclass
class Outcome:
    """What one run produced: the response body, a function error, and the log it wrote."""

    payload: bytes
    function_error: Optional[str] = None
    log: str = ""
    duration_ms: float = 0.0
    init_duration_ms: Optional[float] = None
    #: The environment must not be used again (it timed out or its runtime "exited").
    discard: bool = False


class Request:
    """Everything one invocation needs besides the environment."""

    __slots__ = ("context", "ensure_ascii", "event", "request_id", "response_limit", "timeout_seconds", "variables")

    def __init__(
        self,
        *,
        event: Any,
        request_id: str,
        variables: dict[str, str],
        timeout_seconds: float,
        ensure_ascii: bool,
        context: Optional[dict[str, Any]] = None,
        response_limit: Optional[int] = None,
    ) -> None:
        self.event = event
        self.request_id = request_id
        self.variables = variables
        self.timeout_seconds = timeout_seconds
        self.ensure_ascii = ensure_ascii
        self.context = context if context is not None else {}
        #: The most bytes the response may have (synchronous invocations); None: no limit.
        self.response_limit = response_limit


#: Where an environment's Lambda root handler writes: its own thread's log (no other thread's).
_OWN_THREAD_LOG = own_thread_log(STATE.routes)
#: Guards making and removing environments' ``/tmp`` directories.
_TMPDIRS = threading.Lock()


class ThreadEnvironment(lambda_api.OwnVariables):
    """A warm in-process execution environment: the loaded handler of one version and its thread.

    The thread lives as long as the environment, so thread-local state survives between warm
    invocations, as on Lambda.
    """

    isolation = "in-process"

    def __init__(
        self,
        *,
        task_root: Optional[str],
        handler_name: Optional[str],
        function: Optional[Callable[[Any, Any], Any]],
        extra_paths: list[str],
        log_stream_name: str,
        name: str,
        new_tmpdir: Callable[[str], str],
        on_thread: Callable[[threading.Thread], None] = lambda thread: None,
    ) -> None:
        self.task_root = task_root
        self.handler_name = handler_name
        self.function = function
        #: Makes a directory from a prefix: the activation's, removed with it.
        self._new_tmpdir = new_tmpdir
        #: Told of the environment's thread when it starts (the sandbox joins it at ``stop()``).
        self._on_thread = on_thread
        self.module: Any = None
        self.extra_paths = extra_paths
        self.log_stream_name = log_stream_name
        self.name = name
        self.cold = True
        self._tmpdir: Optional[str] = None
        self._ended = False
        #: The names at the top of the unzipped package, when known (finding the handler's module).
        self.top_level: Optional[packages.TopLevel] = None
        self.thread: Optional[threading.Thread] = None
        self._jobs: Optional[SimpleQueue] = None
        #: The invocation running, if any.
        self.job: Optional[_Job] = None
        #: The last variables invoked with, and the same in environment form.
        self._encoded: Optional[tuple[dict[str, str], dict[Any, Any]]] = None
        #: The root logger as the environment's runtime has it: made on the first invocation.
        self.log: Optional[lambda_logging.RootLog] = None

    def paths(self) -> list[str]:
        return ([self.task_root] if self.task_root else []) + list(self.extra_paths)

    def module_roots(self) -> tuple[str, ...]:
        """The directories new modules of this environment's own come from: package, layers, ``/tmp``."""
        roots = self.paths() + ([self._tmpdir] if self._tmpdir else [])
        return tuple(os.path.join(root, "") for root in roots)

    @property
    def tmpdir(self) -> str:
        """This environment's ``/tmp``: made when first asked for (by a handler's ``tempfile``
        call, or to show it), as most handlers never use it, and removed when it is disposed.

        A handler still running after its environment ended (abandoned at a timeout) gets the
        directory it had, now removed, or a path that does not exist: its writes fail as they
        would in the directory it would have had.
        """
        tmpdir = self._tmpdir
        if tmpdir is None:
            with _TMPDIRS:
                tmpdir = self._tmpdir
                if tmpdir is None:
                    # Never through tempfile.gettempdir(): in a handler's thread, that is this.
                    if self._ended:
                        tmpdir = os.path.join(packages.extraction_root(), "ended")
                    else:
                        tmpdir = self._new_tmpdir("tmp-")
                    self._tmpdir = tmpdir
        return tmpdir

    def _environ_variables(self, variables: dict[str, str]) -> dict[Any, Any]:
        """``variables`` in environment form: converted when they are new to the environment (a
        version's invocations share one dict, see :class:`.lambda_api.OwnVariables`)."""
        kept = self._encoded
        if kept is None or kept[0] is not variables:
            kept = self._encoded = (variables, environ.encoded(variables))
        return kept[1]

    def invoke(self, request: Request) -> Outcome:
        job = _Job(self, request)
        if self.log is None:  # set up as the runtime sets it up at start-up, from Lambda's variables
            self.log = lambda_logging.RootLog.made(_OWN_THREAD_LOG, request.variables, self.task_root or "")
        holder = STATE.enter(self._environ_variables(request.variables), self.paths(), self.log)
        try:
            if self.thread is None or self._jobs is None:
                self._jobs = SimpleQueue()
                self.thread = threading.Thread(
                    target=_serve, args=(self._jobs, self), name=f"lambda {self.name}", daemon=True
                )
                self.thread.start()
                self._on_thread(self.thread)
            job.thread = self.thread
            self.job = job
            self._jobs.put(job)
            return job.wait()
        finally:
            self.job = None
            STATE.leave(holder, self.module_roots)
            job.left.open()

    def stop(self) -> Optional[_Job]:
        """At ``stop()``: abandon a running handler as at a timeout, and end the environment.

        Returns the abandoned invocation, whose invoking thread is then returning.
        """
        job = self.job
        if job is not None and not job.stop():
            job = None
        self.dispose()
        return job

    def dispose(self) -> None:
        """End the environment; its thread ends too, unless a timed-out handler still holds it."""
        if self._jobs is not None:
            self._jobs.put(None)
        self._jobs = None
        self.function = None
        self.module = None
        with _TMPDIRS:
            self._ended = True
            tmpdir, self._tmpdir = self._tmpdir, None
        if tmpdir is not None:
            shutil.rmtree(tmpdir, ignore_errors=True)


def _serve(jobs: SimpleQueue, environment: ThreadEnvironment) -> None:
    """An environment's thread: run its invocations one after the other until it is disposed.

    Its route (:mod:`.output`) lasts as long as the thread: each invocation only points it at its
    own log. An abandoned invocation's route keeps discarding until the thread ends.
    """
    ident = threading.get_ident()
    route = STATE.routes[ident] = Route(threading.current_thread(), DISCARD, environment)
    try:
        while True:
            job = jobs.get()
            if job is None:
                return
            route.sink = job.buffer
            job.run()
    except BaseException:  # an abandoned invocation's exception arriving late: the environment is gone
        return
    finally:
        if STATE.routes.get(ident) is route:
            del STATE.routes[ident]


class _Job:
    """One invocation handed to an environment's thread.

    Whoever settles it first sets :attr:`outcome`, under :attr:`lock`: the environment's thread
    when the handler returns, the invoking thread when the deadline passes, ``stop()``. The
    invoking thread waits for :attr:`done`; only a cold start, whose deadline moves once init is
    over, also needs the ``initialized`` event.
    """

    __slots__ = (
        "abandoned",
        "buffer",
        "caller",
        "deadline",
        "done",
        "environment",
        "init_ms",
        "initialized",
        "left",
        "lock",
        "outcome",
        "request",
        "signalled",
        "started",
        "thread",
    )

    def __init__(self, environment: ThreadEnvironment, request: Request) -> None:
        self.environment = environment
        self.request = request
        self.caller = threading.current_thread()
        self.thread: Optional[threading.Thread] = None
        self.buffer = io.StringIO()
        self.lock = threading.Lock()
        #: Open when the outcome is there (or the handler's thread is done with the invocation).
        self.done = Latch()
        #: Whether :attr:`done` has been opened (it is opened once, by whoever settles first).
        self.signalled = False
        #: Open when the invoking thread has taken the mock's own changes out again.
        self.left = Latch()
        self.abandoned = False
        self.started = time.monotonic()
        self.deadline = self.started + request.timeout_seconds
        self.outcome: Optional[Outcome] = None
        self.init_ms: Optional[float] = None
        self.initialized: Optional[threading.Event] = threading.Event() if environment.function is None else None

    # -- in the handler's thread ----------------------------------------------

    def run(self) -> None:
        outcome = None
        try:
            with self.lock:
                if self.abandoned:
                    return
            outcome = self._run()
        finally:  # _Abandoned, or anything arriving while we wrap up: the caller has gone
            self._signal(outcome)

    def _signal(self, outcome: Optional[Outcome] = None) -> None:
        """Settle the invocation with ``outcome`` unless it is settled, and wake the invoking thread
        (once: the handler's thread and ``stop()`` may both get here)."""
        with self.lock:
            if self.signalled:
                return
            self.signalled = True
            if outcome is not None and not self.abandoned:
                self.outcome = outcome
        if self.initialized is not None:
            self.initialized.set()
        self.done.open()

    def _run(self) -> Outcome:
        environment, request = self.environment, self.request
        function = environment.function
        if function is None:
            init_started = time.monotonic()
            try:
                environment.module, function = load_package_handler(
                    environment.task_root or "",
                    environment.handler_name or "",
                    environment.extra_paths,
                    environment.top_level,
                )
            except HandlerError as exc:
                return self._error(exc.payload, self._error_line(exc.payload), discard=True)
            except _Abandoned:
                raise
            except BaseException as exc:
                payload, log = lambda_api.base_exception_report(exc, request.request_id)
                return self._error(payload, log, discard=True)
            environment.function = function
            now = time.monotonic()
            self.init_ms = (now - init_started) * 1000
            # Lambda gives init 10 s of its own; beyond that it eats into the invoke's timeout.
            self.deadline = min(now, init_started + lambda_api.INIT_LIMIT_SECONDS) + request.timeout_seconds
        elif environment.cold:
            self.init_ms = 0.0
        if self.initialized is not None:
            with self.lock:
                if self.abandoned:
                    raise _Abandoned
                self.initialized.set()
        if environment.log is not None:  # the runtime's records carry the invocation's ids from now on
            environment.log.handler.invocation.request_id = request.request_id
            environment.log.handler.invocation.tenant_id = request.context.get("tenant_id")
        context = LambdaContext(
            timeout_seconds=max(0.0, self.deadline - time.monotonic()),
            aws_request_id=request.request_id,
            log_stream_name=environment.log_stream_name,
            **request.context,
        )
        started = time.perf_counter()
        try:
            result = function(request.event, context)
            payload = lambda_api.encode_result(result, request.ensure_ascii)
        except HandlerError as exc:
            return self._finish(json.dumps(exc.payload).encode(), "Unhandled", started)
        except _Abandoned:
            raise
        except Exception as exc:
            error = lambda_api.exception_payload(exc, request.request_id, environment.task_root)
            self.buffer.write(self._error_line(error))
            return self._finish(json.dumps(error).encode(), "Unhandled", started)
        except BaseException as exc:
            payload_dict, log = lambda_api.base_exception_report(exc, request.request_id)
            self.buffer.write(log)
            outcome = self._finish(json.dumps(payload_dict).encode(), "Unhandled", started)
            outcome.discard = True
            return outcome
        oversized = lambda_api.oversized_response(payload, request.response_limit)
        if oversized is not None:
            return self._finish(oversized, "Unhandled", started)
        return self._finish(payload, None, started)

    def _error_line(self, payload: dict[str, Any]) -> str:
        log = self.environment.log
        json_format = log is not None and log.handler.json_format
        return lambda_api.error_log_line(payload, json_format, self.request.ensure_ascii)

    def _error(self, payload: dict, log: str, discard: bool) -> Outcome:
        self.buffer.write(log)
        return Outcome(json.dumps(payload).encode(), "Unhandled", self.buffer.getvalue(), 0.0, self.init_ms, discard)

    def _finish(self, payload: bytes, function_error: Optional[str], started: float) -> Outcome:
        duration = (time.perf_counter() - started) * 1000
        return Outcome(payload, function_error, self.buffer.getvalue(), duration, self.init_ms)

    # -- in the invoking thread -------------------------------------------------

    def wait(self) -> Outcome:
        initialized = self.initialized
        while True:
            remaining = self.deadline - time.monotonic()
            if remaining > 0 and self.done.wait(remaining):
                outcome = self.outcome  # settled before the latch opened
                if outcome is not None:
                    return outcome
                break
            # The deadline as it stood has passed. On a cold start, init has 10 s of its own
            # before the handler's timeout starts, and the handler's thread moves the deadline
            # when init is over: only now is that worth waiting for.
            if initialized is None:
                break
            if not initialized.is_set():
                limit = self.started + lambda_api.INIT_LIMIT_SECONDS + self.request.timeout_seconds
                if not initialized.wait(max(0.0, limit - time.monotonic())):
                    break
            if self.deadline <= time.monotonic():
                break
            initialized = None  # the deadline is final now
        payload = lambda_api.timeout_payload(self.request.request_id, self.request.timeout_seconds)
        return self._abandon(payload, payload["errorMessage"] + "\n")

    def stop(self) -> bool:
        """At ``stop()``, in the stopping thread: end the invocation as its environment is shut down
        (``Runtime.ExitError``, ``signal: killed``, as a killed runtime process reports); False
        when it had ended already."""
        payload = lambda_api.exit_payload(self.request.request_id, signal_number=9)
        with self.lock:
            if self.outcome is not None or self.abandoned:
                return False
        self._abandon(payload, lambda_api.service_log_lines(payload))
        self._signal()
        return True

    def _abandon(self, payload: dict[str, Any], last_line: str) -> Outcome:
        """Settle the invocation with ``payload`` unless the handler's thread has; then stop that
        thread where Python can (its process changes are reverted as the invoking thread leaves)."""
        with self.lock:
            if self.outcome is not None:
                return self.outcome
            self.abandoned = True
            log = self.buffer.getvalue()
            if log and not log.endswith("\n"):
                log += "\n"
            duration = (time.monotonic() - self.started) * 1000
            self.outcome = Outcome(
                json.dumps(payload).encode(), "Unhandled", log + last_line, duration, self.init_ms, discard=True
            )
        thread = self.thread
        assert thread is not None
        route = STATE.routes.get(thread.ident or -1)
        if route is not None and route.thread is thread:
            route.sink = DISCARD
        LOAD_LOCK.abandon(thread)
        _raise_in(thread, _Abandoned)
        return self.outcome


def _raise_in(thread: threading.Thread, exception: type) -> None:
    """Raise ``exception`` in ``thread`` at its next Python instruction (CPython only)."""
    ident = thread.ident
    if ident is None or not thread.is_alive():
        return
    try:
        import ctypes

        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(ident), ctypes.py_object(exception))
    except Exception:  # another interpreter: the thread simply runs on
        return
