"""AWS Lambda's input constraints as the live service enforces them, whatever botocore is installed.

AWS's validation messages come from the service, not from the client: the pattern a
``ValidationException`` quotes is the one AWS checks today, whether the caller runs botocore 1.31
or the newest. botocore's model is a client-side snapshot of those rules, so this module keeps a
table of AWS's current constraints (taken from botocore 1.44.8's model, the newest we checked) for
every input shape whose constraints, or whose shape name, changed since the oldest botocore we
support (1.31.0), and uses the installed model only for the rest. On top of that come the
differences recorded against live AWS itself (see ``../shared/aws-lambda-facts.md``), for example
that ``Timeout`` is capped at 900 seconds. :mod:`validation` reads constraints only through
:func:`constraints_for` and :func:`aws_member`.
"""

from __future__ import annotations

import copy
import re
import unicodedata
from typing import Any

from botocore.model import Shape

#: AWS's current constraints (min, max, pattern, enum) per shape name, replacing the installed
#: model's. Taken from botocore 1.44.8's Lambda model for each input shape that differs in botocore
#: 1.31.0 (or that a member below now uses); ``tests/test_version_compat.py`` checks it against the
#: installed model when that model is at least as new.
AWS_SHAPES: dict[str, dict[str, Any]] = {
    "Action": {"max": 10000, "pattern": "(lambda:[*]|lambda:[a-zA-Z]+|[*])"},
    "AllowMethodsList": {"max": 6},
    "AllowOriginsList": {"max": 100},
    "Arn": {
        "max": 10000,
        "pattern": r"arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\-])+:((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1})?:(\d{12})?:(.*)",
    },
    "CodeSigningConfigArn": {
        "max": 200,
        "pattern": r"arn:(aws[a-zA-Z-]*)?:lambda:(eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:\d{12}:code-signing-config:csc-[a-z0-9]{17}",
    },
    "CompatibleArchitectures": {"max": 2},
    "CompatibleRuntimes": {"max": 15},
    "DestinationArn": {
        "max": 350,
        "pattern": r"$|kafka://([^.]([a-zA-Z0-9\-_.]{0,248}))|arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\-])+:((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1})?:(\d{12})?:(.*)",
    },
    "Endpoint": {
        "max": 300,
        "min": 1,
        "pattern": r"(([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9\-]*[a-zA-Z0-9])\.)*([A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9\-]*[A-Za-z0-9]):[0-9]{1,5}",
    },
    "EphemeralStorageSize": {"max": 32768, "min": 512},
    "FileSystemArn": {
        "max": 256,
        "pattern": r"arn:aws[a-zA-Z-]*:elasticfilesystem:(eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:\d{12}:access-point/fsap-[a-f0-9]{17}$|^arn:aws[-a-z]*:s3files:[0-9a-z-:]+:file-system/fs-[0-9a-f]{17,40}/access-point/fsap-[0-9a-f]{17,40}",
    },
    "FileSystemConfigList": {"max": 1},
    "FunctionArn": {
        "max": 10000,
        "pattern": r"arn:(aws[a-zA-Z-]*)?:lambda:(eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:\d{12}:function:[a-zA-Z0-9-_]+(:(\$LATEST|[a-zA-Z0-9-_]+))?",
    },
    "FunctionName": {
        "max": 140,
        "min": 1,
        "pattern": r"(arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?",
    },
    "FunctionUrlFunctionName": {
        "max": 140,
        "min": 1,
        "pattern": r"(arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_]{1,64})(:((?!\d+$)[0-9a-zA-Z-_]+))?",
    },
    "FunctionUrlQualifier": {"max": 128, "min": 1, "pattern": r"((?!^\d+$)^[0-9a-zA-Z-_]+$)"},
    "Handler": {"max": 128, "pattern": r"[^\s]+"},
    "Header": {"max": 1024, "pattern": ".*"},
    "HeadersList": {"max": 100},
    "KMSKeyArn": {"max": 10000, "pattern": "(arn:(aws[a-zA-Z-]*)?:[a-z0-9-.]+:.*)|()"},
    "LayerName": {
        "max": 140,
        "min": 1,
        "pattern": r"(arn:(aws[a-zA-Z-]*)?:lambda:(eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:\d{12}:layer:[a-zA-Z0-9-_]+)|[a-zA-Z0-9-_]+",
    },
    "LayerNameOrArn": {
        "max": 2048,
        "min": 1,
        "pattern": r"(arn:(aws[a-zA-Z-]*)?:lambda:(eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:\d{12}:layer:[a-zA-Z0-9-_]{1,140}|[a-zA-Z0-9-_]{1,140})",
    },
    "LayerPermissionAllowedAction": {"max": 22, "pattern": "lambda:GetLayerVersion"},
    "LayerPermissionAllowedPrincipal": {"max": 10000, "pattern": r"\d{12}|\*|arn:(aws[a-zA-Z-]*):iam::\d{12}:root"},
    "LayerVersionArn": {
        "max": 2048,
        "min": 1,
        "pattern": r"((arn:(aws[a-zA-Z-]*)?:lambda:(eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+)|(arn:[a-zA-Z0-9-]+:lambda:::awslayer:[a-zA-Z0-9-_]+))",
    },
    "LicenseInfo": {"max": 512, "pattern": ".*"},
    "LocalMountPath": {"max": 160, "pattern": "/mnt/[a-zA-Z0-9-_.]+"},
    "MasterRegion": {"max": 50, "min": 1, "pattern": r"ALL|(eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}"},
    "MemorySize": {"max": 32768, "min": 128},
    "Method": {"max": 6, "pattern": ".*"},
    "NamespacedFunctionName": {
        "max": 256,
        "min": 1,
        "pattern": r"(arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_\.]+)(:(\$LATEST(\.PUBLISHED)?|[a-zA-Z0-9-_]+))?",
    },
    "NumericLatestPublishedOrAliasQualifier": {
        "max": 128,
        "min": 1,
        "pattern": r"\$(LATEST(\.PUBLISHED)?)|[a-zA-Z0-9-_$]+",
    },
    "OrganizationId": {"max": 34, "pattern": "o-[a-z0-9]{10,32}"},
    "Pattern": {"max": 4096, "pattern": r"[\s\S]*"},
    "Principal": {"max": 2048, "pattern": r"[^\s]+"},
    "PrincipalOrgID": {"max": 34, "min": 12, "pattern": "o-[a-z0-9]{10,32}"},
    "ResourceArn": {"max": 10000, "pattern": "(arn:(aws[a-zA-Z-]*)?:[a-z0-9-.]+:.*)|()"},
    "RoleArn": {"max": 10000, "pattern": r"arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+"},
    "RuntimeVersionArn": {
        "max": 2048,
        "min": 26,
        "pattern": r"((arn:(aws[a-zA-Z-]*):lambda:(eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}::runtime:.+)|(arn:(aws[a-zA-Z-]*):lambda:(eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:\d{12}:runtime/[A-Za-z0-9_.-]{1,128}/version/[A-Za-z0-9_.-]{1,128}))",
    },
    "S3Bucket": {"max": 63, "min": 3, "pattern": r"[0-9A-Za-z\.\-_]*(?<!\.)"},
    "S3Key": {"max": 1024, "min": 1, "pattern": ".*"},
    "S3ObjectVersion": {"max": 1024, "min": 1, "pattern": ".*"},
    "SecurityGroupId": {"max": 1024, "pattern": "sg-[0-9a-zA-Z]*"},
    "SecurityGroupIds": {"max": 5},
    "SourceAccessConfigurations": {"max": 23},
    "SourceAccessType": {
        "enum": [
            "BASIC_AUTH",
            "VPC_SUBNET",
            "VPC_SECURITY_GROUP",
            "SASL_SCRAM_512_AUTH",
            "SASL_SCRAM_256_AUTH",
            "VIRTUAL_HOST",
            "CLIENT_CERTIFICATE_TLS_AUTH",
            "SERVER_ROOT_CA_CERTIFICATE",
            "OAUTHBEARER_AUTH",
            "OAUTHBEARER_SCOPE",
            "OAUTHBEARER_AUDIENCE",
            "OAUTHBEARER_LOGICAL_CLUSTER",
            "OAUTHBEARER_IDENTITY_POOL",
            "IAM_AUTH",
            "IAM_OAUTHBEARER_AUTH",
        ]
    },
    "SourceOwner": {"max": 12, "pattern": r"\d{12}"},
    "StringList": {"max": 1500},
    "SubnetId": {"max": 1024, "pattern": "subnet-[0-9a-z]*"},
    "SubnetIds": {"max": 16},
    "TagKey": {"max": 128, "min": 1, "pattern": r"([\p{L}\p{Z}\p{N}_.:/=+\-@]*)"},
    "TagValue": {"max": 256, "pattern": r"([\p{L}\p{Z}\p{N}_.:/=+\-@]*)"},
    "TaggableResource": {
        "max": 10000,
        "min": 1,
        "pattern": r"arn:(aws[a-zA-Z-]*):lambda:(eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:\d{12}:(function:[a-zA-Z0-9-_]+(:(\$LATEST|[a-zA-Z0-9-_]+))?|code-signing-config:csc-[a-z0-9]{17}|event-source-mapping:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|(capacity-provider|network-connector):[a-zA-Z0-9-_]{1,64})",
    },
    "Timeout": {"max": 5400, "min": 1},
    "Topic": {"max": 249, "min": 1, "pattern": r"[^.]([a-zA-Z0-9\-_.]+)"},
    "URI": {"max": 200, "min": 1, "pattern": r"[ a-zA-Z0-9-\/*:_+=.@-]*"},
    "UUIDString": {"max": 36, "min": 36},
    "VersionWithLatestPublished": {"max": 1024, "min": 1, "pattern": r"(\$LATEST(\.PUBLISHED)?|[0-9]+)"},
    "WorkingDirectory": {"max": 1000},
}

#: Members whose shape AWS has since renamed (with other constraints), per input structure: older
#: botocore models ``DeleteFunction``'s ``FunctionName`` as ``FunctionName`` (no dots, 140
#: characters) where AWS now checks ``NamespacedFunctionName``.
MEMBER_SHAPES: dict[tuple[str, str], str] = {
    ("AddLayerVersionPermissionRequest", "LayerName"): "LayerNameOrArn",
    ("AddPermissionRequest", "FunctionName"): "NamespacedFunctionName",
    ("AddPermissionRequest", "Qualifier"): "NumericLatestPublishedOrAliasQualifier",
    ("CreateAliasRequest", "FunctionVersion"): "VersionWithLatestPublished",
    ("CreateEventSourceMappingRequest", "FunctionName"): "NamespacedFunctionName",
    ("CreateFunctionUrlConfigRequest", "FunctionName"): "FunctionUrlFunctionName",
    ("DeleteEventSourceMappingRequest", "UUID"): "UUIDString",
    ("DeleteFunctionCodeSigningConfigRequest", "FunctionName"): "NamespacedFunctionName",
    ("DeleteFunctionEventInvokeConfigRequest", "FunctionName"): "NamespacedFunctionName",
    ("DeleteFunctionEventInvokeConfigRequest", "Qualifier"): "NumericLatestPublishedOrAliasQualifier",
    ("DeleteFunctionRequest", "FunctionName"): "NamespacedFunctionName",
    ("DeleteFunctionRequest", "Qualifier"): "NumericLatestPublishedOrAliasQualifier",
    ("DeleteFunctionUrlConfigRequest", "FunctionName"): "FunctionUrlFunctionName",
    ("DeleteLayerVersionRequest", "LayerName"): "LayerNameOrArn",
    ("GetEventSourceMappingRequest", "UUID"): "UUIDString",
    ("GetFunctionCodeSigningConfigRequest", "FunctionName"): "NamespacedFunctionName",
    ("GetFunctionConfigurationRequest", "Qualifier"): "NumericLatestPublishedOrAliasQualifier",
    ("GetFunctionEventInvokeConfigRequest", "FunctionName"): "NamespacedFunctionName",
    ("GetFunctionEventInvokeConfigRequest", "Qualifier"): "NumericLatestPublishedOrAliasQualifier",
    ("GetFunctionRequest", "Qualifier"): "NumericLatestPublishedOrAliasQualifier",
    ("GetFunctionUrlConfigRequest", "FunctionName"): "FunctionUrlFunctionName",
    ("GetLayerVersionPolicyRequest", "LayerName"): "LayerNameOrArn",
    ("GetLayerVersionRequest", "LayerName"): "LayerNameOrArn",
    ("GetPolicyRequest", "Qualifier"): "NumericLatestPublishedOrAliasQualifier",
    ("GetRuntimeManagementConfigRequest", "Qualifier"): "NumericLatestPublishedOrAliasQualifier",
    ("InvocationRequest", "Qualifier"): "NumericLatestPublishedOrAliasQualifier",
    ("InvokeWithResponseStreamRequest", "Qualifier"): "NumericLatestPublishedOrAliasQualifier",
    ("ListAliasesRequest", "FunctionVersion"): "VersionWithLatestPublished",
    ("ListEventSourceMappingsRequest", "FunctionName"): "NamespacedFunctionName",
    ("ListFunctionEventInvokeConfigsRequest", "FunctionName"): "NamespacedFunctionName",
    ("ListFunctionUrlConfigsRequest", "FunctionName"): "FunctionUrlFunctionName",
    ("ListLayerVersionsRequest", "LayerName"): "LayerNameOrArn",
    ("ListTagsRequest", "Resource"): "TaggableResource",
    ("PublishLayerVersionRequest", "LayerName"): "LayerNameOrArn",
    ("PutFunctionCodeSigningConfigRequest", "FunctionName"): "NamespacedFunctionName",
    ("PutFunctionEventInvokeConfigRequest", "FunctionName"): "NamespacedFunctionName",
    ("PutFunctionEventInvokeConfigRequest", "Qualifier"): "NumericLatestPublishedOrAliasQualifier",
    ("PutRuntimeManagementConfigRequest", "FunctionName"): "NamespacedFunctionName",
    ("PutRuntimeManagementConfigRequest", "Qualifier"): "NumericLatestPublishedOrAliasQualifier",
    ("RemoveLayerVersionPermissionRequest", "LayerName"): "LayerNameOrArn",
    ("RemovePermissionRequest", "FunctionName"): "NamespacedFunctionName",
    ("RemovePermissionRequest", "Qualifier"): "NumericLatestPublishedOrAliasQualifier",
    ("TagResourceRequest", "Resource"): "TaggableResource",
    ("UntagResourceRequest", "Resource"): "TaggableResource",
    ("UpdateAliasRequest", "FunctionVersion"): "VersionWithLatestPublished",
    ("UpdateEventSourceMappingRequest", "FunctionName"): "NamespacedFunctionName",
    ("UpdateEventSourceMappingRequest", "UUID"): "UUIDString",
    ("UpdateFunctionEventInvokeConfigRequest", "FunctionName"): "NamespacedFunctionName",
    ("UpdateFunctionEventInvokeConfigRequest", "Qualifier"): "NumericLatestPublishedOrAliasQualifier",
    ("UpdateFunctionUrlConfigRequest", "FunctionName"): "FunctionUrlFunctionName",
}

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
    """Compile an AWS (Java) regular expression for full matching; None when we cannot.

    Most of AWS's patterns are valid Python. The others use Java's Unicode category classes
    (``[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*`` for tags), which Python's ``re`` lacks: a pattern that is one
    such character class, repeated, is matched by :class:`UnicodeClassPattern`.
    ``tests/test_validation_patterns.py`` checks that every pattern of the model compiles one way
    or the other, so none goes unenforced.
    """
    try:
        return _COMPILED[pattern]
    except KeyError:
        pass
    try:
        compiled = re.compile(pattern)
    except re.error:
        compiled = UnicodeClassPattern.parse(pattern)
    _COMPILED[pattern] = compiled
    return compiled


#: Compiled patterns by text: many shapes share one pattern (every FunctionName's), compiled once.
_COMPILED: dict[str, Any] = {}

#: The shapes nearly every operation checks: a function's name, in its plain and namespaced forms,
#: and the qualifier of a version or alias (14 operations, Invoke's among them).
COMMON_SHAPES = ("FunctionName", "NamespacedFunctionName", "NumericLatestPublishedOrAliasQualifier")


def compile_common_patterns() -> None:
    """Compile the patterns nearly every call checks, once per process, with the first activation
    rather than inside whichever operation's call comes first."""
    for name in COMMON_SHAPES:
        pattern = AWS_SHAPES.get(name, {}).get("pattern")
        if pattern is not None:
            compile_java_pattern(pattern)


class UnicodeClassPattern:
    """``[...]*`` or ``[...]+`` (optionally in a group) of Unicode categories and literal characters.

    ``\\p{L}`` is every letter, ``\\p{Lu}`` upper-case letters: Java's categories are Unicode's, which
    :func:`unicodedata.category` names. Checking characters one by one spares importing a
    third-party regular-expression engine for the one shape of pattern that needs it.
    """

    __slots__ = ("categories", "literals", "minimum")

    _SHAPE = re.compile(r"\(?\[((?:\\p\{[A-Za-z]{1,2}\}|\\.|[^\\\]\[])*)\]([*+])\)?")
    _ITEM = re.compile(r"\\p\{([A-Za-z]{1,2})\}|\\(.)|(.)", re.S)

    def __init__(self, categories: frozenset[str], literals: frozenset[str], minimum: int) -> None:
        self.categories = categories
        self.literals = literals
        self.minimum = minimum

    @classmethod
    def parse(cls, pattern: str) -> Any:
        match = cls._SHAPE.fullmatch(pattern)
        if match is None or pattern.startswith("(") != pattern.endswith(")"):
            return None
        body, quantifier = match.groups()
        categories: set[str] = set()
        literals: set[str] = set()
        for index, item in enumerate(cls._ITEM.finditer(body)):
            category, escaped, literal = item.groups()
            if category is not None:
                categories.add(category)
            elif escaped is not None:
                if escaped.isalnum():  # \d, \w, \s...: classes this matcher does not know
                    return None
                literals.add(escaped)
            elif literal == "-" and 0 < item.start() < len(body) - 1:
                return None  # a range such as a-z
            elif literal == "^" and index == 0:
                return None  # a negated class
            else:
                literals.add(literal)
        return cls(frozenset(categories), frozenset(literals), 1 if quantifier == "+" else 0)

    def fullmatch(self, value: str) -> Any:
        if len(value) < self.minimum:
            return None
        categories, literals = self.categories, self.literals
        for character in value:
            if character in literals:
                continue
            category = unicodedata.category(character)
            if category not in categories and category[0] not in categories:
                return None
        return True


class LazyPattern:
    """A pattern compiled the first time a value is matched against it, then kept.

    An operation's validator covers every member of its input, but a call sets only a few: only the
    patterns of members that calls actually set are ever compiled.
    """

    __slots__ = ("_compiled", "_matching", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self._compiled: Any = None
        #: Values seen to match: tests send the same names and ARNs again and again.
        self._matching: set[str] = set()

    def fullmatch(self, value: str) -> Any:
        compiled = self._compiled
        if compiled is None:
            compiled = self._compiled = compile_java_pattern(self.text) or _ANYTHING
        return compiled.fullmatch(value)

    def matches(self, value: str) -> bool:
        """Whether the whole of ``value`` matches."""
        matching = self._matching
        if value in matching:
            return True
        if self.fullmatch(value) is None:
            return False
        if len(matching) >= _MATCHING_KEPT:
            matching.clear()
        matching.add(value)
        return True


_MATCHING_KEPT = 512


_ANYTHING = re.compile(r"(?s:.*)")


def aws_member(structure: Shape, name: str, member: Shape) -> Shape:
    """``member`` of ``structure`` under the shape name AWS uses for it today.

    When the installed model names the member's shape differently (an older botocore), a copy
    carrying AWS's name is returned, so :func:`constraints_for` finds AWS's constraints for it.
    """
    aws_name = MEMBER_SHAPES.get((structure.name, name))
    if aws_name is None or aws_name == member.name:
        return member
    renamed = copy.copy(member)
    renamed.name = aws_name
    return renamed


def constraints_for(shape: Shape) -> dict[str, Any]:
    """The constraints AWS enforces for ``shape``, with compiled regex and enum set, cached."""
    key = id(shape)
    cached = _CACHE.get(key)
    if cached is not None and cached["__shape__"] is shape:
        return cached
    table = AWS_SHAPES.get(shape.name)
    if table is not None:
        meta: dict[str, Any] = dict(table)
    else:
        meta = {k: v for k, v in shape.metadata.items() if k in ("min", "max", "pattern", "enum")}
    for k, v in SHAPE_OVERRIDES.get(shape.name, {}).items():
        if v is None:
            meta.pop(k, None)
        else:
            meta[k] = v
    if shape.type_name in ("string", "blob", "list", "map") and meta.get("min") == 0:
        del meta["min"]  # a minimum length of 0 can never fail
    if "pattern" in meta:
        text = meta["pattern"]
        meta["pattern_text"] = text
        meta["regex"] = LazyPattern(text)
    if "enum" in meta:
        meta["enum_set"] = frozenset(meta["enum"])
    meta["__shape__"] = shape
    _CACHE[key] = meta
    return meta
