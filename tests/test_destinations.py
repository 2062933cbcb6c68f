"""Destinations and dead-letter queues of asynchronous invocations, landing in moto's services
(AWS developer guide, "Capturing records of Lambda asynchronous invocations"; F-EV-004)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from conftest import ACCOUNT, FN_ARN_PREFIX, REGION, create

import mock_lambda_alias
from mock_lambda_alias.backend import lineage

moto = pytest.importorskip("moto")

PROD_ARN = FN_ARN_PREFIX + "my-function:PROD"
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def fail(event: Any, context: Any) -> Any:
    raise ValueError("bad order")


@pytest.fixture
def env() -> Iterator[tuple[Any, Any]]:
    """moto serving SQS, SNS, EventBridge and S3; our mock serving Lambda; my-function v1 behind PROD."""
    with moto.mock_aws(), mock_lambda_alias.mock_lambda_alias() as m:
        boto3.client("iam", region_name=REGION).create_role(RoleName="lambda-role", AssumeRolePolicyDocument="{}")
        lam = boto3.client("lambda", region_name=REGION)
        create(lam)
        lam.publish_version(FunctionName="my-function")
        lam.create_alias(FunctionName="my-function", Name="PROD", FunctionVersion="1")
        yield m, lam
        assert not m.internal_errors, m.internal_errors


def queue(name: str) -> tuple[str, str]:
    sqs = boto3.client("sqs", region_name=REGION)
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    return url, f"arn:aws:sqs:{REGION}:{ACCOUNT}:{name}"


def bus_to_queue(name: str) -> tuple[str, str]:
    """(queue URL, bus ARN): an event bus whose rule sends everything Lambda puts on it to a queue."""
    url, queue_arn = queue(name)
    events = boto3.client("events", region_name=REGION)
    bus_arn = events.create_event_bus(Name=name)["EventBusArn"]
    events.put_rule(Name="all", EventBusName=name, EventPattern=json.dumps({"source": ["lambda"]}))
    events.put_targets(Rule="all", EventBusName=name, Targets=[{"Id": "q", "Arn": queue_arn}])
    return url, bus_arn


def receive(url: str) -> list[dict]:
    sqs = boto3.client("sqs", region_name=REGION)
    return sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"]).get("Messages", [])


def destination(lam: Any, qualifier: str = "PROD", **sides: str) -> None:
    config = {side: {"Destination": arn} for side, arn in sides.items()}
    lam.put_function_event_invoke_config(FunctionName="my-function", Qualifier=qualifier, DestinationConfig=config)


def test_on_failure_to_sqs_gets_one_record_in_aws_shape_after_three_attempts(env):
    m, lam = env
    url, arn = queue("failures")
    destination(lam, OnFailure=arn)
    m.register_handler("my-function", fail)
    lam.invoke(FunctionName=PROD_ARN, InvocationType="Event", Payload=b'{"order": 7}')
    (event,) = m.async_events("my-function")
    assert len(event.attempts) == 3
    (message,) = receive(url)
    record = json.loads(message["Body"])
    assert TIMESTAMP.match(record.pop("timestamp"))
    assert record == {
        "version": "1.0",
        "requestContext": {
            "requestId": event.request_id,
            "functionArn": PROD_ARN,
            "condition": "RetriesExhausted",
            "approximateInvokeCount": 3,
        },
        "requestPayload": {"order": 7},
        "responseContext": {"statusCode": 200, "executedVersion": "1", "functionError": "Unhandled"},
        "responsePayload": {
            "errorMessage": "bad order",
            "errorType": "ValueError",
            "requestId": event.request_id,
            "stackTrace": record["responsePayload"]["stackTrace"],
        },
    }
    assert (event.delivery.kind, event.delivery.target, event.delivery.delivered) == ("OnFailure", arn, True)


@pytest.mark.parametrize(
    ("payload", "condition", "response_context"),
    [
        (b"{}", "Success", {"statusCode": 200, "executedVersion": "$LATEST"}),
        (
            b'{"raise_error": 1}',
            "RetriesExhausted",
            {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
        ),
    ],
)
def test_an_unqualified_invoke_records_latest_as_localstacks_aws_snapshot(env, payload, condition, response_context):
    """Fact relied upon (LocalStack tests/aws/services/lambda_/test_lambda_destinations.snapshot.json,
    test_assess_lambda_destination_invocation[payload0/payload1], recorded against AWS): an
    unqualified invoke with MaximumRetryAttempts 0 gives a record whose functionArn ends in
    ``:$LATEST``, executedVersion ``$LATEST``, approximateInvokeCount 1, members in this order."""
    m, lam = env
    url, arn = queue("records")
    lam.put_function_event_invoke_config(
        FunctionName="my-function",
        MaximumRetryAttempts=0,
        DestinationConfig={"OnSuccess": {"Destination": arn}, "OnFailure": {"Destination": arn}},
    )

    def handler(event: Any, context: Any) -> Any:
        if event.get("raise_error"):
            raise Exception("Test exception (this is intentional)")
        return {"event": event}

    m.register_handler("my-function", handler)
    lam.invoke(FunctionName="my-function", InvocationType="Event", Payload=payload)
    (message,) = receive(url)
    record = json.loads(message["Body"])
    assert list(record) == [
        "version",
        "timestamp",
        "requestContext",
        "requestPayload",
        "responseContext",
        "responsePayload",
    ]
    assert TIMESTAMP.match(record["timestamp"])
    (event,) = m.async_events("my-function")
    assert record["requestContext"] == {
        "requestId": event.request_id,
        "functionArn": FN_ARN_PREFIX + "my-function:$LATEST",
        "condition": condition,
        "approximateInvokeCount": 1,
    }
    assert (record["requestPayload"], record["responseContext"]) == (json.loads(payload), response_context)


def test_on_success_to_eventbridge_has_lambdas_source_and_detail_type(env):
    m, lam = env
    url, bus_arn = bus_to_queue("results")
    destination(lam, OnSuccess=bus_arn)
    m.register_handler("my-function", lambda event, context: {"total": 3})
    lam.invoke(FunctionName=PROD_ARN, InvocationType="Event", Payload=b'{"n": 1}')
    (message,) = receive(url)
    delivered = json.loads(message["Body"])
    # Fact relied upon (events recorded on AWS: cdk-patterns/serverless,
    # the-destined-lambda/README.md; LocalStack test_lambda_destinations.py::
    # TestLambdaDestinationEventbridge::test_invoke_lambda_eventbridge, both detail-types):
    # version "0", source "lambda", the account and region, the
    # resources the bus and then the invoked function's qualified ARN, the record as detail.
    # (AWS's event also has "account"; moto's EventBridge leaves it out of what its rules forward.)
    assert {key: delivered[key] for key in ("version", "source", "region", "resources")} == {
        "version": "0",
        "source": "lambda",
        "region": REGION,
        "resources": [bus_arn, PROD_ARN],
    }
    assert delivered["detail-type"] == "Lambda Function Invocation Result - Success"
    detail = delivered["detail"]
    assert detail["version"] == "1.0" and detail["requestContext"]["functionArn"] == PROD_ARN
    assert detail["requestContext"]["condition"] == "Success"
    assert detail["requestContext"]["approximateInvokeCount"] == 1
    assert detail["responseContext"] == {"statusCode": 200, "executedVersion": "1"}
    assert (detail["requestPayload"], detail["responsePayload"]) == ({"n": 1}, {"total": 3})


def test_on_success_to_another_function_invokes_it_asynchronously_with_the_record(env):
    m, lam = env
    create(lam, "audit")
    destination(lam, OnSuccess=FN_ARN_PREFIX + "audit")
    m.register_handler("my-function", lambda event, context: "ok")
    seen = []
    m.register_handler("audit", lambda event, context: seen.append(event))
    lam.invoke(FunctionName=PROD_ARN, InvocationType="Event", Payload=b'{"n": 2}')
    (record,) = seen
    assert record["requestContext"]["functionArn"] == PROD_ARN
    assert (record["requestPayload"], record["responsePayload"]) == ({"n": 2}, "ok")
    (audit_event,) = m.async_events("audit")
    assert audit_event.attempts[0].invocation_type == "Event"


def test_on_failure_to_sns_publishes_the_record(env):
    m, lam = env
    url, queue_arn = queue("from-topic")
    sns = boto3.client("sns", region_name=REGION)
    topic = sns.create_topic(Name="failures")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"})
    destination(lam, OnFailure=topic)
    m.register_handler("my-function", fail)
    lam.put_function_event_invoke_config(
        FunctionName="my-function",
        Qualifier="PROD",
        MaximumRetryAttempts=0,
        DestinationConfig={"OnFailure": {"Destination": topic}},
    )
    lam.invoke(FunctionName=PROD_ARN, InvocationType="Event", Payload=b"{}")
    (message,) = receive(url)
    assert json.loads(message["Body"])["requestContext"]["approximateInvokeCount"] == 1


def test_on_failure_to_s3_writes_the_record_under_lambdas_key(env):
    m, lam = env
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket="dead-letters")
    destination(lam, OnFailure="arn:aws:s3:::dead-letters")
    m.register_handler("my-function", fail)
    lam.invoke(FunctionName=PROD_ARN, InvocationType="Event", Payload=b'{"k": "v"}')
    (item,) = s3.list_objects_v2(Bucket="dead-letters")["Contents"]
    (event,) = m.async_events("my-function")
    finished = event.finished
    prefix = f"aws/lambda/async/my-function/{finished:%Y/%m/%d}/{finished:%Y-%m-%dT%H.%M.%S}-"
    assert item["Key"].startswith(prefix)
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", item["Key"][len(prefix) :])
    body = json.loads(s3.get_object(Bucket="dead-letters", Key=item["Key"])["Body"].read())
    assert body["requestPayload"] == {"k": "v"}
    assert body["requestContext"]["condition"] == "RetriesExhausted"


@pytest.mark.parametrize("kind", ["sqs", "sns"])
def test_the_dead_letter_queue_gets_the_event_with_awss_attributes(env, kind):
    """Fact relied upon (LocalStack test_lambda_destinations.py::TestLambdaDLQ::test_dead_letter_queue,
    recorded against AWS, snapshot "receive_result"): the DLQ message's body is the event itself and
    its message attributes are exactly ErrorCode (Number, "200" after a function error),
    ErrorMessage (String, the errorMessage) and RequestID (String)."""
    m, lam = env
    url, queue_arn = queue("dlq")
    target = queue_arn
    if kind == "sns":
        sns = boto3.client("sns", region_name=REGION)
        target = sns.create_topic(Name="dlq-topic")["TopicArn"]
        sns.subscribe(TopicArn=target, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"})
    lam.update_function_configuration(FunctionName="my-function", DeadLetterConfig={"TargetArn": target})
    lam.publish_version(FunctionName="my-function")
    lam.update_alias(FunctionName="my-function", Name="PROD", FunctionVersion="2")
    m.register_handler("my-function", fail)
    lam.invoke(FunctionName=PROD_ARN, InvocationType="Event", Payload=b'{"order": 9}')
    (event,) = m.async_events("my-function")
    (message,) = receive(url)
    assert json.loads(message["Body"]) == {"order": 9}
    assert message["MessageAttributes"] == {
        "RequestID": {"StringValue": event.request_id, "DataType": "String"},
        "ErrorCode": {"StringValue": "200", "DataType": "Number"},
        "ErrorMessage": {"StringValue": "bad order", "DataType": "String"},
    }
    assert (event.delivery.kind, event.delivery.delivered) == ("DeadLetter", True)


def test_the_dead_letter_error_message_is_truncated_to_1_kb(env):
    """Fact relied upon (developer guide, "Dead-letter queues": ErrorMessage, String, "Error message
    (truncated to 1 KB)"; ErrorCode, Number, "3-digit HTTP error code")."""
    m, lam = env
    url, queue_arn = queue("dlq")
    lam.update_function_configuration(FunctionName="my-function", DeadLetterConfig={"TargetArn": queue_arn})

    def long_failure(event: Any, context: Any) -> Any:
        raise ValueError("x" * 3000)

    m.register_handler("my-function", long_failure)
    lam.invoke(FunctionName="my-function", InvocationType="Event", Payload=b"{}")
    (message,) = receive(url)
    assert message["MessageAttributes"]["ErrorMessage"]["StringValue"] == "x" * 1024
    assert message["MessageAttributes"]["ErrorCode"] == {"StringValue": "200", "DataType": "Number"}


def test_a_dead_letter_queue_that_is_gone_counts_in_dead_letter_errors(env):
    m, lam = env
    url, queue_arn = queue("dlq")
    lam.update_function_configuration(FunctionName="my-function", DeadLetterConfig={"TargetArn": queue_arn})
    lam.publish_version(FunctionName="my-function")
    lam.update_alias(FunctionName="my-function", Name="PROD", FunctionVersion="2")
    boto3.client("sqs", region_name=REGION).delete_queue(QueueUrl=url)
    m.register_handler("my-function", fail)
    lam.invoke(FunctionName=PROD_ARN, InvocationType="Event", Payload=b"{}")
    (event,) = m.async_events("my-function")
    assert (event.delivery.kind, event.delivery.delivered) == ("DeadLetter", False)
    series = {"FunctionName": "my-function", "Resource": "my-function:PROD", "ExecutedVersion": "2"}
    assert [d.value for d in m.metrics("DeadLetterErrors", dimensions=series)] == [1.0]
    cloudwatch = boto3.client("cloudwatch", region_name=REGION)
    listed = cloudwatch.list_metrics(Namespace="AWS/Lambda", MetricName="DeadLetterErrors")["Metrics"]
    assert {"Name": "ExecutedVersion", "Value": "2"} in [d for metric in listed for d in metric["Dimensions"]]


def test_a_failed_event_goes_to_the_on_failure_destination_and_to_the_dlq(env):
    """Fact relied upon (API reference, PutFunctionEventInvokeConfig: "You can configure
    destinations in addition to or instead of a dead-letter queue"; LocalStack's event manager
    sends a failed event to both): the record goes to the destination, the event to the DLQ."""
    m, lam = env
    dlq_url, dlq_arn = queue("dlq")
    dest_url, dest_arn = queue("dest")
    lam.update_function_configuration(FunctionName="my-function", DeadLetterConfig={"TargetArn": dlq_arn})
    destination(lam, qualifier="$LATEST", OnFailure=dest_arn)
    m.register_handler("my-function", fail)
    lam.invoke(FunctionName="my-function", InvocationType="Event", Payload=b'{"n": 4}')
    (message,) = receive(dest_url)
    assert json.loads(message["Body"])["requestContext"]["functionArn"] == FN_ARN_PREFIX + "my-function:$LATEST"
    (dead,) = receive(dlq_url)
    assert json.loads(dead["Body"]) == {"n": 4}
    (event,) = m.async_events("my-function")
    assert [(d.kind, d.target, d.delivered) for d in event.deliveries] == [
        ("OnFailure", dest_arn, True),
        ("DeadLetter", dlq_arn, True),
    ]
    assert event.delivery is event.deliveries[0]


def test_a_successful_event_sends_nothing_to_the_dlq(env):
    m, lam = env
    dlq_url, dlq_arn = queue("dlq")
    dest_url, dest_arn = queue("dest")
    lam.update_function_configuration(FunctionName="my-function", DeadLetterConfig={"TargetArn": dlq_arn})
    destination(lam, qualifier="$LATEST", OnSuccess=dest_arn)
    lam.invoke(FunctionName="my-function", InvocationType="Event", Payload=b"{}")
    assert receive(dlq_url) == [] and len(receive(dest_url)) == 1
    assert [d.kind for d in m.async_events("my-function")[0].deliveries] == ["OnSuccess"]


def test_the_destination_of_the_invoked_qualifier_is_used(env):
    _, lam = env
    prod_url, prod_arn = queue("prod")
    latest_url, latest_arn = queue("latest")
    destination(lam, qualifier="PROD", OnSuccess=prod_arn)
    destination(lam, qualifier="$LATEST", OnSuccess=latest_arn)
    lam.invoke(FunctionName="my-function", Qualifier="1", InvocationType="Event", Payload=b"{}")
    assert receive(prod_url) == receive(latest_url) == []  # version 1 has no config of its own
    lam.invoke(FunctionName=PROD_ARN, InvocationType="Event", Payload=b"{}")
    assert len(receive(prod_url)) == 1 and receive(latest_url) == []


def test_a_destination_moto_does_not_have_is_a_failed_delivery(env):
    m, lam = env
    missing = f"arn:aws:sqs:{REGION}:{ACCOUNT}:nowhere"
    destination(lam, OnFailure=missing)
    m.register_handler("my-function", fail)
    assert lam.invoke(FunctionName=PROD_ARN, InvocationType="Event", Payload=b"{}")["StatusCode"] == 202
    (event,) = m.async_events("my-function")
    assert event.delivery.delivered is False
    assert event.delivery.error == f"SQS queue {missing} does not exist"
    failures = m.metrics(
        "DestinationDeliveryFailures", dimensions={"FunctionName": "my-function", "Resource": "my-function:PROD"}
    )
    assert [(d.value, d.unit) for d in failures] == [(1.0, "Count")]


def test_without_moto_a_destination_is_recorded_as_not_delivered(lam, mock):
    create(lam)
    target = f"arn:aws:sqs:{REGION}:{ACCOUNT}:failures"
    lam.put_function_event_invoke_config(
        FunctionName="my-function", DestinationConfig={"OnFailure": {"Destination": target}}
    )
    mock.register_handler("my-function", fail)
    lam.invoke(FunctionName="my-function", InvocationType="Event", Payload=b"{}")
    (event,) = mock.async_events("my-function")
    assert (event.condition, event.delivery.target, event.delivery.delivered) == ("RetriesExhausted", target, False)
    assert event.delivery.error == f"moto's mock_aws is not active: nothing serves {target}"
    assert [d.value for d in mock.metrics("DestinationDeliveryFailures", dimensions={})] == [1.0]
    assert mock.metrics("DeadLetterErrors") == []


def test_an_sqs_record_carries_the_trace_header_and_no_message_attributes(env):
    """Facts relied upon (LocalStack test_lambda_destinations.py, recorded against AWS): the record
    sent to an SQS destination has the ``AWSTraceHeader`` system attribute (test_retries /
    test_maxeventage, "queue_destination_payload", "no_retry_failure_message") and no message
    attributes (test_assess_lambda_destination_invocation, received with MessageAttributeNames
    ["All"]: neither MessageAttributes nor MD5OfMessageAttributes)."""
    m, lam = env
    url, arn = queue("records")
    destination(lam, OnSuccess=arn)
    lam.invoke(FunctionName=PROD_ARN, InvocationType="Event", Payload=b"{}")
    sqs = boto3.client("sqs", region_name=REGION)
    (message,) = sqs.receive_message(QueueUrl=url, AttributeNames=["All"], MessageAttributeNames=["All"])["Messages"]
    assert "MessageAttributes" not in message and "MD5OfMessageAttributes" not in message
    (event,) = m.async_events("my-function")
    header = message["Attributes"]["AWSTraceHeader"]
    assert lineage.parse(header) == event.lineage.next()  # the event's chain, one invocation on


@pytest.mark.parametrize("kind", ["sqs", "sns"])
def test_a_fifo_destination_is_a_failed_delivery(env, kind):
    """Fact relied upon (developer guide, "Capturing records of Lambda asynchronous invocations"):
    Lambda sends records to standard queues and topics only; an SQS FIFO queue or SNS FIFO topic as
    destination gives a ``DestinationDeliveryFailures`` metric instead."""
    m, lam = env
    if kind == "sqs":
        sqs = boto3.client("sqs", region_name=REGION)
        sqs.create_queue(QueueName="records.fifo", Attributes={"FifoQueue": "true"})
        target, what = f"arn:aws:sqs:{REGION}:{ACCOUNT}:records.fifo", "queue"
    else:
        sns = boto3.client("sns", region_name=REGION)
        target = sns.create_topic(Name="records.fifo", Attributes={"FifoTopic": "true"})["TopicArn"]
        what = "topic"
    destination(lam, OnSuccess=target)
    lam.invoke(FunctionName=PROD_ARN, InvocationType="Event", Payload=b"{}")
    (event,) = m.async_events("my-function")
    assert (event.delivery.delivered, event.delivery.error) == (
        False,
        f"{target} is a FIFO {what}: Lambda sends only to standard ones",
    )
    series = {"FunctionName": "my-function", "Resource": "my-function:PROD"}
    assert [d.value for d in m.metrics("DestinationDeliveryFailures", dimensions=series)] == [1.0]


def test_on_failure_to_eventbridge_is_a_failure_result_with_a_hyphen(env):
    """Fact relied upon (LocalStack TestLambdaDestinationEventbridge::test_invoke_lambda_eventbridge,
    recorded against AWS, "lambda_destination_event_bus_failure"): detail-type
    "Lambda Function Invocation Result - Failure" with an ASCII hyphen (the developer guide prints an
    en dash), condition RetriesExhausted, approximateInvokeCount 1 with retry_attempts 0."""
    m, lam = env
    url, bus_arn = bus_to_queue("results")
    lam.put_function_event_invoke_config(
        FunctionName="my-function",
        MaximumRetryAttempts=0,
        DestinationConfig={"OnFailure": {"Destination": bus_arn}},
    )
    m.register_handler("my-function", fail)
    lam.invoke(FunctionName="my-function", InvocationType="Event", Payload=b'{"mode": "failure"}')
    (message,) = receive(url)
    delivered = json.loads(message["Body"])
    assert delivered["detail-type"] == "Lambda Function Invocation Result - Failure"
    assert delivered["resources"] == [bus_arn, FN_ARN_PREFIX + "my-function:$LATEST"]
    context = delivered["detail"]["requestContext"]
    assert (context["condition"], context["approximateInvokeCount"]) == ("RetriesExhausted", 1)
    assert delivered["detail"]["responseContext"] == {
        "statusCode": 200,
        "executedVersion": "$LATEST",
        "functionError": "Unhandled",
    }
