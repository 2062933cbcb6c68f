"""Lambda layers through boto3: layer versions, their policies, layers on functions, imports from layers.

Facts F-LY-* are from ../shared/aws-lambda-facts.md; "snapshot <key>" names a recording in
LocalStack's AWS-validated tests/aws/services/lambda_/test_lambda_api.snapshot.json (TestLambdaLayer).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from typing import Any

import pytest
from botocore.exceptions import ClientError
from conftest import ACCOUNT, REGION, ZIP, create, error_of, make_zip
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mock_lambda_alias
from mock_lambda_alias import layer_package, package

LAYER_ARN_PREFIX = f"arn:aws:lambda:{REGION}:{ACCOUNT}:layer:"
OTHER = "210987654321"
NOT_FOUND = "The resource you requested does not exist."


def publish(lam: Any, name: str = "my-layer", content: bytes = ZIP, **kwargs: Any) -> dict:
    return lam.publish_layer_version(LayerName=name, Content={"ZipFile": content}, **kwargs)


def body(response: dict) -> dict:
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}


# ---------------------------------------------------------------------------
# PublishLayerVersion
# ---------------------------------------------------------------------------


def test_publish_answers_201_with_exactly_aws_keys(lam):
    """F-LY-001."""
    response = publish(lam, CompatibleRuntimes=["python3.12"], CompatibleArchitectures=["x86_64"])
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert set(body(response)) == {
        "CompatibleArchitectures",
        "CompatibleRuntimes",
        "Content",
        "CreatedDate",
        "Description",
        "LayerArn",
        "LayerVersionArn",
        "Version",
    }
    assert response["Version"] == 1
    assert response["LayerArn"] == LAYER_ARN_PREFIX + "my-layer"
    assert response["LayerVersionArn"] == LAYER_ARN_PREFIX + "my-layer:1"
    assert response["Description"] == ""
    assert (response["CompatibleRuntimes"], response["CompatibleArchitectures"]) == (["python3.12"], ["x86_64"])
    assert set(response["Content"]) == {"CodeSha256", "CodeSize", "Location"}
    # Same digest and size rules as function code (F-FN-004).
    assert response["Content"]["CodeSha256"] == base64.b64encode(hashlib.sha256(ZIP).digest()).decode()
    assert response["Content"]["CodeSize"] == len(ZIP)
    assert response["Content"]["Location"].startswith("https://")


def test_publish_again_gives_the_next_version_with_the_same_digest(lam):
    """F-LY-002."""
    first = publish(lam)
    second = publish(lam)
    assert (second["Version"], second["LayerVersionArn"]) == (2, LAYER_ARN_PREFIX + "my-layer:2")
    assert second["LayerArn"] == first["LayerArn"]
    assert second["Content"]["CodeSha256"] == first["Content"]["CodeSha256"]


def test_license_and_description_are_echoed(lam):
    """F-LY-004."""
    response = publish(lam, Description="shared code", LicenseInfo="MIT")
    assert (response["Description"], response["LicenseInfo"]) == ("shared code", "MIT")


def test_publish_from_s3_without_compatibilities(mock, lam):
    """F-LY-005: without runtimes, architectures or licence, exactly these keys (recorded with S3 content)."""
    mock.add_s3_object("layers", "layer.zip", ZIP)
    response = lam.publish_layer_version(LayerName="s3-layer", Content={"S3Bucket": "layers", "S3Key": "layer.zip"})
    assert set(body(response)) == {"Content", "CreatedDate", "Description", "LayerArn", "LayerVersionArn", "Version"}
    assert response["Content"]["CodeSize"] == len(ZIP)


def test_empty_compatibility_lists_are_echoed(lam):
    """Snapshot publish_empty_result: empty lists stay empty lists."""
    response = publish(lam, CompatibleRuntimes=[], CompatibleArchitectures=[])
    assert (response["CompatibleRuntimes"], response["CompatibleArchitectures"]) == ([], [])


def test_created_date_format(lam):
    """F-LY-007."""
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000", publish(lam)["CreatedDate"])


def test_retired_runtimes_may_be_declared(lam):
    """Snapshot test_layer_compatibilities: layers may list runtimes functions can no longer use."""
    runtimes = ["python3.7", "nodejs12.x", "go1.x", "java8", "provided", "dotnetcore3.1", "ruby2.7"]
    response = publish(lam, CompatibleRuntimes=runtimes, CompatibleArchitectures=["arm64", "x86_64"])
    assert response["CompatibleRuntimes"] == runtimes
    assert response["CompatibleArchitectures"] == ["arm64", "x86_64"]


def test_unknown_runtime_and_architecture_are_two_errors(raw_lam):
    """F-LY-008: runtimes reported first, then architectures."""
    with pytest.raises(ClientError) as exc:
        publish(raw_lam, CompatibleRuntimes=["invalidruntime"], CompatibleArchitectures=["invalidarch"])
    status, code, message = error_of(exc)
    assert (status, code) == (400, "ValidationException")
    assert message.startswith(
        "2 validation errors detected: Value '[invalidruntime]' at 'compatibleRuntimes' failed to satisfy "
        "constraint: Member must satisfy enum value set: ["
    )
    assert message.endswith(
        "; Value '[invalidarch]' at 'compatibleArchitectures' failed to satisfy constraint: Member must satisfy "
        "constraint: [Member must satisfy enum value set: [x86_64, arm64], Member must not be null]"
    )
    assert "python3.12" in message


def test_partially_invalid_values_print_the_whole_lists(raw_lam):
    """Snapshot publish_layer_version_exc_partially_invalid_values."""
    with pytest.raises(ClientError) as exc:
        publish(
            raw_lam,
            CompatibleRuntimes=["invalidruntime", "invalidruntime2", "nodejs20.x"],
            CompatibleArchitectures=["invalidarch", "x86_64"],
        )
    message = error_of(exc)[2]
    assert message.startswith("2 validation errors detected: Value '[invalidruntime, invalidruntime2, nodejs20.x]'")
    assert "Value '[invalidarch, x86_64]' at 'compatibleArchitectures'" in message


def test_only_an_unknown_architecture_is_one_error(raw_lam):
    with pytest.raises(ClientError) as exc:
        publish(raw_lam, CompatibleRuntimes=["python3.12"], CompatibleArchitectures=["sparc"])
    assert error_of(exc)[2] == (
        "1 validation error detected: Value '[sparc]' at 'compatibleArchitectures' failed to satisfy constraint: "
        "Member must satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64], Member must not be null]"
    )


def test_publish_bad_zip(lam):
    """As for function code (F-FN-014)."""
    with pytest.raises(ClientError) as exc:
        publish(lam, content=b"not a zip")
    assert error_of(exc) == (
        400,
        "InvalidParameterValueException",
        "Could not unzip uploaded file. Please check your file, then try to upload again.",
    )


def test_publish_from_moto_s3(lam):
    moto = pytest.importorskip("moto")
    import boto3

    with moto.mock_aws():
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket="layer-bucket")
        s3.put_object(Bucket="layer-bucket", Key="layer.zip", Body=ZIP)
        response = lam.publish_layer_version(
            LayerName="from-moto", Content={"S3Bucket": "layer-bucket", "S3Key": "layer.zip"}
        )
        assert response["Content"]["CodeSize"] == len(ZIP)
        with pytest.raises(ClientError) as exc:
            lam.publish_layer_version(LayerName="from-moto", Content={"S3Bucket": "layer-bucket", "S3Key": "no.zip"})
        assert error_of(exc)[2].endswith(
            "S3 Error Code: NoSuchKey. S3 Error Message: The specified key does not exist."
        )


# ---------------------------------------------------------------------------
# GetLayerVersion, GetLayerVersionByArn
# ---------------------------------------------------------------------------


def test_get_layer_version_by_name_arn_and_version_arn(lam):
    published = publish(lam, Description="d", LicenseInfo="MIT", CompatibleRuntimes=["python3.12"])
    expected = body(published)
    for response in (
        lam.get_layer_version(LayerName="my-layer", VersionNumber=1),
        lam.get_layer_version(LayerName=published["LayerArn"], VersionNumber=1),
        lam.get_layer_version_by_arn(Arn=published["LayerVersionArn"]),
    ):
        assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
        assert body(response) == expected


def test_get_unknown_layer_or_version(lam):
    """F-LY-010."""
    publish(lam)
    for call in (
        lambda: lam.get_layer_version(LayerName="layerdoesnotexist", VersionNumber=1),
        lambda: lam.get_layer_version(LayerName="my-layer", VersionNumber=2),
        lambda: lam.get_layer_version_by_arn(Arn=LAYER_ARN_PREFIX + "my-layer:2"),
    ):
        with pytest.raises(ClientError) as exc:
            call()
        assert error_of(exc) == (404, "ResourceNotFoundException", NOT_FOUND)


@pytest.mark.parametrize("number", [0, -1])
def test_version_numbers_below_one(lam, number):
    """F-LY-011 (GetLayerVersion with 0 and -1, DeleteLayerVersion with -1)."""
    publish(lam)
    for call in (lam.get_layer_version, lam.delete_layer_version):
        with pytest.raises(ClientError) as exc:
            call(LayerName="my-layer", VersionNumber=number)
        assert error_of(exc) == (400, "InvalidParameterValueException", "Layer Version Cannot be less than 1")


def test_get_by_arn_without_version(lam):
    """Snapshot get_layer_version_by_arn_exc_invalidarn."""
    with pytest.raises(ClientError) as exc:
        lam.get_layer_version_by_arn(Arn=LAYER_ARN_PREFIX + "my-layer")
    assert error_of(exc) == (
        400,
        "ValidationException",
        f"1 validation error detected: Value '{LAYER_ARN_PREFIX}my-layer' at 'arn' failed to satisfy constraint: "
        r"Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:(eusc-)?[a-z]{2}((-gov)|"
        r"(-iso([a-z]?)))?-[a-z]+-\d{1}:\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+)|(arn:[a-zA-Z0-9-]+:lambda:::awslayer:"
        r"[a-zA-Z0-9-_]+)",
    )


# ---------------------------------------------------------------------------
# ListLayerVersions, ListLayers
# ---------------------------------------------------------------------------


def test_list_layer_versions_newest_first(lam):
    """F-LY-013: exactly the list-item keys, no Content and no LayerArn."""
    for _ in range(2):
        publish(
            lam,
            Description="d",
            LicenseInfo="MIT",
            CompatibleRuntimes=["python3.12"],
            CompatibleArchitectures=["x86_64"],
        )
    response = lam.list_layer_versions(LayerName="my-layer")
    assert [v["Version"] for v in response["LayerVersions"]] == [2, 1]
    assert set(response["LayerVersions"][0]) == {
        "CompatibleArchitectures",
        "CompatibleRuntimes",
        "CreatedDate",
        "Description",
        "LayerVersionArn",
        "LicenseInfo",
        "Version",
    }
    assert response["LayerVersions"][1]["LayerVersionArn"] == LAYER_ARN_PREFIX + "my-layer:1"


def test_list_versions_of_unknown_layer_is_empty(lam):
    """F-LY-014."""
    assert lam.list_layer_versions(LayerName="layerdoesnotexist")["LayerVersions"] == []


def test_list_layer_versions_filters_and_pages(lam):
    publish(lam, CompatibleRuntimes=["python3.12"], CompatibleArchitectures=["arm64"])
    publish(lam, CompatibleRuntimes=["nodejs20.x"])
    publish(lam, CompatibleRuntimes=["python3.12", "python3.13"], CompatibleArchitectures=["x86_64"])
    python = lam.list_layer_versions(LayerName="my-layer", CompatibleRuntime="python3.12")["LayerVersions"]
    assert [v["Version"] for v in python] == [3, 1]
    arm = lam.list_layer_versions(LayerName="my-layer", CompatibleArchitecture="arm64")["LayerVersions"]
    assert [v["Version"] for v in arm] == [1]
    first = lam.list_layer_versions(LayerName="my-layer", MaxItems=2)
    assert [v["Version"] for v in first["LayerVersions"]] == [3, 2]
    rest = lam.list_layer_versions(LayerName="my-layer", MaxItems=2, Marker=first["NextMarker"])
    assert [v["Version"] for v in rest["LayerVersions"]] == [1]
    assert "NextMarker" not in rest
    paginated = lam.get_paginator("list_layer_versions").paginate(
        LayerName="my-layer", PaginationConfig={"PageSize": 1}
    )
    assert [v["Version"] for page in paginated for v in page["LayerVersions"]] == [3, 2, 1]


def test_list_layers_shows_the_latest_matching_version(lam):
    """F-LY-016: one entry per layer; a filter picks each layer's newest matching version."""
    publish(lam, "a-layer", CompatibleRuntimes=["python3.12"])
    publish(lam, "a-layer", CompatibleRuntimes=["nodejs20.x"])
    publish(lam, "b-layer", CompatibleRuntimes=["nodejs20.x"], CompatibleArchitectures=["arm64"])
    layers = lam.list_layers()["Layers"]
    assert [(x["LayerName"], x["LatestMatchingVersion"]["Version"]) for x in layers] == [("a-layer", 2), ("b-layer", 1)]
    assert layers[0]["LayerArn"] == LAYER_ARN_PREFIX + "a-layer"
    assert layers[0]["LatestMatchingVersion"]["LayerVersionArn"] == LAYER_ARN_PREFIX + "a-layer:2"
    python = lam.list_layers(CompatibleRuntime="python3.12")["Layers"]
    assert [(x["LayerName"], x["LatestMatchingVersion"]["Version"]) for x in python] == [("a-layer", 1)]
    arm = lam.list_layers(CompatibleArchitecture="arm64")["Layers"]
    assert [x["LayerName"] for x in arm] == ["b-layer"]


def test_list_layers_pages_and_skips_layers_without_versions(lam):
    for name in ("l1", "l2", "l3"):
        publish(lam, name)
    lam.delete_layer_version(LayerName="l2", VersionNumber=1)
    first = lam.list_layers(MaxItems=1)
    assert [x["LayerName"] for x in first["Layers"]] == ["l1"]
    rest = lam.list_layers(Marker=first["NextMarker"])
    assert [x["LayerName"] for x in rest["Layers"]] == ["l3"]
    assert "NextMarker" not in rest


def test_list_layers_with_unknown_filters(raw_lam):
    """F-LY-017."""
    with pytest.raises(ClientError) as exc:
        raw_lam.list_layers(CompatibleArchitecture="archdoesnotexist")
    assert error_of(exc) == (
        400,
        "ValidationException",
        "1 validation error detected: Value 'archdoesnotexist' at 'compatibleArchitecture' failed to satisfy "
        "constraint: Member must satisfy enum value set: [x86_64, arm64]",
    )
    with pytest.raises(ClientError) as exc:
        raw_lam.list_layers(CompatibleRuntime="runtimedoesnotexist")
    status, code, message = error_of(exc)
    assert (status, code) == (400, "ValidationException")
    assert message.startswith(
        "1 validation error detected: Value 'runtimedoesnotexist' at 'compatibleRuntime' failed to satisfy "
        "constraint: Member must satisfy enum value set: ["
    )


# ---------------------------------------------------------------------------
# DeleteLayerVersion
# ---------------------------------------------------------------------------


def test_delete_is_idempotent(lam):
    """F-LY-019."""
    publish(lam)
    for name, number in (("nope", 1), ("my-layer", 5), ("my-layer", 1), ("my-layer", 1)):
        response = lam.delete_layer_version(LayerName=name, VersionNumber=number)
        assert response["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert lam.list_layer_versions(LayerName="my-layer")["LayerVersions"] == []


def test_numbering_continues_after_every_version_was_deleted(lam):
    """F-LY-020."""
    publish(lam)
    publish(lam)
    lam.delete_layer_version(LayerName="my-layer", VersionNumber=1)
    lam.delete_layer_version(LayerName="my-layer", VersionNumber=2)
    response = publish(lam)
    assert (response["Version"], response["LayerVersionArn"]) == (3, LAYER_ARN_PREFIX + "my-layer:3")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(["publish", "delete-newest", "delete-oldest"]), max_size=12))
def test_version_numbers_are_never_reused(operations):
    """Any mix of publishes and deletes: numbers grow by one per publish, whatever was deleted."""
    import boto3

    with mock_lambda_alias.mock_lambda_alias():
        client = boto3.client("lambda", region_name=REGION)
        published: list[int] = []
        live: list[int] = []
        for operation in operations:
            if operation == "publish":
                number = publish(client)["Version"]
                assert number == len(published) + 1
                published.append(number)
                live.append(number)
            elif live:
                number = live.pop() if operation == "delete-newest" else live.pop(0)
                client.delete_layer_version(LayerName="my-layer", VersionNumber=number)
        listed = [v["Version"] for v in client.list_layer_versions(LayerName="my-layer")["LayerVersions"]]
        assert listed == sorted(live, reverse=True)


# ---------------------------------------------------------------------------
# layer version permissions
# ---------------------------------------------------------------------------


def test_policy_lifecycle(lam):
    """F-LY-022, F-LY-023."""
    publish(lam)
    added = lam.add_layer_version_permission(
        LayerName="my-layer", VersionNumber=1, StatementId="s1", Action="lambda:GetLayerVersion", Principal="*"
    )
    assert added["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", added["RevisionId"])
    s1 = {
        "Sid": "s1",
        "Effect": "Allow",
        "Principal": "*",
        "Action": "lambda:GetLayerVersion",
        "Resource": LAYER_ARN_PREFIX + "my-layer:1",
    }
    assert json.loads(added["Statement"]) == s1
    assert list(json.loads(added["Statement"])) == ["Sid", "Effect", "Principal", "Action", "Resource"]
    policy = lam.get_layer_version_policy(LayerName="my-layer", VersionNumber=1)
    assert json.loads(policy["Policy"]) == {"Version": "2012-10-17", "Id": "default", "Statement": [s1]}
    assert policy["RevisionId"] == added["RevisionId"]

    second = lam.add_layer_version_permission(
        LayerName="my-layer",
        VersionNumber=1,
        StatementId="s2",
        Action="lambda:GetLayerVersion",
        Principal="*",
        RevisionId=added["RevisionId"],
    )
    assert second["RevisionId"] != added["RevisionId"]
    statements = json.loads(lam.get_layer_version_policy(LayerName="my-layer", VersionNumber=1)["Policy"])["Statement"]
    assert [s["Sid"] for s in statements] == ["s1", "s2"]

    removed = lam.remove_layer_version_permission(
        LayerName="my-layer", VersionNumber=1, StatementId="s2", RevisionId=second["RevisionId"]
    )
    assert removed["ResponseMetadata"]["HTTPStatusCode"] == 204
    policy = lam.get_layer_version_policy(LayerName="my-layer", VersionNumber=1)
    assert json.loads(policy["Policy"])["Statement"] == [s1]
    assert policy["RevisionId"] not in (added["RevisionId"], second["RevisionId"])


def test_account_and_organization_principals(lam):
    """An account id becomes its root ARN (AWS CLI docs, add-layer-version-permission example);
    OrganizationId becomes an aws:PrincipalOrgID condition, as in function policies."""
    publish(lam)
    account = lam.add_layer_version_permission(
        LayerName="my-layer", VersionNumber=1, StatementId="acct", Action="lambda:GetLayerVersion", Principal=OTHER
    )
    assert json.loads(account["Statement"])["Principal"] == {"AWS": f"arn:aws:iam::{OTHER}:root"}
    org = lam.add_layer_version_permission(
        LayerName="my-layer",
        VersionNumber=1,
        StatementId="org",
        Action="lambda:GetLayerVersion",
        Principal="*",
        OrganizationId="o-abcdefghij",
    )
    assert json.loads(org["Statement"])["Condition"] == {"StringEquals": {"aws:PrincipalOrgID": "o-abcdefghij"}}


def test_policy_errors(lam):
    """F-LY-025, F-LY-026, F-LY-028 and the snapshot's missing layer / version / policy answers."""
    publish(lam)
    with pytest.raises(ClientError) as exc:
        lam.get_layer_version_policy(LayerName="my-layer", VersionNumber=1)
    assert error_of(exc) == (404, "ResourceNotFoundException", "No policy is associated with the given resource.")
    kwargs = {"Action": "lambda:GetLayerVersion", "Principal": "*"}
    lam.add_layer_version_permission(LayerName="my-layer", VersionNumber=1, StatementId="s1", **kwargs)
    with pytest.raises(ClientError) as exc:
        lam.add_layer_version_permission(LayerName="my-layer", VersionNumber=1, StatementId="s1", **kwargs)
    assert error_of(exc) == (
        409,
        "ResourceConflictException",
        "The statement id (s1) provided already exists. Please provide a new statement id, or remove the existing "
        "statement.",
    )
    mismatch = (
        412,
        "PreconditionFailedException",
        "The Revision Id provided does not match the latest Revision Id. Call the GetLayerPolicy API to retrieve "
        "the latest Revision Id",
    )
    with pytest.raises(ClientError) as exc:
        lam.add_layer_version_permission(
            LayerName="my-layer", VersionNumber=1, StatementId="s2", RevisionId="wrong", **kwargs
        )
    assert error_of(exc) == mismatch
    with pytest.raises(ClientError) as exc:
        lam.remove_layer_version_permission(LayerName="my-layer", VersionNumber=1, StatementId="s1", RevisionId="x")
    assert error_of(exc) == mismatch
    with pytest.raises(ClientError) as exc:
        lam.remove_layer_version_permission(LayerName="my-layer", VersionNumber=1, StatementId="doesnotexist")
    assert error_of(exc) == (
        404,
        "ResourceNotFoundException",
        "Statement doesnotexist is not found in resource policy.",
    )


@pytest.mark.parametrize(
    ("name", "number", "missing"),
    [("my-layer-doesnotexist", 1, "my-layer-doesnotexist:1"), ("my-layer", 2, "my-layer:2")],
)
def test_policy_operations_on_missing_versions(lam, name, number, missing):
    """Snapshot layer_permission_layername_doesnotexist_* and layer_permission_layerversion_doesnotexist_*."""
    publish(lam)
    expected = (404, "ResourceNotFoundException", f"Layer version {LAYER_ARN_PREFIX}{missing} does not exist.")
    for call in (
        lambda: lam.add_layer_version_permission(
            LayerName=name, VersionNumber=number, StatementId="s", Action="lambda:GetLayerVersion", Principal="*"
        ),
        lambda: lam.get_layer_version_policy(LayerName=name, VersionNumber=number),
        lambda: lam.remove_layer_version_permission(LayerName=name, VersionNumber=number, StatementId="s"),
    ):
        with pytest.raises(ClientError) as exc:
            call()
        assert error_of(exc) == expected


def test_permission_action_must_be_get_layer_version(raw_lam):
    """Snapshot layer_permission_action_invalid."""
    publish(raw_lam)
    with pytest.raises(ClientError) as exc:
        raw_lam.add_layer_version_permission(
            LayerName="my-layer", VersionNumber=1, StatementId="s", Action="*", Principal="*"
        )
    assert error_of(exc) == (
        400,
        "ValidationException",
        "1 validation error detected: Value '*' at 'action' failed to satisfy constraint: Member must satisfy "
        "regular expression pattern: lambda:GetLayerVersion",
    )


# ---------------------------------------------------------------------------
# Layers on functions
# ---------------------------------------------------------------------------


def test_update_function_configuration_with_a_layer(lam):
    """F-LY-029: exactly Arn and CodeSize (the layer archive's size), on update and later reads."""
    layer = publish(lam, content=layer_package({"x.py": "X = 1\n"}))
    create(lam)
    response = lam.update_function_configuration(FunctionName="my-function", Layers=[layer["LayerVersionArn"]])
    expected = [{"Arn": layer["LayerVersionArn"], "CodeSize": layer["Content"]["CodeSize"]}]
    assert response["Layers"] == expected
    assert lam.get_function_configuration(FunctionName="my-function")["Layers"] == expected
    assert lam.get_function(FunctionName="my-function")["Configuration"]["Layers"] == expected


def test_create_function_with_layers_in_order(lam):
    a = publish(lam, "a", content=layer_package({"a.py": "A = 1\n"}))
    b = publish(lam, "b")
    response = create(lam, Layers=[b["LayerVersionArn"], a["LayerVersionArn"]])
    assert [x["Arn"] for x in response["Layers"]] == [b["LayerVersionArn"], a["LayerVersionArn"]]
    assert [x["CodeSize"] for x in response["Layers"]] == [b["Content"]["CodeSize"], a["Content"]["CodeSize"]]


def test_empty_layers_removes_them(lam):
    layer = publish(lam)
    create(lam, Layers=[layer["LayerVersionArn"]])
    response = lam.update_function_configuration(FunctionName="my-function", Layers=[])
    assert "Layers" not in response
    assert "Layers" not in lam.get_function_configuration(FunctionName="my-function")


def test_deleting_a_layer_version_leaves_functions_unchanged(lam):
    """F-LY-031."""
    layer = publish(lam)
    create(lam, Layers=[layer["LayerVersionArn"]])
    lam.delete_layer_version(LayerName="my-layer", VersionNumber=1)
    assert lam.get_function_configuration(FunctionName="my-function")["Layers"] == [
        {"Arn": layer["LayerVersionArn"], "CodeSize": len(ZIP)}
    ]


def test_unknown_layer_or_version_on_a_function(lam):
    """F-LY-032."""
    publish(lam)
    create(lam)
    for arn in (LAYER_ARN_PREFIX + "doesnotexist:1", LAYER_ARN_PREFIX + "my-layer:9"):
        with pytest.raises(ClientError) as exc:
            lam.update_function_configuration(FunctionName="my-function", Layers=[arn])
        assert error_of(exc) == (400, "InvalidParameterValueException", f"Layer version {arn} does not exist.")
        with pytest.raises(ClientError) as exc:
            create(lam, name="other", Layers=[arn])
        assert error_of(exc) == (400, "InvalidParameterValueException", f"Layer version {arn} does not exist.")


def test_layer_arn_without_version(raw_lam):
    """F-LY-034."""
    create(raw_lam)
    arn = LAYER_ARN_PREFIX + "my-layer"
    with pytest.raises(ClientError) as exc:
        raw_lam.update_function_configuration(FunctionName="my-function", Layers=[arn])
    assert error_of(exc) == (
        400,
        "ValidationException",
        f"1 validation error detected: Value '[{arn}]' at 'layers' failed to satisfy constraint: Member must satisfy "
        "constraint: [Member must have length less than or equal to 2048, Member must have length greater than or "
        r"equal to 1, Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:(eusc-)?[a-z]{2}"
        r"((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+)|(arn:[a-zA-Z0-9-]+:lambda:::"
        r"awslayer:[a-zA-Z0-9-_]+), Member must not be null]",
    )


def test_at_most_five_layers(lam):
    """F-LY-035."""
    arns = [publish(lam, f"layer-{n}")["LayerVersionArn"] for n in range(6)]
    with pytest.raises(ClientError) as exc:
        create(lam, Layers=arns)
    assert error_of(exc) == (400, "InvalidParameterValueException", "Cannot reference more than 5 layers.")
    assert len(create(lam, Layers=arns[:5])["Layers"]) == 5


def test_two_versions_of_one_layer(lam):
    """Snapshot two_/three_/two_identical_layer_versions_single_function_exc."""
    arns = [publish(lam)["LayerVersionArn"] for _ in range(3)]
    create(lam)
    for given_arns, pair in ((arns[:2], arns[:2]), (arns, arns[:2]), ([arns[0], arns[0]], [arns[0], arns[0]])):
        with pytest.raises(ClientError) as exc:
            lam.update_function_configuration(FunctionName="my-function", Layers=given_arns)
        assert error_of(exc) == (
            400,
            "InvalidParameterValueException",
            "Two different versions of the same layer are not allowed to be referenced in the same function. "
            f"{pair[0]} and {pair[1]} are versions of the same layer.",
        )


def test_layer_of_another_region(lam):
    """Snapshot create_function_with_layer_in_different_region: checked before the name is (the function exists)."""
    import boto3

    other = boto3.client("lambda", region_name="eu-west-1")
    layer = publish(other)
    create(lam)
    with pytest.raises(ClientError) as exc:
        create(lam, Layers=[layer["LayerVersionArn"]])
    assert error_of(exc) == (
        400,
        "InvalidParameterValueException",
        f"Layers are not in the same region as the function. Layers are expected to be in region {REGION}.",
    )


def test_layer_of_another_account_needs_a_permission(lam):
    """A layer of another account without a grant: 403 AccessDeniedException, as AWS answers CreateFunction
    (crucial-project/serverless-shell#2, aws-samples/sample-serverless-mcp-servers#7); a grant for this account,
    or for everyone, lets the function use it. (The mock creates the other account's layer through its ARN.)"""
    shared = f"arn:aws:lambda:{REGION}:{OTHER}:layer:shared"
    layer = publish(lam, shared)
    assert layer["LayerVersionArn"] == f"{shared}:1"
    denied = (
        403,
        "AccessDeniedException",
        f"User: arn:aws:iam::{ACCOUNT}:root is not authorized to perform: lambda:GetLayerVersion on resource: "
        f"{shared}:1 because no resource-based policy allows the lambda:GetLayerVersion action",
    )
    with pytest.raises(ClientError) as exc:
        create(lam, Layers=[f"{shared}:1"])
    assert error_of(exc) == denied
    with pytest.raises(ClientError) as exc:
        lam.get_layer_version_by_arn(Arn=f"{shared}:1")
    assert error_of(exc) == denied
    lam.add_layer_version_permission(
        LayerName=shared, VersionNumber=1, StatementId="other", Action="lambda:GetLayerVersion", Principal=OTHER
    )
    with pytest.raises(ClientError) as exc:  # a grant for another account is no grant for this one
        create(lam, Layers=[f"{shared}:1"])
    assert error_of(exc) == denied
    lam.add_layer_version_permission(
        LayerName=shared, VersionNumber=1, StatementId="me", Action="lambda:GetLayerVersion", Principal=ACCOUNT
    )
    response = create(lam, Layers=[f"{shared}:1"])
    assert response["Layers"] == [{"Arn": f"{shared}:1", "CodeSize": len(ZIP)}]
    assert lam.get_layer_version_by_arn(Arn=f"{shared}:1")["LayerVersionArn"] == f"{shared}:1"
    publish(lam, shared)
    lam.add_layer_version_permission(
        LayerName=shared, VersionNumber=2, StatementId="all", Action="lambda:GetLayerVersion", Principal="*"
    )
    assert lam.update_function_configuration(FunctionName="my-function", Layers=[f"{shared}:2"])["Layers"][0][
        "Arn"
    ] == (f"{shared}:2")


def test_published_versions_keep_their_layers(lam):
    first = publish(lam)["LayerVersionArn"]
    second = publish(lam)["LayerVersionArn"]
    create(lam, Layers=[first])
    lam.publish_version(FunctionName="my-function")
    lam.update_function_configuration(FunctionName="my-function", Layers=[second])
    assert lam.get_function_configuration(FunctionName="my-function", Qualifier="1")["Layers"][0]["Arn"] == first
    assert lam.publish_version(FunctionName="my-function")["Layers"][0]["Arn"] == second


def test_image_functions_take_no_layers(lam):
    with pytest.raises(ClientError) as exc:
        lam.create_function(
            FunctionName="img",
            Role=f"arn:aws:iam::{ACCOUNT}:role/r",
            PackageType="Image",
            Code={"ImageUri": f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/repo:latest"},
            Layers=[publish(lam)["LayerVersionArn"]],
        )
    assert error_of(exc) == (
        400,
        "InvalidParameterValueException",
        "Please don't provide Handler or Runtime or Layer when the intended function PackageType is Image.",
    )


def test_updating_the_handler_alone_of_a_zip_function(lam):
    """Handler or Layers without Runtime are fine for zip functions (only image functions refuse them)."""
    create(lam)
    assert lam.update_function_configuration(FunctionName="my-function", Handler="app.main")["Handler"] == "app.main"


# ---------------------------------------------------------------------------
# handlers import from their layers (/opt/python on AWS)
# ---------------------------------------------------------------------------

HANDLER = "import shared\n\ndef handler(event, context):\n    return {'value': shared.VALUE}\n"


def invoke_value(lam: Any, qualifier: str = "$LATEST") -> Any:
    response = lam.invoke(FunctionName="my-function", Qualifier=qualifier)
    assert "FunctionError" not in response, response["Payload"].read()
    return json.loads(response["Payload"].read())["value"]


def test_handler_imports_from_its_layer(lam):
    layer = publish(lam, content=layer_package({"shared.py": "VALUE = 'from /opt/python'\n"}))
    create(lam, Code={"ZipFile": make_zip(HANDLER)}, Layers=[layer["LayerVersionArn"]])
    assert invoke_value(lam) == "from /opt/python"


def test_handler_imports_from_the_layers_site_packages(lam):
    files = {"lib/python3.12/site-packages/shared/__init__.py": "VALUE = 'site-packages'\n"}
    layer = publish(lam, content=layer_package(files))
    create(lam, Code={"ZipFile": make_zip(HANDLER)}, Layers=[layer["LayerVersionArn"]])
    assert invoke_value(lam) == "site-packages"


def test_a_later_layer_overrides_an_earlier_one(lam):
    """Lambda extracts layers into /opt in order: a later layer's file replaces an earlier one's."""
    first = publish(lam, "first", content=layer_package({"shared.py": "VALUE = 'first'\n"}))
    second = publish(lam, "second", content=layer_package({"shared.py": "VALUE = 'second'\n"}))
    create(lam, Code={"ZipFile": make_zip(HANDLER)}, Layers=[first["LayerVersionArn"], second["LayerVersionArn"]])
    assert invoke_value(lam) == "second"
    lam.update_function_configuration(
        FunctionName="my-function", Layers=[second["LayerVersionArn"], first["LayerVersionArn"]]
    )
    assert invoke_value(lam) == "first"


def test_the_function_package_comes_before_its_layers(lam):
    layer = publish(lam, content=layer_package({"shared.py": "VALUE = 'layer'\n"}))
    code = package({"index.py": HANDLER, "shared.py": "VALUE = 'package'\n"})
    create(lam, Code={"ZipFile": code}, Layers=[layer["LayerVersionArn"]])
    assert invoke_value(lam) == "package"


def test_each_version_runs_with_its_own_layers(lam):
    one = publish(lam, content=layer_package({"shared.py": "VALUE = 'one'\n"}))
    two = publish(lam, content=layer_package({"shared.py": "VALUE = 'two'\n"}))
    create(lam, Code={"ZipFile": make_zip(HANDLER)}, Layers=[one["LayerVersionArn"]])
    lam.publish_version(FunctionName="my-function")
    lam.update_function_configuration(FunctionName="my-function", Layers=[two["LayerVersionArn"]])
    assert invoke_value(lam, "1") == "one"
    assert invoke_value(lam) == "two"
    assert invoke_value(lam, "1") == "one"


def test_without_the_layer_the_import_fails(lam):
    create(lam, Code={"ZipFile": make_zip(HANDLER)})
    response = lam.invoke(FunctionName="my-function")
    assert response["FunctionError"] == "Unhandled"
    assert json.loads(response["Payload"].read())["errorType"] == "Runtime.ImportModuleError"


def test_every_layer_operation_is_answered():
    """No layer operation of botocore's model answers UnknownOperationException any more."""
    import botocore.session

    from mock_lambda_alias.backend.registry import implemented_operations

    model = botocore.session.get_session().get_service_model("lambda")
    layer_operations = {name for name in model.operation_names if "Layer" in name}
    assert layer_operations == {
        "AddLayerVersionPermission",
        "DeleteLayerVersion",
        "GetLayerVersion",
        "GetLayerVersionByArn",
        "GetLayerVersionPolicy",
        "ListLayerVersions",
        "ListLayers",
        "PublishLayerVersion",
        "RemoveLayerVersionPermission",
    }
    assert layer_operations <= set(implemented_operations())
