"""What an in-process invocation changes in the test process, and putting back only that.

Two sources of change are told apart, and each is put back key by key:

- **The mock's own changes** (:meth:`ProcessState.enter` / :meth:`ProcessState.leave`): Lambda's
  environment variables, the task root and layer paths on ``sys.path``, the output and
  ``tempfile`` routers, and the environment's root logger as its runtime has it (Lambda's handler
  first, and the level the runtime or the function set there, see :mod:`.lambda_logging`), for as
  long as an invocation runs. Each is recorded as (key, value before, value set); afterwards the
  value before is put back only where the current value is still the one the mock set. A key
  someone else changed meanwhile keeps their value.
- **The handler's changes** (its window, opened and closed by the same two calls): each kind of
  process state is snapshotted by the invoking thread as the invocation starts, just before the
  mock's own changes, which are then applied to it (S0), and again as it ends, once the handler
  has returned or been abandoned at a timeout or at ``stop()`` (S1). The environment's thread
  only runs the handler. Only keys that differ between S0 and S1 are reverted, and only where
  the current value is still S1's. The kinds: environment variables, ``sys.path``
  entries, ``sys.modules`` entries, the working directory, the recursion limit, the root
  logger's handlers and level and ``logging.disable``, ``sys.stdout``/``sys.stderr`` and
  ``tempfile.tempdir``. Of new ``sys.modules`` entries, modules loaded from the function's
  package, layers or ``/tmp`` and objects put there by hand go; modules the import system loaded
  from the test's own environment (the standard library, site-packages) stay, as C extensions
  cannot be imported twice. The root logger's level a handler set is also kept as its
  environment's: it is the level in force during that environment's next invocations, as on
  Lambda, where module-level code runs once (``logging.getLogger().setLevel(logging.INFO)``).

The mock's own writes (setting Lambda's variables and putting them back, and what loading a
handler does to ``sys.path`` and ``sys.modules``) are applied to the S0 of every invocation
running, so they are never mistaken for its handler's changes; what one invocation's end puts
back is applied to the S0 of the invocations started since (whose S0 held that handler's
change), so no handler's change outlives both.

**The limit.** Without tracing hooks (which would fight coverage.py and profilers, and slow
handlers down) nothing tells who made a change. A change another thread makes to the same
process-wide state while a handler runs, be it the test's main thread (``monkeypatch.setenv``,
``syspath_prepend``, ``chdir``, ``caplog``, ``capsys``), a thread the test started or another
invocation's handler, lands between that handler's S0 and S1 and is reverted with the handler's
own changes when the handler ends (unless it was changed again after S1). Measured: with an
invocation's handler blocked in a background thread, a variable the test set and a ``sys.path``
entry it prepended were both gone once that handler returned (as with the former design, which
restored everything when the last running invocation ended); what another invocation changed
and ended meanwhile was already back when it returned, where the former design kept it until
the last one ended. The test keeps what it changes while no in-process handler runs, however
many invocations run in worker processes. Concurrent handlers share the one process: each sees
the others' changes while they run, and a handler's changes are undone when it ends, even if a
concurrent handler has used them since.

**What is not contained in-process**: process-wide C state (the umask, ``os.putenv`` and
``os.unsetenv`` called directly, the locale, resource limits), signal handlers (``signal.signal``
fails outside the main thread anyway), file descriptors, ``os.fork``, ``os._exit`` (it ends the
test process), and threads a handler leaves running (what they change after the handler
returned is not undone). ``isolation="process"`` contains all of those.
"""

from __future__ import annotations

import collections
import logging
import sys
import threading
from collections.abc import Mapping
from typing import Any, Callable, Optional

from . import environ
from .environ import ENVIRON
from .output import OutputRouter, Route, TempdirRouter
from .process_values import SINGLE, HeldValue, LambdaHandlers, read_single

#: An absent key (``sys.modules`` may hold None, so None cannot stand for absence there).
MISSING: Any = object()


def module_file(module: Any) -> str:
    """A module's ``__file__`` ("" when it has none, or reading it fails)."""
    try:
        return getattr(module, "__file__", None) or ""
    except Exception:
        return ""


def is_real_module(module: Any) -> bool:
    """A module the import system made (it has a spec), not an object put there by hand."""
    try:
        return isinstance(module, type(sys)) and getattr(module, "__spec__", None) is not None
    except Exception:
        return False


def _same(one: Any, other: Any) -> bool:
    """Whether two snapshots of one kind are equal (values compared as the containers compare
    them: identity first); an object put there by hand whose ``__eq__`` fails is not."""
    try:
        return bool(one == other)
    except Exception:
        return False


class Snapshot:
    """Every kind of process state an in-process handler can change, at one moment."""

    __slots__ = ("environ", "modules", "path", "root_handlers", "single")

    def __init__(self) -> None:
        self.environ = environ.snapshot()
        self.path = list(sys.path)
        self.modules = sys.modules.copy()
        self.root_handlers = list(logging.root.handlers)
        self.single = read_single()


class Window:
    """One invocation's run: S0, kept up to date with the mock's own writes."""

    __slots__ = ("base",)

    def __init__(self) -> None:
        self.base = Snapshot()


class _Held:
    """An environment variable the mock set for the invocations running (``holders``)."""

    __slots__ = ("holders", "original", "ours")

    def __init__(self, original: Optional[Any]) -> None:
        self.original = original
        self.ours: Optional[Any] = None
        self.holders: list[Holder] = []


class _HeldPath:
    """A ``sys.path`` entry the running invocations need; ``inserted`` when the mock put it there."""

    __slots__ = ("count", "inserted")

    def __init__(self) -> None:
        self.count = 0
        self.inserted = False


class Holder:
    """One invocation: its own changes (Lambda's variables in environment form, see
    :func:`.environ.encoded`, its import paths and its environment's root logger) and its window."""

    __slots__ = ("log", "paths", "variables", "window")

    def __init__(self, variables: dict[Any, Any], paths: list[str], window: Window, log: Any) -> None:
        self.variables = variables
        self.paths = paths
        self.window = window
        #: The environment's :class:`.lambda_logging.RootLog`, or None.
        self.log = log


def _counts(entries: list[Any], key: Callable[[Any], Any]) -> collections.Counter:
    return collections.Counter(key(entry) for entry in entries)


class ProcessState:
    """The mock's own changes to the test process, and the running handlers' windows."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._holders: list[Holder] = []
        #: The windows open, oldest first.
        self._windows: list[Window] = []
        #: The windows a write is also applied to (see :meth:`_close_window`).
        self._rebased: list[Window] = self._windows
        self._variables: dict[Any, _Held] = {}
        self._paths: dict[str, _HeldPath] = {}
        self.routes: dict[int, Route] = {}
        self._stdout = OutputRouter(None, self.routes)
        self._stderr = OutputRouter(None, self.routes)
        self.tempdirs = TempdirRouter(self.routes)
        self._root_level = HeldValue("root_level")
        self._root_handlers = LambdaHandlers()
        #: The streams in place when the routers were installed.
        self._streams: tuple[Any, Any] = (None, None)

    # -- the mock's own changes -------------------------------------------------

    def enter(self, variables: dict[Any, Any], paths: list[str], log: Any = None) -> Holder:
        """An invocation starts: S0, then its variables (in environment form), paths and root
        logger (``log``) put in (the first of the running invocations also installs the routers)."""
        with self._lock:
            # A change to one of Lambda's variables made while no invocation ran is someone
            # else's, to be put back at the end; while one runs it may be its handler's own.
            adopting = not self._windows
            window = Window()
            self._windows.append(window)
            holder = Holder(variables, paths, window, log)
            if not self._holders:
                self._install_routers()
            self._holders.append(holder)
            before = window.base.environ
            for key, value in variables.items():
                now = before.get(key)
                held = self._variables.get(key)
                if held is None:
                    held = self._variables[key] = _Held(now)
                elif adopting and now != held.ours:
                    held.original = now
                held.holders.append(holder)
                if now != value:
                    self._set_variable(key, value)
                held.ours = value
            for path in reversed(paths):
                held_path = self._paths.setdefault(path, _HeldPath())
                held_path.count += 1
                if path not in sys.path:
                    self._insert_entry("path", 0, path)
                    held_path.inserted = True
            if log is not None:
                self._root_handlers.put(log.handler, [w.base.root_handlers for w in self._rebased])
                if log.level is not None:
                    self._root_level.hold(holder, log.level, self._set_single)
        return holder

    def leave(self, holder: Holder, roots: Callable[[], tuple[str, ...]]) -> None:
        """An invocation ends: its handler's changes reverted (see :meth:`_close_window`), then its
        variables and paths taken out again where they are still the mock's."""
        with self._lock:
            if holder not in self._holders:
                return
            log = holder.log
            if log is not None and logging.root.level != holder.window.base.single["root_level"]:
                log.level = logging.root.level  # the function set it: its environment keeps it
            current = self._close_window(holder.window, roots)
            self._holders.remove(holder)
            for key in holder.variables:
                held = self._variables[key]
                held.holders.remove(holder)
                if current.get(key) == held.ours:
                    if held.holders:  # another running invocation set it too: its value
                        value = held.holders[-1].variables[key]
                        if value != held.ours:
                            self._set_variable(key, value)
                        held.ours = value
                        continue
                    if held.original != held.ours:  # else the mock never changed it
                        self._set_variable(key, held.original)
                if not held.holders:
                    del self._variables[key]
            for path in holder.paths:
                held_path = self._paths[path]
                held_path.count -= 1
                if not held_path.count:
                    del self._paths[path]
                    if held_path.inserted and path in sys.path:
                        self._remove_entry("path", path)
            if log is not None:
                self._root_handlers.take(log.handler, [w.base.root_handlers for w in self._rebased])
                self._root_level.release(holder, self._set_single)
            if not self._holders:
                self._uninstall_routers()

    def _install_routers(self) -> None:
        stdout, stderr = sys.stdout, sys.stderr
        # A router someone kept in place keeps the stream it already falls back to.
        if stdout is not self._stdout:
            self._stdout._fallback = stdout
        if stderr is not self._stderr:
            self._stderr._fallback = stderr
        self._streams = (stdout, stderr)
        self._set_single("stdout", self._stdout)
        self._set_single("stderr", self._stderr)
        self.tempdirs.install()

    def _uninstall_routers(self) -> None:
        stdout, stderr = self._streams
        self._streams = (None, None)
        if sys.stdout is self._stdout:
            self._set_single("stdout", stdout)
        if sys.stderr is self._stderr:
            self._set_single("stderr", stderr)
        self.tempdirs.uninstall()

    # -- the mock's own writes while a handler imports (see loading.py) ----------

    def insert_path(self, index: int, entry: str) -> None:
        with self._lock:
            self._insert_entry("path", index, entry)

    def remove_path(self, entry: str) -> None:
        """Remove the first ``entry`` of ``sys.path``, if there is one."""
        with self._lock:
            if entry in sys.path:
                self._remove_entry("path", entry)

    def set_module(self, name: str, module: Any) -> None:
        """Set a ``sys.modules`` entry (remove it: :data:`MISSING`)."""
        with self._lock:
            self._set_module(name, module)

    # -- the handler's changes --------------------------------------------------

    def _close_window(self, window: Window, roots: Callable[[], tuple[str, ...]]) -> Mapping[Any, Any]:
        """S1, and revert what changed since S0 where it still is as S1 has it.

        The environment is read whole (nothing cheaper shows a changed value); ``sys.path``,
        ``sys.modules`` and the root logger's handlers are compared with S0 as they are, and
        copied only when they differ. ``roots()`` are the directories of the environment's
        package, layers and ``/tmp``: new modules loaded from under them go. Returns the
        environment as it is now: S1's copy when no variable changed in the window (so nothing
        was put back), else the environment itself.
        """
        position = self._windows.index(window)
        del self._windows[position]
        base = window.base
        after_environ = environ.snapshot()
        environ_changed = not _same(base.environ, after_environ)
        # What this handler changed is in the S0 of the windows opened since, not in the older
        # ones': only the newer ones get what is put back (an older one's S0 would otherwise
        # take its own handler's change, put back here, for its starting point).
        self._rebased = self._windows[position:]
        try:
            self._revert_single(base.single, read_single())
            if environ_changed:
                self._revert_environ(base.environ, after_environ)
            if not _same(base.path, sys.path):
                self._revert_entries("path", base.path, list(sys.path))
            if not _same(base.modules, sys.modules):
                self._revert_modules(base.modules, sys.modules.copy(), roots)
            if not _same(base.root_handlers, logging.root.handlers):
                self._revert_entries("root_handlers", base.root_handlers, list(logging.root.handlers))
        finally:
            self._rebased = self._windows
        return ENVIRON if environ_changed else after_environ

    def _revert_single(self, base: dict[str, Any], after: dict[str, Any]) -> None:
        for kind, (read, _) in SINGLE.items():
            before, done = base[kind], after[kind]
            if before is done or _same(before, done):
                continue
            if kind == "cwd" and before is None:
                continue
            if kind == "tempdir" and before is None and done == self.tempdirs.settled:
                continue  # tempfile settled its own directory (another thread's first call)
            now = read()
            if now is done or _same(now, done):
                self._set_single(kind, before)

    def _revert_environ(self, base: dict[Any, Any], after: dict[Any, Any]) -> None:
        for key in base.keys() | after.keys():
            before, done = base.get(key), after.get(key)
            if before != done and ENVIRON.get(key) == done:
                self._set_variable(key, before)

    def _revert_modules(
        self, base: dict[str, Any], after: dict[str, Any], roots: Callable[[], tuple[str, ...]]
    ) -> None:
        modules, own = sys.modules, roots()
        for name, module in after.items():
            before = base.get(name, MISSING)
            if before is module or modules.get(name, MISSING) is not module:
                continue  # unchanged, or changed again since: theirs
            if before is not MISSING:
                self._set_module(name, before)  # replaced
            elif not is_real_module(module) or (own and module_file(module).startswith(own)):
                self._set_module(name, MISSING)  # injected by hand, or from the function's own files
        for name, before in base.items():
            if name not in after and name not in modules:
                self._set_module(name, before)  # removed

    def _revert_entries(self, kind: str, base: list[Any], after: list[Any]) -> None:
        """Revert a list kind (``sys.path``, the root logger's handlers) entry by entry."""
        current = self._list(kind)
        if _same(current, after):  # nobody changed it since: back exactly, order included
            self._assign_list(kind, base)
            return
        key = self._key(kind)
        added = _counts(after, key) - _counts(base, key)
        removed = _counts(base, key) - _counts(after, key)
        before_counts = _counts(base, key)
        now = _counts(current, key)
        for entry in reversed(after):
            k = key(entry)
            if added[k] and now[k] > before_counts[k]:
                added[k] -= 1
                now[k] -= 1
                self._remove_entry(kind, entry, last=True)
        for index, entry in enumerate(base):
            k = key(entry)
            if removed[k] and now[k] < before_counts[k]:
                removed[k] -= 1
                now[k] += 1
                self._insert_entry(kind, index, entry)

    # -- writes: applied, and to the S0 of the windows open (all of them for the mock's own) --

    @staticmethod
    def _key(kind: str) -> Callable[[Any], Any]:
        return id if kind == "root_handlers" else _itself

    @staticmethod
    def _list(kind: str) -> list[Any]:
        return sys.path if kind == "path" else logging.root.handlers

    def _set_variable(self, key: Any, value: Optional[Any]) -> None:
        """Set a variable in environment form (remove it: None), through the public mapping."""
        if value is None:
            try:
                del ENVIRON[key]
            except KeyError:
                pass
        else:
            ENVIRON[key] = value
        for window in self._rebased:
            if value is None:
                window.base.environ.pop(key, None)
            else:
                window.base.environ[key] = value

    def _set_module(self, name: str, module: Any) -> None:
        if module is MISSING:
            sys.modules.pop(name, None)
        else:
            sys.modules[name] = module
        for window in self._rebased:
            if module is MISSING:
                window.base.modules.pop(name, None)
            else:
                window.base.modules[name] = module

    def _set_single(self, kind: str, value: Any) -> None:
        SINGLE[kind][1](value)
        for window in self._rebased:
            window.base.single[kind] = value

    def _insert_entry(self, kind: str, index: int, entry: Any) -> None:
        self._list(kind).insert(index, entry)
        self._apply_to_windows(kind, {}, [(index, entry)])

    def _remove_entry(self, kind: str, entry: Any, last: bool = False) -> None:
        key = self._key(kind)
        _delete(self._list(kind), key(entry), key, last)
        self._apply_to_windows(kind, {key(entry): 1}, [])

    def _assign_list(self, kind: str, entries: list[Any]) -> None:
        listed = self._list(kind)
        key = self._key(kind)
        gone = _counts(listed, key) - _counts(entries, key)
        new = _counts(entries, key) - _counts(listed, key)
        listed[:] = entries
        inserted = []
        for index, entry in enumerate(entries):
            if new[key(entry)]:
                new[key(entry)] -= 1
                inserted.append((index, entry))
        self._apply_to_windows(kind, gone, inserted)

    def _apply_to_windows(self, kind: str, removed: Mapping[Any, int], inserted: list[tuple[int, Any]]) -> None:
        """Make the same change to the S0 of the windows still open (positions as near as they go)."""
        key = self._key(kind)
        for window in self._rebased:
            listed = getattr(window.base, kind)
            for k, count in removed.items():
                for _ in range(count):
                    _delete(listed, k, key, last=True)
            for index, entry in inserted:
                listed.insert(min(index, len(listed)), entry)


def _itself(entry: Any) -> Any:
    return entry


def _delete(listed: list[Any], k: Any, key: Callable[[Any], Any], last: bool) -> None:
    """Delete one entry whose key is ``k`` (the last such one, or the first)."""
    positions = [i for i, candidate in enumerate(listed) if key(candidate) == k]
    if positions:
        del listed[positions[-1] if last else positions[0]]


STATE = ProcessState()
