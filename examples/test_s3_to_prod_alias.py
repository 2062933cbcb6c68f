"""S3 → PROD through moto: works with the permission on PROD; refused with it on the function."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError
from s3_to_prod_alias import REGION, create_role, deploy, grant_s3, main, notify_on_upload

moto = pytest.importorskip("moto")


@pytest.fixture
def clients(mock_lambda_alias):
    with moto.mock_aws():
        create_role(boto3.client("iam", region_name=REGION))
        yield boto3.client("lambda", region_name=REGION), boto3.client("s3", region_name=REGION)


def test_upload_invokes_prod_when_the_permission_is_on_prod(mock_lambda_alias, clients):
    lam, s3 = clients
    prod = deploy(lam)
    grant_s3(lam, "examplebucket", "PROD")
    notify_on_upload(s3, "examplebucket", prod)
    s3.put_object(Bucket="examplebucket", Key="cat.jpg", Body=b"meow")
    (invocation,) = mock_lambda_alias.invocations("helloworld", qualifier="PROD")
    assert invocation.executed_version == "1"
    assert invocation.response_json() == "cat.jpg"
    assert invocation.caller.principal == "s3.amazonaws.com"


def test_wiring_fails_when_the_permission_is_on_the_function(mock_lambda_alias, clients):
    lam, s3 = clients
    prod = deploy(lam)
    grant_s3(lam, "examplebucket", None)
    with pytest.raises(ClientError) as excinfo:  # S3 checks the destination, as on AWS
        notify_on_upload(s3, "examplebucket", prod)
    assert excinfo.value.response["Error"]["Message"] == "Unable to validate the following destination configurations"


def test_upload_is_dropped_when_prod_loses_its_permission(mock_lambda_alias, clients):
    lam, s3 = clients
    prod = deploy(lam)
    grant_s3(lam, "examplebucket", "PROD")
    notify_on_upload(s3, "examplebucket", prod)
    lam.remove_permission(FunctionName="helloworld", Qualifier="PROD", StatementId="1")
    s3.put_object(Bucket="examplebucket", Key="cat.jpg", Body=b"meow")
    assert mock_lambda_alias.invocations() == []
    (dropped,) = mock_lambda_alias.deliveries(allowed=False)
    assert dropped.function_arn == prod
    assert dropped.error == (
        f"User: s3.amazonaws.com is not authorized to perform: lambda:InvokeFunction on resource: {prod} "
        "because no resource-based policy allows the lambda:InvokeFunction action"
    )


def test_main_runs(capsys):
    main()
    out = capsys.readouterr().out
    assert "permission on PROD: 1 invocation(s) of PROD" in out
    assert "permission on the function: notification refused (InvalidArgument)" in out
