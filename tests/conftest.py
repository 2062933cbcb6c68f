"""Suite-wide checks: every Lambda response the mock produces is shaped as AWS's would be.

An ``after-call.lambda`` handler, installed for every botocore session, validates each successful
response against the operation's output shape (as botocore's Stubber does) and each error code
against the operation's modeled errors plus ``ValidationException``. A violation fails the test
at the call that produced it. Our own internal errors (answered as 500) fail it too.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore import handlers as botocore_handlers
from botocore.validate import ParamValidator

import mock_lambda_alias
from mock_lambda_alias import hook

ACCOUNT = "123456789012"
REGION = "us-east-1"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/lambda-role"
FN_ARN_PREFIX = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:"

#: Error codes AWS may send for any operation although no operation models them.
ALWAYS_ALLOWED_ERRORS = {"ValidationException"}
#: Operations AWS answers with an empty body although the model marks output members required.
#: GetFunctionCodeSigningConfig of a function without a config: 200 and ``{}`` (recorded in LocalStack's
#: AWS snapshot test_code_signing_not_found_excs / get_function_csc_fnwithoutcsc).
RECORDED_EMPTY_BODIES = {"GetFunctionCodeSigningConfig"}
#: Error codes AWS sends for an operation although botocore's model omits them there: a role of
#: another account (F-MA-019) or a layer of another account that grants nothing (403).
UNMODELED_ERRORS = {
    "CreateFunction": {"AccessDeniedException"},
    "UpdateFunctionConfiguration": {"AccessDeniedException"},
    "GetLayerVersion": {"AccessDeniedException"},
    "GetLayerVersionByArn": {"AccessDeniedException"},
}

checked_calls: list[str] = []


class ShapeViolation(AssertionError):
    pass


def _check_response(http_response: Any = None, parsed: Any = None, model: Any = None, **_: Any) -> None:
    if not hook.ACTIVE or model is None or parsed is None:
        return
    status = http_response.status_code if http_response is not None else 200
    checked_calls.append(model.name)
    if status >= 300:
        code = parsed.get("Error", {}).get("Code")
        if code == "ServiceException" and "internal error" in parsed["Error"].get("Message", ""):
            raise ShapeViolation(f"{model.name}: mock internal error: {parsed['Error']['Message']}")
        allowed = {shape.name for shape in model.error_shapes} | ALWAYS_ALLOWED_ERRORS
        allowed |= UNMODELED_ERRORS.get(model.name, set())
        if code == "UnknownOperationException" and "does not implement" in parsed["Error"]["Message"]:
            return
        if code not in allowed:
            raise ShapeViolation(f"{model.name} answered error {code}, which AWS does not send: {sorted(allowed)}")
        return
    if model.output_shape is None:
        return
    members = model.output_shape.members
    body = {
        k: v
        for k, v in parsed.items()
        if k != "ResponseMetadata" and not members.get(k, model.output_shape).serialization.get("eventstream")
    }
    if not body and model.name in RECORDED_EMPTY_BODIES:
        return
    report = ParamValidator().validate(body, model.output_shape)
    if report.has_errors():
        raise ShapeViolation(f"{model.name} response does not match its output shape:\n{report.generate_report()}")
    unknown = set(body) - set(model.output_shape.members)
    if unknown:
        raise ShapeViolation(f"{model.name} response has members AWS does not model: {sorted(unknown)}")


def _install_checker() -> None:
    entry = ("after-call.lambda", _check_response)
    if entry not in botocore_handlers.BUILTIN_HANDLERS:
        botocore_handlers.BUILTIN_HANDLERS.append(entry)
    if boto3.DEFAULT_SESSION is not None:
        boto3.DEFAULT_SESSION._session.register("after-call.lambda", _check_response, unique_id="tests.shape-check")


_install_checker()


def make_zip(source: str = "def handler(event, context):\n    return event\n", name: str = "index.py") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, source)
    return buffer.getvalue()


ZIP = make_zip()


@pytest.fixture
def mock() -> Iterator[mock_lambda_alias.LambdaAliasMock]:
    with mock_lambda_alias.mock_lambda_alias() as m:
        yield m
        assert not m.internal_errors, m.internal_errors


@pytest.fixture
def lam(mock: mock_lambda_alias.LambdaAliasMock) -> Any:
    return boto3.client("lambda", region_name=REGION)


@pytest.fixture
def raw_lam(mock: mock_lambda_alias.LambdaAliasMock) -> Any:
    """A client that skips botocore's own parameter validation, so the mock's is what answers."""
    from botocore.config import Config

    return boto3.client("lambda", region_name=REGION, config=Config(parameter_validation=False))


def create(client: Any, name: str = "my-function", **kwargs: Any) -> dict:
    params: dict[str, Any] = {
        "FunctionName": name,
        "Runtime": "python3.12",
        "Role": ROLE,
        "Handler": "index.handler",
        "Code": {"ZipFile": ZIP},
    }
    params.update(kwargs)
    return client.create_function(**params)


def error_of(excinfo: Any) -> tuple[int, str, str]:
    """(HTTP status, error code, message) of a caught ClientError."""
    response = excinfo.value.response
    return (
        response["ResponseMetadata"]["HTTPStatusCode"],
        response["Error"]["Code"],
        response["Error"]["Message"],
    )
