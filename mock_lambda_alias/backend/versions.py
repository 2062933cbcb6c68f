"""Published versions: numbering, frozen copies of ``$LATEST``, deletion rules."""

from __future__ import annotations

import copy
from typing import Optional

from ..errors import InvalidParameterValue, ResourceConflict
from . import paging
from .functions import (
    LATEST,
    Function,
    FunctionVersion,
    check_revision,
    get_function_or_404,
    list_item,
    new_revision,
    now_text,
    render,
    split_name,
    version_order,
)
from .registry import Call, api


def _fingerprint(record: FunctionVersion) -> tuple:
    """What makes ``$LATEST`` different from what was last published: code and configuration."""
    return (record.code.sha256, repr(sorted(record.config.items())))


def publish(function: Function, description: Optional[str]) -> FunctionVersion:
    """Publish ``$LATEST``, or return the newest version when nothing changed since it (F-VA-003)."""
    latest = function.latest
    fingerprint = _fingerprint(latest)
    if function.versions:
        # Versions are inserted in increasing order and never re-added: the last one is the newest.
        newest = function.versions[next(reversed(function.versions))]
        if newest.source_fingerprint == fingerprint:
            return newest
    number = str(function.next_version)
    function.next_version += 1
    config = copy.deepcopy(latest.config)
    if description is not None:
        config["Description"] = description
    record = FunctionVersion(number, config, latest.code, new_revision(), now_text())
    record.source_fingerprint = fingerprint
    latest.revision_id = new_revision()  # recorded against AWS: publishing changes $LATEST's RevisionId
    function.versions[number] = record
    return record


def delete_version(function: Function, version: str) -> None:
    """DeleteFunction with a version qualifier: only that version, unless an alias points to it.

    Recorded against AWS: deleting a version that does not exist is a quiet 204.
    """
    if version == LATEST or version not in function.versions:
        return
    referencing = [a.name for a in function.aliases.values() if a.function_version == version or version in a.routing]
    if referencing:
        raise ResourceConflict(
            f"Unable to delete version because the following aliases reference it: [{', '.join(referencing)}]"
        )
    del function.versions[version]
    for per_qualifier in (function.policies, function.provisioned, function.event_invoke):
        per_qualifier.pop(version, None)


# ---------------------------------------------------------------------------
# operations
# ---------------------------------------------------------------------------


@api("PublishVersion")
def publish_version(call: Call, req: dict) -> dict:
    call, name, _ = split_name(call, req["FunctionName"])
    function = get_function_or_404(call, name)
    latest = function.latest
    given_sha = req.get("CodeSha256")
    if given_sha is not None and given_sha != latest.code.sha256:
        raise InvalidParameterValue(
            f"CodeSHA256 ({given_sha}) is different from current CodeSHA256 in $LATEST "
            f"({latest.code.sha256}). Please try again with the CodeSHA256 in $LATEST."
        )
    check_revision(req.get("RevisionId"), latest.revision_id)
    record = publish(function, req.get("Description"))
    return render(function, record, record.version)


@api("ListVersionsByFunction")
def list_versions_by_function(call: Call, req: dict) -> dict:
    call, name, _ = split_name(call, req["FunctionName"])
    function = get_function_or_404(call, name)
    entries = [(function.latest, LATEST)]
    entries += [(record, number) for number, record in function.versions.items()]  # already in order
    chunk, next_marker = paging.page(
        entries, lambda e: version_order(e[0].version), req.get("Marker"), req.get("MaxItems")
    )
    out: dict = {"Versions": [list_item(function, record, suffix) for record, suffix in chunk]}
    if next_marker is not None:
        out["NextMarker"] = next_marker
    return out
