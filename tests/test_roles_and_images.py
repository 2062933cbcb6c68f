"""The execution-role checks of CreateFunction / UpdateFunctionConfiguration, and images pinned by digest.

Facts F-* are from ../shared/aws-lambda-facts.md. AWS answers a role of another account with 403
``AccessDeniedException``, a code botocore models for neither operation (tests/conftest.py allows
it there); botocore still raises a ``ClientError`` with that code.
"""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError
from conftest import ACCOUNT, REGION, ROLE, create, error_of

CROSS_ACCOUNT = (403, "AccessDeniedException", "Cross-account pass role is not allowed.")
CANNOT_ASSUME = (
    400,
    "InvalidParameterValueException",
    "The role defined for the function cannot be assumed by Lambda.",
)
OTHER_ROLE = "arn:aws:iam::210987654321:role/lambda-role"
DIGEST = "5f2c7d1e9a3b4c6d8e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d"
REPO = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/my-repo"


def test_role_of_another_account_on_create(lam):
    """F-MA-019."""
    with pytest.raises(ClientError) as exc:
        create(lam, Role=OTHER_ROLE)
    assert error_of(exc) == CROSS_ACCOUNT
    assert lam.list_functions()["Functions"] == []


def test_role_of_another_account_on_update(lam):
    """F-MA-019 for UpdateFunctionConfiguration: the function keeps its role."""
    create(lam)
    with pytest.raises(ClientError) as exc:
        lam.update_function_configuration(FunctionName="my-function", Role=OTHER_ROLE)
    assert error_of(exc) == CROSS_ACCOUNT
    assert lam.get_function_configuration(FunctionName="my-function")["Role"] == ROLE


def test_without_mock_aws_any_role_of_the_account_is_taken(lam):
    """With no IAM in the test, the mock cannot tell which roles exist, so it takes any of this account."""
    assert create(lam, Role=f"arn:aws:iam::{ACCOUNT}:role/service-role/anything")["Role"].endswith("/anything")


def test_with_mock_aws_the_role_must_exist_in_its_iam(lam):
    """With moto's mock_aws active, a role its IAM does not have gets AWS's answer; a created role works."""
    moto = pytest.importorskip("moto")
    with moto.mock_aws():
        iam = boto3.client("iam", region_name=REGION)
        with pytest.raises(ClientError) as exc:
            create(lam)
        assert error_of(exc) == CANNOT_ASSUME
        role = iam.create_role(RoleName="lambda-role", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        assert role == ROLE
        assert create(lam)["Role"] == ROLE
        with pytest.raises(ClientError) as exc:
            lam.update_function_configuration(FunctionName="my-function", Role=f"arn:aws:iam::{ACCOUNT}:role/gone")
        assert error_of(exc) == CANNOT_ASSUME
        # The cross-account rule comes first, whatever moto's IAM holds.
        with pytest.raises(ClientError) as exc:
            create(lam, name="other", Role=OTHER_ROLE)
        assert error_of(exc) == CROSS_ACCOUNT
        iam.create_role(RoleName="second", Path="/service-role/", AssumeRolePolicyDocument="{}")
        second = f"arn:aws:iam::{ACCOUNT}:role/service-role/second"
        assert lam.update_function_configuration(FunctionName="my-function", Role=second)["Role"] == second


def test_role_check_through_a_function_arn_of_this_account(lam):
    """A FunctionName ARN addresses the account the role must belong to."""
    response = create(lam, name=f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:by-arn")
    assert response["FunctionName"] == "by-arn"


# ---------------------------------------------------------------------------
# container images pinned by digest
# ---------------------------------------------------------------------------


def create_image(lam, uri: str) -> dict:
    return lam.create_function(FunctionName="img", Role=ROLE, PackageType="Image", Code={"ImageUri": uri})


def test_image_pinned_by_digest(lam):
    """CodeSha256 is the image digest, and ResolvedImageUri is repo@sha256:<CodeSha256> (LocalStack snapshot
    TestLambdaImages::test_lambda_image_crud / get-function-code-response: the same digest in both)."""
    uri = f"{REPO}@sha256:{DIGEST}"
    response = create_image(lam, uri)
    assert response["CodeSha256"] == DIGEST
    code = lam.get_function(FunctionName="img")["Code"]
    assert code == {"RepositoryType": "ECR", "ImageUri": uri, "ResolvedImageUri": f"{REPO}@sha256:{DIGEST}"}
    assert lam.get_function_configuration(FunctionName="img")["CodeSha256"] == DIGEST


def test_image_by_tag_resolves_to_its_code_sha256(lam):
    """Snapshot test_lambda_image_crud: ImageUri keeps the tag; ResolvedImageUri is repo@sha256:<CodeSha256>."""
    uri = f"{REPO}:latest"
    sha = create_image(lam, uri)["CodeSha256"]
    code = lam.get_function(FunctionName="img")["Code"]
    assert (code["ImageUri"], code["ResolvedImageUri"]) == (uri, f"{REPO}@sha256:{sha}")


def test_update_to_another_digest(lam):
    create_image(lam, f"{REPO}:v1")
    other = "0" * 63 + "1"
    response = lam.update_function_code(FunctionName="img", ImageUri=f"{REPO}@sha256:{other}")
    assert response["CodeSha256"] == other
    assert lam.get_function(FunctionName="img")["Code"]["ResolvedImageUri"] == f"{REPO}@sha256:{other}"
