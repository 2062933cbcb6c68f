"""Kinesis and DynamoDB Streams event source mappings deliver, from the right position.

Sources (AWS Lambda developer guide): "Using Lambda with Kinesis Data Streams" and "Using Lambda
with DynamoDB" (the event samples: ``kinesis.data`` base64, ``eventID`` ``shardId-...:sequence``,
``eventName`` ``aws:kinesis:record``; ``INSERT``/``MODIFY``/``REMOVE`` with ``NewImage`` and
``OldImage`` per StreamViewType, ``eventVersion`` 1.1), "Starting positions" (TRIM_HORIZON, LATEST,
AT_TIMESTAMP), the error-handling settings (MaximumRetryAttempts, BisectBatchOnFunctionError,
ReportBatchItemFailures checkpoints at the lowest failed sequence number) and the on-failure
record (requestContext, responseContext, KinesisBatchInfo / DDBStreamBatchInfo).
"""

from __future__ import annotations

import base64
import datetime
import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from conftest import FN_ARN_PREFIX, REGION, create

import mock_lambda_alias

moto = pytest.importorskip("moto")

PROD = FN_ARN_PREFIX + "fn:PROD"
ROLE_NAME = "lambda-role"


class World:
    def __init__(self, m: Any) -> None:
        self.m = m
        self.lam = boto3.client("lambda", region_name=REGION)
        self.kinesis = boto3.client("kinesis", region_name=REGION)
        self.ddb = boto3.client("dynamodb", region_name=REGION)
        self.sqs = boto3.client("sqs", region_name=REGION)
        self.seen: list[list[dict]] = []
        self.fail: Any = lambda records: False

    def handle(self, event: dict, context: Any) -> Any:
        self.seen.append(event["Records"])
        return self.fail(event["Records"])

    def stream(self, name: str = "clicks") -> str:
        self.kinesis.create_stream(StreamName=name, ShardCount=1)
        return self.kinesis.describe_stream(StreamName=name)["StreamDescription"]["StreamARN"]

    def put(self, name: str, *payloads: str) -> list[str]:
        return [
            self.kinesis.put_record(StreamName=name, Data=p.encode(), PartitionKey="pk")["SequenceNumber"]
            for p in payloads
        ]

    def data(self) -> list[str]:
        return [base64.b64decode(r["kinesis"]["data"]).decode() for batch in self.seen for r in batch]

    def map(self, source: str, position: str = "TRIM_HORIZON", **params: Any) -> str:
        return self.lam.create_event_source_mapping(
            EventSourceArn=source, FunctionName=PROD, StartingPosition=position, **params
        )["UUID"]


@pytest.fixture
def world() -> Iterator[World]:
    with moto.mock_aws(), mock_lambda_alias.mock_lambda_alias(seed=3) as m:
        boto3.client("iam", region_name=REGION).create_role(RoleName=ROLE_NAME, AssumeRolePolicyDocument="{}")
        w = World(m)
        create(w.lam, "fn")
        w.lam.publish_version(FunctionName="fn")
        w.lam.create_alias(FunctionName="fn", Name="PROD", FunctionVersion="1")
        m.register_handler("fn", w.handle)
        yield w
        assert not m.internal_errors and not m.store.scheduler.errors


def test_kinesis_records_reach_prod_base64_as_lambda_sends_them_F_EV_003(world):
    arn = world.stream()
    uuid = world.map(arn)
    (sequence,) = world.put("clicks", '{"page": "home"}')
    ((record,),) = world.seen
    assert record == {
        "kinesis": {
            "kinesisSchemaVersion": "1.0",
            "partitionKey": "pk",
            "sequenceNumber": sequence,
            "data": base64.b64encode(b'{"page": "home"}').decode(),
            "approximateArrivalTimestamp": record["kinesis"]["approximateArrivalTimestamp"],
        },
        "eventSource": "aws:kinesis",
        "eventVersion": "1.0",
        "eventID": f"shardId-000000000000:{sequence}",
        "eventName": "aws:kinesis:record",
        "invokeIdentityArn": f"arn:aws:iam::123456789012:role/{ROLE_NAME}",
        "awsRegion": REGION,
        "eventSourceARN": arn,
    }
    assert abs(record["kinesis"]["approximateArrivalTimestamp"] - world.m.now().timestamp()) < 5
    (batch,) = world.m.batches(uuid)
    assert (batch.executed_version, batch.function_arn, batch.outcome) == ("1", PROD, "success")


@pytest.mark.parametrize(("position", "expected"), [("TRIM_HORIZON", ["old", "new"]), ("LATEST", ["new"])])
def test_kinesis_starting_position(world, position, expected):
    arn = world.stream()
    world.put("clicks", "old")
    world.map(arn, position)
    world.put("clicks", "new")
    assert world.data() == expected


def test_kinesis_at_timestamp_starts_at_that_moment_of_the_mock_clock(world):
    arn = world.stream()
    world.put("clicks", "before")
    world.m.advance(60)
    moment = world.m.now()
    world.m.advance(1)
    world.put("clicks", "after")
    world.map(arn, "AT_TIMESTAMP", StartingPositionTimestamp=moment)
    assert world.data() == ["after"]


def test_a_failing_batch_is_retried_then_described_to_the_on_failure_destination(world):
    arn = world.stream()
    dlq = world.sqs.create_queue(QueueName="failed")["QueueUrl"]
    dlq_arn = world.sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]

    def fail(records: list) -> None:
        raise RuntimeError("poison")

    world.fail = fail
    uuid = world.map(arn, MaximumRetryAttempts=2, DestinationConfig={"OnFailure": {"Destination": dlq_arn}})
    sequences = world.put("clicks", "a")
    batches = world.m.batches(uuid)
    assert [(b.outcome, b.attempt) for b in batches] == [("failure", 1), ("failure", 2), ("failure", 3)]
    assert batches[-1].moved == {sequences[0]: dlq_arn}
    (message,) = world.sqs.receive_message(QueueUrl=dlq)["Messages"]
    body = json.loads(message["Body"])
    assert body["requestContext"] == {
        "requestId": batches[-1].invocation.request_id,
        "functionArn": PROD,
        "condition": "RetryAttemptsExhausted",
        "approximateInvokeCount": 3,
    }
    assert body["responseContext"] == {"statusCode": 200, "executedVersion": "1", "functionError": "Unhandled"}
    assert body["version"] == "1.0"
    info = body["KinesisBatchInfo"]
    assert {k: info[k] for k in ("shardId", "startSequenceNumber", "endSequenceNumber", "batchSize", "streamArn")} == {
        "shardId": "shardId-000000000000",
        "startSequenceNumber": sequences[0],
        "endSequenceNumber": sequences[0],
        "batchSize": 1,
        "streamArn": arn,
    }
    world.fail = lambda records: None
    world.put("clicks", "b")  # the shard moved on past the discarded batch
    assert world.data()[-1] == "b"


def test_bisect_on_function_error_isolates_the_bad_record(world):
    arn = world.stream()
    world.put("clicks", "a", "b", "bad", "d")

    def fail(records: list) -> None:
        if any(base64.b64decode(r["kinesis"]["data"]) == b"bad" for r in records):
            raise RuntimeError("bad record")

    world.fail = fail
    world.map(arn, BisectBatchOnFunctionError=True, MaximumRetryAttempts=0)
    sizes = [len(batch) for batch in world.seen]
    assert sizes[:3] == [4, 2, 2]  # the whole batch, then its halves
    assert [base64.b64decode(r["kinesis"]["data"]).decode() for r in world.seen[-1]] == ["d"]


def test_report_batch_item_failures_restarts_from_the_lowest_failed_sequence_number(world):
    arn = world.stream()
    sequences = world.put("clicks", "a", "b", "c")
    answers = [{"batchItemFailures": [{"itemIdentifier": sequences[1]}]}, None]
    world.fail = lambda records: answers.pop(0)
    uuid = world.map(arn, FunctionResponseTypes=["ReportBatchItemFailures"])
    assert [[r["kinesis"]["sequenceNumber"] for r in batch] for batch in world.seen] == [sequences, sequences[1:]]
    assert [b.outcome for b in world.m.batches(uuid)] == ["partial", "success"]


@pytest.fixture
def table(world) -> str:
    world.ddb.create_table(
        TableName="orders",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    return world.ddb.describe_table(TableName="orders")["Table"]["LatestStreamArn"]


def test_dynamodb_stream_records_with_new_and_old_images_F_EV_002(world, table):
    world.ddb.put_item(TableName="orders", Item={"id": {"S": "before"}})
    uuid = world.map(table, "LATEST")
    world.ddb.put_item(TableName="orders", Item={"id": {"S": "1"}, "total": {"N": "5"}})
    world.ddb.put_item(TableName="orders", Item={"id": {"S": "1"}, "total": {"N": "7"}})
    world.ddb.delete_item(TableName="orders", Key={"id": {"S": "1"}})
    records = [r for batch in world.seen for r in batch]
    assert [r["eventName"] for r in records] == ["INSERT", "MODIFY", "REMOVE"]
    insert, modify, remove = records
    assert list(insert) == [
        "eventID",
        "eventName",
        "eventVersion",
        "eventSource",
        "awsRegion",
        "dynamodb",
        "eventSourceARN",
    ]
    assert (insert["eventVersion"], insert["eventSource"], insert["eventSourceARN"]) == ("1.1", "aws:dynamodb", table)
    assert insert["dynamodb"]["Keys"] == {"id": {"S": "1"}}
    assert insert["dynamodb"]["NewImage"] == {"id": {"S": "1"}, "total": {"N": "5"}}
    assert "OldImage" not in insert["dynamodb"]
    assert modify["dynamodb"]["OldImage"]["total"] == {"N": "5"} and modify["dynamodb"]["NewImage"]["total"] == {
        "N": "7"
    }
    assert remove["dynamodb"]["OldImage"]["total"] == {"N": "7"} and "NewImage" not in remove["dynamodb"]
    assert insert["dynamodb"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    assert isinstance(insert["dynamodb"]["ApproximateCreationDateTime"], int)
    assert int(insert["dynamodb"]["SequenceNumber"]) < int(modify["dynamodb"]["SequenceNumber"])
    assert {b.executed_version for b in world.m.batches(uuid)} == {"1"}


def test_dynamodb_trim_horizon_reads_what_was_written_before_the_mapping(world, table):
    world.ddb.put_item(TableName="orders", Item={"id": {"S": "early"}})
    world.map(table, "TRIM_HORIZON")
    assert [r["dynamodb"]["Keys"]["id"]["S"] for batch in world.seen for r in batch] == ["early"]


def test_a_filter_on_dynamodb_records(world, table):
    criteria = {"Filters": [{"Pattern": json.dumps({"eventName": ["INSERT"]})}]}
    world.map(table, "LATEST", FilterCriteria=criteria)
    world.ddb.put_item(TableName="orders", Item={"id": {"S": "1"}})
    world.ddb.delete_item(TableName="orders", Key={"id": {"S": "1"}})
    assert [r["eventName"] for batch in world.seen for r in batch] == ["INSERT"]


def test_a_filter_on_kinesis_data(world):
    arn = world.stream()
    criteria = {"Filters": [{"Pattern": json.dumps({"data": {"level": ["ERROR"]}})}]}
    world.map(arn, FilterCriteria=criteria)
    world.put("clicks", '{"level": "ERROR"}', '{"level": "INFO"}', "plain")
    assert world.data() == ['{"level": "ERROR"}']


@pytest.fixture
def manual(world):
    world.m.set_delivery("manual")
    return world


def _queue(world: World, name: str) -> tuple[str, str]:
    url = world.sqs.create_queue(QueueName=name)["QueueUrl"]
    return url, world.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def test_a_batching_window_on_a_stream_waits_for_a_full_batch(manual):
    arn = manual.stream()
    uuid = manual.map(arn, "LATEST", BatchSize=3, MaximumBatchingWindowInSeconds=20)
    manual.m.advance(0)
    manual.put("clicks", "a")
    manual.m.advance(19)
    assert manual.seen == []
    manual.m.advance(2)  # the window counts from when the poller saw the record
    assert [len(b.records) for b in manual.m.batches(uuid)] == [1]
    manual.put("clicks", "b", "c", "d")
    manual.m.advance(0)
    assert [len(b.records) for b in manual.m.batches(uuid)] == [1, 3]


def test_records_older_than_the_maximum_age_go_to_the_on_failure_destination(manual):
    arn = manual.stream()
    url, queue_arn = _queue(manual, "too-old")
    manual.map(
        arn, MaximumRecordAgeInSeconds=60, DestinationConfig={"OnFailure": {"Destination": queue_arn}}, BatchSize=10
    )
    sequences = manual.put("clicks", "stale")
    manual.m.store.clock.advance(61)  # time passes with no poll (e.g. the mapping was busy)
    manual.put("clicks", "fresh")
    manual.m.advance(0)
    assert manual.data() == ["fresh"]
    (message,) = manual.sqs.receive_message(QueueUrl=url)["Messages"]
    body = json.loads(message["Body"])
    assert body["requestContext"]["condition"] == "RecordAgeExceeded"
    assert body["requestContext"]["approximateInvokeCount"] == 0
    assert body["KinesisBatchInfo"]["startSequenceNumber"] == sequences[0]


def test_a_dynamodb_batch_that_exhausts_its_retries_is_described_with_ddb_stream_batch_info(world, table):
    url, queue_arn = _queue(world, "ddb-failures")

    def fail(records: list) -> None:
        raise RuntimeError("no")

    world.fail = fail
    uuid = world.map(
        table, "LATEST", MaximumRetryAttempts=0, DestinationConfig={"OnFailure": {"Destination": queue_arn}}
    )
    world.ddb.put_item(TableName="orders", Item={"id": {"S": "1"}})
    (batch,) = world.m.batches(uuid)
    (message,) = world.sqs.receive_message(QueueUrl=url)["Messages"]
    info = json.loads(message["Body"])["DDBStreamBatchInfo"]
    assert info["streamArn"] == table and info["batchSize"] == 1
    assert info["startSequenceNumber"] == batch.records[0]["dynamodb"]["SequenceNumber"]
    assert batch.moved == {batch.item_ids[0]: queue_arn}


def test_a_disabled_stream_mapping_keeps_its_place_and_resumes(world):
    arn = world.stream()
    uuid = world.map(arn, "LATEST", Enabled=False)
    world.put("clicks", "while disabled")
    assert world.seen == []
    world.lam.update_event_source_mapping(UUID=uuid, Enabled=True)
    assert world.data() == ["while disabled"]


def test_tumbling_windows_carry_state_and_end_with_a_final_invocation(manual):
    arn = manual.stream()
    manual.map(arn, "LATEST", TumblingWindowInSeconds=60)
    manual.m.advance(60 - manual.m.now().timestamp() % 60 + 1)  # one second into a window
    events: list[dict] = []

    def count(event: dict, context: Any) -> dict:
        events.append(event)
        return {"state": {"count": event["state"].get("count", 0) + len(event["Records"])}}

    manual.m.register_handler("fn", count)
    manual.put("clicks", "a", "b")
    manual.m.advance(0)
    manual.put("clicks", "c")
    manual.m.advance(0)
    assert [len(e["Records"]) for e in events] == [2, 1]
    manual.m.advance(60)
    first, second, final = events
    assert list(first) == [
        "Records",
        "window",
        "state",
        "shardId",
        "eventSourceARN",
        "isFinalInvokeForWindow",
        "isWindowTerminatedEarly",
    ]
    assert (first["state"], second["state"], final["state"]) == ({}, {"count": 2}, {"count": 3})
    assert first["window"] == second["window"] == final["window"]
    start = datetime.datetime.strptime(first["window"]["start"], "%Y-%m-%dT%H:%M:%SZ")
    end = datetime.datetime.strptime(first["window"]["end"], "%Y-%m-%dT%H:%M:%SZ")
    assert (end - start).total_seconds() == 60 and start.second == 0
    assert (first["shardId"], first["eventSourceARN"]) == ("shardId-000000000000", arn)
    assert [e["isFinalInvokeForWindow"] for e in events] == [False, False, True]
    assert final["Records"] == [] and final["isWindowTerminatedEarly"] is False


def test_put_records_is_one_arrival_and_the_mapping_reports_its_last_processing_result(world):
    arn = world.stream()
    uuid = world.map(arn, BatchSize=10)
    assert world.lam.get_event_source_mapping(UUID=uuid)["LastProcessingResult"] == "No records processed"
    entries = [{"Data": f"r{n}".encode(), "PartitionKey": "pk"} for n in range(5)]
    world.kinesis.put_records(StreamName="clicks", Records=entries)
    assert [len(batch) for batch in world.seen] == [5]
    assert world.lam.get_event_source_mapping(UUID=uuid)["LastProcessingResult"] == "OK"

    def fail(records: list) -> None:
        raise RuntimeError("no")

    world.fail = fail
    world.lam.update_event_source_mapping(UUID=uuid, MaximumRetryAttempts=0)
    world.put("clicks", "bad")
    assert world.lam.get_event_source_mapping(UUID=uuid)["LastProcessingResult"] == "PROBLEM: Function call failed"


def test_the_on_failure_destination_may_be_an_sns_topic(world, table):
    sns = boto3.client("sns", region_name=REGION)
    topic = sns.create_topic(Name="stream-failures")["TopicArn"]
    url, queue_arn = _queue(world, "from-topic")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"})

    def fail(records: list) -> None:
        raise RuntimeError("no")

    world.fail = fail
    world.map(table, "LATEST", MaximumRetryAttempts=1, DestinationConfig={"OnFailure": {"Destination": topic}})
    world.ddb.put_item(TableName="orders", Item={"id": {"S": "1"}})
    (message,) = world.sqs.receive_message(QueueUrl=url)["Messages"]
    body = json.loads(message["Body"])
    assert body["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert body["requestContext"]["approximateInvokeCount"] == 2
    assert body["DDBStreamBatchInfo"]["batchSize"] == 1


def test_an_on_failure_destination_that_does_not_exist_loses_the_record_quietly(world):
    arn = world.stream()

    def fail(records: list) -> None:
        raise RuntimeError("no")

    world.fail = fail
    missing = f"arn:aws:sqs:{REGION}:123456789012:nowhere"
    uuid = world.map(arn, MaximumRetryAttempts=0, DestinationConfig={"OnFailure": {"Destination": missing}})
    world.put("clicks", "x")
    (batch,) = world.m.batches(uuid)
    assert (batch.outcome, batch.moved) == ("failure", {})


def test_iterator_age_is_how_old_the_batch_s_last_record_was_when_read(manual):
    arn = manual.stream()
    manual.map(arn, BatchSize=10)
    manual.put("clicks", "late")
    manual.m.store.clock.advance(30)  # the record waits half a minute before the poller reads it
    manual.m.advance(0)
    assert manual.data() == ["late"]
    series = {"FunctionName": "fn", "Resource": "fn:PROD", "ExecutedVersion": "1"}
    (age,) = manual.m.metrics("IteratorAge", dimensions=series)
    assert age.unit == "Milliseconds" and 30_000 <= age.value < 31_000
    cloudwatch = boto3.client("cloudwatch", region_name=REGION)
    answer = cloudwatch.get_metric_statistics(
        Namespace="AWS/Lambda",
        MetricName="IteratorAge",
        Dimensions=[{"Name": "FunctionName", "Value": "fn"}],
        StartTime=age.timestamp - datetime.timedelta(minutes=1),
        EndTime=age.timestamp + datetime.timedelta(minutes=1),
        Period=60,
        Statistics=["Maximum"],
        Unit="Milliseconds",
    )
    assert [p["Maximum"] for p in answer["Datapoints"]] == [age.value]
