"""Identifiers AWS writes as random UUIDs: request ids, revision ids, event source mapping ids.

Drawn from a generator of our own: the process's global ``random`` state belongs to the test.
"""

from __future__ import annotations

import random

_ids = random.Random()
_VERSION_BITS = 0x4000 << 64  # version 4 in bits 76-79
_VARIANT_BITS = 0x8 << 60  # RFC 4122 variant in bits 62-63
_CLEARED = ~((0xF000 << 64) | (0xC << 60))


def new_uuid() -> str:
    """A random (version 4) UUID, as text."""
    text = f"{(_ids.getrandbits(128) & _CLEARED) | _VERSION_BITS | _VARIANT_BITS:032x}"
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"
