"""Published versions: numbering, frozen copies of ``$LATEST``, deletion rules."""

from __future__ import annotations

from ..errors import InvalidParameterValue, UnsupportedMember
from . import paging
from .addressing import get_function_or_404, split_name
from .call import Call
from .model import check_revision, list_item, publish, render, version_order

# ---------------------------------------------------------------------------
# operations
# ---------------------------------------------------------------------------


def publish_version(call: Call, req: dict) -> dict:
    call, name, _ = split_name(call, req["FunctionName"])
    function = get_function_or_404(call, name)
    if req.get("PublishTo") is not None:
        raise UnsupportedMember(
            "PublishTo", "publishing to $LATEST.PUBLISHED, for capacity provider functions, is not emulated"
        )
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


def list_versions_by_function(call: Call, req: dict) -> dict:
    call, name, _ = split_name(call, req["FunctionName"])
    function = get_function_or_404(call, name)
    records = [function.latest, *function.versions.values()]  # already in order
    chunk, next_marker = paging.page(
        records, lambda r: version_order(r.version), req.get("Marker"), req.get("MaxItems")
    )
    # A published version's kept item is read inline: a page of 1,000 is one call per changed item.
    out: dict = {"Versions": [r._wire or list_item(function, r, r.version) for r in chunk]}
    if next_marker is not None:
        out["NextMarker"] = next_marker
    return out
