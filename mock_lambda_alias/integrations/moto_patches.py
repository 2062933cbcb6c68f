"""Stand-ins for moto's functions while a mock is active, put back at the last stop.

Each integration lists what it replaces as :class:`Patch` es of one :class:`MotoPatches`. The
switch engages them at the first start — at once for the moto modules loaded then, and for each
one imported later as it is imported — and disengages them at the last stop. A stand-in is made
from the function it replaces (``wrap(original)``), so a call racing with the last stop still has
moto's own function to call, and a stand-in may wrap another integration's stand-in (patches are
put back in the reverse order).
"""

from __future__ import annotations

import sys
import threading
from dataclasses import dataclass
from typing import Any, Callable

#: An attribute the owner inherited rather than held itself: put back by deleting ours.
_INHERITED = object()


def _inactive() -> Any:
    return None


def moto_active() -> bool:
    """Whether moto's ``mock_aws`` is active (moto counts its nested starts on ``MockAWS``; there is
    no public way to ask): cheap enough to ask on every invocation."""
    models = sys.modules.get("moto.core.models")
    mock = getattr(models, "MockAWS", None)
    return mock is not None and getattr(mock, "_nested_count", 0) > 0


@dataclass(frozen=True)
class Patch:
    """One function of moto's to stand in for."""

    #: The moto module that holds it (``moto.sqs.models``).
    module: str
    #: The class inside the module that owns it; "" for a function of the module itself.
    owner: str
    attribute: str
    #: Makes the stand-in from moto's function.
    wrap: Callable[[Any], Any]


class MotoPatches:
    """One integration's stand-ins, and the innermost active mock they answer for."""

    def __init__(self, *patches: Patch) -> None:
        self.patches = patches
        #: moto's modules the stand-ins live in.
        self.modules = tuple(sorted({patch.module for patch in patches}))
        #: The innermost active mock, or None (given by the switch while engaged).
        self.active: Callable[[], Any] = _inactive
        self._engaged = False
        #: Guards the patching against an import of moto's modules racing with the last stop.
        self._lock = threading.Lock()
        self._originals: dict[tuple[Any, str], Any] = {}

    def engage(self, active: Callable[[], Any] = _inactive) -> list[str]:
        """Stand in where moto is loaded; returns the modules to patch with :meth:`patch_module`
        once they are imported (moto imports its services lazily, maybe after the mock started)."""
        with self._lock:
            self.active, self._engaged = active, True
            for patch in self.patches:
                if patch.module in sys.modules:
                    self._put(patch)
        return [name for name in self.modules if name not in sys.modules]

    def patch_module(self, module_name: str) -> None:
        """Stand in inside one moto module imported while engaged (nothing after the last stop)."""
        with self._lock:
            if self._engaged:
                for patch in self.patches:
                    if patch.module == module_name:
                        self._put(patch)

    def _put(self, patch: Patch) -> None:
        """Each patch on its own: a moto without one of the services (or its optional
        dependencies, such as EventBridge's ``jsonpath_ng``) still gets the others."""
        owner: Any = sys.modules.get(patch.module)
        if patch.owner:
            owner = getattr(owner, patch.owner, None)
        current = getattr(owner, patch.attribute, None)
        if current is None or (owner, patch.attribute) in self._originals:
            return
        self._originals[(owner, patch.attribute)] = vars(owner).get(patch.attribute, _INHERITED)
        setattr(owner, patch.attribute, patch.wrap(current))

    def disengage(self) -> None:
        """Give moto its own functions back (the last mock stopped)."""
        with self._lock:
            self.active, self._engaged = _inactive, False
            for (owner, attribute), original in reversed(list(self._originals.items())):
                if original is _INHERITED:
                    delattr(owner, attribute)
                else:
                    setattr(owner, attribute, original)
            self._originals.clear()
