"""The AWS CLI (v1 runs on botocore, in-process) works against the mock as boto3 does."""

from __future__ import annotations

import json

import pytest
from conftest import ROLE, ZIP

clidriver = pytest.importorskip("awscli.clidriver")


def aws(capsys, *args: str) -> tuple[int, dict]:
    capsys.readouterr()
    code = clidriver.create_clidriver().main(["lambda", *args, "--region", "us-east-1", "--output", "json"])
    out = capsys.readouterr().out
    return code, (json.loads(out) if out.strip() else {})


def test_cli_function_lifecycle(mock, capsys, tmp_path):
    package = tmp_path / "function.zip"
    package.write_bytes(ZIP)
    code, created = aws(
        capsys,
        "create-function",
        "--function-name",
        "my-function",
        "--runtime",
        "python3.12",
        "--role",
        ROLE,
        "--handler",
        "index.handler",
        "--zip-file",
        f"fileb://{package}",
    )
    assert code == 0
    assert created["FunctionArn"] == "arn:aws:lambda:us-east-1:123456789012:function:my-function"
    code, listed = aws(capsys, "list-functions")
    assert [f["FunctionName"] for f in listed["Functions"]] == ["my-function"]
    code, fetched = aws(capsys, "get-function", "--function-name", "my-function")
    assert fetched["Configuration"]["State"] == "Active"
    code, _ = aws(capsys, "delete-function", "--function-name", "my-function")
    assert code == 0


def test_cli_reports_aws_errors(mock, capsys):
    capsys.readouterr()
    code = clidriver.create_clidriver().main(
        ["lambda", "get-function", "--function-name", "nope", "--region", "us-east-1"]
    )
    err = capsys.readouterr().err
    assert code == 255  # the CLI v1 exit code for a service error
    assert "ResourceNotFoundException" in err
    assert "Function not found: arn:aws:lambda:us-east-1:123456789012:function:nope" in err


def deploy_two_versions(capsys, tmp_path, name: str) -> None:
    package = tmp_path / "function.zip"
    package.write_bytes(ZIP)
    aws(
        capsys,
        "create-function",
        "--function-name",
        name,
        "--runtime",
        "python3.12",
        "--role",
        ROLE,
        "--handler",
        "index.handler",
        "--zip-file",
        f"fileb://{package}",
    )
    aws(capsys, "publish-version", "--function-name", name)
    aws(capsys, "update-function-configuration", "--function-name", name, "--description", "v2")
    aws(capsys, "publish-version", "--function-name", name)


def test_seed_alias_commands(mock, capsys, tmp_path):
    """The `aws lambda` commands of the aliases guide, as written there."""
    deploy_two_versions(capsys, tmp_path, "my-function")
    code, created = aws(
        capsys,
        "create-alias",
        "--function-name",
        "my-function",
        "--name",
        "alias-name",
        "--function-version",
        "1",
        "--description",
        " ",
    )
    assert code == 0 and created["Description"] == " " and created["FunctionVersion"] == "1"
    code, updated = aws(
        capsys, "update-alias", "--function-name", "my-function", "--name", "alias-name", "--function-version", "2"
    )
    assert code == 0 and updated["FunctionVersion"] == "2"


def test_seed_routing_commands(mock, capsys, tmp_path):
    deploy_two_versions(capsys, tmp_path, "my-function")
    code, created = aws(
        capsys,
        "create-alias",
        "--name",
        "routing-alias",
        "--function-name",
        "my-function",
        "--function-version",
        "1",
        "--routing-config",
        "AdditionalVersionWeights={2=0.03}",  # the shell strips the quotes,
    )
    assert code == 0 and created["RoutingConfig"] == {"AdditionalVersionWeights": {"2": 0.03}}
    code, updated = aws(
        capsys,
        "update-alias",
        "--name",
        "routing-alias",
        "--function-name",
        "my-function",
        "--routing-config",
        "AdditionalVersionWeights={2=0.05}",
    )
    assert updated["RoutingConfig"] == {"AdditionalVersionWeights": {"2": 0.05}}
    code, promoted = aws(
        capsys,
        "update-alias",
        "--name",
        "routing-alias",
        "--function-name",
        "my-function",
        "--function-version",
        "2",
        "--routing-config",
        "AdditionalVersionWeights={}",
    )
    assert promoted["FunctionVersion"] == "2" and "RoutingConfig" not in promoted


def test_seed_alias_permission_command(mock, capsys, tmp_path):
    deploy_two_versions(capsys, tmp_path, "helloworld")
    aws(capsys, "create-alias", "--function-name", "helloworld", "--name", "PROD", "--function-version", "1")
    code, added = aws(
        capsys,
        "add-permission",
        "--function-name",
        "helloworld",
        "--qualifier",
        "PROD",
        "--statement-id",
        "1",
        "--principal",
        "s3.amazonaws.com",
        "--action",
        "lambda:InvokeFunction",
        "--source-arn",
        "arn:aws:s3:::examplebucket",
        "--source-account",
        "123456789012",
    )
    assert code == 0
    statement = json.loads(added["Statement"])
    assert statement["Resource"] == "arn:aws:lambda:us-east-1:123456789012:function:helloworld:PROD"
    prod = statement["Resource"]
    assert mock.is_invoke_allowed(
        "s3.amazonaws.com", prod, source_arn="arn:aws:s3:::examplebucket", source_account="123456789012"
    )
    assert not mock.is_invoke_allowed(
        "s3.amazonaws.com",
        prod.rsplit(":", 1)[0],
        source_arn="arn:aws:s3:::examplebucket",
        source_account="123456789012",
    )
