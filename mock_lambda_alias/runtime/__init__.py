"""Running users' Python handlers the way Lambda's Python runtime does, safely.

Each version (and ``$LATEST``) runs in its own execution environments, kept warm between
invocations and created on demand (one per concurrent invocation, as Lambda scales out):

- ``in-process`` (the default, :mod:`.inprocess`): the handler runs in a thread of the test
  process, with a real timeout, its own log, and its process-wide changes undone afterwards
  (:mod:`.process_state` says what that can and cannot cover);
- ``process`` (:mod:`.process`): the handler runs in a worker process, which a timeout kills,
  ``MemorySize`` bounds, and a crash takes down alone.

In both, the root logger has Lambda's handler (:mod:`.lambda_logging`), so a handler's ``logging``
records reach its log in Lambda's text or JSON format. Packages are checked against AWS's limits
when they are uploaded and extracted once per activation (:mod:`.packages`). A :class:`Sandbox`
holds one activation's environments and directories; ``stop()`` closes it, and every
environment's thread or process has ended when it returns.
"""

from __future__ import annotations

import datetime
import os
import threading
import time
import uuid
from typing import TYPE_CHECKING, Any, Callable, Optional, Union

from .inprocess import STOP_GRACE_SECONDS, Outcome, Request, ThreadEnvironment
from .lambda_api import RESPONSE_LIMIT, TASK_ROOT, HandlerError, LambdaContext, encode_result
from .packages import UNZIPPED_LIMIT, PackageRejected, Packages, check_package

if TYPE_CHECKING:  # imported on first use: subprocess alone costs milliseconds at import
    from .process import ProcessEnvironment

__all__ = [
    "ISOLATION_MODES",
    "RESPONSE_LIMIT",
    "STOP_GRACE_SECONDS",
    "TASK_ROOT",
    "UNZIPPED_LIMIT",
    "EnvironmentSpec",
    "HandlerError",
    "LambdaContext",
    "Outcome",
    "PackageRejected",
    "Request",
    "Sandbox",
    "check_package",
    "encode_result",
    "layer_paths",
    "log_stream_name",
]

ISOLATION_MODES = ("in-process", "process")
Environment = Union[ThreadEnvironment, "ProcessEnvironment"]


def layer_paths(opt: str, runtime_name: str) -> list[str]:
    """The import paths Lambda's Python runtimes put after ``/var/task`` for ``/opt``."""
    return [os.path.join(opt, "python", "lib", runtime_name, "site-packages"), os.path.join(opt, "python")]


def _utc_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


def log_stream_name(version: str, today: datetime.datetime) -> str:
    # not strftime: its first call costs more
    return f"{today.year:04d}/{today.month:02d}/{today.day:02d}/[{version}]{uuid.uuid4().hex}"


class EnvironmentSpec:
    """What an execution environment is made from; equal specs share warm environments.

    ``handler_name`` is ``module.function`` of a package (None for a registered callable
    ``function``); ``layers`` are the (digest, zip) archives Lambda extracts into ``/opt`` in
    order, whose ``python`` directories go on ``sys.path`` after the task root, followed by any
    ``extra_paths``; ``identity`` tells apart specs of one version that differ in what runs (the
    registered callable); ``log_settings`` (the ``LoggingConfig``) does too, as a runtime sets its
    logging up once, when it starts.
    """

    __slots__ = (
        "_hash",
        "_key",
        "code_sha256",
        "extra_paths",
        "function",
        "function_name",
        "handler_name",
        "identity",
        "isolation",
        "layers",
        "log_settings",
        "memory_mb",
        "owner",
        "runtime_name",
        "tenant_id",
        "version",
        "zip_bytes",
    )

    def __init__(
        self,
        function_name: str,
        version: str,
        *,
        handler_name: Optional[str] = None,
        code_sha256: Optional[str] = None,
        zip_bytes: Optional[bytes] = None,
        function: Optional[Callable[[Any, Any], Any]] = None,
        extra_paths: tuple[str, ...] = (),
        layers: tuple[tuple[str, bytes], ...] = (),
        runtime_name: str = "python3.12",
        isolation: str = "in-process",
        memory_mb: int = 128,
        identity: Any = None,
        log_settings: tuple[Any, ...] = (),
        tenant_id: Optional[str] = None,
        owner: tuple[str, str] = ("", ""),
    ) -> None:
        self.function_name = function_name
        #: (account, region) of the function: environments are never shared across accounts.
        self.owner = owner
        #: With tenant isolation each tenant has environments of its own: the tenant is in the key.
        self.tenant_id = tenant_id
        self.version = version
        self.handler_name = handler_name
        self.code_sha256 = code_sha256
        self.zip_bytes = zip_bytes
        self.function = function
        self.extra_paths = tuple(extra_paths)
        self.layers = tuple(layers)
        self.runtime_name = runtime_name
        self.isolation = isolation
        self.memory_mb = memory_mb
        self.identity = identity
        self.log_settings = log_settings
        self._key = (
            function_name,
            version,
            handler_name,
            code_sha256,
            self.extra_paths,
            tuple(digest for digest, _ in self.layers),
            runtime_name if self.layers else None,
            isolation,
            memory_mb,
            identity,
            log_settings,
            tenant_id,
            owner,
        )
        self._hash = hash(self._key)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, EnvironmentSpec) and other._key == self._key

    def __hash__(self) -> int:
        return self._hash

    def __repr__(self) -> str:
        return f"EnvironmentSpec{self._key!r}"


class Sandbox:
    """The execution environments and extracted packages of one activation of the mock."""

    def __init__(self) -> None:
        self.packages = Packages()
        self._lock = threading.Lock()
        self._idle: dict[EnvironmentSpec, list[Environment]] = {}
        self._busy: set[Environment] = set()
        #: The threads of this activation's in-process environments, joined at ``close()``.
        self._threads: list[threading.Thread] = []
        self.closed = False
        #: The activation's time (the mock's clock): a new environment's log stream is named by its day.
        self.now: Callable[[], datetime.datetime] = _utc_now

    def lease(self, spec: EnvironmentSpec) -> Environment:
        """A warm environment of ``spec`` that no one else is using, or a new (cold) one."""
        with self._lock:
            idle = self._idle.get(spec)
            environment = idle.pop() if idle else None
            if environment is None:
                environment = self._create(spec)
            self._busy.add(environment)
            return environment

    def _create(self, spec: EnvironmentSpec) -> Environment:
        name = f"{spec.function_name}:{spec.version}"
        stream = log_stream_name(spec.version, self.now())
        if spec.isolation == "process" and spec.handler_name is not None:
            from .process import ProcessEnvironment

            return ProcessEnvironment(
                task_root="",
                handler_name=spec.handler_name,
                extra_paths=list(spec.extra_paths),
                log_stream_name=stream,
                name=name,
                memory_mb=spec.memory_mb,
            )
        return ThreadEnvironment(
            new_tmpdir=self.packages.new_directory,
            task_root=None,
            handler_name=spec.handler_name,
            function=spec.function,
            extra_paths=list(spec.extra_paths),
            log_stream_name=stream,
            name=name,
            on_thread=self._track,
        )

    def _track(self, thread: threading.Thread) -> None:
        with self._lock:
            if len(self._threads) >= 64:
                self._threads = [t for t in self._threads if t.is_alive()]
            self._threads.append(thread)

    def run(self, spec: EnvironmentSpec, environment: Environment, request: Request) -> Outcome:
        """Invoke (outside any backend lock); packages are extracted on the environment's first use."""
        if spec.handler_name is not None and not environment.task_root:
            assert spec.code_sha256 is not None and spec.zip_bytes is not None
            if spec.layers:
                opt = self.packages.layers_path(spec.layers)
                environment.extra_paths = [*layer_paths(opt, spec.runtime_name), *spec.extra_paths]
            environment.task_root = self.packages.path(spec.code_sha256, spec.zip_bytes)
            if environment.isolation == "in-process":
                environment.top_level = self.packages.top_level(environment.task_root)
        request.variables = environment.variables_with_own(request.variables)
        try:
            outcome = environment.invoke(request)
        except BaseException:
            self.release(spec, environment, None)
            raise
        if environment.cold:
            environment.cold = False
        else:
            outcome.init_duration_ms = None
        return outcome

    def release(self, spec: EnvironmentSpec, environment: Environment, outcome: Optional[Outcome]) -> None:
        """Give the environment back for warm reuse, or end it after a timeout or crash."""
        with self._lock:
            self._busy.discard(environment)
            keep = outcome is not None and not outcome.discard and not self.closed
            if keep:
                self._idle.setdefault(spec, []).append(environment)
        if not keep:
            environment.dispose()

    def warm(self) -> list[tuple[EnvironmentSpec, Environment]]:
        """The idle warm environments with their specs, oldest first (for ``m.environments()``)."""
        with self._lock:
            return [(spec, e) for spec, environments in self._idle.items() for e in environments]

    def clear(self) -> None:
        """Forget the warm environments (the next invocations are cold starts)."""
        with self._lock:
            idle = [e for environments in self._idle.values() for e in environments]
            self._idle.clear()
        for environment in idle:
            environment.dispose()

    def close(self) -> None:
        """End every environment and remove the packages' directories.

        Worker processes are killed. Idle environments' threads are told to stop; a handler still
        running is abandoned as at a timeout (its invocation answers ``Runtime.ExitError``). Then
        the threads are joined, and the invoking threads of abandoned invocations awaited, for
        :data:`STOP_GRACE_SECONDS` in all: a handler blocked in a long C call outlives that.
        """
        with self._lock:
            self.closed = True
            busy = list(self._busy)
        self.clear()
        abandoned = []
        for environment in busy:
            if environment.isolation == "process":
                environment.dispose()
            else:
                job = environment.stop()
                if job is not None:
                    abandoned.append(job)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        current = threading.current_thread()
        with self._lock:
            threads, self._threads = self._threads, []
        for thread in threads:
            if thread is not current:
                thread.join(max(0.0, deadline - time.monotonic()))
        for job in abandoned:
            if current is not job.caller and current is not job.thread:
                job.left.wait(max(0.0, deadline - time.monotonic()))
        self.packages.close()
