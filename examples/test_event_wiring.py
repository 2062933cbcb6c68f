"""The bucket may invoke the PROD alias, and not the function or its version."""

from __future__ import annotations

import json

import boto3
import pytest
from event_wiring import deploy, main, wire_bucket

ROLE = "arn:aws:iam::123456789012:role/lambda-role"
ACCOUNT = "123456789012"
BUCKET_ARN = "arn:aws:s3:::uploads"


@pytest.fixture
def prod(mock_lambda_alias):
    client = boto3.client("lambda", region_name="us-east-1")
    arn = deploy(client, "thumbnailer", ROLE)
    wire_bucket(client, arn, "uploads", ACCOUNT)
    return client, arn


def test_bucket_may_invoke_prod_alias(mock_lambda_alias, prod):
    _, arn = prod
    decision = mock_lambda_alias.is_invoke_allowed(
        "s3.amazonaws.com", arn, source_arn=BUCKET_ARN, source_account=ACCOUNT
    )
    assert decision.allowed
    assert decision.statement_id == "s3-uploads"


def test_bucket_may_not_invoke_the_function_or_version(mock_lambda_alias, prod):
    _, arn = prod
    function_arn = arn.rsplit(":", 1)[0]
    for target in (function_arn, function_arn + ":1"):
        decision = mock_lambda_alias.is_invoke_allowed(
            "s3.amazonaws.com", target, source_arn=BUCKET_ARN, source_account=ACCOUNT
        )
        assert not decision
        assert "a permission applies only to the ARN it was added to" in decision.reason


def test_another_bucket_is_refused(mock_lambda_alias, prod):
    _, arn = prod
    assert not mock_lambda_alias.is_invoke_allowed(
        "s3.amazonaws.com", arn, source_arn="arn:aws:s3:::other", source_account=ACCOUNT
    )


def test_permission_lands_in_the_alias_policy(prod):
    client, arn = prod
    statement = json.loads(client.get_policy(FunctionName=arn)["Policy"])["Statement"][0]
    assert statement["Resource"] == arn
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.get_policy(FunctionName="thumbnailer")


def test_main_runs(capsys):
    main()
    alias_line, function_line = capsys.readouterr().out.splitlines()
    assert ":thumbnailer:PROD: allowed" in alias_line
    assert "allowed by statement 's3-uploads'" in alias_line
    assert ":thumbnailer: denied" in function_line
