"""Whole resource-based policies by ARN: Get/Put/DeleteResourcePolicy, sharing AddPermission's policy.

AWS documents that PutResourcePolicy "replaces any existing policy on the Lambda resource. If you
previously added permissions using the AddPermission operation, the new policy overwrites those
permissions", and that a function's ARN may be qualified or not.
"""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError
from conftest import ACCOUNT, FN_ARN_PREFIX, create, error_of

FN_ARN = FN_ARN_PREFIX + "my-function"
S3_STATEMENT = {
    "Sid": "from-s3",
    "Effect": "Allow",
    "Principal": {"Service": "s3.amazonaws.com"},
    "Action": ["lambda:InvokeFunction", "lambda:GetFunction"],
    "Resource": FN_ARN,
    "Condition": {"ArnLike": {"AWS:SourceArn": "arn:aws:s3:::uploads"}},
}
DOCUMENT = {"Version": "2012-10-17", "Statement": [S3_STATEMENT]}


def body(response: dict) -> dict:
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}


def test_put_then_get(lam):
    create(lam)
    put = lam.put_resource_policy(ResourceArn=FN_ARN, Policy=json.dumps(DOCUMENT))
    assert put["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert json.loads(put["Policy"]) == DOCUMENT
    got = lam.get_resource_policy(ResourceArn=FN_ARN)
    assert body(got) == body(put)


def test_put_replaces_what_add_permission_built(lam):
    create(lam)
    lam.add_permission(
        FunctionName="my-function", StatementId="old", Action="lambda:InvokeFunction", Principal="sns.amazonaws.com"
    )
    assert [s["Sid"] for s in json.loads(lam.get_resource_policy(ResourceArn=FN_ARN)["Policy"])["Statement"]] == ["old"]
    lam.put_resource_policy(ResourceArn=FN_ARN, Policy=json.dumps(DOCUMENT))
    policy = json.loads(lam.get_policy(FunctionName="my-function")["Policy"])
    assert policy["Statement"] == [S3_STATEMENT]


def test_add_permission_extends_a_put_policy(lam):
    create(lam)
    lam.put_resource_policy(ResourceArn=FN_ARN, Policy=json.dumps(DOCUMENT))
    lam.add_permission(
        FunctionName="my-function", StatementId="sns", Action="lambda:InvokeFunction", Principal="sns.amazonaws.com"
    )
    sids = [s["Sid"] for s in json.loads(lam.get_resource_policy(ResourceArn=FN_ARN)["Policy"])["Statement"]]
    assert sids == ["from-s3", "sns"]


def test_a_put_policy_is_evaluated(lam, mock):
    create(lam)
    lam.put_resource_policy(ResourceArn=FN_ARN, Policy=json.dumps(DOCUMENT))
    allowed = mock.is_invoke_allowed("s3.amazonaws.com", FN_ARN, source_arn="arn:aws:s3:::uploads")
    assert allowed and allowed.statement_id == "from-s3"
    assert not mock.is_invoke_allowed("s3.amazonaws.com", FN_ARN, source_arn="arn:aws:s3:::other")
    assert not mock.is_invoke_allowed("sns.amazonaws.com", FN_ARN)


def test_policies_are_per_qualifier(lam):
    create(lam)
    lam.publish_version(FunctionName="my-function")
    lam.create_alias(FunctionName="my-function", Name="live", FunctionVersion="1")
    lam.put_resource_policy(ResourceArn=FN_ARN + ":live", Policy=json.dumps(DOCUMENT))
    assert json.loads(lam.get_policy(FunctionName="my-function", Qualifier="live")["Policy"]) == DOCUMENT
    with pytest.raises(ClientError) as exc:
        lam.get_resource_policy(ResourceArn=FN_ARN)
    assert error_of(exc) == (404, "ResourceNotFoundException", "The resource you requested does not exist.")


def test_revision_ids(lam):
    create(lam)
    first = lam.put_resource_policy(ResourceArn=FN_ARN, Policy=json.dumps(DOCUMENT))
    second = lam.put_resource_policy(ResourceArn=FN_ARN, Policy=json.dumps(DOCUMENT), RevisionId=first["RevisionId"])
    assert second["RevisionId"] != first["RevisionId"]
    assert lam.get_policy(FunctionName="my-function")["RevisionId"] == second["RevisionId"]
    for call in (
        lambda: lam.put_resource_policy(
            ResourceArn=FN_ARN, Policy=json.dumps(DOCUMENT), RevisionId=first["RevisionId"]
        ),
        lambda: lam.delete_resource_policy(ResourceArn=FN_ARN, RevisionId=first["RevisionId"]),
    ):
        with pytest.raises(ClientError) as exc:
            call()
        assert error_of(exc)[:2] == (412, "PreconditionFailedException")


def test_delete(lam):
    create(lam)
    put = lam.put_resource_policy(ResourceArn=FN_ARN, Policy=json.dumps(DOCUMENT))
    deleted = lam.delete_resource_policy(ResourceArn=FN_ARN, RevisionId=put["RevisionId"])
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as exc:
        lam.get_policy(FunctionName="my-function")
    assert error_of(exc)[:2] == (404, "ResourceNotFoundException")
    with pytest.raises(ClientError) as exc:
        lam.delete_resource_policy(ResourceArn=FN_ARN)
    assert error_of(exc) == (404, "ResourceNotFoundException", "No policy is associated with the given resource.")


@pytest.mark.parametrize("operation", ["get_resource_policy", "put_resource_policy", "delete_resource_policy"])
def test_unknown_function(lam, operation):
    kwargs = {"Policy": json.dumps(DOCUMENT)} if operation.startswith("put") else {}
    with pytest.raises(ClientError) as exc:
        getattr(lam, operation)(ResourceArn=FN_ARN_PREFIX + "doesnotexist", **kwargs)
    assert error_of(exc) == (404, "ResourceNotFoundException", f"Function not found: {FN_ARN_PREFIX}doesnotexist")


def test_unknown_alias(lam):
    create(lam)
    with pytest.raises(ClientError) as exc:
        lam.get_resource_policy(ResourceArn=FN_ARN + ":nope")
    assert error_of(exc) == (404, "ResourceNotFoundException", f"Cannot find alias arn: {FN_ARN}:nope")


@pytest.mark.parametrize("text", ["not json", "[]", '{"Version": "2012-10-17"}'])
def test_not_a_policy_document(lam, text):
    create(lam)
    with pytest.raises(ClientError) as exc:
        lam.put_resource_policy(ResourceArn=FN_ARN, Policy=text)
    assert error_of(exc)[:2] == (400, "InvalidParameterValueException")


def test_oversized_policy(lam):
    """The model caps the document at 20480 characters, as AddPermission's policy limit does."""
    create(lam)
    statements = [{**S3_STATEMENT, "Sid": f"s{i:04d}"} for i in range(80)]
    with pytest.raises(ClientError) as exc:
        lam.put_resource_policy(
            ResourceArn=FN_ARN, Policy=json.dumps({"Version": "2012-10-17", "Statement": statements})
        )
    status, code, message = error_of(exc)
    assert (status, code) == (400, "ValidationException")
    assert message.endswith(
        "at 'policy' failed to satisfy constraint: Member must have length less than or equal to 20480"
    )


def test_other_account_arn_reaches_that_account(lam):
    with pytest.raises(ClientError) as exc:
        lam.get_resource_policy(ResourceArn=f"arn:aws:lambda:us-east-1:{'9' * 12}:function:my-function")
    assert error_of(exc) == (
        404,
        "ResourceNotFoundException",
        f"Function not found: arn:aws:lambda:us-east-1:{'9' * 12}:function:my-function",
    )
    assert ACCOUNT != "9" * 12
