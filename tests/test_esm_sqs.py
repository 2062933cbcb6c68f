"""SQS event source mappings deliver: moto's queue -> the ARN the mapping names -> the handler.

Sources (AWS Lambda developer guide): "Using Lambda with Amazon SQS" (batches of up to BatchSize,
one synchronous invocation each; deleted on success, visible again after the queue's visibility
timeout on failure; a message received maxReceiveCount times goes to the redrive queue; FIFO order
per message group), "Handling errors for an SQS event source" (ReportBatchItemFailures:
batchItemFailures/itemIdentifier; an identifier that is not in the batch fails the whole batch),
"Control which events Lambda sends to your function" (a message the filters drop is deleted), the
SQS event sample (record fields), and the seed: a mapping on an alias ARN is untouched by promotion.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from conftest import ACCOUNT, FN_ARN_PREFIX, REGION, create, error_of

import mock_lambda_alias

moto = pytest.importorskip("moto")

FN = FN_ARN_PREFIX + "fn"
PROD = FN + ":PROD"


class World:
    def __init__(self, m: Any) -> None:
        self.m = m
        self.lam = boto3.client("lambda", region_name=REGION)
        self.sqs = boto3.client("sqs", region_name=REGION)
        self.seen: list[tuple[str, list[dict]]] = []

    def queue(self, name: str = "work", **attributes: str) -> tuple[str, str]:
        url = self.sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        return url, arn

    def handler(self, version: str, fail: Any = None, report: bool = False) -> Any:
        """A handler for one version: records what it got; fails the bodies ``fail`` says."""

        def handle(event: dict, context: Any) -> Any:
            self.seen.append((version, event["Records"]))
            bad = [r for r in event["Records"] if fail is not None and fail(r["body"])]
            if bad and not report:
                raise RuntimeError("boom")
            return {"batchItemFailures": [{"itemIdentifier": r["messageId"]} for r in bad]}

        return handle

    def map(self, source: str, target: str = PROD, **params: Any) -> str:
        return self.lam.create_event_source_mapping(EventSourceArn=source, FunctionName=target, **params)["UUID"]

    def bodies(self) -> list[str]:
        return [r["body"] for _, records in self.seen for r in records]

    def count(self, url: str) -> tuple[int, int]:
        attributes = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        return int(attributes["ApproximateNumberOfMessages"]), int(attributes["ApproximateNumberOfMessagesNotVisible"])


def _world(delivery: str, **options: Any) -> Iterator[World]:
    with moto.mock_aws(), mock_lambda_alias.mock_lambda_alias(seed=7, delivery=delivery, **options) as m:
        boto3.client("iam", region_name=REGION).create_role(RoleName="lambda-role", AssumeRolePolicyDocument="{}")
        world = World(m)
        create(world.lam, "fn")
        for description in ("v1", "v2"):
            world.lam.update_function_configuration(FunctionName="fn", Description=description)
            world.lam.publish_version(FunctionName="fn")
        world.lam.create_alias(FunctionName="fn", Name="PROD", FunctionVersion="1")
        yield world
        assert not m.internal_errors and not m.store.scheduler.errors


@pytest.fixture
def world() -> Iterator[World]:
    yield from _world("immediate")


@pytest.fixture
def manual() -> Iterator[World]:
    yield from _world("manual")


def test_batches_on_prod_split_by_weight_each_recording_the_version_that_ran(world):
    world.lam.update_alias(FunctionName="fn", Name="PROD", RoutingConfig={"AdditionalVersionWeights": {"2": 0.1}})
    for version in ("1", "2"):
        world.m.register_handler("fn", world.handler(version), version=version)
    url, arn = world.queue()
    uuid = world.map(arn, BatchSize=1)
    for number in range(60):
        world.sqs.send_message(QueueUrl=url, MessageBody=str(number))
    batches = world.m.batches(uuid)
    assert len(batches) == 60 and {b.outcome for b in batches} == {"success"}
    ran = [b.executed_version for b in batches]
    assert ran.count("1") > ran.count("2") > 0
    assert ran == [v for v, _ in world.seen]  # each batch ran the version its record names
    assert [i.executed_version for i in world.m.invocations("fn", qualifier="PROD")] == ran
    assert [b.invocation.invocation_type for b in batches] == ["RequestResponse"] * 60
    assert world.count(url) == (0, 0)  # deleted on success


def test_promoting_prod_moves_the_consumer_and_leaves_the_mapping_untouched(world):
    for version in ("1", "2"):
        world.m.register_handler("fn", world.handler(version), version=version)
    url, arn = world.queue()
    uuid = world.map(arn)
    world.sqs.send_message(QueueUrl=url, MessageBody="before")
    before = world.lam.get_event_source_mapping(UUID=uuid)
    world.lam.update_alias(FunctionName="fn", Name="PROD", FunctionVersion="2")
    world.sqs.send_message(QueueUrl=url, MessageBody="after")
    after = world.lam.get_event_source_mapping(UUID=uuid)
    assert before == after | {"ResponseMetadata": before["ResponseMetadata"]}
    assert after["FunctionArn"] == PROD
    assert [(b.executed_version, b.records[0]["body"]) for b in world.m.batches(uuid)] == [
        ("1", "before"),
        ("2", "after"),
    ]


def test_the_event_is_the_sqs_event_lambda_sends_F_EV_001(world):
    world.m.register_handler("fn", world.handler("1"))
    url, arn = world.queue()
    world.map(arn)
    sent = world.sqs.send_message(
        QueueUrl=url,
        MessageBody='{"order": 1}',
        MessageAttributes={"kind": {"DataType": "String", "StringValue": "order"}},
    )
    ((_, (record,)),) = world.seen
    assert list(record) == [
        "messageId",
        "receiptHandle",
        "body",
        "attributes",
        "messageAttributes",
        "md5OfMessageAttributes",
        "md5OfBody",
        "eventSource",
        "eventSourceARN",
        "awsRegion",
    ]
    assert record["messageId"] == sent["MessageId"]
    assert record["body"] == '{"order": 1}'
    assert record["md5OfBody"] == sent["MD5OfMessageBody"]
    assert record["md5OfMessageAttributes"] == sent["MD5OfMessageAttributes"]
    assert record["messageAttributes"] == {
        "kind": {"stringValue": "order", "stringListValues": [], "binaryListValues": [], "dataType": "String"}
    }
    attributes = record["attributes"]
    assert list(attributes) == [
        "ApproximateReceiveCount",
        "SentTimestamp",
        "SenderId",
        "ApproximateFirstReceiveTimestamp",
    ]
    assert attributes["ApproximateReceiveCount"] == "1"
    sent_at = int(attributes["SentTimestamp"])
    assert abs(sent_at - world.m.now().timestamp() * 1000) < 5000
    assert int(attributes["ApproximateFirstReceiveTimestamp"]) >= sent_at
    assert (record["eventSource"], record["eventSourceARN"], record["awsRegion"]) == ("aws:sqs", arn, REGION)
    assert record["receiptHandle"]


def test_a_message_without_attributes_has_a_null_md5_of_them(world):
    world.m.register_handler("fn", world.handler("1"))
    url, arn = world.queue()
    world.map(arn)
    world.sqs.send_message(QueueUrl=url, MessageBody="plain")
    record = world.seen[0][1][0]
    assert record["messageAttributes"] == {} and record["md5OfMessageAttributes"] is None


def test_a_batch_of_sends_is_one_batch_of_up_to_batch_size(world):
    world.m.register_handler("fn", world.handler("1"))
    url, arn = world.queue()
    uuid = world.map(arn, BatchSize=4)
    entries = [{"Id": str(n), "MessageBody": f"m{n}"} for n in range(10)]
    world.sqs.send_message_batch(QueueUrl=url, Entries=entries)
    assert [len(b.records) for b in world.m.batches(uuid)] == [4, 4, 2]
    assert world.bodies() == [f"m{n}" for n in range(10)]


def test_partial_batch_failure_returns_exactly_the_failed_messages_then_redrives_them_F_EV_001(world):
    dlq_url, dlq_arn = world.queue("dead")
    policy = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 2})
    url, arn = world.queue(VisibilityTimeout="30", RedrivePolicy=policy)
    world.m.register_handler("fn", world.handler("1", fail=lambda body: body == "bad", report=True))
    uuid = world.map(arn, FunctionResponseTypes=["ReportBatchItemFailures"])
    started = world.m.now()
    entries = [{"Id": name, "MessageBody": name} for name in ("ok-1", "bad", "ok-2")]
    ids = {e["Id"]: e["MessageId"] for e in world.sqs.send_message_batch(QueueUrl=url, Entries=entries)["Successful"]}
    first, second = world.m.batches(uuid)
    assert (first.outcome, first.failed, len(first.records)) == ("partial", [ids["bad"]], 3)
    assert (second.outcome, second.failed, second.item_ids, second.attempt) == (
        "partial",
        [ids["bad"]],
        [ids["bad"]],
        2,
    )
    assert second.records[0]["attributes"]["ApproximateReceiveCount"] == "2"
    assert (second.invocation.timestamp - first.invocation.timestamp).total_seconds() >= 30
    assert second.moved == {ids["bad"]: dlq_arn}  # received maxReceiveCount times: to the redrive queue
    assert world.count(url) == (0, 0)
    (dead,) = world.sqs.receive_message(QueueUrl=dlq_url, AttributeNames=["All"])["Messages"]
    assert (dead["MessageId"], dead["Body"]) == (ids["bad"], "bad")
    assert (world.m.now() - started).total_seconds() >= 60


def test_in_manual_mode_a_failed_message_comes_back_after_the_visibility_timeout(manual):
    url, arn = manual.queue(VisibilityTimeout="30")
    manual.m.register_handler("fn", manual.handler("1", fail=lambda body: body == "bad"))
    uuid = manual.map(arn)
    manual.sqs.send_message(QueueUrl=url, MessageBody="bad")
    assert manual.m.batches(uuid) == []  # nothing runs until the test moves time
    manual.m.advance(0)
    (failed,) = manual.m.batches(uuid)
    assert (failed.outcome, failed.error) == ("failure", "boom")
    assert manual.count(url) == (0, 1)  # in flight
    manual.m.advance(29)
    assert manual.count(url) == (0, 1) and len(manual.m.batches(uuid)) == 1
    manual.m.advance(1)
    assert [b.attempt for b in manual.m.batches(uuid)] == [1, 2]


def test_a_function_error_returns_the_whole_batch(world):
    url, arn = world.queue(VisibilityTimeout="10")
    calls = []

    def flaky(event: dict, context: Any) -> None:
        calls.append([r["body"] for r in event["Records"]])
        if len(calls) == 1:
            raise ValueError("first try fails")

    world.m.register_handler("fn", flaky)
    uuid = world.map(arn)
    world.sqs.send_message_batch(
        QueueUrl=url, Entries=[{"Id": "a", "MessageBody": "a"}, {"Id": "b", "MessageBody": "b"}]
    )
    assert calls == [["a", "b"], ["a", "b"]]
    assert [b.outcome for b in world.m.batches(uuid)] == ["failure", "success"]
    assert world.count(url) == (0, 0)


@pytest.mark.parametrize(
    "response",
    [{"batchItemFailures": [{"itemIdentifier": ""}]}, {"batchItemFailures": [{"itemIdentifier": "not-in-batch"}]}],
)
def test_an_unreadable_batch_item_failure_fails_the_whole_batch(world, response):
    url, arn = world.queue(VisibilityTimeout="10")
    answers = [response, None]
    world.m.register_handler("fn", lambda event, context: answers.pop(0))
    uuid = world.map(arn, FunctionResponseTypes=["ReportBatchItemFailures"])
    world.sqs.send_message(QueueUrl=url, MessageBody="x")
    first, second = world.m.batches(uuid)
    assert (first.outcome, first.failed) == ("failure", first.item_ids)
    assert second.outcome == "success"


def test_a_throttled_batch_goes_back_to_the_queue(world):
    url, arn = world.queue(VisibilityTimeout="5")
    world.m.register_handler("fn", world.handler("1"))
    world.m.inject_fault("fn", "1", kind="throttle")
    uuid = world.map(arn, BatchSize=1)
    world.m.set_delivery("manual")
    world.sqs.send_message(QueueUrl=url, MessageBody="x")
    world.m.advance(0)
    (throttled,) = world.m.batches(uuid)
    assert (throttled.outcome, throttled.executed_version) == ("throttled", None)
    assert throttled.error == "TooManyRequestsException: Rate Exceeded."
    assert world.m.invocations("fn")[0].throttled and world.count(url) == (0, 1)
    world.m.clear_faults()
    world.m.advance(5)
    assert [b.outcome for b in world.m.batches(uuid)] == ["throttled", "success"]


def test_a_filter_drops_non_matching_messages_and_deletes_them(world):
    world.m.register_handler("fn", world.handler("1"))
    url, arn = world.queue()
    criteria = {"Filters": [{"Pattern": json.dumps({"body": {"kind": ["order"]}})}]}
    uuid = world.map(arn, FilterCriteria=criteria, BatchSize=10)
    bodies = [
        json.dumps({"kind": "order", "n": 1}),
        json.dumps({"kind": "refund"}),
        "not json",
        json.dumps({"kind": "order"}),
    ]
    world.sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": b} for i, b in enumerate(bodies)])
    assert world.bodies() == [bodies[0], bodies[3]]
    assert len(world.m.batches(uuid)) == 1
    assert world.count(url) == (0, 0)  # the dropped ones are deleted, as AWS does


def test_a_filter_on_a_plain_body(world):
    world.m.register_handler("fn", world.handler("1"))
    url, arn = world.queue()
    world.map(arn, FilterCriteria={"Filters": [{"Pattern": json.dumps({"body": [{"prefix": "ORDER"}]})}]})
    for body in ("ORDER 1", "REFUND 2", '{"body": "ORDER"}'):
        world.sqs.send_message(QueueUrl=url, MessageBody=body)
    assert world.bodies() == ["ORDER 1"]


def test_a_disabled_mapping_delivers_nothing_and_enabling_it_resumes(world):
    world.m.register_handler("fn", world.handler("1"))
    url, arn = world.queue()
    created = world.lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=PROD, Enabled=False)
    uuid = created["UUID"]
    assert created["State"] == "Creating"
    assert world.lam.get_event_source_mapping(UUID=uuid)["State"] == "Disabled"
    world.sqs.send_message(QueueUrl=url, MessageBody="waiting")
    assert world.m.batches(uuid) == [] and world.count(url) == (1, 0)
    assert world.lam.update_event_source_mapping(UUID=uuid, Enabled=True)["State"] == "Enabling"
    assert world.bodies() == ["waiting"]
    assert world.lam.update_event_source_mapping(UUID=uuid, Enabled=False)["State"] == "Disabling"
    assert world.lam.get_event_source_mapping(UUID=uuid)["State"] == "Disabled"
    world.sqs.send_message(QueueUrl=url, MessageBody="held")
    assert world.bodies() == ["waiting"] and world.count(url) == (1, 0)


def test_a_deleted_mapping_stops_delivering(world):
    world.m.register_handler("fn", world.handler("1"))
    url, arn = world.queue()
    uuid = world.map(arn)
    world.lam.delete_event_source_mapping(UUID=uuid)
    world.sqs.send_message(QueueUrl=url, MessageBody="nobody")
    assert world.seen == [] and world.count(url) == (1, 0)


def test_messages_already_in_the_queue_are_delivered_when_the_mapping_is_created(world):
    world.m.register_handler("fn", world.handler("1"))
    url, arn = world.queue()
    world.sqs.send_message(QueueUrl=url, MessageBody="early")
    world.map(arn)
    assert world.bodies() == ["early"]


def test_fifo_keeps_order_per_group_and_a_failed_message_blocks_its_group_F_EV_001(manual):
    url, arn = manual.queue("orders.fifo", FifoQueue="true", ContentBasedDeduplication="true", VisibilityTimeout="30")
    failures = {"a1"}

    def handle(event: dict, context: Any) -> None:
        manual.seen.append(("1", event["Records"]))
        body = event["Records"][0]["body"]
        if body in failures:
            failures.discard(body)
            raise RuntimeError("try again")

    manual.m.register_handler("fn", handle)
    manual.map(arn, BatchSize=1)
    for body, group in (("a1", "a"), ("a2", "a"), ("b1", "b"), ("b2", "b")):
        manual.sqs.send_message(QueueUrl=url, MessageBody=body, MessageGroupId=group)
    manual.m.drain()
    assert manual.bodies() == ["a1", "b1", "b2", "a1", "a2"]
    record = manual.seen[0][1][0]
    assert record["attributes"]["MessageGroupId"] == "a"
    assert record["attributes"]["MessageDeduplicationId"]
    assert record["attributes"]["SequenceNumber"]


def test_a_batching_window_waits_on_the_mock_clock_for_a_full_batch(manual):
    manual.m.register_handler("fn", manual.handler("1"))
    url, arn = manual.queue()
    uuid = manual.map(arn, BatchSize=3, MaximumBatchingWindowInSeconds=10)
    manual.sqs.send_message(QueueUrl=url, MessageBody="one")
    manual.m.advance(5)
    manual.sqs.send_message(QueueUrl=url, MessageBody="two")
    manual.m.advance(4)
    assert manual.m.batches(uuid) == []
    manual.m.advance(2)  # the window counts from when the poller saw the first message
    assert [len(b.records) for b in manual.m.batches(uuid)] == [2]
    for body in ("3", "4", "5"):
        manual.sqs.send_message(QueueUrl=url, MessageBody=body)
    manual.m.advance(0)  # a full batch does not wait for the window
    assert [len(b.records) for b in manual.m.batches(uuid)] == [2, 3]


def test_a_delayed_message_is_delivered_when_its_delay_ends_on_the_mock_clock(manual):
    manual.m.register_handler("fn", manual.handler("1"))
    url, arn = manual.queue()
    manual.map(arn)
    manual.sqs.send_message(QueueUrl=url, MessageBody="later", DelaySeconds=60)
    manual.m.advance(59)
    assert manual.seen == []
    manual.m.advance(1)
    assert manual.bodies() == ["later"]


def test_an_invalid_filter_pattern_is_refused_at_creation(world):
    _, arn = world.queue()
    with pytest.raises(ClientError) as excinfo:
        world.map(arn, FilterCriteria={"Filters": [{"Pattern": '{"body": "not a list"}'}]})
    assert error_of(excinfo) == (400, "InvalidParameterValueException", "Invalid filter pattern definition.")


def test_batches_refuses_an_unknown_mapping_and_narrows_by_place(world):
    with pytest.raises(ValueError, match="no event source mapping 'nope'"):
        world.m.batches("nope")
    with pytest.raises(ValueError, match="outcome must be one of success, partial, failure, throttled"):
        world.m.batches(outcome="ok")
    world.m.register_handler("fn", world.handler("1"))
    url, arn = world.queue()
    world.map(arn)
    world.sqs.send_message(QueueUrl=url, MessageBody="x")
    (batch,) = world.m.batches(account_id=ACCOUNT, region=REGION)
    assert (batch.account_id, batch.region, batch.source_arn) == (ACCOUNT, REGION, arn)
    assert world.m.batches(account_id="210987654321") == world.m.batches(region="eu-west-1") == []
    with pytest.raises(ValueError, match="account_id must be a 12-digit string"):
        world.m.batches(account_id="nope")


@pytest.mark.parametrize("with_dlq", [False, True])
def test_a_handler_feeding_its_own_queue_is_stopped_after_16_invocations(world, with_dlq):
    """Lambda recursive loop detection: the chain travels in the messages' AWSTraceHeader; the
    17th invocation is stopped and its message goes to the queue's DLQ, or is dropped without one."""
    attributes = {}
    if with_dlq:
        _, dlq_arn = world.queue("loop-dlq")
        attributes["RedrivePolicy"] = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 5})
    url, arn = world.queue("loop", **attributes)

    def again(event: dict, context: Any) -> None:
        boto3.client("sqs", region_name=REGION).send_message(QueueUrl=url, MessageBody="again")

    world.m.register_handler("fn", again)
    uuid = world.map(arn)
    world.sqs.send_message(QueueUrl=url, MessageBody="start")
    batches = world.m.batches(uuid)
    assert [b.outcome for b in batches] == ["success"] * 16 + ["failure"]
    assert batches[-1].error.startswith("RecursiveInvocationException: ")
    assert batches[-1].records[0]["attributes"]["AWSTraceHeader"].endswith(":16")
    assert world.count(url) == (0, 0)
    assert batches[-1].moved == ({batches[-1].item_ids[0]: dlq_arn} if with_dlq else {})
    dropped = world.m.metrics("RecursiveInvocationsDropped", dimensions={"FunctionName": "fn", "Resource": "fn:PROD"})
    assert [(d.value, d.unit) for d in dropped] == [(1.0, "Count")]


def test_in_background_mode_the_mocks_thread_delivers_and_drain_waits_for_it(world):
    world.m.set_delivery("background")
    world.m.register_handler("fn", world.handler("1"))
    url, arn = world.queue()
    uuid = world.map(arn)
    for number in range(5):
        world.sqs.send_message(QueueUrl=url, MessageBody=str(number))
    world.m.drain(timeout=30)
    assert sorted(world.bodies()) == [str(n) for n in range(5)]
    assert sum(len(b.records) for b in world.m.batches(uuid)) == 5


def test_poll_reads_the_sources_now_in_manual_mode(manual):
    manual.m.register_handler("fn", manual.handler("1"))
    url, arn = manual.queue()
    uuid = manual.map(arn)
    manual.sqs.send_message(QueueUrl=url, MessageBody="now")
    assert manual.m.poll(uuid) == 1
    assert manual.bodies() == ["now"]
    assert manual.m.poll() == 0
    with pytest.raises(ValueError, match="no event source mapping 'nope'"):
        manual.m.poll("nope")


def test_batches_kept_are_bounded_like_the_records_and_poll_still_counts_every_one():
    for world in _world("manual", max_invocation_records=2):
        world.m.register_handler("fn", world.handler("1"))
        url, arn = world.queue()
        uuid = world.map(arn, BatchSize=1)
        for body in ("a", "b", "c"):
            world.sqs.send_message(QueueUrl=url, MessageBody=body)
        delivered = sum(world.m.poll(uuid) for _ in range(3))
        assert delivered == 3 and world.count(url) == (0, 0)
        assert sorted(world.bodies()) == ["a", "b", "c"]
        kept = world.m.batches(uuid)
        assert len(kept) == 2 and {b.records[0]["body"] for b in kept} < {"a", "b", "c"}


def test_binary_and_number_attributes_and_the_trace_header_reach_the_record(world):
    world.m.register_handler("fn", world.handler("1"))
    url, arn = world.queue()
    world.map(arn)
    trace = "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1"
    sent = world.sqs.send_message(
        QueueUrl=url,
        MessageBody="b",
        MessageAttributes={
            "bin": {"DataType": "Binary", "BinaryValue": b"\x00\x01"},
            "n": {"DataType": "Number", "StringValue": "5"},
        },
        MessageSystemAttributes={"AWSTraceHeader": {"DataType": "String", "StringValue": trace}},
    )
    record = world.seen[0][1][0]
    assert record["messageAttributes"] == {
        "bin": {"binaryValue": "AAE=", "stringListValues": [], "binaryListValues": [], "dataType": "Binary"},
        "n": {"stringValue": "5", "stringListValues": [], "binaryListValues": [], "dataType": "Number"},
    }
    assert record["md5OfMessageAttributes"] == sent["MD5OfMessageAttributes"]
    assert record["attributes"]["AWSTraceHeader"] == trace


def test_a_message_that_always_fails_is_retried_until_the_retention_period_ends(world):
    url, arn = world.queue(VisibilityTimeout="600", MessageRetentionPeriod="3600")
    world.m.register_handler("fn", world.handler("1", fail=lambda body: True))
    started = world.m.now()
    uuid = world.map(arn)
    world.sqs.send_message(QueueUrl=url, MessageBody="poison")
    batches = world.m.batches(uuid)
    assert [b.attempt for b in batches] == [1, 2, 3, 4, 5, 6]  # every 10 minutes for an hour
    assert world.count(url) == (0, 0)
    assert 3600 <= (world.m.now() - started).total_seconds() < 3600 + 600


def test_an_injected_error_on_the_version_prod_runs_fails_the_batch(world):
    world.m.register_handler("fn", world.handler("1"))
    world.m.inject_fault("fn", "1", message="disk full")
    url, arn = world.queue(VisibilityTimeout="5", MessageRetentionPeriod="60")
    uuid = world.map(arn)
    world.sqs.send_message(QueueUrl=url, MessageBody="x")
    batches = world.m.batches(uuid)
    assert {(b.outcome, b.error, b.executed_version) for b in batches} == {("failure", "disk full", "1")}
    assert world.seen == []  # the fault answers before the handler runs
    assert len(batches) == len(world.m.invocations("fn", qualifier="PROD", executed_version="1")) > 1


def test_a_batch_ends_before_the_6_mb_payload_limit(manual):
    manual.m.register_handler("fn", manual.handler("1"))
    url, arn = manual.queue()
    uuid = manual.map(arn, BatchSize=100, MaximumBatchingWindowInSeconds=1)
    big = "x" * 250_000
    for _ in range(30):  # 7.5 MB in all
        manual.sqs.send_message(QueueUrl=url, MessageBody=big)
    manual.m.drain()
    batches = manual.m.batches(uuid)
    assert len(batches) == 2 and sum(len(b.records) for b in batches) == 30
    assert all(len(json.dumps({"Records": b.records})) <= 6 * 1024 * 1024 for b in batches)
