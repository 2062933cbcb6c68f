"""Running a handler inside the test process without letting it take the process over.

- Each invocation runs in its environment's daemon thread; the invoking thread waits at most until the
  deadline (init, then ``Timeout``) and answers ``Sandbox.Timedout`` when it passes. The
  abandoned thread gets an exception raised into it (pure-Python code stops at its next line;
  a blocking call first has to return) and, being a daemon, never delays the interpreter's exit.
- Output is routed per thread: ``sys.stdout``/``sys.stderr`` are replaced, while handlers run,
  by a router that sends each invocation thread's writes to that invocation's log and every
  other thread's writes where they went before.
- Each environment has a temporary directory of its own (Lambda's ``/tmp``, kept across warm
  invocations, removed with the environment): while handlers run, ``tempfile.gettempdir()`` (and
  so ``mkstemp``, ``TemporaryFile``, ``TemporaryDirectory``, ...) answers the calling invocation
  thread's directory and every other thread's the usual one. A literal ``"/tmp"`` path, helper
  threads a handler starts, child processes and C libraries still see the host's ``/tmp``: only
  ``isolation="process"`` (whose workers get ``TMPDIR``) separates those too.
- What a handler can change in the process — environment variables, ``sys.path``,
  ``sys.modules``, the working directory, the recursion limit, the root logger's handlers and
  level, ``sys.stdout``/``sys.stderr`` — is snapshotted when the first of the concurrent
  invocations starts and restored when the last one ends (or is abandoned).
- A ``BaseException`` never escapes: ``SystemExit``, ``KeyboardInterrupt`` and the like become
  the ``Runtime.ExitError`` Lambda reports when its runtime process ends, and the environment is
  thrown away, as Lambda throws away a crashed sandbox. A real Ctrl-C arrives in the main
  thread, which is only waiting, so it still stops the test run.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from queue import SimpleQueue
from typing import Any, Callable, Optional

from . import lambda_api, packages
from .lambda_api import HandlerError, LambdaContext


class _Abandoned(BaseException):
    """Raised into a handler thread whose invocation timed out, to stop it where Python can."""


# ---------------------------------------------------------------------------
# output: one log per invocation thread
# ---------------------------------------------------------------------------


class _Route:
    __slots__ = ("environment", "sink", "thread")

    def __init__(self, thread: threading.Thread, sink: Any, environment: Optional[ThreadEnvironment] = None) -> None:
        self.thread = thread
        self.sink = sink
        #: Whose temporary directory (its ``/tmp``) the thread's ``tempfile`` calls get.
        self.environment = environment


class _Discard(io.TextIOBase):
    def write(self, text: str) -> int:
        return len(text)


_DISCARD = _Discard()


class OutputRouter(io.TextIOBase):
    """A text stream that writes each invocation thread's output to its own buffer.

    Threads without a route (the test's own, and handlers' helper threads) write to the stream
    that was in place when the router was installed. Attribute look-ups (``encoding``,
    ``fileno``, ``isatty``, ...) go to the stream the calling thread writes to.
    """

    def __init__(self, fallback: Any, routes: dict[int, _Route]) -> None:
        self._fallback = fallback
        self._routes = routes

    def _target(self) -> Any:
        route = self._routes.get(threading.get_ident())
        if route is not None and route.thread is threading.current_thread():
            return route.sink
        return self._fallback

    def write(self, text: str) -> int:  # type: ignore[override]
        return self._target().write(text)

    def writelines(self, lines: Any) -> None:  # type: ignore[override]
        self._target().writelines(lines)

    def flush(self) -> None:
        target = self._target()
        if target is not self and hasattr(target, "flush"):
            target.flush()

    def isatty(self) -> bool:
        return bool(getattr(self._target(), "isatty", lambda: False)())

    def fileno(self) -> int:
        return self._target().fileno()

    def writable(self) -> bool:
        return True

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self._target(), "encoding", None) or "utf-8"

    @property
    def errors(self) -> Optional[str]:  # type: ignore[override]
        return getattr(self._target(), "errors", None)

    def close(self) -> None:
        """A handler closing ``sys.stdout`` closes nothing: the streams behind it are not its own."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._target(), name)


class TempdirRouter:
    """``tempfile.gettempdir`` / ``gettempdirb`` answering each invocation thread its environment's ``/tmp``.

    ``tempfile.tempdir`` is one process-wide value computed once, so setting ``TMPDIR`` would
    neither take effect nor keep concurrent environments apart; every ``tempfile`` function that
    picks a directory asks ``gettempdir()`` (or ``gettempdirb()``) at call time, so routing those
    two by thread gives each environment its own directory. Other threads get the originals.

    ``tempfile.tempdir`` itself is never assigned or settled here. A handler that assigns it gets
    what it assigned, as on Lambda (the assignment is undone with its other changes). When another
    thread's first ``tempfile`` call settles it (``None`` becomes tempfile's choice), that is
    ``tempfile``'s doing: :attr:`settled` remembers it, so that it is neither mistaken for a
    handler's assignment nor undone.
    """

    def __init__(self, routes: dict[int, _Route]) -> None:
        self._routes = routes
        self.original = (tempfile.gettempdir, tempfile.gettempdirb)
        #: What ``tempfile.tempdir`` was when installed, or what tempfile settled it to since.
        self.expected: Any = None
        #: The value tempfile settled ``tempfile.tempdir`` to while installed (None: not seen).
        self.settled: Any = None

    def _own(self) -> Optional[str]:
        route = self._routes.get(threading.get_ident())
        if route is None or route.thread is not threading.current_thread() or route.environment is None:
            return None
        if tempfile.tempdir != self.expected:  # assigned while handlers run: theirs to choose
            return None
        return route.environment.tmpdir

    def _original(self, which: int) -> Any:
        before = tempfile.tempdir
        found = self.original[which]()
        if before is None and before is self.expected and tempfile.tempdir is not None:
            self.expected = self.settled = tempfile.tempdir  # tempfile's first call settled it
        return found

    def gettempdir(self) -> str:
        own = self._own()
        return own if own is not None else self._original(0)

    def gettempdirb(self) -> bytes:
        own = self._own()
        return os.fsencode(own) if own is not None else self._original(1)

    def install(self) -> None:
        self.original = (tempfile.gettempdir, tempfile.gettempdirb)
        self.expected = tempfile.tempdir
        self.settled = None
        tempfile.gettempdir, tempfile.gettempdirb = self.gettempdir, self.gettempdirb  # type: ignore[assignment]

    def uninstall(self) -> None:
        """Put the originals back, unless someone replaced ours meanwhile (then theirs stay)."""
        if tempfile.gettempdir == self.gettempdir:
            tempfile.gettempdir = self.original[0]
        if tempfile.gettempdirb == self.gettempdirb:
            tempfile.gettempdirb = self.original[1]


# ---------------------------------------------------------------------------
# process state: snapshot at the first concurrent invocation, restore after the last
# ---------------------------------------------------------------------------


def _environ_data() -> Optional[dict]:
    data = getattr(os.environ, "_data", None)
    return data if os.name == "posix" and isinstance(data, dict) else None


class _Layer:
    """What one invocation put into the process: its environment variables and import paths.

    Compared by identity: two invocations of one version put in equal layers.
    """

    __slots__ = ("modules_before", "paths", "task_root", "variables")

    def __init__(self, variables: dict[str, str], paths: list[str], task_root: Optional[str]) -> None:
        self.variables = variables
        self.paths = paths
        self.task_root = task_root
        self.modules_before = 0


class _Snapshot:
    """The process state the first of the running invocations found."""

    __slots__ = (
        "cwd",
        "environ",
        "logging_disable",
        "modules",
        "path",
        "recursion_limit",
        "root_handlers",
        "root_level",
        "stderr",
        "stdout",
        "tempdir",
    )

    def __init__(self) -> None:
        # ``dict.copy()`` clones the table in one go, several times faster than ``dict(d)``.
        data = _environ_data()
        self.environ: dict = data.copy() if data is not None else dict(os.environ)
        self.path = list(sys.path)
        self.modules = sys.modules.copy()
        try:
            self.cwd: Optional[str] = os.getcwd()
        except OSError:
            self.cwd = None
        self.recursion_limit = sys.getrecursionlimit()
        root = logging.root
        self.root_handlers = list(root.handlers)
        self.root_level = root.level
        self.logging_disable = logging.root.manager.disable
        self.stdout = sys.stdout
        self.stderr = sys.stderr
        self.tempdir = tempfile.tempdir


class ProcessState:
    """Keeps in-process handlers from leaking into the test process; see the module docstring."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._layers: list[_Layer] = []
        self._snapshot: Optional[_Snapshot] = None
        self.routes: dict[int, _Route] = {}
        #: Package directories of the running invocations: their modules go when the last one ends.
        self.package_roots: set[str] = set()
        # Made once and installed by the first of concurrent invocations, uninstalled by the last.
        self._stdout = OutputRouter(None, self.routes)
        self._stderr = OutputRouter(None, self.routes)
        self._tempdirs = TempdirRouter(self.routes)
        #: The variables the running invocations set (keys as ``os.environ`` holds them): the
        #: ones to put back first when they end.
        self._touched: set[Any] = set()

    # -- entering and leaving -------------------------------------------------

    def enter(
        self,
        variables: dict[str, str],
        paths: list[str],
        task_root: Optional[str],
        encoded: Optional[Encoded] = None,
    ) -> _Layer:
        """Put an invocation's variables and paths in; ``encoded`` is :func:`encode_variables` of
        ``variables``, which an environment makes once for all its invocations."""
        layer = _Layer(variables, paths, task_root)
        with self._lock:
            if not self._layers:
                self._snapshot = snapshot = _Snapshot()
                # A router left in place by someone who kept it keeps the stream it already falls back to.
                if snapshot.stdout is not self._stdout:
                    self._stdout._fallback = snapshot.stdout
                if snapshot.stderr is not self._stderr:
                    self._stderr._fallback = snapshot.stderr
                sys.stdout, sys.stderr = self._stdout, self._stderr  # type: ignore[assignment]
                self._tempdirs.install()
            self._layers.append(layer)
            if encoded is not None and _environ_data() is not None:
                self._touched.update(_put_encoded(encoded))
            else:
                self._touched.update(_set_variables(variables))
            for path in reversed(paths):
                if path not in sys.path:
                    sys.path.insert(0, path)
            self.package_roots.update(paths)
            layer.modules_before = len(sys.modules)
        return layer

    def leave(self, layer: _Layer) -> None:
        with self._lock:
            if layer not in self._layers:
                return
            self._layers.remove(layer)
            if not self._layers:
                snapshot, self._snapshot = self._snapshot, None
                if snapshot is not None:
                    self._restore(snapshot)
                return
            # Others still run: hand back what this invocation set, keep what they need.
            snapshot = self._snapshot
            for key in layer.variables:
                value = next((o.variables[key] for o in reversed(self._layers) if key in o.variables), None)
                if value is not None:
                    _set_variables({key: value})
                elif snapshot is not None:
                    _restore_variable(key, snapshot.environ)
            in_use = {p for other in self._layers for p in other.paths}
            for path in layer.paths:
                if path not in in_use:
                    with contextlib.suppress(ValueError):
                        sys.path.remove(path)
            root = layer.task_root
            if root and len(sys.modules) != layer.modules_before and root not in {o.task_root for o in self._layers}:
                _drop_modules_under(tuple(p for p in layer.paths if p not in in_use), keep=())

    # -- restoring ------------------------------------------------------------

    def _restore(self, snapshot: _Snapshot) -> None:
        sys.stdout, sys.stderr = snapshot.stdout, snapshot.stderr
        self._tempdirs.uninstall()
        now = tempfile.tempdir
        if now != snapshot.tempdir and not (snapshot.tempdir is None and now == self._tempdirs.settled):
            tempfile.tempdir = snapshot.tempdir  # a handler's assignment (tempfile settling itself stays)
        touched, self._touched = self._touched, set()
        _restore_environ(snapshot.environ, touched)
        if sys.path != snapshot.path:
            sys.path[:] = snapshot.path
        _restore_modules(snapshot.modules, tuple(self.package_roots))
        self.package_roots.clear()
        if snapshot.cwd is not None:
            try:
                if os.getcwd() != snapshot.cwd:
                    os.chdir(snapshot.cwd)
            except OSError:
                with contextlib.suppress(OSError):
                    os.chdir(snapshot.cwd)
        if sys.getrecursionlimit() != snapshot.recursion_limit:
            sys.setrecursionlimit(snapshot.recursion_limit)
        root = logging.root
        if root.handlers != snapshot.root_handlers:
            root.handlers[:] = snapshot.root_handlers
        if root.level != snapshot.root_level:
            root.setLevel(snapshot.root_level)
        if logging.root.manager.disable != snapshot.logging_disable:
            logging.disable(snapshot.logging_disable)


def _set_variables(variables: dict[str, str]) -> list[Any]:
    """Set environment variables; on POSIX through the byte mapping, several times cheaper.

    Returns their keys as the mapping holds them, so that putting them back needs no encoding.
    """
    if _environ_data() is None:
        os.environ.update(variables)
        return list(variables)
    return _put_encoded(encode_variables(variables))


#: Environment variables as ``os.environ`` holds them on POSIX: (key, value) byte pairs.
Encoded = tuple[tuple[bytes, bytes], ...]


def encode_variables(variables: dict[str, str]) -> Encoded:
    encoding = sys.getfilesystemencoding()
    return tuple(
        (key.encode(encoding, "surrogateescape"), value.encode(encoding, "surrogateescape"))
        for key, value in variables.items()
    )


def _put_encoded(encoded: Encoded) -> list[bytes]:
    """Set encoded variables (POSIX); returns their keys."""
    data = _environ_data()
    assert data is not None
    putenv = os.putenv
    for key, value in encoded:
        putenv(key, value)
    data.update(encoded)
    return [key for key, _ in encoded]


def _restore_variable(key: str, saved: dict) -> None:
    """Put one variable back as ``saved`` has it."""
    data = _environ_data()
    if data is None:
        value = saved.get(key)
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
        return
    _put_back(data, key.encode(sys.getfilesystemencoding(), "surrogateescape"), saved)


def _put_back(data: dict, bkey: Any, saved: dict) -> None:
    """Put one variable (its key as ``os.environ`` holds it on POSIX) back as ``saved`` has it."""
    bvalue = saved.get(bkey)
    if bvalue is None:
        if bkey in data:
            os.unsetenv(bkey)
            del data[bkey]
    elif data.get(bkey) != bvalue:
        os.putenv(bkey, bvalue)
        data[bkey] = bvalue


def _restore_environ(saved: dict, touched: Iterable[Any] = ()) -> None:
    """Put the environment back as ``saved``; ``touched`` holds the keys known to have been set.

    Those are put back first; when that already makes the environment equal to ``saved`` (a
    handler that set no variables of its own), one comparison in C replaces a walk over all.
    """
    data = _environ_data()
    if data is None:
        for key in [k for k in os.environ if k not in saved]:
            del os.environ[key]
        for key, value in saved.items():
            if os.environ.get(key) != value:
                os.environ[key] = value
        return
    for bkey in touched:
        _put_back(data, bkey, saved)
    if data == saved:
        return
    for bkey in [k for k in data if k not in saved]:
        os.unsetenv(bkey)
        del data[bkey]
    for bkey, bvalue in saved.items():
        if data.get(bkey) != bvalue:
            os.putenv(bkey, bvalue)
            data[bkey] = bvalue


def _module_file(module: Any) -> str:
    try:
        return getattr(module, "__file__", None) or ""
    except Exception:
        return ""


def _drop_modules_under(roots: tuple[str, ...], keep: tuple[str, ...], among: Optional[list[str]] = None) -> None:
    """Remove the modules loaded from under ``roots`` (of the names ``among``, else all)."""
    modules = sys.modules
    for name in list(modules) if among is None else among:
        if name in keep:
            continue
        path = _module_file(modules.get(name))
        if path and path.startswith(roots):
            modules.pop(name, None)


def _added_after(last: Optional[str]) -> Optional[list[str]]:
    """The names ``sys.modules`` holds after ``last``, newest first; None (all of them) once
    ``last`` is gone, as then where the new entries start is not known."""
    modules = sys.modules
    if last is not None and last not in modules:
        return None
    added = []
    for name in reversed(modules.copy()):
        if name == last:
            break
        added.append(name)
    return added


def _is_real_module(module: Any) -> bool:
    """A module the import system made (it has a spec), not an object put there by hand."""
    return isinstance(module, type(sys)) and getattr(module, "__spec__", None) is not None


def _same(current: dict[str, Any], saved: dict[str, Any]) -> bool:
    """Whether two mappings hold the same keys with the very same values.

    Dict equality looks every key up in the other table and compares the values by identity
    first, in one C loop: about half the cost of comparing ``items()`` views, which makes an item
    pair for every entry.
    """
    try:
        return len(current) == len(saved) and current == saved
    except Exception:  # an object put there by hand whose __eq__ fails: not the same, then
        return False


def _restore_modules(saved: dict[str, Any], package_roots: tuple[str, ...]) -> None:
    """Put ``sys.modules`` back: entries a handler replaced or removed, and the ones it added.

    New modules imported from the test's own environment (the standard library, site-packages)
    stay: removing them could break C extensions, which cannot be imported twice. New entries
    from a function's package, and anything injected by hand, go.
    """
    modules = sys.modules
    if _same(modules, saved):  # the common case
        return
    for name, module in saved.items():
        if modules.get(name) is not module:
            modules[name] = module
    for name in [n for n in modules if n not in saved]:
        module = modules.get(name)
        path = _module_file(module)
        if (path and package_roots and path.startswith(package_roots)) or not _is_real_module(module):
            modules.pop(name, None)


STATE = ProcessState()


# ---------------------------------------------------------------------------
# loading a package's handler
# ---------------------------------------------------------------------------


class _LoadLock:
    """Serialises handler imports (they juggle ``sys.modules``), surviving a stuck import.

    When an import never finishes, its invocation is abandoned (after Lambda's 10 s of init and
    the function's timeout) and the lock it holds is replaced, so cold starts continue; until
    then they wait. Warm environments never take it.
    """

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._lock = threading.Lock()
        self._owner: Optional[threading.Thread] = None

    @contextlib.contextmanager
    def held(self) -> Any:
        with self._guard:
            lock = self._lock
        while not lock.acquire(timeout=0.05):
            with self._guard:  # the holder may have been abandoned meanwhile: wait for the new lock
                lock = self._lock
        with self._guard:
            self._owner = threading.current_thread() if lock is self._lock else None
        try:
            yield
        finally:
            with self._guard:
                if self._owner is threading.current_thread():
                    self._owner = None
            lock.release()

    def abandon(self, thread: threading.Thread) -> None:
        with self._guard:
            if self._owner is thread:
                self._lock = threading.Lock()
                self._owner = None


LOAD_LOCK = _LoadLock()


def load_package_handler(
    task_root: str, handler: str, extra_paths: Sequence[str] = (), top_level: Optional[packages.TopLevel] = None
) -> tuple[Any, Any]:
    """Import ``handler`` from an extracted package, privately: (module, function).

    A module of the same name loaded from elsewhere (another version, the test suite) is set
    aside while importing, and the modules of the package and of its ``extra_paths`` (layers)
    are dropped from ``sys.modules`` again, so two versions never share module state.
    """
    modname, _ = lambda_api.split_handler(handler)
    import_name = modname.replace("/", ".")
    with LOAD_LOCK.held():
        # Package directories are new and never change once extracted: no cached finder can be
        # stale, so none is invalidated (invalidating every finder of the process cost the first
        # cold start more than the import itself). The import's own finders go afterwards.
        sys.path.insert(0, task_root)
        modules = sys.modules
        # A module's submodules are only there with it, so most cold starts need no search.
        top = import_name.split(".")[0]
        shadowed = (
            {n: modules.pop(n) for n in list(modules) if n == top or n.startswith(top + ".")} if top in modules else {}
        )
        # Only this import can have added modules from the package or its layers: looking at the
        # new entries alone spares reading every loaded module's file at each cold start. New
        # entries come after the last one there is now (``sys.modules`` keeps insertion order).
        last = next(reversed(modules), None)
        # ``/var/task`` is read-only on Lambda: no bytecode is written there (and writing it
        # would cost a cold start a directory and a file).
        writes_bytecode, sys.dont_write_bytecode = sys.dont_write_bytecode, True
        try:
            return lambda_api.import_handler(task_root, handler, top_level)
        finally:
            sys.dont_write_bytecode = writes_bytecode
            with contextlib.suppress(ValueError):
                sys.path.remove(task_root)
            roots = (task_root, *extra_paths)
            for path in [p for p in sys.path_importer_cache if isinstance(p, str) and p.startswith(roots)]:
                sys.path_importer_cache.pop(path, None)  # the directories go with the activation
            _drop_modules_under(roots, keep=(), among=_added_after(last))
            sys.modules.update(shadowed)


# ---------------------------------------------------------------------------
# one invocation
# ---------------------------------------------------------------------------


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

    __slots__ = ("context", "ensure_ascii", "event", "request_id", "timeout_seconds", "variables")

    def __init__(
        self,
        *,
        event: Any,
        request_id: str,
        variables: dict[str, str],
        timeout_seconds: float,
        ensure_ascii: bool,
        context: Optional[dict[str, Any]] = None,
    ) -> None:
        self.event = event
        self.request_id = request_id
        self.variables = variables
        self.timeout_seconds = timeout_seconds
        self.ensure_ascii = ensure_ascii
        self.context = context if context is not None else {}


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
    ) -> None:
        self.task_root = task_root
        self.handler_name = handler_name
        self.function = function
        #: Makes a directory from a prefix: the activation's, removed with it.
        self._new_tmpdir = new_tmpdir
        self.module: Any = None
        self.extra_paths = extra_paths
        self.log_stream_name = log_stream_name
        self.name = name
        self.cold = True
        self._tmpdir: Optional[str] = None
        self._ended = False
        #: The names at the top of the unzipped package, when known (finding the handler's module).
        self.top_level: Optional[packages.TopLevel] = None
        self._thread: Optional[threading.Thread] = None
        self._jobs: Optional[SimpleQueue] = None
        #: The variables of the latest invocation, and their encoded form.
        self._encoded: Optional[tuple[dict[str, str], Encoded]] = None

    def paths(self) -> list[str]:
        return ([self.task_root] if self.task_root else []) + list(self.extra_paths)

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

    def invoke(self, request: Request) -> Outcome:
        job = _Job(self, request)
        encoded = self._encoded
        if encoded is None or encoded[0] is not request.variables:
            encoded = self._encoded = (request.variables, encode_variables(request.variables))
        layer = STATE.enter(request.variables, self.paths(), self.task_root, encoded[1])
        try:
            if self._thread is None or self._jobs is None:
                self._jobs = SimpleQueue()
                self._thread = threading.Thread(
                    target=_serve, args=(self._jobs,), name=f"lambda {self.name}", daemon=True
                )
                self._thread.start()
            job.thread = self._thread
            self._jobs.put(job)
            return job.wait()
        finally:
            STATE.leave(layer)

    def dispose(self) -> None:
        """End the environment; its thread ends too, unless a timed-out handler still holds it."""
        if self._jobs is not None:
            self._jobs.put(None)
        self._jobs = self._thread = None
        self.function = None
        self.module = None
        with _TMPDIRS:
            self._ended = True
            tmpdir, self._tmpdir = self._tmpdir, None
        if tmpdir is not None:
            shutil.rmtree(tmpdir, ignore_errors=True)


def _serve(jobs: SimpleQueue) -> None:
    """An environment's thread: run its invocations one after the other until it is disposed."""
    try:
        while True:
            job = jobs.get()
            if job is None:
                return
            job.run()
    except BaseException:  # an abandoned invocation's exception arriving late: the environment is gone
        return


class _Job:
    """One invocation handed to an environment's thread.

    The environment's thread sets ``done`` when the outcome is there; only a cold start, whose
    deadline moves once init is over, also needs the ``initialized`` event.
    """

    __slots__ = (
        "abandoned",
        "buffer",
        "deadline",
        "done",
        "environment",
        "finished",
        "init_ms",
        "initialized",
        "lock",
        "needs_init",
        "outcome",
        "request",
        "started",
        "thread",
    )

    def __init__(self, environment: ThreadEnvironment, request: Request) -> None:
        self.environment = environment
        self.request = request
        self.thread: Optional[threading.Thread] = None
        self.buffer = io.StringIO()
        self.lock = threading.Lock()
        self.done = threading.Event()
        self.finished = False
        self.abandoned = False
        self.started = time.monotonic()
        self.deadline = self.started + request.timeout_seconds
        self.outcome: Optional[Outcome] = None
        self.init_ms: Optional[float] = None
        self.needs_init = environment.function is None
        self.initialized: Optional[threading.Event] = threading.Event() if self.needs_init else None

    # -- in the handler's thread ----------------------------------------------

    def run(self) -> None:
        try:
            thread = threading.current_thread()
            ident = threading.get_ident()
            STATE.routes[ident] = _Route(thread, self.buffer, self.environment)
            try:
                outcome = self._run()
            finally:
                route = STATE.routes.get(ident)
                if route is not None and route.thread is thread:
                    del STATE.routes[ident]
            with self.lock:
                if not self.abandoned:
                    self.outcome = outcome
                    self.finished = True
            self._signal()
        except BaseException:  # _Abandoned, or anything arriving while we wrap up: the caller has gone
            self._signal()

    def _signal(self) -> None:
        if self.initialized is not None:
            self.initialized.set()
        self.done.set()

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
                return self._error(exc.payload, lambda_api.error_log_line(exc.payload), discard=True)
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
            self.buffer.write(lambda_api.error_log_line(error))
            return self._finish(json.dumps(error).encode(), "Unhandled", started)
        except BaseException as exc:
            payload_dict, log = lambda_api.base_exception_report(exc, request.request_id)
            self.buffer.write(log)
            outcome = self._finish(json.dumps(payload_dict).encode(), "Unhandled", started)
            outcome.discard = True
            return outcome
        return self._finish(payload, None, started)

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
                break
            # The deadline as it stood has passed. On a cold start, init has 10 s of its own
            # before the handler's timeout starts, and the handler's thread moves the deadline
            # when init is over: only now is that worth waiting for (waking up when init ends
            # would cost every cold start a hand-off, where most end long before the deadline).
            if initialized is None:
                break
            if not initialized.is_set():
                limit = self.started + lambda_api.INIT_LIMIT_SECONDS + self.request.timeout_seconds
                if not initialized.wait(max(0.0, limit - time.monotonic())):
                    break
            if self.deadline <= time.monotonic():
                break
            initialized = None  # the deadline is final now
        with self.lock:
            if self.finished:
                assert self.outcome is not None
                return self.outcome
            self.abandoned = True
        return self._abandon()

    def _abandon(self) -> Outcome:
        thread = self.thread
        assert thread is not None
        route = STATE.routes.get(thread.ident or -1)
        if route is not None and route.thread is thread:
            route.sink = _DISCARD
        LOAD_LOCK.abandon(thread)
        _raise_in(thread, _Abandoned)
        payload = lambda_api.timeout_payload(self.request.request_id, self.request.timeout_seconds)
        log = self.buffer.getvalue()
        if log and not log.endswith("\n"):
            log += "\n"
        log += f"{payload['errorMessage']}\n"
        duration = (time.monotonic() - self.started) * 1000
        return Outcome(json.dumps(payload).encode(), "Unhandled", log, duration, self.init_ms, discard=True)


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
