"""Run a callback right after a module is first imported, without importing it ourselves.

Function URLs are answered through ``responses``, which patches ``requests``. Importing
``responses`` (and with it ``requests`` and ``urllib3``) costs tens of milliseconds, more than
everything else a first ``CreateFunctionUrlConfig`` does; and until the code under test imports
``requests`` there is nothing to patch. So the URL server starts when ``requests`` is imported,
or at once when it already is. The interception waits the same way for ``aiobotocore.client``,
whose client class it wraps when aiobotocore is first imported while a mock is active.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import sys
import threading
from types import ModuleType
from typing import Any, Callable, Optional

_lock = threading.Lock()


class _Loader(importlib.abc.Loader):
    """Wraps the module's own loader for one ``exec_module``, then steps aside."""

    def __init__(self, original: Any, done: Callable[[], None]) -> None:
        self._original = original
        self._done = done

    def create_module(self, spec: Any) -> Optional[ModuleType]:
        module: Optional[ModuleType] = self._original.create_module(spec)
        return module

    def exec_module(self, module: ModuleType) -> None:
        # The module keeps its own loader (resource readers, reloads): ours was for this run only.
        module.__loader__ = self._original
        if module.__spec__ is not None:
            module.__spec__.loader = self._original
        self._original.exec_module(module)
        self._done()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._original, name)


class AfterImport(importlib.abc.MetaPathFinder):
    """Calls ``callback`` once, after ``name`` has been imported (now, if it already is)."""

    def __init__(self, name: str, callback: Callable[[], None]) -> None:
        self.name = name
        self._callback: Optional[Callable[[], None]] = callback
        self._finding = False
        if name in sys.modules:
            self._fire()
        else:
            with _lock:
                sys.meta_path.insert(0, self)

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if fullname != self.name or self._finding or self._callback is None:
            return None
        self._finding = True  # find the real spec through the other finders, not through us
        try:
            spec = importlib.util.find_spec(fullname)
        finally:
            self._finding = False
        if spec is None or spec.loader is None:
            return None
        spec.loader = _Loader(spec.loader, self._fire)
        return spec

    def _fire(self) -> None:
        self.cancel()
        callback, self._callback = self._callback, None
        if callback is not None:
            callback()

    def cancel(self) -> None:
        """Never call back; leave ``sys.meta_path`` as it was."""
        with _lock:
            if self in sys.meta_path:
                sys.meta_path.remove(self)

    @property
    def pending(self) -> bool:
        return self._callback is not None
