"""Lambda's event filter patterns (FilterCriteria), through a real mapping.

Source: AWS Lambda developer guide, "Control which events Lambda sends to your function" (the
comparison operators: null, empty, equals, equals-ignore-case, and, or, not/anything-but, numeric
equals and range, exists, does not exist, begins with/prefix, ends with/suffix; up to five filters,
any of which passes a record; an SQS body that is not JSON matched only as a plain string; Kinesis
``data`` decoded) and AWS's refusal of a malformed pattern at CreateEventSourceMapping and
UpdateEventSourceMapping: InvalidParameterValueException "Invalid filter pattern definition."
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from botocore.exceptions import ClientError
from conftest import REGION, create, error_of

QUEUE = f"arn:aws:sqs:{REGION}:123456789012:jobs"
STREAM = f"arn:aws:kinesis:{REGION}:123456789012:stream/clicks"


def sqs(body: str, **attributes: Any) -> dict:
    return {"messageId": body[:8], "body": body, "attributes": attributes, "eventSource": "aws:sqs"}


def kinesis(data: bytes, partition_key: str = "pk") -> dict:
    payload = {"partitionKey": partition_key, "sequenceNumber": "1", "data": base64.b64encode(data).decode()}
    return {"kinesis": payload, "eventSource": "aws:kinesis"}


@pytest.fixture
def deliver(mock, lam):
    create(lam, "fn")
    mock.register_handler("fn", lambda event, context: len(event["Records"]))

    def run(pattern: Any, record: dict, source: str = QUEUE) -> bool:
        filters = pattern if isinstance(pattern, list) else [pattern]
        criteria = {"Filters": [{"Pattern": json.dumps(p)} for p in filters]}
        extra = {"StartingPosition": "LATEST"} if ":kinesis:" in source else {}
        uuid = lam.create_event_source_mapping(
            EventSourceArn=source, FunctionName="fn", FilterCriteria=criteria, **extra
        )["UUID"]
        return mock.deliver_to_mapping(uuid, [record]) is not None

    return run


ORDER = json.dumps({"kind": "Order", "total": 25, "tags": ["new", "vip"], "customer": {"id": "c-1"}, "note": None})


@pytest.mark.parametrize(
    ("pattern", "passes"),
    [
        ({"body": {"kind": ["Order"]}}, True),
        ({"body": {"kind": ["order"]}}, False),
        ({"body": {"kind": [{"equals-ignore-case": "order"}]}}, True),
        ({"body": {"kind": [{"prefix": "Ord"}]}}, True),
        ({"body": {"kind": [{"suffix": "der"}]}}, True),
        ({"body": {"kind": [{"prefix": "Ref"}]}}, False),
        ({"body": {"kind": [{"anything-but": ["Refund", "Return"]}]}}, True),
        ({"body": {"kind": [{"anything-but": "Order"}]}}, False),
        ({"body": {"kind": [{"anything-but": {"prefix": "Ref"}}]}}, True),
        ({"body": {"total": [{"numeric": [">", 20, "<=", 25]}]}}, True),
        ({"body": {"total": [{"numeric": ["<", 20]}]}}, False),
        ({"body": {"total": [25]}}, True),
        ({"body": {"customer": {"id": ["c-1"]}}}, True),
        ({"body": {"tags": ["vip"]}}, True),
        ({"body": {"note": [None]}}, True),
        ({"body": {"missing": [{"exists": False}]}}, True),
        ({"body": {"kind": [{"exists": False}]}}, False),
        ({"body": {"kind": [{"exists": True}]}}, True),
        ({"body": {"kind": ["Order"], "total": [1]}}, False),  # and
        ({"body": {"$or": [{"kind": ["Refund"]}, {"total": [25]}]}}, True),
        ({"body": {"$or": [{"kind": ["Refund"]}, {"total": [1]}]}}, False),
        ([{"body": {"kind": ["Refund"]}}, {"body": {"kind": ["Order"]}}], True),  # filters: any passes
        ({"attributes": {"ApproximateReceiveCount": ["1"]}}, True),
    ],
)
def test_sqs_json_body(deliver, pattern, passes):
    assert deliver(pattern, sqs(ORDER, ApproximateReceiveCount="1")) is passes


@pytest.mark.parametrize(
    ("pattern", "passes"),
    [
        ({"body": ["ORDER-1"]}, True),
        ({"body": [{"prefix": "ORDER"}]}, True),
        ({"body": [{"prefix": "REFUND"}]}, False),
        ({"body": {"kind": ["ORDER"]}}, False),  # a body that is no JSON has no fields
    ],
)
def test_sqs_plain_body(deliver, pattern, passes):
    assert deliver(pattern, sqs("ORDER-1")) is passes


@pytest.mark.parametrize(
    ("pattern", "passes"),
    [
        ({"data": {"level": ["ERROR"]}}, True),
        ({"data": {"level": ["INFO"]}}, False),
        ({"partitionKey": ["pk"]}, True),
        ({"partitionKey": [{"prefix": "other"}]}, False),
    ],
)
def test_kinesis_data(deliver, pattern, passes):
    assert deliver(pattern, kinesis(b'{"level": "ERROR"}'), STREAM) is passes


@pytest.mark.parametrize(
    "pattern",
    [
        "not json",
        "[]",
        "{}",
        '{"body": "Order"}',
        '{"body": []}',
        '{"body": [{"prefix": 1}]}',
        '{"body": [{"numeric": [">"]}]}',
        '{"body": [{"numeric": ["~", 1]}]}',
        '{"body": [{"exists": "yes"}]}',
        '{"body": [{"unknown-operator": "x"}]}',
        '{"$or": [{"body": ["a"]}]}',
    ],
)
def test_a_malformed_pattern_is_refused_at_create_and_update(mock, lam, pattern):
    create(lam, "fn")
    criteria = {"Filters": [{"Pattern": pattern}]}
    with pytest.raises(ClientError) as excinfo:
        lam.create_event_source_mapping(EventSourceArn=QUEUE, FunctionName="fn", FilterCriteria=criteria)
    assert error_of(excinfo) == (400, "InvalidParameterValueException", "Invalid filter pattern definition.")
    uuid = lam.create_event_source_mapping(EventSourceArn=QUEUE, FunctionName="fn")["UUID"]
    with pytest.raises(ClientError) as excinfo:
        lam.update_event_source_mapping(UUID=uuid, FilterCriteria=criteria)
    assert error_of(excinfo) == (400, "InvalidParameterValueException", "Invalid filter pattern definition.")
    assert "FilterCriteria" not in lam.get_event_source_mapping(UUID=uuid)


def test_deliver_to_a_disabled_mapping_is_refused(mock, lam):
    create(lam, "fn")
    uuid = lam.create_event_source_mapping(EventSourceArn=QUEUE, FunctionName="fn", Enabled=False)["UUID"]
    with pytest.raises(ValueError, match="is Disabled: it delivers nothing"):
        mock.deliver_to_mapping(uuid, [sqs("x")])
