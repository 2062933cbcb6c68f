"""Fuzzing: whatever a caller sends, the mock answers with AWS-shaped success or error, never a 500."""

from __future__ import annotations

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from conftest import REGION, create
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mock_lambda_alias import mock_lambda_alias

TEXT = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=0x2FF), min_size=1, max_size=80)
NAMES = st.one_of(
    TEXT,
    st.sampled_from(["my-function", "my-function:1", "my-function:live", "my-function:$LATEST"]),
    st.builds(lambda t: f"arn:aws:lambda:us-east-1:123456789012:function:{t}", TEXT),
)
QUALIFIERS = st.one_of(st.none(), TEXT, st.sampled_from(["1", "2", "live", "$LATEST", "$LATEST.PUBLISHED"]))

CALLS = [
    lambda c, n, q: c.get_function(FunctionName=n, **({"Qualifier": q} if q else {})),
    lambda c, n, q: c.delete_function(FunctionName=n, **({"Qualifier": q} if q else {})),
    lambda c, n, q: c.get_alias(FunctionName=n, Name=q or "live"),
    lambda c, n, q: c.create_alias(FunctionName=n, Name=q or "x", FunctionVersion="1"),
    lambda c, n, q: c.update_alias(FunctionName=n, Name=q or "live", FunctionVersion=q or "2"),
    lambda c, n, q: c.invoke(FunctionName=n, Payload=(q or "{}").encode(), **({"Qualifier": q} if q else {})),
    lambda c, n, q: c.add_permission(
        FunctionName=n, StatementId=q or "s", Action="lambda:InvokeFunction", Principal=q or "*"
    ),
    lambda c, n, q: c.get_policy(FunctionName=n, **({"Qualifier": q} if q else {})),
    lambda c, n, q: c.put_provisioned_concurrency_config(
        FunctionName=n, Qualifier=q or "1", ProvisionedConcurrentExecutions=1
    ),
    lambda c, n, q: c.list_aliases(FunctionName=n, **({"FunctionVersion": q} if q else {})),
    # The durable operations (botocore 1.42.1+): names, qualifiers and ids of any text.
    lambda c, n, q: c.list_durable_executions_by_function(FunctionName=n, **({"Qualifier": q} if q else {})),
    lambda c, n, q: c.get_durable_execution_history(
        DurableExecutionArn=f"arn:aws:lambda:us-east-1:123456789012:function:my-function:{q}/durable-execution/{n}/x"
    ),
    lambda c, n, q: c.checkpoint_durable_execution(DurableExecutionArn=n, CheckpointToken=q or "dG9rZW4="),
    lambda c, n, q: c.send_durable_execution_callback_success(CallbackId=n, Result=(q or "").encode()),
    lambda c, n, q: c.stop_durable_execution(DurableExecutionArn=n),
]


@pytest.mark.parametrize("call", CALLS, ids=range(len(CALLS)))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=NAMES, qualifier=QUALIFIERS)
def test_any_input_gets_an_aws_answer(call, name, qualifier):
    with mock_lambda_alias() as mock:
        client = boto3.client(
            "lambda", region_name=REGION, config=Config(parameter_validation=False, retries={"total_max_attempts": 1})
        )
        create(client)
        client.publish_version(FunctionName="my-function")
        client.create_alias(FunctionName="my-function", Name="live", FunctionVersion="1")
        try:
            response = call(client, name, qualifier)
        except ClientError as exc:
            status = exc.response["ResponseMetadata"]["HTTPStatusCode"]
            assert 400 <= status < 500, exc.response
            assert exc.response["Error"]["Message"], exc.response
        else:
            assert response["ResponseMetadata"]["HTTPStatusCode"] < 300
        assert mock.internal_errors == []
