"""Marker-based paging as Lambda's List* operations do it.

The marker is an opaque token naming the last item of the previous page, so a page resumes after
that item even when items were added or deleted in between, and every item is listed once.
"""

from __future__ import annotations

import base64
import bisect
import json
from collections.abc import Sequence
from typing import Any, Callable, Optional, TypeVar

from ..errors import InvalidParameterValue

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 50


def encode_marker(position: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(position, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_marker(marker: str) -> Any:
    try:
        padded = marker + "=" * (-len(marker) % 4)
        return json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, TypeError):
        raise InvalidParameterValue(f"Invalid marker: {marker}") from None


def page(
    items: Sequence[T],
    key: Callable[[T], Any],
    marker: Optional[str],
    limit: Optional[int],
) -> tuple[list[T], Optional[str]]:
    """One page of ``items`` (sorted by ``key``) after ``marker``, and the next page's marker."""
    start = 0
    if marker:
        position = decode_marker(marker)
        keys = [key(item) for item in items]
        try:
            start = bisect.bisect_right(keys, _restore(position))
        except TypeError:
            raise InvalidParameterValue(f"Invalid marker: {marker}") from None
    size = limit or DEFAULT_PAGE_SIZE
    chunk = list(items[start : start + size])
    if start + size < len(items):
        return chunk, encode_marker(key(chunk[-1]))
    return chunk, None


def _restore(position: Any) -> Any:
    """JSON turns tuples into lists; keys are compared as tuples."""
    if isinstance(position, list):
        return tuple(_restore(p) for p in position)
    return position


def page_of_sorted_keys(
    keys: Sequence[Any], marker: Optional[str], limit: Optional[int]
) -> tuple[Sequence[Any], Optional[str]]:
    """Like :func:`page` for an already sorted sequence of keys: O(log n + page), no copying."""
    start = 0
    if marker:
        try:
            start = bisect.bisect_right(keys, _restore(decode_marker(marker)))
        except TypeError:
            raise InvalidParameterValue(f"Invalid marker: {marker}") from None
    size = limit or DEFAULT_PAGE_SIZE
    chunk = keys[start : start + size]
    if start + size < len(keys):
        return chunk, encode_marker(chunk[-1])
    return chunk, None


def page_in_order(items: Sequence[T], marker: Optional[str], limit: Optional[int]) -> tuple[list[T], Optional[str]]:
    """A page of items kept in creation order (the marker is the position reached)."""
    keys = range(len(items))
    chunk, next_marker = page_of_sorted_keys(keys, marker, limit)
    return [items[i] for i in chunk], next_marker


def page_of_walk(
    names: Sequence[str],
    entries_of: Callable[[str], list[tuple[Any, T]]],
    marker: Optional[str],
    limit: int,
) -> tuple[list[T], Optional[str]]:
    """Like :func:`page` over the entries of sorted ``names``, visiting only the names a page needs.

    ``entries_of(name)`` gives that name's entries as (sort key, entry) pairs in order, each key a
    tuple starting with the name. The walk starts at the marker's name (found by bisection) and
    stops once a page and one more entry are found: O(log n + page) for any page, where listing
    everything and slicing cost O(n) per page.
    """
    after: Any = None
    start = 0
    if marker:
        after = _restore(decode_marker(marker))
    found: list[tuple[Any, T]] = []
    try:
        if after is not None:
            start = bisect.bisect_left(names, after[0]) if isinstance(after, tuple) and after else 0
        for index in range(start, len(names)):
            for key, entry in entries_of(names[index]):
                if after is not None and key <= after:
                    continue
                found.append((key, entry))
            if len(found) > limit:
                break
    except TypeError:
        raise InvalidParameterValue(f"Invalid marker: {marker}") from None
    chunk = found[:limit]
    if len(found) > limit:
        return [entry for _, entry in chunk], encode_marker(chunk[-1][0])
    return [entry for _, entry in chunk], None
