"""The backend's data model: functions, ``$LATEST``, published versions, aliases, qualifiers.

A :class:`Function` owns its unpublished ``$LATEST`` (:class:`FunctionVersion`), its published
versions and aliases, its tags and every per-qualifier configuration. Configurations are stored as
dicts keyed by AWS's member names, because that is the vocabulary AWS's rules are written in;
:func:`render` adds the fields AWS derives (ARN, version, state) when a configuration is shown.

This module sits at the bottom of the backend: it knows no request, no store and no operation. What
several families need of the data itself — RevisionId rules, publishing, rendering, concurrency
derived from the stored configurations — lives here; resolving what a request addresses is in
:mod:`.addressing`, and what a delete takes with it in :mod:`.cascades`.
"""

from __future__ import annotations

import copy
import datetime
import hashlib
import re
from dataclasses import dataclass, field
from typing import Any, Optional

from .. import arns
from ..errors import (
    REVISION_MISMATCH,
    AccessDenied,
    InvalidParameterValue,
    PreconditionFailed,
    ResourceNotFound,
)
from .ids import new_uuid
from .rendered import Rendered

LATEST = "$LATEST"
#: AWS's alias name pattern: a qualifier that matches it names an alias, not a version.
ALIAS_NAME = re.compile(r"(?!^[0-9]+$)([a-zA-Z0-9-_]+)")
MAX_TAGS = 50

#: Fields ListFunctions leaves out; AWS documents that only GetFunction returns them.
LIST_OMITS = (
    "State",
    "StateReason",
    "StateReasonCode",
    "LastUpdateStatus",
    "LastUpdateStatusReason",
    "LastUpdateStatusReasonCode",
    "RuntimeVersionConfig",
)


def now_text() -> str:
    """Lambda's LastModified format: ``2024-01-01T00:00:00.000+0000`` (F-FN-005)."""
    t = datetime.datetime.now(datetime.timezone.utc)
    day = f"{t.year:04d}-{t.month:02d}-{t.day:02d}"
    return f"{day}T{t.hour:02d}:{t.minute:02d}:{t.second:02d}.{t.microsecond // 1000:03d}+0000"


def refuse_with_tenant_isolation(config: dict, feature: str) -> None:
    """Features AWS documents as incompatible with tenant isolation are refused on such functions.

    The Lambda developer guide ("Tenant isolation", supported features and limitations) and the
    AWS CDK reference (``TenancyConfig``: "incompatible with SnapStart, Provisioned Concurrency,
    Function URLs, most event sources") list them. The status and code are AWS's modeled ones for
    a bad parameter; AWS's wording is not recorded anywhere we could find, so the text is ours. It
    follows the AWS CDK's own synth-time check ("Provisioned Concurrency is not supported for
    functions with tenant isolation mode", aws-cdk-lib aws-lambda), which is not a Lambda answer.
    """
    if config.get("TenancyConfig"):
        raise InvalidParameterValue(f"{feature} is not supported for functions with tenant isolation mode.")


def new_revision() -> str:
    return new_uuid()


@dataclass(frozen=True)
class Code:
    """A deployment package. Shared, never copied, between ``$LATEST`` and its versions."""

    sha256: str
    size: int
    zip_bytes: Optional[bytes] = None
    s3_location: Optional[tuple[str, str, Optional[str]]] = None
    image_uri: Optional[str] = None
    #: The customer managed KMS key given to encrypt the package (GetFunction reports it).
    source_kms_key_arn: Optional[str] = None


_KEPT = ("_wire", "_full", "_derived")


class Cached:
    """Keeps what is derived from the object until any attribute of it is assigned.

    ``_wire`` is its rendered list item, ``_full`` its whole rendered configuration; ``_derived``
    holds what other families compute from it (what an invocation of a version runs, for one).
    Every write to a version or an alias assigns one of its attributes (a new RevisionId at the
    least), so dropping them in ``__setattr__`` covers every mutation path, present and future,
    without each operation having to remember it.
    """

    _wire: Optional[Rendered] = None
    _full: Optional[Rendered] = None
    _derived: Optional[tuple[Any, ...]] = None

    def __setattr__(self, name: str, value: Any) -> None:
        object.__setattr__(self, name, value)
        if name not in _KEPT:
            kept = self.__dict__
            for slot in _KEPT:
                if slot in kept:
                    del kept[slot]


@dataclass
class FunctionVersion(Cached):
    """One configuration of a function: ``$LATEST`` or a published (frozen) version."""

    version: str
    config: dict[str, Any]
    code: Code
    revision_id: str
    last_modified: str
    #: For a published version: the state of ``$LATEST`` it was published from.
    source_fingerprint: Optional[tuple] = None
    #: The layer versions in ``config["Layers"]``, in order, kept here so a function keeps its
    #: layers' content even after a layer version is deleted (F-LY-031).
    layers: tuple[LayerVersion, ...] = ()


@dataclass
class LayerPolicy:
    """The resource-based policy of one layer version (AddLayerVersionPermission)."""

    statements: list[dict[str, Any]] = field(default_factory=list)
    revision_id: str = ""


@dataclass
class LayerVersion:
    """One published, immutable version of a layer."""

    layer_name: str
    layer_arn: str
    version: int
    code: Code
    description: str
    created: str
    compatible_runtimes: Optional[list[str]] = None
    compatible_architectures: Optional[list[str]] = None
    license_info: Optional[str] = None
    policy: Optional[LayerPolicy] = None

    @property
    def arn(self) -> str:
        return f"{self.layer_arn}:{self.version}"


@dataclass
class Layer:
    name: str
    arn: str
    #: Versions by number, in increasing order; a deleted number is never reused (F-LY-020).
    versions: dict[int, LayerVersion] = field(default_factory=dict)
    next_version: int = 1


@dataclass
class Alias(Cached):
    name: str
    function_version: str
    description: str
    revision_id: str
    routing: dict[str, float] = field(default_factory=dict)


@dataclass
class Function:
    name: str
    arn: str
    account_id: str
    region: str
    latest: FunctionVersion
    versions: dict[str, FunctionVersion] = field(default_factory=dict)
    aliases: dict[str, Alias] = field(default_factory=dict)
    #: Alias names in sorted order, kept up to date so that ListAliases pages in O(log n).
    alias_names: list[str] = field(default_factory=list)
    tags: dict[str, str] = field(default_factory=dict)
    #: Resource-based policies by qualifier (None: the function itself / ``$LATEST``).
    policies: dict[Optional[str], Any] = field(default_factory=dict)
    #: Function URL configs by qualifier (None: the function itself, else an alias).
    url_configs: dict[Optional[str], Any] = field(default_factory=dict)
    #: Provisioned concurrency by version number or alias name.
    provisioned: dict[str, Any] = field(default_factory=dict)
    #: Asynchronous invocation configs by qualifier ("$LATEST", a version or an alias).
    event_invoke: dict[str, Any] = field(default_factory=dict)
    #: Reserved concurrency (PutFunctionConcurrency), None when not set.
    reserved_concurrency: Optional[int] = None
    #: Next version number to publish: numbers are never reused, even after a delete.
    next_version: int = 1
    #: The code signing configuration attached to the function (its ARN), None when there is none.
    code_signing_config_arn: Optional[str] = None
    #: PutFunctionRecursionConfig's setting; AWS stops recursive loops by default.
    recursive_loop: str = "Terminate"
    #: Runtime management configs by version ("$LATEST" or a number); absent means ``Auto``.
    runtime_management: dict[str, dict[str, str]] = field(default_factory=dict)
    #: Scaling configs of capacity-provider functions by version ("$LATEST.PUBLISHED" or a number).
    scaling: dict[str, dict[str, int]] = field(default_factory=dict)


# ---------------------------------------------------------------------------
# rendering
# ---------------------------------------------------------------------------


def render(
    function: Function,
    record: FunctionVersion,
    arn_qualifier: Optional[str] = None,
    transition: Optional[str] = None,
) -> dict:
    """The FunctionConfiguration AWS returns for ``record``, addressed through ``arn_qualifier``.

    ``transition`` is "create" or "update" in the response to the call that started one: AWS
    answers a create with ``State: Pending`` and an update with ``LastUpdateStatus: InProgress``.
    The mock completes every change at once, so any later read sees ``Active``/``Successful``,
    which is what botocore's waiters poll for.
    """
    out = dict(record.config)
    out["FunctionName"] = function.name
    out["FunctionArn"] = function.arn if arn_qualifier is None else f"{function.arn}:{arn_qualifier}"
    out["Version"] = record.version
    out["CodeSha256"] = record.code.sha256
    out["CodeSize"] = record.code.size
    out["LastModified"] = record.last_modified
    out["RevisionId"] = record.revision_id
    if transition == "create":
        out["State"] = "Pending"
        out["StateReason"] = "The function is being created."
        out["StateReasonCode"] = "Creating"
    else:
        out["State"] = "Active"
        if transition == "update":
            out["LastUpdateStatus"] = "InProgress"
            out["LastUpdateStatusReason"] = "The function is being created."
            out["LastUpdateStatusReasonCode"] = "Creating"
        else:
            out["LastUpdateStatus"] = "Successful"
    return out


def render_kept(function: Function, record: FunctionVersion, arn_qualifier: Optional[str]) -> dict:
    """:func:`render` of a published version addressed by its own number, kept until the version
    changes (``$LATEST``, whose configuration operations change in place, is rendered anew)."""
    if arn_qualifier is None or arn_qualifier != record.version or arn_qualifier == LATEST:
        return render(function, record, arn_qualifier)
    kept = record._full
    if kept is None:
        kept = record._full = Rendered(render(function, record, arn_qualifier))
    return kept


def image_repository(uri: str) -> str:
    """``registry/repo`` of an image URI, without its ``:tag`` or ``@sha256:`` digest."""
    uri = uri.split("@", 1)[0]
    head, _, last = uri.rpartition("/")
    return f"{head}/{last.split(':', 1)[0]}" if head else last.split(":", 1)[0]


def code_location(function: Function, record: FunctionVersion) -> dict:
    code = record.code
    if code.image_uri is not None:
        digest = code.sha256
        return {
            "RepositoryType": "ECR",
            "ImageUri": code.image_uri,
            "ResolvedImageUri": f"{image_repository(code.image_uri)}@sha256:{digest}",
        }
    token = hashlib.sha256(f"{function.arn}:{record.version}:{code.sha256}".encode()).hexdigest()
    location: dict[str, Any] = {} if code.source_kms_key_arn is None else {"SourceKMSKeyArn": code.source_kms_key_arn}
    return {
        **location,
        "RepositoryType": "S3",
        "Location": (
            f"https://awslambda-{function.region}-tasks.s3.{function.region}.amazonaws.com/snapshots/"
            f"{function.account_id}/{function.name}-{token[:36]}?versionId={token[36:60]}"
            f"&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=600&X-Amz-Signature={token}"
        ),
    }


# ---------------------------------------------------------------------------
# qualifiers and revisions
# ---------------------------------------------------------------------------


def policy_key(qualifier: Optional[str]) -> Optional[str]:
    """Policies are keyed by qualifier; the unqualified function and ``$LATEST`` share one."""
    return None if qualifier in (None, LATEST) else qualifier


def resolve_qualifier(function: Function, qualifier: Optional[str]) -> tuple[FunctionVersion, Optional[str]]:
    """The configuration a qualifier names and the ARN suffix AWS shows for it."""
    if qualifier is None:
        return function.latest, None
    if qualifier == LATEST:
        return function.latest, LATEST
    record = function.versions.get(qualifier)
    if record is not None:
        return record, qualifier
    alias = function.aliases.get(qualifier)
    if alias is not None:
        target = function.latest if alias.function_version == LATEST else function.versions[alias.function_version]
        return target, qualifier
    raise ResourceNotFound(f"Function not found: {function.arn}:{qualifier}")


def check_revision(given: Optional[str], current: str) -> None:
    if given is not None and given != current:
        raise PreconditionFailed(REVISION_MISMATCH)


def settle(record: FunctionVersion) -> None:
    """The change a create or update started completes: AWS gives ``$LATEST`` a new RevisionId then.

    Recorded against AWS: the RevisionId of a create or update response differs from the one
    GetFunction shows once the function is Active / the update Successful.
    """
    record.revision_id = new_revision()


def list_item(function: Function, record: FunctionVersion, suffix: Optional[str]) -> dict:
    """A version as List* operations show it; a published version's item is rendered once and kept.

    ``$LATEST`` is rendered anew: operations change its ``config`` dict in place. A published
    version's configuration is frozen, and the only later change, a new RevisionId, is an
    assignment that drops the kept item (:class:`Cached`).
    """
    cacheable = suffix is not None and suffix == record.version and suffix != LATEST
    if cacheable:
        kept = record._wire
        if kept is not None:
            return kept
    item = render(function, record, suffix)
    for key in LIST_OMITS:
        item.pop(key, None)
    if cacheable:
        item = record._wire = Rendered(item)
    return item


def version_order(version: str) -> int:
    """Sort key of a version: ``$LATEST`` first, then published versions by number."""
    return 0 if version == LATEST else int(version)


# ---------------------------------------------------------------------------
# publishing
# ---------------------------------------------------------------------------


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
    snap_start = config.get("SnapStart")
    if snap_start and snap_start.get("ApplyOn") == "PublishedVersions":
        # AWS reports the optimization On for published versions (and Off for $LATEST).
        config["SnapStart"] = {**snap_start, "OptimizationStatus": "On"}
    record = FunctionVersion(number, config, latest.code, new_revision(), now_text(), layers=latest.layers)
    record.source_fingerprint = fingerprint
    latest.revision_id = new_revision()  # recorded against AWS: publishing changes $LATEST's RevisionId
    function.versions[number] = record
    return record


# ---------------------------------------------------------------------------
# concurrency derived from the stored configs
# ---------------------------------------------------------------------------


def provisioned_total(function: Function, excluding: Optional[str] = None) -> int:
    """The function's provisioned concurrency over all qualifiers (but ``excluding``)."""
    return sum(c.requested for q, c in function.provisioned.items() if q != excluding)


def throttled(function: Function, invoked_qualifier: Optional[str], executed_version: str) -> bool:
    """Whether reserved concurrency leaves no room for this invocation (the mock runs one at a time).

    Invocations served by provisioned concurrency (on the invoked alias or the executed version)
    always run; the rest share what reserved concurrency leaves after provisioned concurrency. A
    reserved concurrency of 0 therefore throttles every invocation, as AWS's "kill switch" does.
    """
    if function.reserved_concurrency is None:
        return False
    if (invoked_qualifier and invoked_qualifier in function.provisioned) or executed_version in function.provisioned:
        return False
    return function.reserved_concurrency - provisioned_total(function) <= 0


# ---------------------------------------------------------------------------
# layers: what functions need to know about them
# ---------------------------------------------------------------------------

#: A layer version's ARN, as a function's ``Layers`` list names it.
LAYER_VERSION_ARN = re.compile(
    r"arn:(?P<partition>aws[a-zA-Z-]*)?:lambda:(?P<region>[^:]+):(?P<account>\d{12}):layer:"
    r"(?P<name>[a-zA-Z0-9-_]+):(?P<version>[0-9]+)"
)
MAX_FUNCTION_LAYERS = 5


def layer_arn(region: str, account: str, name: str) -> str:
    return f"arn:{arns.partition_for(region)}:lambda:{region}:{account}:layer:{name}"


def layer_allows(version: LayerVersion, account_id: str) -> bool:
    """Whether the layer version's policy lets ``account_id`` use it (``lambda:GetLayerVersion``).

    A statement with ``Principal: "*"`` grants every account; with an ``OrganizationId`` condition
    it grants the accounts of that organization, which the mock cannot tell apart, so it grants
    every account too.
    """
    if version.policy is None:
        return False
    for statement in version.policy.statements:
        principal = statement["Principal"]
        if principal == "*":
            return True
        if isinstance(principal, dict) and principal.get("AWS", "").split(":")[4:5] == [account_id]:
            return True
    return False


def not_authorized(account_id: str, resource: str) -> AccessDenied:
    """AWS's answer when another account's layer version grants this account nothing.

    Recorded: CreateFunction with a layer of another account, "User: arn:aws:iam::<acct>:root is not
    authorized to perform: lambda:GetLayerVersion on resource: <layer version arn> because no
    resource-based policy allows the lambda:GetLayerVersion action" (403).
    """
    return AccessDenied(
        f"User: arn:aws:iam::{account_id}:root is not authorized to perform: lambda:GetLayerVersion on resource: "
        f"{resource} because no resource-based policy allows the lambda:GetLayerVersion action"
    )
