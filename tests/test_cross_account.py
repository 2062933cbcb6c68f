"""Callers from other accounts: who is calling, and the exact qualifier's policy deciding.

Sources: the seed document ("If you use an alias name (such as helloworld:PROD), the permission
is valid only for invoking the helloworld function using the alias ARN. You get a permission error
if you use a version ARN or the function ARN"); AWS's Lambda guide, "Granting Lambda function access
to other accounts" (the alias permission "requires the other account to include the alias in the
function ARN"); AWS's refusal wording as reported from real accounts (aws-automated-incident-
response-and-forensics#13: "User: sns.amazonaws.com is not authorized to perform:
lambda:InvokeFunction on resource: arn:... because no resource-based policy ...").
"""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.exceptions import ClientError
from conftest import ACCOUNT, FN_ARN_PREFIX, REGION, create, error_of

OTHER = "222222222222"
THIRD = "333333333333"
FN = FN_ARN_PREFIX + "my-function"
PROD = FN + ":PROD"
V1 = FN + ":1"
#: An execution role must be of the function's own account (F-MA-019).
OTHER_ROLE = f"arn:aws:iam::{OTHER}:role/lambda-role"


def client_for(access_key: str, secret: str = "secret", token: str | None = None):
    return boto3.client(
        "lambda",
        region_name=REGION,
        aws_access_key_id=access_key,
        aws_secret_access_key=secret,
        aws_session_token=token,
    )


def denied(principal: str, resource: str, action: str = "lambda:InvokeFunction", kind: str = "resource-based") -> str:
    return (
        f"User: {principal} is not authorized to perform: {action} on resource: {resource} "
        f"because no {kind} policy allows the {action} action"
    )


@pytest.fixture
def shared(mock, lam):
    """my-function in the default account, version 1 behind PROD, PROD shared with OTHER."""
    create(lam)
    lam.publish_version(FunctionName="my-function")
    lam.create_alias(FunctionName="my-function", Name="PROD", FunctionVersion="1")
    lam.add_permission(
        FunctionName="my-function",
        Qualifier="PROD",
        StatementId="xaccount",
        Action="lambda:InvokeFunction",
        Principal=OTHER,
    )
    return lam


def test_alias_permission_lets_the_other_account_invoke_the_alias_arn(mock, shared):
    other = client_for(OTHER)
    response = other.invoke(FunctionName=PROD, Payload=b'{"n": 1}')
    assert response["StatusCode"] == 200
    assert response["ExecutedVersion"] == "1"
    (record,) = mock.invocations("my-function")
    assert record.invoked_qualifier == "PROD"
    assert record.account_id == ACCOUNT
    assert record.caller is not None
    assert (record.caller.account_id, record.caller.principal) == (OTHER, f"arn:aws:iam::{OTHER}:root")
    assert record.allowed_by == "xaccount"


def test_alias_permission_also_covers_name_arn_plus_qualifier_parameter(shared):
    assert client_for(OTHER).invoke(FunctionName=FN, Qualifier="PROD")["ExecutedVersion"] == "1"


@pytest.mark.parametrize(
    ("function_name", "resource"),
    [(V1, V1), (FN, FN), (FN + ":$LATEST", FN + ":$LATEST")],
    ids=["version-arn", "unqualified-arn", "latest-arn"],
)
def test_alias_permission_denies_the_version_and_function_arns(mock, shared, function_name, resource):
    with pytest.raises(ClientError) as excinfo:
        client_for(OTHER).invoke(FunctionName=function_name)
    assert error_of(excinfo) == (403, "AccessDeniedException", denied(f"arn:aws:iam::{OTHER}:root", resource))
    assert mock.invocations() == []


def test_an_account_the_policy_does_not_name_is_denied_even_on_the_alias(shared):
    with pytest.raises(ClientError) as excinfo:
        client_for(THIRD).invoke(FunctionName=PROD)
    assert error_of(excinfo) == (403, "AccessDeniedException", denied(f"arn:aws:iam::{THIRD}:root", PROD))


def test_a_missing_function_of_another_account_reads_as_denied_not_missing(shared):
    missing = FN_ARN_PREFIX + "nope"
    with pytest.raises(ClientError) as excinfo:
        client_for(OTHER).invoke(FunctionName=missing)
    assert error_of(excinfo) == (403, "AccessDeniedException", denied(f"arn:aws:iam::{OTHER}:root", missing))


def test_same_account_calls_are_not_judged_by_resource_policies(mock, shared):
    for name in (FN, V1, "my-function"):
        assert shared.invoke(FunctionName=name)["StatusCode"] == 200
    assert all(r.allowed_by is None for r in mock.invocations())
    assert mock.invocations()[0].caller.principal == f"arn:aws:iam::{ACCOUNT}:root"


def test_other_operations_need_their_own_action(shared):
    other = client_for(OTHER)
    with pytest.raises(ClientError) as excinfo:
        other.get_function(FunctionName=PROD)
    assert error_of(excinfo) == (
        403,
        "AccessDeniedException",
        denied(f"arn:aws:iam::{OTHER}:root", PROD, "lambda:GetFunction"),
    )
    shared.add_permission(
        FunctionName="my-function", Qualifier="PROD", StatementId="read", Action="lambda:GetFunction", Principal=OTHER
    )
    assert other.get_function(FunctionName=PROD)["Configuration"]["Version"] == "1"
    with pytest.raises(ClientError) as excinfo:
        other.get_function_configuration(FunctionName=PROD)
    assert error_of(excinfo)[1] == "AccessDeniedException"


def test_lambda_star_grants_every_action_on_that_qualifier(shared):
    shared.add_permission(
        FunctionName="my-function", Qualifier="PROD", StatementId="all", Action="lambda:*", Principal=OTHER
    )
    other = client_for(OTHER)
    assert other.get_function_configuration(FunctionName=PROD)["Version"] == "1"
    with pytest.raises(ClientError) as excinfo:
        other.get_function_configuration(FunctionName=FN)
    assert error_of(excinfo)[1] == "AccessDeniedException"


def test_add_permission_is_never_honoured_across_accounts(shared):
    # awsdocs/aws-lambda-developer-guide#139: AddPermission, RemovePermission and
    # UpdateFunctionConfiguration do not work across accounts even when granted.
    shared.add_permission(FunctionName="my-function", StatementId="all", Action="lambda:*", Principal=OTHER)
    other = client_for(OTHER)
    assert other.get_function(FunctionName=FN)["Configuration"]["FunctionName"] == "my-function"
    with pytest.raises(ClientError) as excinfo:
        other.add_permission(FunctionName=FN, StatementId="sneaky", Action="lambda:*", Principal=THIRD)
    assert error_of(excinfo) == (
        403,
        "AccessDeniedException",
        denied(f"arn:aws:iam::{OTHER}:root", FN, "lambda:AddPermission"),
    )


def test_each_account_creates_and_sees_its_own_functions(mock, shared):
    other = client_for(OTHER)
    arn = create(other, "theirs", Role=OTHER_ROLE)["FunctionArn"]
    assert arn == f"arn:aws:lambda:{REGION}:{OTHER}:function:theirs"
    assert [f["FunctionName"] for f in other.list_functions()["Functions"]] == ["theirs"]
    assert [f["FunctionName"] for f in shared.list_functions()["Functions"]] == ["my-function"]
    assert set(mock.functions(account_id=OTHER)) == {"theirs"}


def test_creating_a_function_in_another_account_is_denied(shared):
    with pytest.raises(ClientError) as excinfo:
        create(client_for(OTHER), FN_ARN_PREFIX + "planted")
    assert error_of(excinfo) == (
        403,
        "AccessDeniedException",
        denied(f"arn:aws:iam::{OTHER}:root", FN_ARN_PREFIX + "planted", "lambda:CreateFunction"),
    )


# -- identities ----------------------------------------------------------------


def test_default_credentials_are_the_activations_account(mock, lam):
    assert mock.identity_for(None).principal == f"arn:aws:iam::{ACCOUNT}:root"
    assert create(lam)["FunctionArn"] == FN


def test_configured_access_key_is_its_account_and_principal(mock, shared):
    role = f"arn:aws:iam::{OTHER}:role/deployer"
    session = f"arn:aws:sts::{OTHER}:assumed-role/deployer/ci"
    shared.add_permission(
        FunctionName="my-function", Qualifier="1", StatementId="role", Action="lambda:InvokeFunction", Principal=role
    )
    mock.set_account_for_access_key("AKIADEPLOYER", OTHER, session)
    mock.set_account_for_access_key("AKIAOTHERROLE", OTHER, f"arn:aws:sts::{OTHER}:assumed-role/intern/x")
    assert client_for("AKIADEPLOYER").invoke(FunctionName=V1)["ExecutedVersion"] == "1"
    record = mock.invocations()[-1]
    assert (record.caller.principal, record.allowed_by) == (session, "role")
    with pytest.raises(ClientError) as excinfo:
        client_for("AKIAOTHERROLE").invoke(FunctionName=V1)
    assert error_of(excinfo)[2] == denied(f"arn:aws:sts::{OTHER}:assumed-role/intern/x", V1)
    # The account-root statement on PROD covers every principal of that account.
    assert client_for("AKIAOTHERROLE").invoke(FunctionName=PROD)["StatusCode"] == 200


def test_configured_key_rejects_a_bad_account(mock):
    with pytest.raises(ValueError, match="12-digit"):
        mock.set_account_for_access_key("AKIA", "12345")


def test_twelve_digit_access_key_is_that_account_localstack_convention(mock, shared):
    assert mock.identity_for(OTHER).account_id == OTHER
    assert mock.identity_for("AKIAIOSFODNN7EXAMPLE").account_id == ACCOUNT
    assert client_for(OTHER).invoke(FunctionName=PROD)["StatusCode"] == 200


def test_moto_assumed_role_credentials_are_the_roles_account(mock_lambda_and_moto):
    m, sts = mock_lambda_and_moto
    lam = boto3.client("lambda", region_name=REGION)
    create(lam)
    lam.publish_version(FunctionName="my-function")
    lam.create_alias(FunctionName="my-function", Name="PROD", FunctionVersion="1")
    lam.add_permission(
        FunctionName="my-function",
        Qualifier="PROD",
        StatementId="deployer",
        Action="lambda:InvokeFunction",
        Principal=f"arn:aws:iam::{OTHER}:role/deployer",
    )
    credentials = sts.assume_role(RoleArn=f"arn:aws:iam::{OTHER}:role/deployer", RoleSessionName="ci")["Credentials"]
    assumed = client_for(credentials["AccessKeyId"], credentials["SecretAccessKey"], credentials["SessionToken"])
    assert assumed.invoke(FunctionName=PROD)["ExecutedVersion"] == "1"
    caller = m.invocations()[-1].caller
    assert (caller.account_id, caller.principal) == (OTHER, f"arn:aws:sts::{OTHER}:assumed-role/deployer/ci")
    with pytest.raises(ClientError) as excinfo:
        assumed.invoke(FunctionName=V1)
    assert error_of(excinfo)[2] == denied(caller.principal, V1)


def test_moto_iam_user_access_key_is_that_user(mock_lambda_and_moto):
    m, _ = mock_lambda_and_moto
    iam = boto3.client("iam", region_name=REGION)
    iam.create_user(UserName="alice")
    key = iam.create_access_key(UserName="alice")["AccessKey"]
    alice = client_for(key["AccessKeyId"], key["SecretAccessKey"])
    create(alice, "alices")
    caller = m.identity_for(key["AccessKeyId"])
    assert (caller.account_id, caller.principal) == (ACCOUNT, f"arn:aws:iam::{ACCOUNT}:user/alice")
    m.set_strict_policies()  # a same-account user other than the mock's own identity is now judged
    with pytest.raises(ClientError) as excinfo:
        alice.invoke(FunctionName="alices")
    assert error_of(excinfo)[2] == denied(caller.principal, FN_ARN_PREFIX + "alices", kind="identity-based")


def test_configuring_a_key_after_its_first_use_takes_effect(mock, lam):
    late = client_for("AKIALATEKEY")
    create(late, "early")
    mock.set_account_for_access_key("AKIALATEKEY", OTHER)
    create(late, "late", Role=OTHER_ROLE)
    assert set(mock.functions(account_id=ACCOUNT)) == {"early"}
    assert set(mock.functions(account_id=OTHER)) == {"late"}


@pytest.fixture
def mock_lambda_and_moto():
    moto = pytest.importorskip("moto")
    import mock_lambda_alias

    # moto's own Lambda never sees these requests (it would try to run the function in docker).
    with moto.mock_aws(), mock_lambda_alias.mock_lambda_alias() as m:
        # With mock_aws active, the execution role must exist in moto's IAM.
        boto3.client("iam", region_name=REGION).create_role(RoleName="lambda-role", AssumeRolePolicyDocument="{}")
        yield m, boto3.client("sts", region_name=REGION)
        assert not m.internal_errors


# -- strict mode -----------------------------------------------------------------


def test_strict_mode_judges_other_same_account_principals(mock, shared):
    role = f"arn:aws:sts::{ACCOUNT}:assumed-role/app/worker"
    mock.set_account_for_access_key("AKIAAPPROLE", ACCOUNT, role)
    app = client_for("AKIAAPPROLE")
    assert app.invoke(FunctionName=V1)["StatusCode"] == 200  # off by default: trusted within its account
    mock.set_strict_policies()
    with pytest.raises(ClientError) as excinfo:
        app.invoke(FunctionName="my-function:1")
    assert error_of(excinfo) == (403, "AccessDeniedException", denied(role, V1, kind="identity-based"))
    assert shared.invoke(FunctionName=V1)["StatusCode"] == 200  # the activation's own identity is not judged
    shared.add_permission(
        FunctionName="my-function",
        Qualifier="1",
        StatementId="app",
        Action="lambda:InvokeFunction",
        Principal=f"arn:aws:iam::{ACCOUNT}:role/app",
    )
    assert app.invoke(FunctionName="my-function:1")["StatusCode"] == 200
    assert mock.invocations()[-1].allowed_by == "app"


def test_policy_document_names_the_other_account_as_aws_writes_it(shared):
    statement = json.loads(shared.get_policy(FunctionName="my-function", Qualifier="PROD")["Policy"])["Statement"][0]
    assert statement["Principal"] == {"AWS": f"arn:aws:iam::{OTHER}:root"}
    assert statement["Resource"] == PROD
