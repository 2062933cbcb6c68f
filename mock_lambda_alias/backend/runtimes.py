"""Lambda runtimes: which ones AWS accepts for new functions and which it has retired.

AWS checks the runtime itself (not against the client's model) and answers with
``InvalidParameterValueException`` in two forms, both recorded against real AWS (F-FN-009,
F-FN-011). The lists follow AWS's runtime deprecation schedule.
"""

from __future__ import annotations

import hashlib
from typing import Optional

from ..errors import InvalidParameterValue

#: Runtimes AWS accepts for creating and updating functions, in the order AWS lists them in its
#: error message (recorded January 2026). Some are past end of support but still accepted.
SUPPORTED = (
    "nodejs20.x",
    "python3.14",
    "provided.al2023",
    "python3.12",
    "python3.13",
    "nodejs24.x",
    "nodejs22.x",
    "java25",
    "python3.10",
    "python3.11",
    "java21",
    "ruby3.3",
    "ruby3.4",
    "ruby3.2",
    "python3.8",
    "python3.9",
    "java17",
    "nodejs16.x",
    "dotnet10",
    "dotnet8",
    "java11",
    "dotnet6",
    "nodejs18.x",
    "provided.al2",
    "java8.al2",
)

#: Runtimes AWS no longer accepts for creating or updating functions.
DEPRECATED = frozenset(
    {
        "nodejs",
        "nodejs4.3",
        "nodejs4.3-edge",
        "nodejs6.10",
        "nodejs8.10",
        "nodejs10.x",
        "nodejs12.x",
        "nodejs14.x",
        "python2.7",
        "python3.6",
        "python3.7",
        "java8",
        "dotnetcore1.0",
        "dotnetcore2.0",
        "dotnetcore2.1",
        "dotnetcore3.1",
        "go1.x",
        "ruby2.5",
        "ruby2.7",
        "provided",
    }
)

_SUPPORTED_SET = frozenset(SUPPORTED)
_ENUM_TEXT = ", ".join(SUPPORTED)


def check_runtime(runtime: Optional[str]) -> None:
    """Raise AWS's error for a runtime that cannot be used for a new or updated function."""
    if runtime is None or runtime in _SUPPORTED_SET:
        return
    if runtime in DEPRECATED:
        raise InvalidParameterValue(
            f"The runtime parameter of {runtime} is no longer supported for creating or updating "
            "AWS Lambda functions. We recommend you use a supported runtime while creating or "
            "updating functions."
        )
    if runtime.startswith("arn:"):
        return
    raise InvalidParameterValue(
        f"Value {runtime} at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: "
        f"[{_ENUM_TEXT}] or be a valid ARN"
    )


def runtime_version_arn(region: str, runtime: str) -> str:
    """A stable runtime-version ARN, shaped like AWS's (``arn:aws:lambda:<region>::runtime:<hex>``)."""
    digest = hashlib.sha256(runtime.encode()).hexdigest()
    return f"arn:aws:lambda:{region}::runtime:{digest}"
