"""Where the handle's controls look, and what they refuse.

**One rule for where they look.** Every control and inspection method that names or lists
functions finds what any client created, whatever its account and region, unless narrowed by the
same two keyword arguments, ``account_id=`` and ``region=`` (a :class:`Scope`; None: all). A name
found in several places of the scope must be narrowed; a name found nowhere is refused.

**Refusals name what exists.** A function, alias, version or qualifier that does not exist raises
:class:`NotFound` (a ``ValueError``) with the names that do ("no function 'nope' in any
account/region; functions: a, b"); a forced route AWS could never take raises ``ValueError`` with
the versions the alias can route to.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Optional, Protocol

from .model import LATEST, Alias, Function

#: How many names an error message lists before it only says how many more there are.
LISTED = 20

#: What an inspection filter was applied to: (function name, qualifier, version) of each entry.
Seen = list[tuple[str, Optional[str], Optional[str]]]


class NotFound(KeyError, ValueError):
    """A control named a function, alias, version or qualifier that does not exist.

    A ``ValueError`` like every refusal of the controls, and a ``KeyError`` as ``get_function``
    always raised; the server's control endpoints answer it with a 404.
    """

    def __str__(self) -> str:
        # KeyError shows its argument quoted, as a dictionary key; this is a sentence.
        return str(self.args[0]) if self.args else ""


@dataclass(frozen=True)
class Scope:
    """Where a control looks: one account and/or one region, each None for all of them."""

    account_id: Optional[str] = None
    region: Optional[str] = None

    def covers(self, account_id: str, region: str) -> bool:
        return self.account_id in (None, account_id) and self.region in (None, region)

    def __str__(self) -> str:
        if self.account_id is None:
            return "any account/region" if self.region is None else f"region {self.region} (any account)"
        return f"account {self.account_id}" + (" (any region)" if self.region is None else f", region {self.region}")


class Place(Protocol):
    """The functions of one account and region (a backend, as far as lookups need it)."""

    account_id: str
    region: str
    functions: dict[str, Function]


def listing(names: list[str]) -> str:
    """Names for an error message, in the order given: at most :data:`LISTED`, "none" for none."""
    if not names:
        return "none"
    shown = ", ".join(names[:LISTED])
    return shown if len(names) <= LISTED else f"{shown} and {len(names) - LISTED} more"


def ordered_versions(versions: Iterable[Optional[str]]) -> list[str]:
    """``$LATEST`` first, then published versions by number."""
    numbers = sorted({v for v in versions if v and v != LATEST}, key=lambda v: (len(v), v))
    return [LATEST, *numbers]


def qualifiers_of(functions: list[Function]) -> str:
    """ "aliases: DEV, PROD; versions: $LATEST, 1, 2" of one function (or of several, together)."""
    aliases = sorted({name for f in functions for name in f.aliases})
    versions = ordered_versions(v for f in functions for v in f.versions)
    return f"aliases: {listing(aliases)}; versions: {listing(versions)}"


def _kind_of(function: Function, qualifier: str) -> str:
    """What a qualifier given in the wrong place is, to say so in the refusal."""
    if qualifier in function.aliases:
        return f" ({qualifier!r} is an alias)"
    if qualifier == LATEST or qualifier in function.versions:
        return f" ({qualifier!r} is a version)"
    return ""


def check_version(function: Function, version: str) -> str:
    """``version`` when the function has it (``$LATEST`` or a published version), else NotFound."""
    if version == LATEST or version in function.versions:
        return version
    hint = _kind_of(function, version)
    raise NotFound(f"function {function.name!r} has no version {version!r}{hint}; {qualifiers_of([function])}")


def check_alias(function: Function, name: str) -> Alias:
    alias = function.aliases.get(name)
    if alias is None:
        hint = _kind_of(function, name)
        raise NotFound(f"function {function.name!r} has no alias {name!r}{hint}; {qualifiers_of([function])}")
    return alias


def check_qualifier(function: Function, qualifier: Optional[str]) -> None:
    """Refuse a qualifier (of an ARN) that is neither ``$LATEST``, a version nor an alias."""
    if qualifier not in (None, LATEST) and qualifier not in function.versions and qualifier not in function.aliases:
        known = qualifiers_of([function])
        raise NotFound(f"function {function.name!r} has no alias or version {qualifier!r}; {known}")


def check_route(function: Function, alias: Alias, version: str) -> None:
    """Refuse a forced route AWS could never take: a version that is neither the alias's
    FunctionVersion nor the one of its AdditionalVersionWeights."""
    targets = [alias.function_version, *alias.routing]
    if version in targets:
        return
    where = f"alias {alias.name!r} of function {function.name!r}"
    if version != LATEST and version not in function.versions:
        routable = listing(targets)
        raise NotFound(f"function {function.name!r} has no version {version!r}; {where} can route only to {routable}")
    if not alias.routing:
        only = alias.function_version
        raise ValueError(f"{where} has no routing configuration: it can run only version {only}, not {version!r}")
    raise ValueError(f"{where} can route only to versions {listing(targets)}, not {version!r}")


def _place(function: Function) -> str:
    return f"{function.account_id}/{function.region}"


def ambiguous(name: str, found: list[Function]) -> ValueError:
    places = listing(sorted(map(_place, found)))
    return ValueError(f"function {name!r} exists in {places} (account/region); narrow with account_id= and/or region=")


def functions_in(places: Sequence[Place], scope: Scope) -> list[Function]:
    return [f for p in places if scope.covers(p.account_id, p.region) for f in p.functions.values()]


def find(places: Sequence[Place], name: str, scope: Scope) -> Function:
    """The one function called ``name`` in ``scope``; NotFound, or ValueError (narrow) when several."""
    found = [p.functions[name] for p in places if name in p.functions]
    inside = [f for f in found if scope.covers(f.account_id, f.region)]
    if len(inside) == 1:
        return inside[0]
    if inside:
        raise ambiguous(name, inside)
    names = sorted({f.name for f in functions_in(places, scope)})
    message = f"no function {name!r} in {scope}; functions: {listing(names)}"
    if found:
        message += f"; {name!r} exists in {listing(sorted(map(_place, found)))} (account/region)"
    raise NotFound(message)


def refuse_unknown(
    places: Sequence[Place],
    scope: Scope,
    function_name: Optional[str],
    seen: Seen,
    qualifier: Optional[str] = None,
    version: Optional[str] = None,
) -> None:
    """Raise NotFound for an inspection filter naming what neither exists in ``scope`` nor appears
    in the ``seen`` entries it was applied to (a deleted function's records still count)."""
    functions = [f for f in functions_in(places, scope) if function_name in (None, f.name)]
    seen = [s for s in seen if function_name in (None, s[0])]
    if function_name is not None and not functions and not seen:
        find(places, function_name, scope)
    subject = f"function {function_name!r} has no" if function_name else f"no function in {scope} has an"
    known = {q for f in functions for q in (LATEST, *f.versions, *f.aliases)} | {s[1] for s in seen}
    if qualifier is not None and qualifier not in known:
        raise NotFound(f"{subject} alias or version {qualifier!r}; {qualifiers_of(functions)}")
    versions = {v for f in functions for v in (LATEST, *f.versions)} | {s[2] for s in seen}
    if version is not None and version not in versions:
        raise NotFound(f"{subject} version {version!r}; versions: {listing(ordered_versions(versions))}")
