"""Nothing dropped: every member AWS reports back comes back as it was sent, for every operation.

The test walks :func:`mock_lambda_alias.implemented_operations` (so operations added later are
covered without editing it) and, for each input member of each operation, sends a request that
holds the operation's required members plus that one member, with values drawn by hypothesis from
the member's shape in botocore's model (enums, ranges, lengths, patterns; a few AWS business rules
need the hints below). It then reads the response and the matching ``Get`` operation (``Create*``,
``Update*``, ``Put*``, ``Publish*`` -> ``Get*``; ``TagResource`` -> ``ListTags``) and fails when
a member AWS reports back under the same name is missing or changed.

A member the mock chooses not to emulate must be refused with ``InvalidParameterValueException``
``mock_lambda_alias does not support <Member> yet``: the test accepts that refusal (and only that)
instead of a round trip. Any other answer must be a success for at least one drawn value, so a
member cannot hide behind a business-rule error either.
"""

from __future__ import annotations

import base64
import datetime
import json
import math
from typing import Any, Optional

import boto3
import botocore.session
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from botocore.model import Shape
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from mock_lambda_alias import active_mock, implemented_operations, mock_lambda_alias, package
from mock_lambda_alias.backend import runtimes

MODEL = botocore.session.get_session().get_service_model("lambda")
ACCOUNT = "123456789012"
REGION = "us-east-1"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/lambda-role"
FN = "fn"
FN_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{FN}"
SQS = f"arn:aws:sqs:{REGION}:{ACCOUNT}:jobs"
KINESIS = f"arn:aws:kinesis:{REGION}:{ACCOUNT}:stream/clicks"
KMS = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"


ZIP = package({"index.py": "def handler(event, context):\n    return event\n"})
#: A durable handler that suspends at once (the durable operations' world, no SDK needed).
SUSPENDS = package({"index.py": "def handler(event, context):\n    return {'Status': 'PENDING'}\n"})
IMAGE = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/app:latest"
LAYER_PREFIX = f"arn:aws:lambda:{REGION}:{ACCOUNT}:layer:"
#: Version 1 of each layer the world publishes for requests that name layers.
LAYER_ARNS = [f"{LAYER_PREFIX}{name}:1" for name in ("shared", "extra", "tools")]
CAPACITY_PROVIDER = "cp"
CAPACITY_PROVIDER_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:capacity-provider:{CAPACITY_PROVIDER}"
RUNTIME_VERSION = f"arn:aws:lambda:{REGION}::runtime:{'0123456789abcdef' * 4}"
UNSUPPORTED_PREFIX = "mock_lambda_alias does not support "

# ---------------------------------------------------------------------------
# values: hypothesis strategies from the shapes, with hints where AWS checks more than the model
# ---------------------------------------------------------------------------

WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=12)


def _env_name(name: str) -> bool:
    from mock_lambda_alias.backend.function_config import RESERVED_ENV_KEYS

    return name not in RESERVED_ENV_KEYS


#: Values for string shapes whose pattern alone does not make a usable value (ARNs of resources
#: that must look real, names AWS reserves, references to what exists).
SHAPE_HINTS: dict[str, st.SearchStrategy] = {
    "Action": st.just("lambda:InvokeFunction"),
    "Arn": st.builds(lambda w: f"arn:aws:s3:::bucket-{w}", WORD),
    "CapacityProviderArn": st.just(CAPACITY_PROVIDER_ARN),
    "DestinationArn": st.sampled_from([f"arn:aws:sqs:{REGION}:{ACCOUNT}:dlq", f"arn:aws:sns:{REGION}:{ACCOUNT}:t"]),
    "Endpoint": st.just("broker.example.com:9092"),
    "EnvironmentVariableName": st.from_regex(r"[A-Z][A-Z0-9_]{1,10}", fullmatch=True).filter(_env_name),
    "EnvironmentVariableValue": WORD,
    "FileSystemArn": st.just(f"arn:aws:elasticfilesystem:{REGION}:{ACCOUNT}:access-point/fsap-0123456789abcdef0"),
    "FunctionRuntimeArn": st.just(f"arn:aws:lambda:{REGION}:{ACCOUNT}:runtime/custom-runtime-0123456789abc"),
    "Handler": st.just("index.handler"),
    "KMSKeyArn": st.just(KMS),
    "LayerVersionArn": st.builds(lambda n: f"arn:aws:lambda:{REGION}:{ACCOUNT}:layer:shared:{n}", st.integers(1, 9)),
    "LocalMountPath": st.just("/mnt/data"),
    "LogGroup": st.builds(lambda w: f"/custom/{w}", WORD),
    "Method": st.sampled_from(["GET", "POST", "*"]),
    "Origin": st.sampled_from(["https://example.com", "*"]),
    "Principal": st.sampled_from(["s3.amazonaws.com", ACCOUNT, "*"]),
    "PrincipalOrgID": st.just("o-abcdefghij"),
    "ResourceArn": st.just(f"arn:aws:sqs:{REGION}:{ACCOUNT}:dlq"),
    "RoleArn": st.just(ROLE),
    "RuntimeVersionArn": st.just(RUNTIME_VERSION),
    "Runtime": st.sampled_from(runtimes.SUPPORTED),
    "SecurityGroupId": st.builds(lambda w: f"sg-{w}", WORD),
    "SourceOwner": st.just(ACCOUNT),
    "SubnetId": st.builds(lambda w: f"subnet-{w}", WORD),
    "TagKey": st.from_regex(r"[A-Za-z][A-Za-z0-9_.:/=+\-@]{0,20}", fullmatch=True).filter(
        lambda k: not k.lower().startswith("aws")
    ),
    "TagValue": WORD,
    "TenantId": WORD,
    "Topic": st.builds(lambda w: f"topic-{w}", WORD),
    "URI": WORD,
}

#: Values for members whose shape is too general (``String``, ``Blob``) or which must name what exists.
MEMBER_HINTS: dict[str, st.SearchStrategy] = {
    "ZipFile": st.just(ZIP),
    "Payload": st.builds(lambda d: json.dumps(d).encode(), st.dictionaries(WORD, WORD, max_size=3)),
    "ClientContext": st.builds(lambda d: base64.b64encode(json.dumps({"custom": d}).encode()).decode(), WORD),
    "ImageUri": st.just(f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/app:latest"),
    "EventSourceArn": st.just(SQS),
    "SourceArn": st.just("arn:aws:s3:::uploads"),
    "StatementId": st.from_regex(r"[a-zA-Z0-9_-]{1,20}", fullmatch=True),
    "EventSourceToken": WORD,
    # Versions of different layers (a function may not name two versions of one layer).
    "Layers": st.lists(st.sampled_from(LAYER_ARNS), min_size=1, max_size=3, unique=True),
    "InvokeArgs": st.builds(lambda d: json.dumps(d).encode(), st.dictionaries(WORD, WORD, max_size=3)),
    # Checkpointed updates the SDK could send: steps that start (other actions need an operation).
    "Updates": st.lists(
        st.builds(lambda n: {"Id": f"step-{n}", "Type": "STEP", "Action": "START", "Name": n}, WORD),
        max_size=3,
        unique_by=lambda update: update["Id"],
    ),
    # A whole policy document (PutResourcePolicy), compact as AWS answers it.
    "Policy": st.builds(
        lambda sid, principal: json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": sid,
                        "Effect": "Allow",
                        "Principal": {"Service": principal},
                        "Action": "lambda:InvokeFunction",
                        "Resource": FN_ARN,
                    }
                ],
            },
            separators=(",", ":"),
        ),
        WORD,
        st.sampled_from(["s3.amazonaws.com", "sns.amazonaws.com"]),
    ),
}

#: Members this test never sends: what they mean cannot be round-tripped (they are covered by the
#: behaviour tests of their feature).
NOT_SENT = {
    "RevisionId": "a precondition on the current revision, which AWS replaces on every change",
    "Marker": "an opaque paging token the previous page hands out",
}


def _string(shape: Shape) -> st.SearchStrategy:
    meta = shape.metadata
    if shape.name in SHAPE_HINTS:
        return SHAPE_HINTS[shape.name]
    if shape.enum:
        return st.sampled_from(shape.enum)
    low, high = meta.get("min", 1), min(meta.get("max", 40), 40)
    pattern = meta.get("pattern")
    if pattern and pattern not in (".*", "[\\s\\S]*"):
        # Printable ASCII without spaces; filtered rather than passed as ``alphabet``, which newer
        # hypothesis refuses for patterns that name a character outside it (``[^ /]``).
        return st.from_regex(pattern, fullmatch=True).filter(
            lambda s: low <= len(s) <= max(high, low) and all(33 <= ord(c) <= 126 for c in s)
        )
    return st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=max(low, 1), max_size=max(high, low, 1))


def strategy(shape: Shape, member: Optional[str] = None, depth: int = 0) -> st.SearchStrategy:
    """Valid values of a shape: required members always, optional ones sometimes."""
    if member in MEMBER_HINTS:
        return MEMBER_HINTS[member]
    kind, meta = shape.type_name, shape.metadata
    if kind == "structure":
        required = {
            name: strategy(sub, name, depth + 1)
            for name, sub in shape.members.items()
            if name in shape.required_members
        }
        optional = {
            name: strategy(sub, name, depth + 1)
            for name, sub in shape.members.items()
            if name not in shape.required_members and name not in NOT_SENT
        }
        return st.fixed_dictionaries(required, optional=optional)
    if kind == "list":
        return st.lists(
            strategy(shape.member, None, depth + 1),
            min_size=max(1, meta.get("min", 0)),
            max_size=max(1, min(meta.get("max", 3), 3)),
        )
    if kind == "map":
        return st.dictionaries(
            strategy(shape.key, None, depth + 1), strategy(shape.value, None, depth + 1), min_size=1, max_size=3
        )
    if kind == "string":
        return _string(shape)
    if kind in ("integer", "long"):
        return st.integers(int(meta.get("min", 0)), int(meta.get("max", 1000)))
    if kind in ("double", "float"):
        return st.floats(float(meta.get("min", 0.0)), float(meta.get("max", 1000.0)), exclude_max=True)
    if kind == "boolean":
        return st.booleans()
    if kind == "timestamp":
        return st.datetimes(
            datetime.datetime(2024, 1, 1), datetime.datetime(2026, 1, 1), timezones=st.just(datetime.timezone.utc)
        )
    if kind == "blob":
        return st.binary(min_size=1, max_size=16)
    raise AssertionError(f"no strategy for {shape.name} ({kind})")


# ---------------------------------------------------------------------------
# the world each request lands in, and where each operation points
# ---------------------------------------------------------------------------


def build_world(client: Any, operation: str, member: str) -> dict[str, Any]:
    """A function with versions 1 and 2 and aliases live -> 1, beta -> 2, plus what ``operation`` acts on."""
    base = {"Role": ROLE, "Runtime": "python3.12", "Handler": "index.handler", "Code": {"ZipFile": ZIP}}
    sha = client.create_function(FunctionName=FN, **base)["CodeSha256"]
    client.publish_version(FunctionName=FN)
    client.update_function_configuration(FunctionName=FN, Description="second")
    client.publish_version(FunctionName=FN)
    client.create_alias(FunctionName=FN, Name="live", FunctionVersion="1")
    client.create_alias(FunctionName=FN, Name="beta", FunctionVersion="2")
    world: dict[str, Any] = {"sha": sha, "uuid": "00000000-0000-0000-0000-000000000000", "csc": ""}
    if "Layer" in operation or member == "Layers":
        for arn in LAYER_ARNS:
            client.publish_layer_version(LayerName=arn.split(":")[-2], Content={"ZipFile": ZIP})
    if operation in ("GetLayerVersionPolicy", "RemoveLayerVersionPermission"):
        client.add_layer_version_permission(
            LayerName="shared", VersionNumber=1, StatementId="existing", Action="lambda:GetLayerVersion", Principal="*"
        )
    if "CodeSigningConfig" in operation or member == "CodeSigningConfigArn":
        world["csc"] = client.create_code_signing_config(
            AllowedPublishers={
                "SigningProfileVersionArns": [f"arn:aws:signer:{REGION}:{ACCOUNT}:/signing-profiles/p/0123456789"]
            }
        )["CodeSigningConfig"]["CodeSigningConfigArn"]
    needs_provider = "CapacityProvider" in operation or "ScalingConfig" in operation
    if (needs_provider or member == "CapacityProviderConfig") and operation != "CreateCapacityProvider":
        client.create_capacity_provider(
            CapacityProviderName=CAPACITY_PROVIDER,
            VpcConfig={"SubnetIds": ["subnet-0abc"], "SecurityGroupIds": ["sg-0abc"]},
            PermissionsConfig={"CapacityProviderOperatorRoleArn": f"arn:aws:iam::{ACCOUNT}:role/operator"},
        )
    if "FunctionScalingConfig" in operation:  # scaling exists for published versions on a capacity provider
        managed = {"LambdaManagedInstancesCapacityProviderConfig": {"CapacityProviderArn": CAPACITY_PROVIDER_ARN}}
        client.create_function(FunctionName="managed-fn", CapacityProviderConfig=managed, **base)
        client.publish_version(FunctionName="managed-fn")
    if member == "TenantId":
        client.create_function(FunctionName="tenant-fn", TenancyConfig={"TenantIsolationMode": "PER_TENANT"}, **base)
    if operation in ("PublishVersion", "DeleteFunction"):
        client.update_function_configuration(FunctionName=FN, Description="third")  # something to publish
    if operation == "DeleteFunction":
        client.publish_version(FunctionName=FN)  # version 3, which no alias references
    if member == "ImageUri" and operation == "UpdateFunctionCode":
        client.create_function(FunctionName="image-fn", Role=ROLE, PackageType="Image", Code={"ImageUri": IMAGE})
    if member == "DurableConfig":
        client.create_function(FunctionName="durable-fn", DurableConfig={"ExecutionTimeout": 60}, **base)
    if operation in ("GetPolicy", "RemovePermission", "GetResourcePolicy", "DeleteResourcePolicy"):
        for qualifier in ({}, {"Qualifier": "live"}):
            client.add_permission(
                FunctionName=FN,
                StatementId="existing",
                Action="lambda:InvokeFunction",
                Principal="s3.amazonaws.com",
                **qualifier,
            )
    if "EventInvokeConfig" in operation and not operation.startswith("Put"):
        client.put_function_event_invoke_config(FunctionName=FN, Qualifier="live", MaximumRetryAttempts=1)
    if "ProvisionedConcurrency" in operation and not operation.startswith("Put"):
        client.put_provisioned_concurrency_config(FunctionName=FN, Qualifier="live", ProvisionedConcurrentExecutions=1)
    if "FunctionUrlConfig" in operation and not operation.startswith("Create"):
        client.create_function_url_config(FunctionName=FN, Qualifier="live", AuthType="NONE")
    if "EventSourceMapping" in operation and not operation.startswith("Create"):
        world["uuid"] = client.create_event_source_mapping(EventSourceArn=SQS, FunctionName=FN)["UUID"]
    if operation in ("GetFunctionConcurrency", "DeleteFunctionConcurrency"):
        client.put_function_concurrency(FunctionName=FN, ReservedConcurrentExecutions=5)
    if "DurableExecution" in operation:
        world.update(durable_world(client, base))
    # Only a finished execution can be deleted, and only a paused one resumed.
    if operation == "DeleteDurableExecution":
        client.stop_durable_execution(DurableExecutionArn=world["durable"])
    if operation == "ResumeDurableExecution":
        client.pause_durable_execution(DurableExecutionArn=world["durable"])
    return world


def durable_world(client: Any, base: dict) -> dict[str, str]:
    """A suspended durable execution of ``durable-fn`` with a callback waiting, and its current token."""
    client.create_function(
        FunctionName="durable-fn", DurableConfig={"ExecutionTimeout": 600}, **{**base, "Code": {"ZipFile": SUSPENDS}}
    )
    client.publish_version(FunctionName="durable-fn")
    # A PENDING that waits for nothing is retried (SDK issue 670): the world checkpoints its callback
    # before the retry is due, so only the first invocation runs.
    active_mock().set_delivery("manual")
    arn = client.invoke(FunctionName="durable-fn:1", InvocationType="Event")["DurableExecutionArn"]
    active_mock().run_durable(arn, until="suspended")
    (record,) = active_mock().invocations("durable-fn")
    token = json.loads(record.payload)["CheckpointToken"]
    update = {"Id": "approval", "Type": "CALLBACK", "Action": "START", "Name": "approval"}
    answer = client.checkpoint_durable_execution(DurableExecutionArn=arn, CheckpointToken=token, Updates=[update])
    (callback,) = answer["NewExecutionState"]["Operations"]
    return {"durable": arn, "token": answer["CheckpointToken"], "callback": callback["CallbackDetails"]["CallbackId"]}


#: Members that name what the request acts on, per operation (anything else is drawn). ``None``
#: leaves the member out.
DEFAULT_ANCHORS: dict[str, Any] = {
    "FunctionName": FN,
    "Qualifier": "live",
    "Name": "live",
    "FunctionVersion": "1",
    "Resource": FN_ARN,
    "UUID": lambda world: world["uuid"],
    "CodeSha256": lambda world: world["sha"],
    "StatementId": "existing",
    "LayerName": "shared",
    "VersionNumber": 1,
    "Arn": LAYER_ARNS[0],
    "CapacityProviderName": CAPACITY_PROVIDER,
    "CodeSigningConfigArn": lambda world: world["csc"],
    "ResourceArn": FN_ARN,
    "DurableExecutionArn": lambda world: world["durable"],
    "CheckpointToken": lambda world: world["token"],
    "CallbackId": lambda world: world["callback"],
}
ANCHORS: dict[str, dict[str, Any]] = {
    "CreateFunction": {
        "FunctionName": "new-fn",
        "Role": ROLE,
        "Code": {"ZipFile": ZIP},
        "Runtime": "python3.12",
        "Handler": "index.handler",
    },
    "CreateAlias": {"Name": "new-alias", "FunctionVersion": "1"},
    "UpdateAlias": {"FunctionVersion": "1"},
    "DeleteFunction": {"Qualifier": "3"},
    "PutFunctionEventInvokeConfig": {"MaximumRetryAttempts": 1},
    "UpdateFunctionEventInvokeConfig": {"MaximumRetryAttempts": 1},
    "CreateFunctionUrlConfig": {"Qualifier": "beta"},
    "GetPolicy": {"Qualifier": None},
    "RemovePermission": {"Qualifier": None},
    "AddPermission": {
        "Qualifier": None,
        "StatementId": "new-sid",
        "Action": "lambda:InvokeFunction",
        "Principal": "s3.amazonaws.com",
    },
    "ListAliases": {"FunctionVersion": "1"},
    "ListFunctions": {"FunctionVersion": None},
    "UpdateFunctionCode": {"ZipFile": ZIP},
    "CreateEventSourceMapping": {"EventSourceArn": SQS},
    "Invoke": {"Qualifier": "live"},
    "InvokeWithResponseStream": {"Qualifier": "live"},
    "AddLayerVersionPermission": {"StatementId": "new-sid", "Action": "lambda:GetLayerVersion"},
    "PublishLayerVersion": {"Content": {"ZipFile": ZIP}},
    # Runtime management and scaling address versions, never aliases.
    "GetRuntimeManagementConfig": {"Qualifier": "1"},
    "PutRuntimeManagementConfig": {"Qualifier": "1"},
    "GetFunctionScalingConfig": {"FunctionName": "managed-fn", "Qualifier": "1"},
    "PutFunctionScalingConfig": {"FunctionName": "managed-fn", "Qualifier": "1"},
    "ListDurableExecutionsByFunction": {"FunctionName": "durable-fn", "Qualifier": None},
}


#: Event source mapping members that belong to stream sources (Kinesis, DynamoDB, Kafka).
STREAM_ONLY = {
    "StartingPosition",
    "StartingPositionTimestamp",
    "ParallelizationFactor",
    "BisectBatchOnFunctionError",
    "MaximumRecordAgeInSeconds",
    "MaximumRetryAttempts",
    "TumblingWindowInSeconds",
    "DestinationConfig",
}


def fixup(operation: str, member: str, req: dict) -> None:
    """Companions a drawn member needs to be valid, as AWS's business rules require."""
    if operation == "CreateFunction" and req.get("PackageType") == "Image":
        req["Code"] = {"ImageUri": f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/app:latest"}
        for key in ("Runtime", "Handler", "Layers"):
            req.pop(key, None)
    if operation == "CreateFunction" and member == "Code":
        req["Code"].pop("ImageUri", None)
        if "S3Bucket" in req["Code"] or "S3Key" in req["Code"]:
            req["Code"].pop("ZipFile", None)
            req["Code"].update(S3Bucket="code-bucket", S3Key="fn.zip")
        else:
            req["Code"]["ZipFile"] = ZIP
    if operation == "CreateFunction" and (req.get("SnapStart") or {}).get("ApplyOn") == "PublishedVersions":
        req["Runtime"] = "python3.12"
    if operation == "ListFunctions" and member == "MasterRegion":
        req["FunctionVersion"] = "ALL"
    if operation in ("Invoke", "InvokeWithResponseStream") and member == "TenantId":
        req["FunctionName"] = "tenant-fn"
        req.pop("Qualifier", None)
    if operation == "UpdateFunctionConfiguration" and member == "DurableConfig":
        req["FunctionName"] = "durable-fn"
    if operation in ("CreateAlias", "UpdateAlias") and member == "RoutingConfig":
        weights = req["RoutingConfig"].get("AdditionalVersionWeights")
        if weights:
            req["RoutingConfig"]["AdditionalVersionWeights"] = {"2": next(iter(weights.values()))}
    if operation == "UpdateFunctionCode" and member in ("S3Bucket", "S3Key", "S3ObjectVersion"):
        req.pop("ZipFile", None)
        req.update(S3Bucket="code-bucket", S3Key="fn.zip")
    if operation == "CreateEventSourceMapping":
        if member in STREAM_ONLY:
            req["EventSourceArn"] = KINESIS
            req.setdefault("StartingPosition", "AT_TIMESTAMP" if member == "StartingPositionTimestamp" else "LATEST")
            if req["StartingPosition"] == "AT_TIMESTAMP":
                req.setdefault("StartingPositionTimestamp", datetime.datetime(2025, 1, 1, tzinfo=datetime.timezone.utc))
        elif (req.get("BatchSize") or 0) > 10:
            req["MaximumBatchingWindowInSeconds"] = 1
    if operation == "PublishLayerVersion" and member == "Content":
        if "S3Bucket" in req["Content"] or "S3Key" in req["Content"]:
            req["Content"].pop("ZipFile", None)
            req["Content"].update(S3Bucket="code-bucket", S3Key="fn.zip")
        else:
            req["Content"]["ZipFile"] = ZIP
    if operation == "AddLayerVersionPermission" and "OrganizationId" in req:
        req["Principal"] = "*"  # AWS grants an organization only with the principal "*"
    if operation == "PutRuntimeManagementConfig" and member == "RuntimeVersionArn":
        req["UpdateRuntimeOn"] = "Manual"  # the ARN is reported in Manual mode only ("otherwise null")
    if operation == "PutFunctionScalingConfig" and member == "FunctionScalingConfig":
        low = req["FunctionScalingConfig"].get("MinExecutionEnvironments")
        high = req["FunctionScalingConfig"].get("MaxExecutionEnvironments")
        if low is not None and high is not None and low > high:
            req["FunctionScalingConfig"].update(MinExecutionEnvironments=high, MaxExecutionEnvironments=low)
    if operation == "UpdateFunctionCode" and member == "ImageUri":
        req["FunctionName"] = "image-fn"
        req.pop("ZipFile", None)


# ---------------------------------------------------------------------------
# reported back: the response and the matching Get
# ---------------------------------------------------------------------------

#: Input members AWS reports under another name.
RENAMED = {
    "ImageConfig": ("ImageConfigResponse", "ImageConfig"),
    "ProvisionedConcurrentExecutions": ("RequestedProvisionedConcurrentExecutions", None),
    "FunctionScalingConfig": ("RequestedFunctionScalingConfig", None),
}
#: Input members that are reported, but not as given: the name is normalized (an ARN or a
#: partial ARN becomes the plain name, or the ARN of a mapping's function).
NOT_ECHOED = {"FunctionName", "Qualifier", "CheckpointToken"}  # a checkpoint answers the next token

#: Members a create sets that another read reports (the function's code signing configuration is
#: not part of its configuration, GetFunctionCodeSigningConfig reports it).
ALSO_REPORTED_BY = {("CreateFunction", "CodeSigningConfigArn"): "GetFunctionCodeSigningConfig"}

VERBS = ("Create", "Update", "Put", "Publish", "Add")
GET_FOR = {
    "CreateFunction": "GetFunction",
    "UpdateFunctionCode": "GetFunction",
    "UpdateFunctionConfiguration": "GetFunction",
    "PublishVersion": "GetFunction",
    "TagResource": "ListTags",
}


def matching_get(operation: str) -> Optional[str]:
    if operation in GET_FOR:
        return GET_FOR[operation]
    for verb in VERBS:
        if operation.startswith(verb):
            candidate = "Get" + operation[len(verb) :]
            if candidate in implemented_operations():
                return candidate
    return None


def _snake(name: str) -> str:
    return botocore.xform_name(name)


def views(client: Any, operation: str, req: dict, response: dict) -> list[tuple[str, dict, Shape]]:
    """(label, body, shape) of everything that reports the request's members back."""
    out_shape = MODEL.operation_model(operation).output_shape
    found = [(operation, response, out_shape)] if out_shape is not None else []
    get = matching_get(operation)
    if get is None or req.get("DryRun") or req.get("InvocationType") == "DryRun":
        return found
    get_model = MODEL.operation_model(get)
    # What names the resource: the request, the response, or a structure the response wraps it in
    # (CreateCodeSigningConfig answers ``{"CodeSigningConfig": {"CodeSigningConfigArn": ...}}``).
    known = {k: v for body in response.values() if isinstance(body, dict) for k, v in body.items()}
    known.update(response)
    if get == "GetLayerVersion":
        known["VersionNumber"] = response["Version"]
    args = {k: v for k, v in {**known, **req}.items() if k in get_model.input_shape.members}
    if "Qualifier" in get_model.input_shape.members and "Qualifier" not in req:
        version = response.get("Version")
        if version and version != "$LATEST":
            args["Qualifier"] = version
        else:
            args.pop("Qualifier", None)
    if get == "GetFunction" and isinstance(args.get("FunctionName"), str) and ":" in args["FunctionName"]:
        args["FunctionName"] = (
            args["FunctionName"].split(":")[-1] if args["FunctionName"].startswith("arn:") else args["FunctionName"]
        )
    fetched = getattr(client, _snake(get))(**args)
    fetched.pop("ResponseMetadata", None)
    found.append((get, fetched, get_model.output_shape))
    for name, shape in get_model.output_shape.members.items():  # e.g. GetFunction's Configuration and Code
        if shape.type_name == "structure" and isinstance(fetched.get(name), dict):
            found.append((f"{get}.{name}", fetched[name], shape))
    for (op, member), other in ALSO_REPORTED_BY.items():
        if op == operation and member in req:
            other_model = MODEL.operation_model(other)
            other_args = {k: v for k, v in req.items() if k in other_model.input_shape.members}
            body = getattr(client, _snake(other))(**other_args)
            body.pop("ResponseMetadata", None)
            found.append((other, body, other_model.output_shape))
    arn = response.get("EventSourceMappingArn") or known.get("CodeSigningConfigArn") or known.get("CapacityProviderArn")
    if "Tags" in req and arn:
        tags = client.list_tags(Resource=arn)
        found.append((f"ListTags({arn})", {"Tags": tags["Tags"]}, MODEL.operation_model("ListTags").output_shape))
    return found


def _equal(sent: Any, got: Any, sent_shape: Shape, got_shape: Shape, path: str) -> list[str]:
    if isinstance(sent, dict) and not sent:
        return []  # an empty structure or map says nothing that could be reported back
    if got is None:
        return [f"{path} is missing"]
    if sent_shape.type_name == "structure" and got_shape.type_name == "structure":
        problems = []
        for key, value in sent.items():
            if key in got_shape.members:
                problems += _equal(
                    value, got.get(key), sent_shape.members[key], got_shape.members[key], f"{path}.{key}"
                )
        return problems
    if sent_shape.type_name == "list" and got_shape.type_name == "list":
        items = got
        if got_shape.member.type_name == "structure" and sent_shape.member.type_name != "structure":
            if "Arn" not in got_shape.member.members:
                return [f"{path}: cannot compare {sent_shape.member.name} with {got_shape.member.name}"]
            items = [item.get("Arn") for item in got]
        if sent_shape.member.type_name == "structure":
            if len(sent) != len(items):
                return [f"{path}: sent {len(sent)} items, got {len(items)}"]
            problems = []
            for i, (a, b) in enumerate(zip(sent, items)):
                problems += _equal(a, b, sent_shape.member, got_shape.member, f"{path}[{i}]")
            return problems
        return [] if sorted(map(repr, sent)) == sorted(map(repr, items)) else [f"{path}: sent {sent!r}, got {items!r}"]
    if sent_shape.type_name == "map" and got_shape.type_name == "map":
        problems = []
        for key, value in sent.items():
            problems += _equal(value, got.get(key), sent_shape.value, got_shape.value, f"{path}[{key!r}]")
        return problems
    if isinstance(sent, float) or isinstance(got, float):
        return [] if math.isclose(float(sent), float(got), rel_tol=1e-9) else [f"{path}: sent {sent!r}, got {got!r}"]
    if isinstance(sent, datetime.datetime) and isinstance(got, datetime.datetime):
        return [] if abs((sent - got).total_seconds()) < 1 else [f"{path}: sent {sent!r}, got {got!r}"]
    if got_shape.type_name == "blob" or sent_shape.type_name != got_shape.type_name:
        return []  # a blob or a differently typed member of the same name: nothing echoed
    return [] if sent == got else [f"{path}: sent {sent!r}, got {got!r}"]


def dropped(member: str, value: Any, sent_shape: Shape, reports: list[tuple[str, dict, Shape]]) -> list[str]:
    """Where a member AWS reports back is missing or changed."""
    outer, inner = RENAMED.get(member, (member, None))
    problems: list[str] = []
    if member == "Enabled":  # reported as the mapping's State once the change completes
        states = [body.get("State") for label, body, _ in reports if label.startswith("Get")]
        wanted = "Enabled" if value else "Disabled"
        problems += [f"State is {state}, not {wanted}" for state in states if state != wanted]
    for label, body, shape in reports:
        if shape.type_name != "structure" or outer not in shape.members:
            continue
        got, got_shape = body.get(outer), shape.members[outer]
        if inner is not None:
            got, got_shape = (got or {}).get(inner), got_shape.members[inner]
        problems += _equal(value, got, sent_shape, got_shape, f"{label}.{outer}" + (f".{inner}" if inner else ""))
    return problems


# ---------------------------------------------------------------------------
# the test
# ---------------------------------------------------------------------------


def member_names(shape: Shape, name: str) -> set[str]:
    """A member's name and the names of every member nested in it (what a refusal may name)."""
    names = {name}
    if shape.type_name == "structure":
        for sub_name, sub in shape.members.items():
            names |= member_names(sub, sub_name)
    elif shape.type_name == "list":
        names |= member_names(shape.member, name)
    return names


def cases() -> list[tuple[str, str]]:
    found = []
    # Operations the installed botocore does not model cannot be called (an older botocore).
    for operation in [op for op in implemented_operations() if op in MODEL.operation_names]:
        input_shape = MODEL.operation_model(operation).input_shape
        members = [] if input_shape is None else list(input_shape.members)
        found += [(operation, m) for m in members if m not in NOT_SENT] or [(operation, "")]
    return found


def _client() -> Any:
    """Made before the mock starts (once per case), so it carries its own credentials: a client
    that finds none when it is made cannot sign, mock or not."""
    return boto3.client(
        "lambda",
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"total_max_attempts": 1}),
    )


#: Members that name what a request acts on: always taken from the anchors, never drawn.
IDENTITY = {
    "FunctionName",
    "Qualifier",
    "Name",
    "UUID",
    "Resource",
    "CodeSha256",
    "FunctionVersion",
    "StatementId",
    "EventSourceArn",
    "LayerName",
    "VersionNumber",
    "Arn",
    "CapacityProviderName",
    "CodeSigningConfigArn",
    "ResourceArn",
    "DurableExecutionArn",
    "CheckpointToken",
    "CallbackId",
}
#: The value of an identity member an operation normally leaves out, when it is the member tested.
AS_MEMBER = {("ListFunctions", "FunctionVersion"): "ALL"}


def build_request(operation: str, member: str, world: dict, data: Any) -> dict:
    input_shape = MODEL.operation_model(operation).input_shape
    op_anchors = ANCHORS.get(operation, {})
    req: dict[str, Any] = {}
    for name in [] if input_shape is None else list(input_shape.members):
        required = name in input_shape.required_members
        if name == member and (name not in IDENTITY or name not in {**DEFAULT_ANCHORS, **op_anchors}):
            value: Any = data.draw(strategy(input_shape.members[name], name), label=name)
        elif name in op_anchors:
            value = op_anchors[name]
            if value is None:
                if name != member:
                    continue
                value = AS_MEMBER.get((operation, name), DEFAULT_ANCHORS.get(name))
        elif name in DEFAULT_ANCHORS and (required or name in ("Qualifier", member)):
            value = DEFAULT_ANCHORS[name]
        elif required:
            value = data.draw(strategy(input_shape.members[name], name), label=name)
        else:
            continue
        req[name] = value(world) if callable(value) else value
    fixup(operation, member, req)
    return req


@pytest.mark.parametrize(
    ("operation", "member"),
    [
        pytest.param(
            o,
            m,
            id=f"{o}.{m}",
        )
        for o, m in cases()
    ],
)
def test_every_member_aws_reports_back_survives_the_round_trip(operation: str, member: str) -> None:
    outcomes: dict[str, list[str]] = {"ok": [], "refused": [], "rejected": []}

    client = _client()

    @settings(
        max_examples=3,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
        phases=(Phase.explicit, Phase.generate),  # a failing draw is reported as drawn: shrinking costs minutes
    )
    @given(data=st.data())
    def run(data: Any) -> None:
        with mock_lambda_alias() as mock:
            mock.add_s3_object("code-bucket", "fn.zip", ZIP)
            world = build_world(client, operation, member)
            req = build_request(operation, member, world, data)
            try:
                response = getattr(client, _snake(operation))(**req)
            except ClientError as exc:
                message = exc.response["Error"]["Message"]
                if exc.response["Error"]["Code"] == "InvalidParameterValueException" and message.startswith(
                    UNSUPPORTED_PREFIX
                ):
                    named = message[len(UNSUPPORTED_PREFIX) :].split(" yet")[0]
                    shape = MODEL.operation_model(operation).input_shape.members[member]
                    assert named in member_names(shape, member), (
                        f"{operation} refused another member than the one sent alone ({member}): {message}"
                    )
                    outcomes["refused"].append(message)
                else:
                    outcomes["rejected"].append(f"{req!r}: {exc.response['Error']}")
                return
            assert not mock.internal_errors, mock.internal_errors
            response.pop("ResponseMetadata", None)
            if not member or member in NOT_ECHOED:
                outcomes["ok"].append("")
                return
            reports = views(client, operation, req, response)
            problems = dropped(
                member, req[member], MODEL.operation_model(operation).input_shape.members[member], reports
            )
            assert not problems, f"{operation} dropped or changed {member} (sent {req[member]!r}): {problems}"
            outcomes["ok"].append("")

    run()
    assert outcomes["ok"] or outcomes["refused"], (
        f"{operation} with {member} never succeeded and was never refused by name; answers: {outcomes['rejected']}"
    )


def test_the_round_trip_covers_every_implemented_operation() -> None:
    modeled = {op for op in implemented_operations() if op in MODEL.operation_names}
    assert {operation for operation, _ in cases()} == modeled


def test_members_the_mock_refuses_name_themselves(lam: Any) -> None:
    """A refusal names the member, so a user knows what the mock cannot vouch for."""
    lam.create_function(
        FunctionName="f", Role=ROLE, Runtime="python3.12", Handler="index.handler", Code={"ZipFile": ZIP}
    )
    with pytest.raises(ClientError) as exc:
        lam.publish_version(FunctionName="f", PublishTo="LATEST_PUBLISHED")
    assert exc.value.response["Error"]["Message"].startswith(f"{UNSUPPORTED_PREFIX}PublishTo yet")
