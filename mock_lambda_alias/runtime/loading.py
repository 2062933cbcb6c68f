"""Loading a package's handler in-process, privately.

Imports are serialised (they juggle ``sys.modules``) by a lock that survives an import that never
finishes. A module of the same name loaded from elsewhere is set aside while the handler imports,
and the modules of the package and its layers leave ``sys.modules`` again afterwards, so two
versions never share module state: the environment keeps its handler's module itself.
"""

from __future__ import annotations

import contextlib
import sys
import threading
from collections.abc import Sequence
from typing import Any, Optional

from . import lambda_api, packages
from .process_state import MISSING, STATE, module_file


def _drop_modules_under(roots: tuple[str, ...], among: Optional[list[str]] = None) -> None:
    """Remove the modules loaded from under ``roots`` (of the names ``among``, else all)."""
    modules = sys.modules
    for name in list(modules) if among is None else among:
        path = module_file(modules.get(name))
        if path and path.startswith(roots):
            STATE.set_module(name, MISSING)


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
        # The mock's own writes go through STATE, so that no running handler takes them for its
        # own changes. Package directories are new and never change once extracted: no cached
        # finder can be stale, so none of the process's finders is invalidated. The import's own
        # go afterwards.
        STATE.insert_path(0, task_root)
        modules = sys.modules
        # A module's submodules are only there with it, so most cold starts need no search.
        top = import_name.split(".")[0]
        shadowed = (
            {n: modules[n] for n in list(modules) if n == top or n.startswith(top + ".")} if top in modules else {}
        )
        for name in shadowed:
            STATE.set_module(name, MISSING)
        # Only this import can have added modules from the package or its layers: only the new
        # entries are looked at. They come after the last one there is now (``sys.modules``
        # keeps insertion order).
        last = next(reversed(modules), None)
        # ``/var/task`` is read-only on Lambda: no bytecode is written there.
        writes_bytecode, sys.dont_write_bytecode = sys.dont_write_bytecode, True
        try:
            return lambda_api.import_handler(task_root, handler, top_level)
        finally:
            if sys.dont_write_bytecode is True and writes_bytecode is not True:  # still ours
                sys.dont_write_bytecode = writes_bytecode
            STATE.remove_path(task_root)
            roots = (task_root, *extra_paths)
            for path in [p for p in sys.path_importer_cache if isinstance(p, str) and p.startswith(roots)]:
                sys.path_importer_cache.pop(path, None)  # the directories go with the activation
            _drop_modules_under(roots, among=_added_after(last))
            for name, module in shadowed.items():
                STATE.set_module(name, module)
