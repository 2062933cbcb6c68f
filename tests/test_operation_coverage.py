"""Every operation in botocore's Lambda model is answered by the mock, never ``UnknownOperationException``.

The test builds a request that passes AWS's input validation for each operation (the mock validates
before it looks the operation up, so an invalid request could hide a missing one) and sends it through
a real client. Whatever the backend answers — success or an AWS error such as a 404 — shows the
operation is implemented. No operation of the model is left unimplemented; one withdrawn from the
registry shows the clear not-implemented error a missing one answers.
"""

from __future__ import annotations

from typing import Any

import boto3
import botocore.session
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from conftest import ACCOUNT, REGION, ROLE, ZIP

from mock_lambda_alias import implemented_operations, mock_lambda_alias
from mock_lambda_alias.wire.constraints import aws_member

MODEL = botocore.session.get_session().get_service_model("lambda")
FN_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:my-function"


#: Valid sample values by the model's shape name.
SAMPLES: dict[str, Any] = {
    "Action": "lambda:InvokeFunction",
    "LayerPermissionAllowedAction": "lambda:GetLayerVersion",
    "LayerVersionArn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:layer:my-layer:1",
    "CallbackId": "Y2FsbGJhY2s=",
    "CheckpointToken": "dG9rZW4=",
    "CapacityProviderName": "my-provider",
    "RoleArn": ROLE,
    "FunctionCode": {"ZipFile": ZIP},
    "LayerVersionContentInput": {"ZipFile": ZIP},
    "CodeSigningConfigArn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:code-signing-config:csc-0123456789abcdef0",
    "DurableExecutionArn": f"{FN_ARN}:1/durable-execution/run/0123456789abcdef",
    "FunctionName": "my-function",
    "FunctionUrlFunctionName": "my-function",
    "NamespacedFunctionName": "my-function",
    "UnqualifiedFunctionName": "my-function",
    "VersionWithLatestPublished": "1",
    "BlobStream": b"{}",
    "LayerNameOrArn": "my-layer",
    "Alias": "live",
    "ResourcePolicy": '{"Version": "2012-10-17", "Statement": []}',
    "LayerPermissionAllowedPrincipal": "*",
    "Principal": "s3.amazonaws.com",
    "PositiveInteger": 1,
    "PublishedFunctionQualifier": "1",
    "Qualifier": "1",
    "ReservedConcurrentExecutions": 10,
    "TaggableResource": FN_ARN,
    "PolicyResourceArn": FN_ARN,
    "NamespacedStatementId": "s1",
    "StatementId": "s1",
    "SigningProfileVersionArns": [f"arn:aws:signer:{REGION}:{ACCOUNT}:/signing-profiles/p"],
    "CapacityProviderSubnetIds": ["subnet-0abc"],
    "CapacityProviderSecurityGroupIds": ["sg-0abc"],
    "TagKeyList": ["team"],
    "Tags": {"team": "a"},
    "UUIDString": "00000000-0000-0000-0000-000000000000",
    "LayerVersionNumber": 1,
}


def sample(shape: Any) -> Any:
    """A valid value of ``shape``: the sample of its name, else built from its required members."""
    if shape.name in SAMPLES:
        return SAMPLES[shape.name]
    if shape.type_name == "structure":
        # By the shape AWS validates each member against, whatever the installed model calls it.
        return {name: sample(aws_member(shape, name, shape.members[name])) for name in shape.required_members}
    if getattr(shape, "enum", None):
        return shape.enum[0]
    if shape.type_name in ("integer", "long"):
        return max(int(shape.metadata.get("min", 1)), 1)
    raise AssertionError(f"no sample value for the required shape {shape.name}; add one to SAMPLES")


def request_for(operation: str) -> dict[str, Any]:
    input_shape = MODEL.operation_model(operation).input_shape
    return sample(input_shape) if input_shape is not None else {}


def method_name(operation: str) -> str:
    return botocore.xform_name(operation)


@pytest.fixture(scope="module")
def client():
    with mock_lambda_alias():
        yield boto3.client(
            "lambda", region_name=REGION, config=Config(parameter_validation=False, retries={"total_max_attempts": 1})
        )


def _answer(client: Any, operation: str) -> tuple[int, str]:
    try:
        response = getattr(client, method_name(operation))(**request_for(operation))
    except ClientError as exc:
        return exc.response["ResponseMetadata"]["HTTPStatusCode"], exc.response["Error"]["Code"]
    return response["ResponseMetadata"]["HTTPStatusCode"], ""


@pytest.mark.parametrize("operation", sorted(MODEL.operation_names))
def test_operation_is_answered(client, operation):
    status, code = _answer(client, operation)
    assert code != "UnknownOperationException", f"{operation} is not implemented"
    # The request is valid, so a ValidationException would mean the test could not tell.
    assert code != "ValidationException", f"{operation}: the sample request does not pass validation"
    assert status < 500, (operation, status, code)


def test_every_operation_of_the_model_is_implemented():
    assert sorted(set(MODEL.operation_names) - set(implemented_operations())) == []


def test_a_withdrawn_operation_says_it_is_not_implemented(client, monkeypatch):
    from mock_lambda_alias.backend import registry

    operation = "GetAccountSettings"
    monkeypatch.delitem(registry.HANDLERS, operation)
    with pytest.raises(ClientError) as exc:
        getattr(client, method_name(operation))(**request_for(operation))
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 501
    assert exc.value.response["Error"] == {
        "Code": "UnknownOperationException",
        "Message": f"mock_lambda_alias does not implement the Lambda operation {operation} yet. "
        "See the operations table in the documentation (docs/reference/operations.md).",
    }
