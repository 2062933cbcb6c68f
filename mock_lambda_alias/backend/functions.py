"""Functions and their ``$LATEST`` configuration: create, read, list, update, delete.

A :class:`Function` owns its unpublished ``$LATEST`` (:class:`FunctionVersion`), its published
versions and aliases, and its tags. Configurations are stored as dicts keyed by AWS's member
names, because that is the vocabulary AWS's rules are written in; :func:`render` adds the fields
AWS derives (ARN, version, state) when a configuration is shown.
"""

from __future__ import annotations

import base64
import copy
import datetime
import hashlib
import io
import json
import re
import uuid
import zipfile
from dataclasses import dataclass, field
from typing import Any, Optional

from .. import arns
from ..errors import (
    REVISION_MISMATCH,
    InvalidParameterValue,
    PreconditionFailed,
    ResourceConflict,
    ResourceNotFound,
    ValidationError,
)
from . import paging, runtimes
from .registry import Call, api

LATEST = "$LATEST"
#: AWS's alias name pattern: a qualifier that matches it names an alias, not a version.
ALIAS_NAME = re.compile(r"(?!^[0-9]+$)([a-zA-Z0-9-_]+)")
MAX_MEMORY_MB = 10240
MAX_TAGS = 50
#: "ListFunctions returns a maximum of 50 items in each response, even if you set the number higher."
LIST_FUNCTIONS_PAGE = 50
ENV_LIMIT_BYTES = 4096
RESERVED_ENV_KEYS = frozenset(
    {
        "_HANDLER",
        "_X_AMZN_TRACE_ID",
        "AWS_DEFAULT_REGION",
        "AWS_REGION",
        "AWS_EXECUTION_ENV",
        "AWS_LAMBDA_FUNCTION_NAME",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
        "AWS_LAMBDA_FUNCTION_VERSION",
        "AWS_LAMBDA_INITIALIZATION_TYPE",
        "AWS_LAMBDA_LOG_GROUP_NAME",
        "AWS_LAMBDA_LOG_STREAM_NAME",
        "AWS_ACCESS_KEY",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_LAMBDA_RUNTIME_API",
        "LAMBDA_TASK_ROOT",
        "LAMBDA_RUNTIME_DIR",
    }
)

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

#: Configuration fields UpdateFunctionConfiguration replaces when given.
UPDATABLE = (
    "Role",
    "Handler",
    "Description",
    "Timeout",
    "MemorySize",
    "VpcConfig",
    "Environment",
    "Runtime",
    "DeadLetterConfig",
    "KMSKeyArn",
    "TracingConfig",
    "Layers",
    "FileSystemConfigs",
    "ImageConfig",
    "EphemeralStorage",
    "SnapStart",
    "LoggingConfig",
)


def now_text() -> str:
    """Lambda's LastModified format: ``2024-01-01T00:00:00.000+0000`` (F-FN-005)."""
    stamp = datetime.datetime.now(datetime.timezone.utc)
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}+0000"


def new_revision() -> str:
    return str(uuid.uuid4())


@dataclass(frozen=True)
class Code:
    """A deployment package. Shared, never copied, between ``$LATEST`` and its versions."""

    sha256: str
    size: int
    zip_bytes: Optional[bytes] = None
    s3_location: Optional[tuple[str, str, Optional[str]]] = None
    image_uri: Optional[str] = None


@dataclass
class FunctionVersion:
    """One configuration of a function: ``$LATEST`` or a published (frozen) version."""

    version: str
    config: dict[str, Any]
    code: Code
    revision_id: str
    last_modified: str
    #: For a published version: the state of ``$LATEST`` it was published from.
    source_fingerprint: Optional[tuple] = None


@dataclass
class Alias:
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


def code_location(function: Function, record: FunctionVersion) -> dict:
    code = record.code
    if code.image_uri is not None:
        digest = code.sha256
        return {
            "RepositoryType": "ECR",
            "ImageUri": code.image_uri,
            "ResolvedImageUri": f"{code.image_uri.split(':')[0].split('@')[0]}@sha256:{digest}",
        }
    token = hashlib.sha256(f"{function.arn}:{record.version}:{code.sha256}".encode()).hexdigest()
    return {
        "RepositoryType": "S3",
        "Location": (
            f"https://awslambda-{function.region}-tasks.s3.{function.region}.amazonaws.com/snapshots/"
            f"{function.account_id}/{function.name}-{token[:36]}?versionId={token[36:60]}"
            f"&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=600&X-Amz-Signature={token}"
        ),
    }


# ---------------------------------------------------------------------------
# resolving FunctionName / Qualifier
# ---------------------------------------------------------------------------


def check_region(call: Call, region: str) -> None:
    """An ARN of another region than the client's is AWS's 404 (recorded for every operation)."""
    if region != call.region:
        raise ResourceNotFound(f"Functions from '{region}' are not reachable in this region ('{call.region}')")


def split_name(call: Call, value: str, qualifier: Optional[str] = None) -> tuple[Call, str, Optional[str]]:
    """(call for the addressed account, plain name, effective qualifier) of a FunctionName.

    The qualifier carried in the name must agree with the ``Qualifier`` parameter; AWS checks this
    before it looks the function up (F-VA-026).
    """
    ref = arns.parse_function_name(value)
    if ref is None:  # the wire layer validated the pattern; keep a safe answer anyway
        raise ResourceNotFound(f"Function not found: {value}")
    if ref.qualifier is not None and qualifier is not None and ref.qualifier != qualifier:
        raise InvalidParameterValue(
            "The derived qualifier from the function name does not match the specified qualifier."
        )
    if ref.region is not None:
        check_region(call, ref.region)
    if ref.account is not None and ref.account != call.account_id:
        call = Call(call.store, ref.account, call.region)
    return call, ref.name, ref.qualifier if ref.qualifier is not None else qualifier


def get_function_or_404(call: Call, name: str, qualifier: Optional[str] = None) -> Function:
    function = call.backend.functions.get(name)
    if function is None:
        raise ResourceNotFound(
            f"Function not found: {arns.function_arn(call.region, call.account_id, name, qualifier)}"
        )
    return function


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


# ---------------------------------------------------------------------------
# validation of configuration values (business rules beyond the model)
# ---------------------------------------------------------------------------


def _check_memory(req: dict) -> None:
    memory = req.get("MemorySize")
    if memory is not None and memory > MAX_MEMORY_MB:
        raise ValidationError(
            "'MemorySize' value failed to satisfy constraint: "
            f"Member must have value less than or equal to {MAX_MEMORY_MB}"
        )


def _check_environment(req: dict) -> None:
    variables = (req.get("Environment") or {}).get("Variables") or {}
    reserved = [key for key in variables if key in RESERVED_ENV_KEYS]
    if reserved:
        raise InvalidParameterValue(
            "Lambda was unable to configure your environment variables because the environment variables you "
            "have provided contains reserved keys that are currently not supported for modification. "
            f"Reserved keys used in this request: {', '.join(reserved)}"
        )
    measured = json.dumps(variables, separators=(",", ":"))
    if len(measured.encode()) > ENV_LIMIT_BYTES:
        raise InvalidParameterValue(
            "Lambda was unable to configure your environment variables because the environment variables you "
            f"have provided exceeded the 4KB limit. String measured: {measured}"
        )


def _check_tags(tags: dict) -> None:
    if len(tags) > MAX_TAGS:
        raise InvalidParameterValue("Number of tags exceeds resource tag limit.")


def _zip_code(data: bytes) -> Code:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        raise InvalidParameterValue(
            "Could not unzip uploaded file. Please check your file, then try to upload again."
        ) from None
    digest = base64.b64encode(hashlib.sha256(data).digest()).decode("ascii")
    return Code(sha256=digest, size=len(data), zip_bytes=data)


_NO_SUCH_BUCKET = (
    "Error occurred while GetObject. S3 Error Code: NoSuchBucket. S3 Error Message: The specified bucket does not exist"
)
_NO_SUCH_KEY = (
    "Error occurred while GetObject. S3 Error Code: NoSuchKey. S3 Error Message: The specified key does not exist."
)


def _moto_s3_object(account_id: str, bucket: str, key: str) -> Optional[tuple[bool, Optional[bytes]]]:
    """(bucket exists, object bytes) from moto's S3 while ``mock_aws`` is active, else None.

    Reads moto's in-memory backend directly: no request is made, so nothing can reach the network.
    """
    import sys

    if "moto" not in sys.modules:
        return None
    try:
        from moto.core.models import botocore_stubber
        from moto.s3.models import s3_backends

        if not botocore_stubber.enabled:
            return None
        found = s3_backends[account_id]["aws"].buckets.get(bucket)
        if found is None:
            return False, None
        obj = found.keys.get(key)
        return True, (bytes(obj.value) if obj is not None else None)
    except Exception:  # another moto layout: behave as if moto were not there
        return None


def _s3_code(call: Call, bucket: str, key: str, version: Optional[str]) -> Code:
    """Code from S3: bytes registered with ``m.add_s3_object``, or moto's S3 when it is active.

    A bucket neither knows is taken as a fake location (a stable digest of it, size 0), so deploy
    code that only passes S3 locations around still works; a known bucket without the key, or a
    bucket missing from moto, gets AWS's GetObject error.
    """
    objects = call.backend.s3_objects
    data = objects.get((bucket, key))
    if data is None:
        moto = _moto_s3_object(call.account_id, bucket, key)
        if moto is not None:
            bucket_exists, data = moto
            if not bucket_exists:
                raise InvalidParameterValue(_NO_SUCH_BUCKET)
            if data is None:
                raise InvalidParameterValue(_NO_SUCH_KEY)
        elif any(b == bucket for b, _ in objects):
            raise InvalidParameterValue(_NO_SUCH_KEY)
    if data is not None:
        code = _zip_code(data)
        return Code(code.sha256, code.size, data, (bucket, key, version))
    digest = base64.b64encode(hashlib.sha256(f"s3://{bucket}/{key}?{version}".encode()).digest()).decode()
    return Code(sha256=digest, size=0, s3_location=(bucket, key, version))


def _image_code(uri: str) -> Code:
    return Code(sha256=hashlib.sha256(uri.encode()).hexdigest(), size=0, image_uri=uri)


def code_from_request(call: Call, source: dict, package_type: str) -> Code:
    """The deployment package a CreateFunction ``Code`` or UpdateFunctionCode request names."""
    if package_type == "Image":
        uri = source.get("ImageUri")
        if not uri:
            raise InvalidParameterValue("Please provide ImageUri when updating a function with packageType Image.")
        return _image_code(uri)
    if source.get("ImageUri"):
        raise InvalidParameterValue("Please don't provide ImageUri when updating a function with packageType Zip.")
    if source.get("ZipFile") is not None:
        if source.get("S3Bucket") or source.get("S3Key"):
            raise InvalidParameterValue("Please do not provide other FunctionCode parameters when providing a ZipFile.")
        return _zip_code(source["ZipFile"])
    bucket, key = source.get("S3Bucket"), source.get("S3Key")
    if bucket and key:
        return _s3_code(call, bucket, key, source.get("S3ObjectVersion"))
    raise InvalidParameterValue("Please provide a source for function code.")


def _default_logging(name: str, given: Optional[dict]) -> dict:
    logging = {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"}
    if given:
        logging.update({k: v for k, v in given.items() if v is not None})
    if logging.get("LogFormat") == "JSON":
        logging.setdefault("ApplicationLogLevel", "INFO")
        logging.setdefault("SystemLogLevel", "INFO")
    return logging


def _vpc(given: Optional[dict]) -> Optional[dict]:
    if given is None:
        return None
    subnets = list(given.get("SubnetIds") or [])
    groups = list(given.get("SecurityGroupIds") or [])
    vpc: dict[str, Any] = {
        "SubnetIds": subnets,
        "SecurityGroupIds": groups,
        "Ipv6AllowedForDualStack": bool(given.get("Ipv6AllowedForDualStack", False)),
    }
    if subnets:
        vpc["VpcId"] = "vpc-" + hashlib.sha256(",".join(subnets).encode()).hexdigest()[:17]
    return vpc


def _apply_config(config: dict, req: dict, name: str, region: str) -> None:
    """Write the configuration members of a Create/UpdateFunctionConfiguration request."""
    for key in UPDATABLE:
        if key not in req:
            continue
        value = req[key]
        if key == "VpcConfig":
            config[key] = _vpc(value)
        elif key == "TracingConfig":
            config[key] = {"Mode": (value or {}).get("Mode") or "PassThrough"}
        elif key == "Layers":
            config[key] = [{"Arn": arn, "CodeSize": 0} for arn in value]
        elif key == "ImageConfig":
            config["ImageConfigResponse"] = {"ImageConfig": value}
        elif key == "SnapStart":
            config[key] = {"ApplyOn": (value or {}).get("ApplyOn", "None"), "OptimizationStatus": "Off"}
        elif key == "LoggingConfig":
            config[key] = _default_logging(name, {**config.get(key, {}), **(value or {})})
        elif key == "Environment":
            config[key] = {"Variables": dict((value or {}).get("Variables") or {})}
        elif key == "Runtime":
            config[key] = value
            config["RuntimeVersionConfig"] = {"RuntimeVersionArn": runtimes.runtime_version_arn(region, value)}
        else:
            config[key] = value
    for key in [k for k, v in config.items() if v is None]:
        del config[key]


# ---------------------------------------------------------------------------
# operations
# ---------------------------------------------------------------------------


@api("CreateFunction")
def create_function(call: Call, req: dict) -> dict:
    ref = arns.parse_function_name(req["FunctionName"])
    assert ref is not None
    if ref.account is not None and ref.account != call.account_id:
        call = Call(call.store, ref.account, call.region)
    name = ref.name
    if len(name) > 64:
        # Recorded against AWS: the model allows 140 characters, the service 64 for the name part.
        raise InvalidParameterValue(
            f"1 validation error detected: Value '{req['FunctionName']}' at 'functionName' failed to satisfy "
            "constraint: Member must have length less than or equal to 64"
        )
    package_type = req.get("PackageType") or "Zip"
    if package_type == "Zip":
        if not req.get("Runtime") or not req.get("Handler"):
            raise InvalidParameterValue(
                "Runtime and Handler are mandatory parameters for functions created with deployment packages."
            )
        runtimes.check_runtime(req["Runtime"])
    elif req.get("Handler") or req.get("Runtime") or req.get("Layers"):
        raise InvalidParameterValue(
            "Please don't provide Handler or Runtime or Layer when the intended function PackageType is Image."
        )
    _check_memory(req)
    _check_environment(req)
    tags = dict(req.get("Tags") or {})
    _check_tags(tags)
    code = code_from_request(call, req.get("Code") or {}, package_type)

    backend = call.backend
    if name in backend.functions:
        raise ResourceConflict(f"Function already exist: {name}")

    config: dict[str, Any] = {
        "Role": req["Role"],
        "Description": "",
        "Timeout": 3,
        "MemorySize": 128,
        "TracingConfig": {"Mode": "PassThrough"},
        "PackageType": package_type,
        "Architectures": list(req.get("Architectures") or ["x86_64"]),
        "EphemeralStorage": {"Size": 512},
        "SnapStart": {"ApplyOn": "None", "OptimizationStatus": "Off"},
        "LoggingConfig": _default_logging(name, None),
    }
    _apply_config(config, req, name, call.region)
    record = FunctionVersion(LATEST, config, code, new_revision(), now_text())
    function = Function(
        name=name,
        arn=arns.function_arn(call.region, call.account_id, name),
        account_id=call.account_id,
        region=call.region,
        latest=record,
        tags=tags,
    )
    backend.functions[name] = function
    return _respond_and_maybe_publish(function, req, "create")


def settle(record: FunctionVersion) -> None:
    """The change a create or update started completes: AWS gives ``$LATEST`` a new RevisionId then.

    Recorded against AWS: the RevisionId of a create or update response differs from the one
    GetFunction shows once the function is Active / the update Successful.
    """
    record.revision_id = new_revision()


def _respond_and_maybe_publish(function: Function, req: dict, transition: str) -> dict:
    """The response to a create or code update; with ``Publish`` it shows the new version.

    With ``Publish`` AWS answers with the new version's number but the unqualified ARN.
    """
    response = render(function, function.latest, transition=transition)
    settle(function.latest)
    if req.get("Publish"):
        from .versions import publish

        published = publish(function, description=None)
        response = render(function, published, transition=transition)
    return response


@api("GetFunction")
def get_function(call: Call, req: dict) -> dict:
    call, name, qualifier = split_name(call, req["FunctionName"], req.get("Qualifier"))
    function = get_function_or_404(call, name, qualifier)
    record, suffix = resolve_qualifier(function, qualifier)
    out: dict[str, Any] = {
        "Configuration": render(function, record, suffix),
        "Code": code_location(function, record),
    }
    if function.tags:
        out["Tags"] = dict(function.tags)
    if function.reserved_concurrency is not None:
        out["Concurrency"] = {"ReservedConcurrentExecutions": function.reserved_concurrency}
    return out


@api("GetFunctionConfiguration")
def get_function_configuration(call: Call, req: dict) -> dict:
    call, name, qualifier = split_name(call, req["FunctionName"], req.get("Qualifier"))
    function = get_function_or_404(call, name, qualifier)
    record, suffix = resolve_qualifier(function, qualifier)
    return render(function, record, suffix)


def list_item(function: Function, record: FunctionVersion, suffix: Optional[str]) -> dict:
    item = render(function, record, suffix)
    for key in LIST_OMITS:
        item.pop(key, None)
    return item


@api("ListFunctions")
def list_functions(call: Call, req: dict) -> dict:
    backend = call.backend
    if req.get("MasterRegion"):
        if req.get("FunctionVersion") != "ALL":
            raise InvalidParameterValue(
                f"The combination MasterArn={req['MasterRegion']} and FunctionVersion=NULL is not supported. "
                "Please see our documentation for valid combinations of ListFunctions options."
            )
        return {"Functions": []}  # only Lambda@Edge replicas are listed, and the mock has none
    entries: list[tuple[Function, FunctionVersion, Optional[str]]] = []
    for name in sorted(backend.functions):
        function = backend.functions[name]
        if req.get("FunctionVersion") == "ALL":
            entries.append((function, function.latest, LATEST))
            entries += [(function, function.versions[v], v) for v in sorted(function.versions, key=int)]
        else:
            entries.append((function, function.latest, None))
    chunk, next_marker = paging.page(
        entries,
        lambda e: (e[0].name, version_order(e[1].version)),
        req.get("Marker"),
        min(req.get("MaxItems") or LIST_FUNCTIONS_PAGE, LIST_FUNCTIONS_PAGE),
    )
    out: dict[str, Any] = {"Functions": [list_item(f, record, suffix) for f, record, suffix in chunk]}
    if next_marker is not None:
        out["NextMarker"] = next_marker
    return out


def version_order(version: str) -> int:
    """Sort key of a version: ``$LATEST`` first, then published versions by number."""
    return 0 if version == LATEST else int(version)


@api("DeleteFunction")
def delete_function(call: Call, req: dict) -> dict:
    call, name, qualifier = split_name(call, req["FunctionName"], req.get("Qualifier"))
    if qualifier is not None and ALIAS_NAME.fullmatch(qualifier):
        raise InvalidParameterValue("Deletion of aliases is not currently supported.")
    if qualifier == LATEST:
        raise InvalidParameterValue("$LATEST version cannot be deleted without deleting the function.")
    function = get_function_or_404(call, name)
    if qualifier is None:
        from .urls import forget_urls

        forget_urls(call, function)
        del call.backend.functions[name]
        return {"StatusCode": 204}
    from .versions import delete_version

    delete_version(function, qualifier)
    return {"StatusCode": 204}


@api("UpdateFunctionCode")
def update_function_code(call: Call, req: dict) -> dict:
    call, name, _ = split_name(call, req["FunctionName"])
    function = get_function_or_404(call, name)
    record = function.latest
    check_revision(req.get("RevisionId"), record.revision_id)
    code = code_from_request(call, req, record.config.get("PackageType", "Zip"))
    if req.get("DryRun"):
        preview = copy.copy(record)
        preview.code = code
        return render(function, preview)
    record.code = code
    if req.get("Architectures"):
        record.config["Architectures"] = list(req["Architectures"])
    record.revision_id = new_revision()
    record.last_modified = now_text()
    return _respond_and_maybe_publish(function, req, "update")


@api("UpdateFunctionConfiguration")
def update_function_configuration(call: Call, req: dict) -> dict:
    call, name, _ = split_name(call, req["FunctionName"])
    function = get_function_or_404(call, name)
    record = function.latest
    check_revision(req.get("RevisionId"), record.revision_id)
    if "Runtime" in req:
        runtimes.check_runtime(req["Runtime"])
    elif req.get("Handler") or req.get("Runtime") or req.get("Layers"):
        raise InvalidParameterValue(
            "Please don't provide Handler or Runtime or Layer when the intended function PackageType is Image."
        )
    _check_memory(req)
    _check_environment(req)
    config = copy.deepcopy(record.config)
    _apply_config(config, req, name, call.region)
    record.config = config
    record.revision_id = new_revision()
    record.last_modified = now_text()
    response = render(function, record, transition="update")
    settle(record)
    return response
