"""AddPermission, GetPolicy, RemovePermission: qualifier-scoped policies, statements, revisions."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError
from conftest import ACCOUNT, FN_ARN_PREFIX, create, error_of, make_zip

FN_ARN = FN_ARN_PREFIX + "my-function"
BUCKET_ARN = "arn:aws:s3:::my-bucket"


@pytest.fixture
def fn(lam):
    create(lam)
    return lam


@pytest.fixture
def with_alias(fn):
    fn.publish_version(FunctionName="my-function")
    fn.create_alias(FunctionName="my-function", Name="PROD", FunctionVersion="1")
    return fn


def add(client, sid="s3", principal="s3.amazonaws.com", **kwargs):
    params = {
        "FunctionName": "my-function",
        "StatementId": sid,
        "Action": "lambda:InvokeFunction",
        "Principal": principal,
    }
    params.update(kwargs)
    return client.add_permission(**params)


def policy(client, **kwargs) -> dict:
    kwargs.setdefault("FunctionName", "my-function")
    return json.loads(client.get_policy(**kwargs)["Policy"])


def test_add_permission_statement_F_PI_001(fn):
    response = add(fn, SourceArn=BUCKET_ARN)
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert isinstance(response["Statement"], str)
    assert json.loads(response["Statement"]) == {
        "Sid": "s3",
        "Effect": "Allow",
        "Principal": {"Service": "s3.amazonaws.com"},
        "Action": "lambda:InvokeFunction",
        "Resource": FN_ARN,
        "Condition": {"ArnLike": {"AWS:SourceArn": BUCKET_ARN}},
    }


def test_no_condition_without_conditions_F_PI_002(fn):
    statement = json.loads(add(fn)["Statement"])
    assert "Condition" not in statement
    assert list(statement) == ["Sid", "Effect", "Principal", "Action", "Resource"]


def test_get_policy_document_F_PI_003(fn):
    add(fn, sid="logs", principal="logs.amazonaws.com")
    add(fn, sid="kinesis", principal="kinesis.amazonaws.com")
    response = fn.get_policy(FunctionName="my-function")
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    document = json.loads(response["Policy"])
    assert (document["Version"], document["Id"]) == ("2012-10-17", "default")
    assert [s["Sid"] for s in document["Statement"]] == ["logs", "kinesis"]
    assert isinstance(response["RevisionId"], str)


def test_wildcard_principal_and_source_account_F_PI_004(fn):
    statement = json.loads(add(fn, sid="wildcard", principal="*", SourceAccount=ACCOUNT)["Statement"])
    assert statement["Principal"] == "*"
    assert statement["Condition"] == {"StringEquals": {"AWS:SourceAccount": ACCOUNT}}


def test_account_principal_becomes_root_arn(fn):
    statement = json.loads(add(fn, sid="acct", principal="210987654321")["Statement"])
    assert statement["Principal"] == {"AWS": "arn:aws:iam::210987654321:root"}


def test_iam_arn_principal_F_PI_006(fn):
    user = f"arn:aws:iam::{ACCOUNT}:user/deployer"
    statement = json.loads(add(fn, sid="user", principal=user)["Statement"])
    assert statement["Principal"] == {"AWS": user}


def test_event_source_token_F_PI_008(fn):
    statement = json.loads(add(fn, sid="alexa", principal="*", EventSourceToken="amzn1.ask.skill.x")["Statement"])
    assert statement["Condition"] == {"StringEquals": {"lambda:EventSourceToken": "amzn1.ask.skill.x"}}


def test_all_optional_condition_fields(fn):
    statement = json.loads(
        add(
            fn,
            sid="urlPermission",
            principal="*",
            Action="lambda:InvokeFunctionUrl",
            SourceArn=BUCKET_ARN,
            SourceAccount=ACCOUNT,
            PrincipalOrgID="o-1234567890",
            FunctionUrlAuthType="NONE",
        )["Statement"]
    )
    assert statement["Action"] == "lambda:InvokeFunctionUrl"
    assert statement["Condition"] == {
        "StringEquals": {
            "AWS:SourceAccount": ACCOUNT,
            "lambda:FunctionUrlAuthType": "NONE",
            "aws:PrincipalOrgID": "o-1234567890",
        },
        "ArnLike": {"AWS:SourceArn": BUCKET_ARN},
    }


def test_invalid_principal(fn):
    with pytest.raises(ClientError) as exc:
        add(fn, principal="not-a-principal")
    assert error_of(exc) == (
        400,
        "InvalidParameterValueException",
        "The provided principal was invalid. Please check the principal and try again.",
    )


def test_duplicate_statement_id_F_PI_009(fn):
    add(fn)
    with pytest.raises(ClientError) as exc:
        add(fn)
    assert error_of(exc) == (
        409,
        "ResourceConflictException",
        "The statement id (s3) provided already exists. Please provide a new statement id, or remove the existing "
        "statement.",
    )


def test_invalid_statement_id_F_PI_010(fn):
    with pytest.raises(ClientError) as exc:
        add(fn, sid="example.com")
    assert error_of(exc) == (
        400,
        "ValidationException",
        "1 validation error detected: Value 'example.com' at 'statementId' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: ([a-zA-Z0-9-_]+)",
    )


def test_invalid_action(raw_lam):
    create(raw_lam)
    with pytest.raises(ClientError) as exc:
        add(raw_lam, Action="s3:GetObject")
    assert error_of(exc) == (
        400,
        "ValidationException",
        "1 validation error detected: Value 's3:GetObject' at 'action' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: (lambda:[*]|lambda:[a-zA-Z]+|[*])",
    )


def test_qualifier_mismatch_F_PI_011(fn):
    with pytest.raises(ClientError) as exc:
        add(fn, FunctionName="my-function:alias-not-42", Qualifier="42")
    assert error_of(exc) == (
        400,
        "InvalidParameterValueException",
        "The derived qualifier from the function name does not match the specified qualifier.",
    )


def test_no_policies_for_latest_F_PI_012(fn):
    with pytest.raises(ClientError) as exc:
        add(fn, FunctionName="my-function:$LATEST", Qualifier="$LATEST")
    assert error_of(exc) == (
        400,
        "InvalidParameterValueException",
        "We currently do not support adding policies for $LATEST.",
    )


def test_add_to_missing_function_F_PI_014(lam):
    with pytest.raises(ClientError) as exc:
        add(lam, FunctionName="doesnotexist")
    assert error_of(exc) == (
        404,
        "ResourceNotFoundException",
        f"Function not found: {FN_ARN_PREFIX}doesnotexist",
    )


def test_add_to_missing_alias_F_PI_015(fn):
    with pytest.raises(ClientError) as exc:
        add(fn, FunctionName="my-function:alias-doesnotexist")
    assert error_of(exc) == (404, "ResourceNotFoundException", f"Cannot find alias arn: {FN_ARN}:alias-doesnotexist")


def test_add_to_missing_version_F_PI_016(fn):
    with pytest.raises(ClientError) as exc:
        add(fn, Qualifier="42")
    assert error_of(exc) == (404, "ResourceNotFoundException", f"Function not found: {FN_ARN}:42")


def test_add_with_qualifier_that_is_neither(fn):
    with pytest.raises(ClientError) as exc:
        add(fn, Qualifier="valid-with-$-but-doesnotexist")
    assert error_of(exc) == (
        404,
        "ResourceNotFoundException",
        f"Function not found: {FN_ARN}:valid-with-$-but-doesnotexist",
    )


def test_invalid_qualifier_F_PI_018(fn):
    with pytest.raises(ClientError) as exc:
        add(fn, Qualifier="invalid-qualifier-with-?-char")
    assert error_of(exc) == (
        400,
        "ValidationException",
        "1 validation error detected: Value 'invalid-qualifier-with-?-char' at 'qualifier' failed to satisfy "
        r"constraint: Member must satisfy regular expression pattern: \$(LATEST(\.PUBLISHED)?)|[a-zA-Z0-9-_$]+",
    )


def test_get_policy_without_policy_F_PI_019(fn):
    with pytest.raises(ClientError) as exc:
        fn.get_policy(FunctionName="my-function")
    assert error_of(exc) == (404, "ResourceNotFoundException", "The resource you requested does not exist.")
    add(fn)
    fn.remove_permission(FunctionName="my-function", StatementId="s3")
    with pytest.raises(ClientError) as exc:
        fn.get_policy(FunctionName="my-function")
    assert error_of(exc) == (404, "ResourceNotFoundException", "The resource you requested does not exist.")


def test_get_policy_missing_version_F_PI_020(fn):
    with pytest.raises(ClientError) as exc:
        fn.get_policy(FunctionName="my-function", Qualifier="77")
    assert error_of(exc) == (404, "ResourceNotFoundException", "The resource you requested does not exist.")


def test_get_policy_missing_function_F_PI_021(lam):
    with pytest.raises(ClientError) as exc:
        lam.get_policy(FunctionName="doesnotexist")
    assert error_of(exc) == (404, "ResourceNotFoundException", "The resource you requested does not exist.")


def test_remove_without_policy_F_PI_022(fn):
    with pytest.raises(ClientError) as exc:
        fn.remove_permission(FunctionName="my-function", StatementId="s3")
    assert error_of(exc) == (404, "ResourceNotFoundException", "No policy is associated with the given resource.")


def test_remove_on_missing_function(lam):
    with pytest.raises(ClientError) as exc:
        lam.remove_permission(FunctionName="doesnotexist", StatementId="s3")
    assert error_of(exc) == (404, "ResourceNotFoundException", f"No policy found for: {FN_ARN_PREFIX}doesnotexist")


def test_remove_on_missing_alias_F_PI_024(fn):
    with pytest.raises(ClientError) as exc:
        fn.remove_permission(FunctionName="my-function", StatementId="s3", Qualifier="alias-doesnotexist")
    assert error_of(exc) == (404, "ResourceNotFoundException", f"Cannot find alias arn: {FN_ARN}:alias-doesnotexist")


def test_remove_unknown_sid_F_PI_025(fn):
    add(fn)
    with pytest.raises(ClientError) as exc:
        fn.remove_permission(FunctionName="my-function", StatementId="non-existent")
    assert error_of(exc) == (
        404,
        "ResourceNotFoundException",
        "Statement non-existent is not found in resource policy.",
    )


def test_remove_keeps_order_and_changes_revision_F_PI_026(fn):
    add(fn, sid="a")
    add(fn, sid="b")
    add(fn, sid="c")
    before = fn.get_policy(FunctionName="my-function")["RevisionId"]
    assert fn.get_policy(FunctionName="my-function")["RevisionId"] == before  # stable between reads
    response = fn.remove_permission(FunctionName="my-function", StatementId="b")
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 204
    after = fn.get_policy(FunctionName="my-function")
    assert [s["Sid"] for s in json.loads(after["Policy"])["Statement"]] == ["a", "c"]
    assert after["RevisionId"] != before


def test_policies_are_per_qualifier_F_PI_027(fn):
    add(fn, SourceArn=BUCKET_ARN)
    fn.publish_version(FunctionName="my-function")
    with pytest.raises(ClientError) as exc:
        fn.get_policy(FunctionName="my-function", Qualifier="1")
    assert error_of(exc) == (404, "ResourceNotFoundException", "The resource you requested does not exist.")
    assert [s["Sid"] for s in policy(fn)["Statement"]] == ["s3"]


def test_version_policy_F_PI_028(fn):
    add(fn)
    fn.publish_version(FunctionName="my-function")
    statement = json.loads(add(fn, FunctionName="my-function:1", Qualifier="1")["Statement"])
    assert statement["Resource"] == FN_ARN + ":1"
    assert [s["Resource"] for s in policy(fn, Qualifier="1")["Statement"]] == [FN_ARN + ":1"]


def test_alias_policy_F_PI_029(with_alias):
    add(with_alias, sid="fn-level")
    statement = json.loads(add(with_alias, Qualifier="PROD")["Statement"])
    assert statement["Resource"] == FN_ARN + ":PROD"
    assert [s["Sid"] for s in policy(with_alias, Qualifier="PROD")["Statement"]] == ["s3"]
    assert [s["Sid"] for s in policy(with_alias)["Statement"]] == ["fn-level"]
    assert [s["Sid"] for s in policy(with_alias, FunctionName=FN_ARN + ":PROD")["Statement"]] == ["s3"]


def test_add_with_wrong_revision_F_PI_031(fn):
    with pytest.raises(ClientError) as exc:
        add(fn, RevisionId="wrong")
    assert error_of(exc) == (
        412,
        "PreconditionFailedException",
        "The Revision Id provided does not match the latest Revision Id. Call the GetPolicy API to retrieve the "
        "latest Revision Id",
    )
    current = fn.get_function(FunctionName="my-function")["Configuration"]["RevisionId"]
    add(fn, RevisionId=current)
    revision = fn.get_policy(FunctionName="my-function")["RevisionId"]
    add(fn, sid="s3_2", RevisionId=revision)


def test_policy_revision_is_the_function_revision(fn):
    before = fn.get_function(FunctionName="my-function")["Configuration"]["RevisionId"]
    add(fn)
    revision = fn.get_policy(FunctionName="my-function")["RevisionId"]
    assert revision != before
    assert fn.get_function(FunctionName="my-function")["Configuration"]["RevisionId"] == revision
    with pytest.raises(ClientError) as exc:
        fn.remove_permission(FunctionName="my-function", StatementId="s3", RevisionId="wrong")
    assert error_of(exc) == (
        412,
        "PreconditionFailedException",
        "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to "
        "retrieve the latest Revision Id",
    )
    fn.remove_permission(FunctionName="my-function", StatementId="s3", RevisionId=revision)
    assert fn.get_function(FunctionName="my-function")["Configuration"]["RevisionId"] != revision


def test_alias_revision_changes_with_its_policy(with_alias):
    before = with_alias.get_alias(FunctionName="my-function", Name="PROD")["RevisionId"]
    add(with_alias, Qualifier="PROD")
    after = with_alias.get_alias(FunctionName="my-function", Name="PROD")["RevisionId"]
    assert after != before
    assert with_alias.get_policy(FunctionName="my-function", Qualifier="PROD")["RevisionId"] == after


def test_deleting_alias_and_version_deletes_their_policies(with_alias):
    add(with_alias, Qualifier="PROD")
    with_alias.delete_alias(FunctionName="my-function", Name="PROD")
    with_alias.create_alias(FunctionName="my-function", Name="PROD", FunctionVersion="1")
    with pytest.raises(ClientError):
        with_alias.get_policy(FunctionName="my-function", Qualifier="PROD")
    add(with_alias, Qualifier="1")
    with_alias.delete_alias(FunctionName="my-function", Name="PROD")
    with_alias.delete_function(FunctionName="my-function", Qualifier="1")
    with_alias.update_function_code(FunctionName="my-function", ZipFile=make_zip("v = 2\n"))
    assert with_alias.publish_version(FunctionName="my-function")["Version"] == "2"
    with pytest.raises(ClientError):
        with_alias.get_policy(FunctionName="my-function", Qualifier="1")


def test_deleting_function_deletes_all_policies(fn):
    add(fn)
    fn.delete_function(FunctionName="my-function")
    create(fn)
    with pytest.raises(ClientError) as exc:
        fn.get_policy(FunctionName="my-function")
    assert error_of(exc)[2] == "The resource you requested does not exist."


def test_policy_size_limit(fn):
    long_arn = "arn:aws:s3:::" + "b" * 900
    for n in range(15):
        add(fn, sid=f"s{n}", SourceArn=long_arn)
    with pytest.raises(ClientError) as exc:
        for n in range(15, 40):
            add(fn, sid=f"s{n}", SourceArn=long_arn)
    status, code, message = error_of(exc)
    assert (status, code) == (400, "PolicyLengthExceededException")
    size = int(message.split("(")[1].split(")")[0])
    assert size > 20480
    assert message == f"The final policy size ({size}) is bigger than the limit (20480)."
