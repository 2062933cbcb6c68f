"""Published versions: numbering, frozen copies of ``$LATEST``, deletion rules."""

from __future__ import annotations

import copy
from typing import Optional

from ..errors import ResourceConflict, ResourceNotFound
from .functions import LATEST, Function, FunctionVersion, new_revision, now_text


def _fingerprint(record: FunctionVersion) -> tuple:
    config = {k: v for k, v in record.config.items() if k != "Description"}
    return (record.code.sha256, repr(sorted(config.items())))


def publish(function: Function, description: Optional[str]) -> FunctionVersion:
    """Publish ``$LATEST``, or return the newest version when nothing changed since it (F-VA-003)."""
    latest = function.latest
    if function.versions:
        newest = function.versions[max(function.versions, key=int)]
        if _fingerprint(newest) == _fingerprint(latest):
            return newest
    number = str(function.next_version)
    function.next_version += 1
    config = copy.deepcopy(latest.config)
    if description is not None:
        config["Description"] = description
    record = FunctionVersion(number, config, latest.code, new_revision(), now_text())
    function.versions[number] = record
    return record


def delete_version(function: Function, version: str) -> None:
    """DeleteFunction with a version qualifier: only that version, unless an alias points to it."""
    if version == LATEST:
        return
    if version not in function.versions:
        raise ResourceNotFound(f"Function not found: {function.arn}:{version}")
    referencing = [a.name for a in function.aliases.values() if a.function_version == version]
    if referencing:
        raise ResourceConflict(
            f"Unable to delete version because the following aliases reference it: [{', '.join(referencing)}]"
        )
    del function.versions[version]
