"""Code signing configurations: lifecycle, function associations, AWS's not-found answers."""

from __future__ import annotations

import re

import boto3
import pytest
from botocore.exceptions import ClientError
from conftest import ACCOUNT, FN_ARN_PREFIX, REGION, create, error_of
from hypothesis import given, settings
from hypothesis import strategies as st

from mock_lambda_alias import mock_lambda_alias

PROFILE = f"arn:aws:signer:{REGION}:{ACCOUNT}:/signing-profiles/test"
CSC_ARN = re.compile(rf"arn:aws:lambda:{REGION}:{ACCOUNT}:code-signing-config:(csc-[0-9a-f]{{17}})")
MISSING_FN = "csc-test-doesnotexist"


def new_config(lam, **kwargs) -> dict:
    params = {
        "Description": "Testing CodeSigning Config",
        "AllowedPublishers": {"SigningProfileVersionArns": [PROFILE]},
        "CodeSigningPolicies": {"UntrustedArtifactOnDeployment": "Enforce"},
    }
    params.update(kwargs)
    return lam.create_code_signing_config(**params)


@pytest.fixture
def csc(lam) -> str:
    return new_config(lam)["CodeSigningConfig"]["CodeSigningConfigArn"]


def unknown(arn: str) -> str:
    """A well-formed ARN of a configuration that does not exist (as LocalStack's AWS tests make one)."""
    return arn[:-1] + ("x" if arn[-1] != "x" else "y")


def test_create_echoes_and_names_the_config_F_MA_002(lam):
    response = new_config(lam)
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 201
    config = response["CodeSigningConfig"]
    assert set(config) == {
        "AllowedPublishers",
        "CodeSigningConfigArn",
        "CodeSigningConfigId",
        "CodeSigningPolicies",
        "Description",
        "LastModified",
    }
    match = CSC_ARN.fullmatch(config["CodeSigningConfigArn"])
    assert match and match.group(1) == config["CodeSigningConfigId"]
    assert config["AllowedPublishers"] == {"SigningProfileVersionArns": [PROFILE]}
    assert config["CodeSigningPolicies"] == {"UntrustedArtifactOnDeployment": "Enforce"}
    assert config["Description"] == "Testing CodeSigning Config"


def test_policy_defaults_to_warn_F_MA_004(lam):
    config = lam.create_code_signing_config(AllowedPublishers={"SigningProfileVersionArns": [PROFILE]})
    assert config["CodeSigningConfig"]["CodeSigningPolicies"] == {"UntrustedArtifactOnDeployment": "Warn"}


def test_ids_are_unique(lam):
    ids = {new_config(lam)["CodeSigningConfig"]["CodeSigningConfigId"] for _ in range(20)}
    assert len(ids) == 20


def test_update_changes_only_what_is_given_F_MA_005(lam, csc):
    before = lam.get_code_signing_config(CodeSigningConfigArn=csc)["CodeSigningConfig"]
    updated = lam.update_code_signing_config(
        CodeSigningConfigArn=csc, CodeSigningPolicies={"UntrustedArtifactOnDeployment": "Warn"}
    )
    assert updated["ResponseMetadata"]["HTTPStatusCode"] == 200
    config = updated["CodeSigningConfig"]
    assert config["CodeSigningPolicies"] == {"UntrustedArtifactOnDeployment": "Warn"}
    for key in ("AllowedPublishers", "CodeSigningConfigArn", "CodeSigningConfigId", "Description"):
        assert config[key] == before[key]
    got = lam.get_code_signing_config(CodeSigningConfigArn=csc)
    assert got["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert got["CodeSigningConfig"] == config


def test_update_without_changes_answers_the_config_F_MA_010(lam, csc):
    before = lam.get_code_signing_config(CodeSigningConfigArn=csc)["CodeSigningConfig"]
    assert lam.update_code_signing_config(CodeSigningConfigArn=csc)["CodeSigningConfig"] == before


def test_update_publishers_and_description(lam, csc):
    other = PROFILE + "-2"
    config = lam.update_code_signing_config(
        CodeSigningConfigArn=csc, Description="new", AllowedPublishers={"SigningProfileVersionArns": [other]}
    )["CodeSigningConfig"]
    assert config["Description"] == "new"
    assert config["AllowedPublishers"] == {"SigningProfileVersionArns": [other]}
    assert config["CodeSigningPolicies"] == {"UntrustedArtifactOnDeployment": "Enforce"}


def test_list_contains_the_config_as_get_shows_it_F_MA_007(lam, csc):
    listed = lam.list_code_signing_configs()
    assert listed["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert listed["CodeSigningConfigs"] == [lam.get_code_signing_config(CodeSigningConfigArn=csc)["CodeSigningConfig"]]


def test_list_pages(lam):
    arns = [new_config(lam)["CodeSigningConfig"]["CodeSigningConfigArn"] for _ in range(5)]
    first = lam.list_code_signing_configs(MaxItems=2)
    assert len(first["CodeSigningConfigs"]) == 2 and first["NextMarker"]
    pages = lam.get_paginator("list_code_signing_configs").paginate(PaginationConfig={"PageSize": 2})
    listed = [c["CodeSigningConfigArn"] for page in pages for c in page["CodeSigningConfigs"]]
    assert listed == arns


def test_function_association_lifecycle_F_MA_008(lam, csc):
    create(lam)
    put = lam.put_function_code_signing_config(CodeSigningConfigArn=csc, FunctionName="my-function")
    assert put["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert {k: v for k, v in put.items() if k != "ResponseMetadata"} == {
        "CodeSigningConfigArn": csc,
        "FunctionName": "my-function",
    }
    got = lam.get_function_code_signing_config(FunctionName=FN_ARN_PREFIX + "my-function")
    assert {k: v for k, v in got.items() if k != "ResponseMetadata"} == {
        "CodeSigningConfigArn": csc,
        "FunctionName": "my-function",
    }
    listed = lam.list_functions_by_code_signing_config(CodeSigningConfigArn=csc)
    assert listed["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert listed["FunctionArns"] == [FN_ARN_PREFIX + "my-function"]
    deleted = lam.delete_function_code_signing_config(FunctionName="my-function")
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert lam.list_functions_by_code_signing_config(CodeSigningConfigArn=csc)["FunctionArns"] == []
    assert lam.delete_code_signing_config(CodeSigningConfigArn=csc)["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError):
        lam.get_code_signing_config(CodeSigningConfigArn=csc)


def test_function_without_config_F_MA_013(lam):
    """Recorded: GetFunctionCodeSigningConfig answers 200 with an empty body; Delete is a quiet 204."""
    create(lam)
    got = lam.get_function_code_signing_config(FunctionName="my-function")
    assert got["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert set(got) == {"ResponseMetadata"}
    deleted = lam.delete_function_code_signing_config(FunctionName="my-function")
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204


@pytest.mark.parametrize(
    "operation",
    [
        "get_code_signing_config",
        "delete_code_signing_config",
        "list_functions_by_code_signing_config",
        "update_code_signing_config",
    ],
)
def test_unknown_config_in_the_path_F_MA_010(lam, csc, operation):
    missing = unknown(csc)
    with pytest.raises(ClientError) as exc:
        getattr(lam, operation)(CodeSigningConfigArn=missing)
    assert error_of(exc) == (
        404,
        "ResourceNotFoundException",
        f"The Lambda code signing configuration {missing} can not be found.",
    )
    assert "Type" not in exc.value.response  # recorded: this answer has no Type field


def test_update_unknown_config_with_changes_F_MA_010(lam, csc):
    missing = unknown(csc)
    with pytest.raises(ClientError) as exc:
        lam.update_code_signing_config(CodeSigningConfigArn=missing, Description="new-description")
    assert error_of(exc)[:2] == (404, "ResourceNotFoundException")


def test_put_for_unknown_function_F_MA_011(lam, csc):
    with pytest.raises(ClientError) as exc:
        lam.put_function_code_signing_config(FunctionName=MISSING_FN, CodeSigningConfigArn=csc)
    assert error_of(exc) == (404, "ResourceNotFoundException", f"Function not found: {FN_ARN_PREFIX}{MISSING_FN}")
    assert exc.value.response["Type"] == "User"


@pytest.mark.parametrize("function_name", ["my-function", MISSING_FN])
def test_put_unknown_config_is_checked_first(lam, csc, function_name):
    """Recorded (put_function_csc_invalid_csc_arn, put_function_csc_invalid_both): the config is checked first."""
    create(lam)
    missing = unknown(csc)
    with pytest.raises(ClientError) as exc:
        lam.put_function_code_signing_config(FunctionName=function_name, CodeSigningConfigArn=missing)
    assert error_of(exc) == (
        404,
        "CodeSigningConfigNotFoundException",
        "The code signing configuration cannot be found. Check that the provided configuration is not deleted: "
        f"{missing}.",
    )
    assert exc.value.response["Type"] == "User"


@pytest.mark.parametrize("operation", ["get_function_code_signing_config", "delete_function_code_signing_config"])
def test_unknown_function_F_MA_013(lam, operation):
    with pytest.raises(ClientError) as exc:
        getattr(lam, operation)(FunctionName=MISSING_FN)
    assert error_of(exc) == (404, "ResourceNotFoundException", f"Function not found: {FN_ARN_PREFIX}{MISSING_FN}")


def test_wrong_region_arn(lam):
    """Recorded for GetFunctionCodeSigningConfig (test_get_function_wrong_region), as for every function call."""
    with pytest.raises(ClientError) as exc:
        lam.get_function_code_signing_config(FunctionName=f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:f")
    assert error_of(exc) == (
        404,
        "ResourceNotFoundException",
        "Functions from 'eu-west-1' are not reachable in this region ('us-east-1')",
    )


def test_image_functions_have_no_code_signing(lam):
    """AWS's answer, quoted in cloudquery/cq-provider-aws#230 (GetFunctionCodeSigningConfig, HTTP 400)."""
    lam.create_function(
        FunctionName="image-fn",
        Role=f"arn:aws:iam::{ACCOUNT}:role/lambda-role",
        PackageType="Image",
        Code={"ImageUri": f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/repo:latest"},
    )
    with pytest.raises(ClientError) as exc:
        lam.get_function_code_signing_config(FunctionName="image-fn")
    assert error_of(exc) == (
        400,
        "InvalidParameterValueException",
        "Code signing is not supported for functions created with container images.",
    )


def test_create_function_with_config(lam, csc):
    create(lam, CodeSigningConfigArn=csc)
    got = lam.get_function_code_signing_config(FunctionName="my-function")
    assert got["CodeSigningConfigArn"] == csc
    assert lam.list_functions_by_code_signing_config(CodeSigningConfigArn=csc)["FunctionArns"] == [
        FN_ARN_PREFIX + "my-function"
    ]


def test_create_function_with_unknown_config(lam, csc):
    missing = unknown(csc)
    with pytest.raises(ClientError) as exc:
        create(lam, CodeSigningConfigArn=missing)
    assert error_of(exc) == (
        404,
        "CodeSigningConfigNotFoundException",
        "The code signing configuration cannot be found. Check that the provided configuration is not deleted: "
        f"{missing}.",
    )
    with pytest.raises(ClientError):
        lam.get_function(FunctionName="my-function")


def test_config_in_use_cannot_be_deleted(lam, csc):
    """AWS documents: 'You can delete the code signing configuration only if no function is using it.'"""
    create(lam, CodeSigningConfigArn=csc)
    with pytest.raises(ClientError) as exc:
        lam.delete_code_signing_config(CodeSigningConfigArn=csc)
    assert error_of(exc)[:2] == (409, "ResourceConflictException")
    assert csc in error_of(exc)[2]
    lam.delete_function(FunctionName="my-function")
    assert lam.delete_code_signing_config(CodeSigningConfigArn=csc)["ResponseMetadata"]["HTTPStatusCode"] == 204


def test_tags_on_configs(lam):
    arn = new_config(lam, Tags={"team": "a"})["CodeSigningConfig"]["CodeSigningConfigArn"]
    assert lam.list_tags(Resource=arn)["Tags"] == {"team": "a"}
    lam.tag_resource(Resource=arn, Tags={"env": "prod"})
    lam.untag_resource(Resource=arn, TagKeys=["team"])
    assert lam.list_tags(Resource=arn)["Tags"] == {"env": "prod"}
    missing = unknown(arn)
    with pytest.raises(ClientError) as exc:
        lam.list_tags(Resource=missing)
    assert error_of(exc) == (404, "ResourceNotFoundException", f"Code signing config not found: {missing}")


def test_configs_are_per_region(mock):
    east = boto3.client("lambda", region_name="us-east-1")
    west = boto3.client("lambda", region_name="us-west-2")
    arn = new_config(east)["CodeSigningConfig"]["CodeSigningConfigArn"]
    assert west.list_code_signing_configs()["CodeSigningConfigs"] == []
    assert len(east.list_code_signing_configs()["CodeSigningConfigs"]) == 1
    assert ":us-east-1:" in arn


@settings(max_examples=25, deadline=None)
@given(count=st.integers(min_value=0, max_value=12), page_size=st.integers(min_value=1, max_value=13))
def test_paging_lists_each_config_once_in_creation_order(count, page_size):
    with mock_lambda_alias() as mock:
        lam = boto3.client("lambda", region_name=REGION)
        arns = [new_config(lam)["CodeSigningConfig"]["CodeSigningConfigArn"] for _ in range(count)]
        pages = lam.get_paginator("list_code_signing_configs").paginate(PaginationConfig={"PageSize": page_size})
        assert [c["CodeSigningConfigArn"] for page in pages for c in page["CodeSigningConfigs"]] == arns
        assert mock.internal_errors == []
