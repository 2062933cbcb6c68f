"""What a delete takes with it: per-qualifier configurations, function URLs, the function's indexes.

Shared by the families that delete (functions, versions, aliases), so each cascade is written once.
"""

from __future__ import annotations

from typing import Any

from ..errors import ResourceConflict
from .call import Call
from .model import LATEST, Function


def forget_qualifier(call: Call, function: Function, qualifier: str) -> None:
    """Drop every per-qualifier configuration of a deleted version or alias, as AWS does."""
    for per_qualifier in (
        function.policies,
        function.provisioned,
        function.event_invoke,
        function.runtime_management,
        function.scaling,
    ):
        per_qualifier.pop(qualifier, None)
    forget_urls(call, function, qualifier)


def forget_urls(call: Call, function: Function, qualifier: Any = ...) -> None:
    """Drop URL configs of a deleted alias (or, by default, of the whole function)."""
    items = (
        list(function.url_configs.items()) if qualifier is ... else [(qualifier, function.url_configs.get(qualifier))]
    )
    for key, config in items:
        if config is not None:
            function.url_configs.pop(key, None)
            call.store.function_urls.pop(config.url_id, None)


def delete_version(call: Call, function: Function, version: str) -> None:
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
    call.backend.code_size = None
    forget_qualifier(call, function, version)


def delete_alias(call: Call, function: Function, name: str) -> None:
    """Remove an alias and everything configured on it; a missing alias is no error."""
    if function.aliases.pop(name, None) is not None:
        function.alias_names.remove(name)
    forget_qualifier(call, function, name)


def delete_function(call: Call, function: Function) -> None:
    forget_urls(call, function)
    del call.backend.functions[function.name]
    call.backend.sorted_names = None
    call.backend.code_size = None
