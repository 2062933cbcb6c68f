"""Where live AWS Lambda's input constraints differ from the model botocore ships.

botocore's model is a client-side snapshot; the service validates against its own, newer rules.
Recorded AWS answers (see ``../shared/aws-lambda-facts.md``) show, for example, that the
function-name patterns AWS prints include the ``eusc-`` partition prefix, and that ``Timeout`` is
capped at 900 seconds although the model sets no maximum. This module is the one place that knows
these differences; :mod:`validation` reads constraints only through :func:`constraints_for`.
"""

from __future__ import annotations

import re
from typing import Any

from botocore.model import Shape

# The region part of Lambda's function-name patterns, as botocore ships it and as AWS prints it.
_MODEL_REGION = r"([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?"
_AWS_REGION = r"((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?"

#: Per shape name: constraint keys to replace (a value of None removes the constraint).
SHAPE_OVERRIDES: dict[str, dict[str, Any]] = {
    # F-FN-018: AWS caps Timeout at 900 seconds; the model has only a minimum.
    "Timeout": {"max": 900},
    # Recorded against AWS (TagResource on 'arn:aws:something'): the live pattern also allows layers
    # and the eusc- partition prefix.
    "TaggableResource": {
        "pattern": (
            r"arn:(aws[a-zA-Z-]*):lambda:(eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:\d{12}:"
            r"(function:[a-zA-Z0-9-_]+(:(\$LATEST|[a-zA-Z0-9-_]+))?|layer:([a-zA-Z0-9-_]+)|"
            r"code-signing-config:csc-[a-z0-9]{17}|event-source-mapping:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-"
            r"[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|capacity-provider:[a-zA-Z0-9-_]+)"
        )
    },
    # Recorded against AWS (PutFunctionEventInvokeConfig with a malformed destination).
    "DestinationArn": {
        "pattern": (
            r"$|kafka://([^.]([a-zA-Z0-9\-_.]{0,248}))|arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\-])+:"
            r"((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1})?:(\d{12})?:(.*)"
        )
    },
    # F-LY-034 and snapshot get_layer_version_by_arn_exc_invalidarn: AWS prints the layer version ARN
    # pattern without the model's outer parentheses.
    "LayerVersionArn": {
        "pattern": (
            r"(arn:(aws[a-zA-Z-]*)?:lambda:(eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:\d{12}:layer:"
            r"[a-zA-Z0-9-_]+:[0-9]+)|(arn:[a-zA-Z0-9-]+:lambda:::awslayer:[a-zA-Z0-9-_]+)"
        )
    },
    # F-FN-019: the account maximum (10240) is a business rule with its own message; see functions.py.
    "MemorySize": {"max": None},
    # F-FN-009: the runtime enum is checked by the backend with InvalidParameterValueException.
    "Runtime": {"enum": None},
    # F-MA-016: AWS lists the recursive-loop values as [Terminate, Allow], the model as [Allow, Terminate].
    "RecursiveLoop": {"enum": ["Terminate", "Allow"]},
}

#: Per operation: input members whose constraints the backend checks itself, because AWS reports
#: them in a form the model cannot express (F-LY-008: PublishLayerVersion lists every runtime AWS
#: supports, not the model's enum, and reports runtimes before architectures).
CHECKED_BY_BACKEND: dict[str, frozenset[str]] = {
    "PublishLayerVersion": frozenset({"CompatibleRuntimes", "CompatibleArchitectures"}),
}

_CACHE: dict[int, dict[str, Any]] = {}


def compile_java_pattern(pattern: str) -> Any:
    """Compile an AWS (Java) regular expression for full matching.

    Most of AWS's patterns are valid Python; some use Java's Unicode classes (``\\p{L}``), which
    the ``regex`` package understands. A pattern neither can compile is not enforced.
    """
    try:
        return re.compile(pattern)
    except re.error:
        pass
    try:
        import regex

        return regex.compile(pattern)
    except Exception:
        return None


def _aws_pattern(pattern: str) -> str:
    if pattern.startswith("(arn:(aws[a-zA-Z-]*)?:lambda:)?"):
        return pattern.replace(_MODEL_REGION, _AWS_REGION, 1)
    return pattern


def constraints_for(shape: Shape) -> dict[str, Any]:
    """The constraints AWS enforces for ``shape``, with compiled regex and enum set, cached."""
    key = id(shape)
    cached = _CACHE.get(key)
    if cached is not None and cached["__shape__"] is shape:
        return cached
    meta: dict[str, Any] = {k: v for k, v in shape.metadata.items() if k in ("min", "max", "pattern", "enum")}
    for k, v in SHAPE_OVERRIDES.get(shape.name, {}).items():
        if v is None:
            meta.pop(k, None)
        else:
            meta[k] = v
    if shape.type_name in ("string", "blob", "list", "map") and meta.get("min") == 0:
        del meta["min"]  # a minimum length of 0 can never fail
    if "pattern" in meta:
        text = _aws_pattern(meta["pattern"])
        compiled = compile_java_pattern(text)
        if compiled is None:
            del meta["pattern"]
        else:
            meta["pattern_text"] = text
            meta["regex"] = compiled
    if "enum" in meta:
        meta["enum_set"] = frozenset(meta["enum"])
    meta["__shape__"] = shape
    _CACHE[key] = meta
    return meta
