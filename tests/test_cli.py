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
