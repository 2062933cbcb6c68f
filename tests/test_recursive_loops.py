"""Recursive loop detection as AWS does it: a chain of invocations caused by one event is stopped
after 16 invocations unless the function's ``RecursiveLoop`` is ``Allow`` (AWS developer guide,
"Lambda recursive loop detection"; the chain travels as the X-Ray trace header's ``Lineage``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from conftest import ACCOUNT, FN_ARN_PREFIX, REGION, create, requires_operation

import mock_lambda_alias
from mock_lambda_alias.backend import lineage

#: AWS: "Lambda ... drops requests after exceeding 16 invocations".
LIMIT = 16


def invoke_myself(event: Any, context: Any) -> int:
    """Invokes its own function asynchronously, up to ``event["stop_at"]`` hops."""
    hop = event["hop"] + 1
    if hop < event.get("stop_at", 1000):
        payload = json.dumps({"hop": hop, "stop_at": event.get("stop_at", 1000)})
        boto3.client("lambda").invoke(
            FunctionName=context.invoked_function_arn, InvocationType="Event", Payload=payload
        )
    return hop


def test_a_handler_invoking_itself_asynchronously_is_stopped_after_16_invocations(lam, mock):
    """Facts relied upon (AWS What's New 2023-07-13 "AWS Lambda detects and stops recursive loops";
    AWS Compute Blog "Detecting and stopping recursive loops in AWS Lambda functions"): a function
    invoked by the same triggering event more than 16 times has the next invocation stopped, and
    an asynchronous event goes to the dead-letter queue or on-failure destination; the drop is
    counted in the ``RecursiveInvocationsDropped`` metric (developer guide, "Types of metrics for
    Lambda functions"). The record's condition ("RetriesExhausted" here), its
    approximateInvokeCount (0) and the DLQ's ErrorCode/ErrorMessage for a stopped event are the
    mock's choice: no recording of a stopped event's record or DLQ message was found (LocalStack
    records none; the developer guide and the blog name only where the event goes)."""
    create(lam)
    dlq = f"arn:aws:sqs:{REGION}:{ACCOUNT}:dlq"
    lam.update_function_configuration(FunctionName="my-function", DeadLetterConfig={"TargetArn": dlq})
    mock.register_handler("my-function", invoke_myself)
    lam.invoke(FunctionName="my-function", InvocationType="Event", Payload=b'{"hop": 0}')
    events = mock.async_events("my-function")
    ran = [e for e in events if e.attempts]
    assert len(ran) == LIMIT
    assert [e.lineage.depth if e.lineage else 0 for e in ran] == list(range(LIMIT))
    (stopped,) = [e for e in events if not e.attempts]
    assert stopped is events[-1]
    assert (stopped.stopped, stopped.condition, stopped.event) == (
        "RecursiveLoop",
        "RetriesExhausted",
        {"hop": LIMIT, "stop_at": 1000},
    )
    # The stopped event goes to the dead-letter queue (not reachable here without moto: recorded).
    assert (stopped.delivery.kind, stopped.delivery.target) == ("DeadLetter", dlq)
    assert mock.count_invocations("my-function") == LIMIT
    dropped = mock.metrics("RecursiveInvocationsDropped", dimensions={"FunctionName": "my-function"})
    assert [(d.value, d.unit) for d in dropped] == [(1.0, "Count")]


@requires_operation("PutFunctionRecursionConfig", since="1.34.134")
def test_recursive_loop_allow_lets_the_chain_run_on(lam, mock):
    create(lam)
    lam.put_function_recursion_config(FunctionName="my-function", RecursiveLoop="Allow")
    mock.register_handler("my-function", invoke_myself)
    lam.invoke(FunctionName="my-function", InvocationType="Event", Payload=b'{"hop": 0, "stop_at": 25}')
    events = mock.async_events("my-function")
    assert len(events) == 25 and all(e.condition == "Success" for e in events)
    assert events[-1].lineage.depth == 24
    assert mock.metrics("RecursiveInvocationsDropped") == []


def test_a_synchronous_invoke_past_the_limit_is_refused_with_recursive_invocation_exception(lam, mock):
    create(lam)
    errors = []

    def call_myself(event: Any, context: Any) -> int:
        try:
            boto3.client("lambda").invoke(FunctionName="my-function", Payload=json.dumps({"hop": event["hop"] + 1}))
        except ClientError as error:
            status = error.response["ResponseMetadata"]["HTTPStatusCode"]
            errors.append((event["hop"], error.response["Error"]["Code"], status, error.response["Error"]["Message"]))
        return event["hop"]

    mock.register_handler("my-function", call_myself)
    lam.invoke(FunctionName="my-function", Payload=b'{"hop": 1}')
    # The code and 400 are the API reference's (Invoke, Errors); the message is the exception's
    # description there (botocore's model words it "other Amazon Web Services resources"): AWS's
    # runtime text is not recorded anywhere found.
    message = (
        "Lambda has detected your function being invoked in a recursive loop with other AWS resources "
        "and stopped your function's invocation."
    )
    assert errors == [(LIMIT, "RecursiveInvocationException", 400, message)]
    assert mock.count_invocations("my-function") == LIMIT
    dropped = mock.metrics("RecursiveInvocationsDropped", dimensions={"FunctionName": "my-function"})
    assert [(d.value, d.unit) for d in dropped] == [(1.0, "Count")]


def test_chains_are_counted_per_triggering_event(lam, mock):
    create(lam)
    mock.register_handler("my-function", invoke_myself)
    for _ in range(2):
        lam.invoke(FunctionName="my-function", InvocationType="Event", Payload=b'{"hop": 0, "stop_at": 10}')
    assert mock.count_invocations("my-function") == 20  # two chains of 10: neither reaches the limit


def test_the_trace_header_carries_the_chain():
    chain = lineage.Lineage("1-5759e988-bd862e3fe1be46a994272793", 3)
    header = lineage.header(chain)
    assert header.startswith("Root=1-5759e988-bd862e3fe1be46a994272793;")
    assert lineage.parse(header) == chain
    assert lineage.parse(
        "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
    ) == lineage.Lineage("1-5759e988-bd862e3fe1be46a994272793", 0)
    assert lineage.parse("Sampled=1") is None and lineage.parse(None) is None
    assert lineage.current() is None  # the test's own thread runs no handler


moto = pytest.importorskip("moto")


@pytest.fixture
def env() -> Iterator[tuple[Any, Any]]:
    with moto.mock_aws(), mock_lambda_alias.mock_lambda_alias() as m:
        boto3.client("iam", region_name=REGION).create_role(RoleName="lambda-role", AssumeRolePolicyDocument="{}")
        lam = boto3.client("lambda", region_name=REGION)
        create(lam)
        yield m, lam
        assert not m.internal_errors, m.internal_errors


def publish_to_topic(event: Any, context: Any) -> None:
    message = json.loads(event["Records"][0]["Sns"]["Message"])
    if message["hop"] + 1 < message.get("stop_at", 1000):
        message["hop"] += 1
        topic = event["Records"][0]["Sns"]["TopicArn"]
        boto3.client("sns").publish(TopicArn=topic, Message=json.dumps(message))


def sns_loop(m: Any, lam: Any) -> tuple[str, str]:
    sns = boto3.client("sns", region_name=REGION)
    topic = sns.create_topic(Name="loop")["TopicArn"]
    lam.add_permission(
        FunctionName="my-function",
        StatementId="sns",
        Action="lambda:InvokeFunction",
        Principal="sns.amazonaws.com",
        SourceArn=topic,
    )
    sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=FN_ARN_PREFIX + "my-function")
    m.register_handler("my-function", publish_to_topic)
    url = boto3.client("sqs", region_name=REGION).create_queue(QueueName="failures")["QueueUrl"]
    return topic, url


def test_a_handler_publishing_to_its_own_sns_topic_is_stopped_and_the_event_goes_to_on_failure(env):
    m, lam = env
    topic, url = sns_loop(m, lam)
    failures = f"arn:aws:sqs:{REGION}:{ACCOUNT}:failures"
    lam.put_function_event_invoke_config(
        FunctionName="my-function", DestinationConfig={"OnFailure": {"Destination": failures}}
    )
    boto3.client("sns", region_name=REGION).publish(TopicArn=topic, Message='{"hop": 0}')
    assert m.count_invocations("my-function") == LIMIT
    stopped = m.async_events("my-function")[-1]
    assert stopped.stopped == "RecursiveLoop" and stopped.delivery.delivered
    (message,) = boto3.client("sqs", region_name=REGION).receive_message(QueueUrl=url)["Messages"]
    record = json.loads(message["Body"])
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert json.loads(record["requestPayload"]["Records"][0]["Sns"]["Message"]) == {"hop": LIMIT}


@requires_operation("PutFunctionRecursionConfig", since="1.34.134")
def test_allow_lets_the_sns_loop_run_on(env):
    m, lam = env
    topic, _ = sns_loop(m, lam)
    lam.put_function_recursion_config(FunctionName="my-function", RecursiveLoop="Allow")
    boto3.client("sns", region_name=REGION).publish(TopicArn=topic, Message='{"hop": 0, "stop_at": 20}')
    assert m.count_invocations("my-function") == 20


def test_a_message_sent_to_sqs_from_a_handler_carries_the_chain(env):
    from mock_lambda_alias.integrations.destinations import lineage_of_message

    m, lam = env
    sqs = boto3.client("sqs", region_name=REGION)
    url = sqs.create_queue(QueueName="out")["QueueUrl"]
    m.register_handler(
        "my-function", lambda event, context: boto3.client("sqs").send_message(QueueUrl=url, MessageBody="x")
    )
    lam.invoke(FunctionName="my-function", Payload=b"{}")
    sqs.send_message(QueueUrl=url, MessageBody="from the test")
    received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["AWSTraceHeader"])["Messages"]
    by_body = {message["Body"]: message.get("Attributes", {}) for message in received}
    assert lineage.parse(by_body["x"]["AWSTraceHeader"]).depth == 1
    assert by_body["from the test"] == {}
    from moto.sqs.models import sqs_backends

    stored = {msg.body: msg for msg in sqs_backends[ACCOUNT][REGION].queues["out"]._messages}
    assert lineage_of_message(stored["x"]).depth == 1
    assert lineage_of_message(stored["from the test"]) is None


def write_to_bucket(event: Any, context: Any) -> None:
    s3 = event["Records"][0]["s3"]
    hop = int(s3["object"]["key"]) + 1
    boto3.client("s3").put_object(Bucket=s3["bucket"]["name"], Key=str(hop), Body=b"x")


def test_a_handler_writing_to_the_bucket_that_notifies_it_is_stopped(env):
    m, lam = env
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket="loop")
    lam.add_permission(
        FunctionName="my-function",
        StatementId="s3",
        Action="lambda:InvokeFunction",
        Principal="s3.amazonaws.com",
        SourceArn="arn:aws:s3:::loop",
        SourceAccount=ACCOUNT,
    )
    s3.put_bucket_notification_configuration(
        Bucket="loop",
        NotificationConfiguration={
            "LambdaFunctionConfigurations": [
                {"LambdaFunctionArn": FN_ARN_PREFIX + "my-function", "Events": ["s3:ObjectCreated:*"]}
            ]
        },
    )
    m.register_handler("my-function", write_to_bucket)
    s3.put_object(Bucket="loop", Key="0", Body=b"x")
    assert m.count_invocations("my-function") == LIMIT
    assert m.async_events("my-function")[-1].stopped == "RecursiveLoop"
    assert len(s3.list_objects_v2(Bucket="loop")["Contents"]) == LIMIT + 1
