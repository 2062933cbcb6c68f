"""Side by side with moto's ``mock_aws``: Lambda is ours, everything else is moto's, untouched.

A Lambda request is answered first in botocore's ``before-send``, and moto's stubber is off the
Lambda client's ``before-send`` while a mock is active, so moto never sees one: no shadow
functions in moto's Lambda backend, no Docker attempts, nothing in moto's recorder (see
tests/test_request_path.py), and moto's IAM-auth mode judges only its own services' requests.
"""

from __future__ import annotations

import contextlib
import json
import logging
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from conftest import ACCOUNT, REGION, create, error_of

moto = pytest.importorskip("moto")
from moto.awslambda.models import lambda_backends  # noqa: E402
from moto.core import set_initial_no_auth_action_count  # noqa: E402

from mock_lambda_alias import mock_lambda_alias  # noqa: E402

NO_RETRIES = Config(retries={"total_max_attempts": 1})


def moto_lambda_functions() -> list[Any]:
    return list(lambda_backends[ACCOUNT][REGION].list_functions())


def moto_role() -> str:
    """A role in moto's IAM: with moto active, CreateFunction checks the role exists there (as AWS does)."""
    iam = boto3.client("iam", region_name=REGION)
    return iam.create_role(RoleName="lambda-role", AssumeRolePolicyDocument="{}")["Role"]["Arn"]


def both(ours_inside: bool) -> contextlib.ExitStack:
    stack = contextlib.ExitStack()
    if ours_inside:
        stack.enter_context(moto.mock_aws())
        stack.enter_context(mock_lambda_alias())
    else:
        stack.enter_context(mock_lambda_alias())
        stack.enter_context(moto.mock_aws())
    return stack


@pytest.mark.parametrize("ours_inside", [True, False], ids=["moto-outside", "moto-inside"])
def test_lambda_never_reaches_moto(ours_inside, caplog, socket_guard):
    caplog.set_level(logging.DEBUG)
    with both(ours_inside):
        client = boto3.client("lambda", region_name=REGION, config=NO_RETRIES)
        create(client, Role=moto_role())
        client.publish_version(FunctionName="my-function")
        client.create_alias(FunctionName="my-function", Name="live", FunctionVersion="1")
        response = client.invoke(FunctionName="my-function:live", Payload=b'{"x": 1}')
        assert json.loads(response["Payload"].read()) == {"x": 1}
        client.invoke(FunctionName="my-function", InvocationType="Event", Payload=b"{}")
        assert moto_lambda_functions() == []  # no shadow state in moto
    assert "docker" not in caplog.text.lower()
    assert socket_guard.attempts == []


@pytest.mark.parametrize("ours_inside", [True, False], ids=["moto-outside", "moto-inside"])
def test_other_services_stay_motos(ours_inside, socket_guard):
    with both(ours_inside):
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket="artifacts")
        s3.put_object(Bucket="artifacts", Key="k", Body=b"v")
        assert s3.get_object(Bucket="artifacts", Key="k")["Body"].read() == b"v"
        iam = boto3.client("iam", region_name=REGION)
        role = iam.create_role(RoleName="r", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        client = boto3.client("lambda", region_name=REGION)
        create(client, Role=role)
        with pytest.raises(ClientError) as exc:
            client.get_function(FunctionName="nope")
        assert error_of(exc)[2] == f"Function not found: arn:aws:lambda:{REGION}:{ACCOUNT}:function:nope"
    assert socket_guard.attempts == []


@set_initial_no_auth_action_count(1)  # the role's creation; every later moto action is authenticated
def iam_mode_scenario() -> tuple[list[str], str]:
    with moto.mock_aws(config={"iam": {"load_aws_managed_policies": False}}), mock_lambda_alias():
        client = boto3.client("lambda", region_name=REGION, config=NO_RETRIES)
        create(client, Role=moto_role())
        names = [f["FunctionName"] for f in client.list_functions()["Functions"]]
        s3 = boto3.client("s3", region_name=REGION, config=NO_RETRIES)
        with pytest.raises(ClientError) as exc:  # moto's authentication still guards moto's services
            s3.list_buckets()
        return names, exc.value.response["Error"]["Code"]


def test_moto_iam_mode_keeps_working(socket_guard):
    names, s3_error = iam_mode_scenario()
    assert names == ["my-function"]
    assert s3_error == "InvalidAccessKeyId"
    assert socket_guard.attempts == []


#: Where the mock stands in for moto while active (deliveries in, mappings' sources, destinations).
STOOD_IN = [
    ("moto.s3.notifications", None, "_invoke_awslambda"),
    ("moto.s3.models", "FakeBucket", "set_notification_configuration"),
    ("moto.sns.models", "Subscription", "publish"),
    ("moto.events.models", "Rule", "send_to_targets"),
    ("moto.sqs.models", "Queue", "add_message"),
    ("moto.sqs.models", "SQSBackend", "send_message_batch"),
    ("moto.kinesis.models", "Stream", "put_record"),
    ("moto.kinesis.models", "KinesisBackend", "put_records"),
    ("moto.dynamodb.models.table", "StreamShard", "add"),
]


def _owned() -> dict[str, Any]:
    import importlib

    found = {}
    for module_name, owner, attribute in STOOD_IN:
        holder = importlib.import_module(module_name)
        holder = getattr(holder, owner) if owner else holder
        found[f"{module_name}.{owner}.{attribute}"] = vars(holder).get(attribute)
    return found


def test_after_the_last_stop_moto_has_its_own_functions_back():
    before = _owned()
    with moto.mock_aws(), mock_lambda_alias():
        with mock_lambda_alias():  # nested: nothing is stood in twice, nothing put back early
            pass
        during = _owned()
        assert all(during[name] is not before[name] for name in before), [n for n in before if during[n] is before[n]]
    assert _owned() == before


def test_a_send_racing_with_the_last_stop_reaches_moto(socket_guard):
    import threading

    errors: list[BaseException] = []
    with moto.mock_aws():
        sqs = boto3.client("sqs", region_name=REGION)
        url = sqs.create_queue(QueueName="busy")["QueueUrl"]
        stop = threading.Event()

        def send() -> None:
            while not stop.is_set():
                try:
                    sqs.send_message(QueueUrl=url, MessageBody="x")
                except BaseException as error:  # any failure is the finding
                    errors.append(error)
                    return

        sender = threading.Thread(target=send)
        sender.start()
        try:
            for _ in range(20):
                with mock_lambda_alias():
                    pass
        finally:
            stop.set()
            sender.join()
    assert errors == []
