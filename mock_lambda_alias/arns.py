"""Lambda ARN and qualifier parsing and building.

``FunctionName`` arrives as a name, a partial ARN (``123456789012:function:name``) or a full ARN,
each optionally with a ``:qualifier``. The wire layer has already checked it against AWS's
pattern, so parsing here only splits it; the business rules about what a qualifier may be live
with the resource families that use them.
"""

from __future__ import annotations

import functools
import re
from typing import NamedTuple, Optional

_FUNCTION_NAME = re.compile(
    r"(?:arn:(?P<partition>aws[a-zA-Z-]*)?:lambda:)?"
    r"(?:(?P<region>(?:eusc-)?[a-z]{2}(?:(?:-gov)|(?:-iso[a-z]?))?-[a-z]+-\d):)?"
    r"(?:(?P<account>\d{12}):)?"
    r"(?:function:)?"
    r"(?P<name>[a-zA-Z0-9\-_.]+)"
    r"(?::(?P<qualifier>\$LATEST(?:\.PUBLISHED)?|[a-zA-Z0-9\-_]+))?"
)


class FunctionRef(NamedTuple):
    """What a ``FunctionName`` parameter names: parts it did not give are None."""

    name: str
    qualifier: Optional[str]
    account: Optional[str]
    region: Optional[str]
    partition: Optional[str]


@functools.lru_cache(maxsize=1024)
def parse_function_name(value: str) -> Optional[FunctionRef]:
    """Split a FunctionName value; None when it is not one (the wire layer reports that).

    Remembered for the names last seen: a test addresses the same few functions again and again.
    """
    match = _FUNCTION_NAME.fullmatch(value)
    if match is None:
        return None
    return FunctionRef(
        match.group("name"),
        match.group("qualifier"),
        match.group("account"),
        match.group("region"),
        match.group("partition"),
    )


def partition_for(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    if region.startswith("us-iso-"):
        return "aws-iso"
    if region.startswith("us-isob-"):
        return "aws-iso-b"
    if region.startswith("eusc-"):
        return "aws-eusc"
    return "aws"


def function_arn(region: str, account: str, name: str, qualifier: Optional[str] = None) -> str:
    arn = f"arn:{partition_for(region)}:lambda:{region}:{account}:function:{name}"
    return f"{arn}:{qualifier}" if qualifier else arn


_RESOURCE_ARN = re.compile(
    r"arn:(?P<partition>aws[a-zA-Z-]*):lambda:(?P<region>[^:]+):(?P<account>\d{12}):"
    r"(?P<kind>function|code-signing-config|event-source-mapping|capacity-provider):"
    r"(?P<name>[^:]+)(?::(?P<qualifier>.+))?"
)


class ResourceRef(NamedTuple):
    kind: str
    name: str
    qualifier: Optional[str]
    account: str
    region: str


def parse_resource_arn(value: str) -> Optional[ResourceRef]:
    """Split a taggable resource ARN (TagResource, ListTags, UntagResource)."""
    match = _RESOURCE_ARN.fullmatch(value)
    if match is None:
        return None
    return ResourceRef(
        match.group("kind"),
        match.group("name"),
        match.group("qualifier"),
        match.group("account"),
        match.group("region"),
    )
