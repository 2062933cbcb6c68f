"""Event source mappings keep the qualifier they were given (an alias ARN stays an alias ARN)."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from conftest import ACCOUNT, FN_ARN_PREFIX, create, error_of, requires_member

FN_ARN = FN_ARN_PREFIX + "my-function"
QUEUE = f"arn:aws:sqs:us-east-1:{ACCOUNT}:orders"
STREAM = f"arn:aws:kinesis:us-east-1:{ACCOUNT}:stream/clicks"


@pytest.fixture
def fn(lam):
    create(lam)
    lam.publish_version(FunctionName="my-function")
    lam.create_alias(FunctionName="my-function", Name="PROD", FunctionVersion="1")
    return lam


@pytest.mark.parametrize(
    "function_name, stored",
    [
        ("my-function", FN_ARN),
        (f"{ACCOUNT}:function:my-function:$LATEST", FN_ARN + ":$LATEST"),
        (f"{ACCOUNT}:function:my-function:1", FN_ARN + ":1"),
        (f"{ACCOUNT}:function:my-function:PROD", FN_ARN + ":PROD"),
        (FN_ARN, FN_ARN),
        (FN_ARN + ":PROD", FN_ARN + ":PROD"),
    ],
)
def test_function_name_forms(fn, function_name, stored):
    response = fn.create_event_source_mapping(FunctionName=function_name, EventSourceArn=QUEUE)
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert response["FunctionArn"] == stored
    assert response["State"] == "Creating"
    assert response["BatchSize"] == 10
    assert response["MaximumBatchingWindowInSeconds"] == 0
    assert response["StateTransitionReason"] == "USER_INITIATED"
    assert response["FunctionResponseTypes"] == []


@requires_member("EventSourceMappingConfiguration", "EventSourceMappingArn", since="1.35.23")
def test_mapping_arn(fn):
    response = fn.create_event_source_mapping(FunctionName="my-function", EventSourceArn=QUEUE)
    assert response["EventSourceMappingArn"] == (
        f"arn:aws:lambda:us-east-1:{ACCOUNT}:event-source-mapping:{response['UUID']}"
    )


def test_lifecycle(fn):
    created = fn.create_event_source_mapping(FunctionName=FN_ARN + ":PROD", EventSourceArn=QUEUE)
    mapping_id = created["UUID"]
    fetched = fn.get_event_source_mapping(UUID=mapping_id)
    assert fetched["State"] == "Enabled"
    assert fetched["FunctionArn"] == FN_ARN + ":PROD"
    fn.update_alias(FunctionName="my-function", Name="PROD", FunctionVersion="$LATEST")
    assert fn.get_event_source_mapping(UUID=mapping_id)["FunctionArn"] == FN_ARN + ":PROD"  # not resolved
    disabling = fn.update_event_source_mapping(UUID=mapping_id, Enabled=False, BatchSize=5)
    assert (disabling["State"], disabling["BatchSize"]) == ("Disabling", 5)
    assert fn.get_event_source_mapping(UUID=mapping_id)["State"] == "Disabled"
    enabling = fn.update_event_source_mapping(UUID=mapping_id, Enabled=True)
    assert enabling["State"] == "Enabling"
    assert fn.update_event_source_mapping(UUID=mapping_id, BatchSize=7)["State"] == "Updating"
    deleted = fn.delete_event_source_mapping(UUID=mapping_id)
    assert (deleted["ResponseMetadata"]["HTTPStatusCode"], deleted["State"]) == (202, "Deleting")
    with pytest.raises(ClientError) as exc:
        fn.get_event_source_mapping(UUID=mapping_id)
    assert error_of(exc) == (404, "ResourceNotFoundException", "The resource you requested does not exist.")


def test_stream_defaults_and_validation(fn):
    response = fn.create_event_source_mapping(
        FunctionName="my-function", EventSourceArn=STREAM, StartingPosition="LATEST"
    )
    assert response["BatchSize"] == 100
    assert response["StateTransitionReason"] == "User action"
    assert response["MaximumRetryAttempts"] == -1
    assert response["MaximumRecordAgeInSeconds"] == -1
    assert response["ParallelizationFactor"] == 1
    assert response["BisectBatchOnFunctionError"] is False
    assert response["DestinationConfig"] == {"OnFailure": {}}
    assert response["LastProcessingResult"] == "No records processed"
    with pytest.raises(ClientError) as exc:
        fn.create_event_source_mapping(FunctionName="my-function", EventSourceArn=STREAM)
    assert error_of(exc) == (
        400,
        "InvalidParameterValueException",
        "1 validation error detected: Value null at 'startingPosition' failed to satisfy constraint: "
        "Member must not be null.",
    )


def test_list_filters_by_function_and_qualifier(fn):
    on_alias = fn.create_event_source_mapping(FunctionName=FN_ARN + ":PROD", EventSourceArn=QUEUE)
    on_function = fn.create_event_source_mapping(
        FunctionName="my-function", EventSourceArn=STREAM, StartingPosition="LATEST"
    )
    assert {m["UUID"] for m in fn.list_event_source_mappings()["EventSourceMappings"]} == {
        on_alias["UUID"],
        on_function["UUID"],
    }
    by_alias = fn.list_event_source_mappings(FunctionName="my-function:PROD")["EventSourceMappings"]
    assert [m["UUID"] for m in by_alias] == [on_alias["UUID"]]
    by_function = fn.list_event_source_mappings(FunctionName="my-function")["EventSourceMappings"]
    assert [m["UUID"] for m in by_function] == [on_function["UUID"]]
    by_source = fn.list_event_source_mappings(EventSourceArn=QUEUE)["EventSourceMappings"]
    assert [m["UUID"] for m in by_source] == [on_alias["UUID"]]


def test_errors(fn):
    for kwargs, message in (
        ({"FunctionName": "my-function"}, "Unrecognized event source."),
        ({"FunctionName": "doesnotexist", "EventSourceArn": QUEUE}, "Function does not exist"),
        (
            {
                "FunctionName": "my-function",
                "EventSourceArn": QUEUE,
                "DestinationConfig": {"OnFailure": {"Destination": QUEUE}},
            },
            "Unsupported DestinationConfig parameter for given event source mapping type.",
        ),
        (
            {"FunctionName": "my-function", "EventSourceArn": QUEUE, "BatchSize": 11},
            "Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10",
        ),
    ):
        with pytest.raises(ClientError) as exc:
            fn.create_event_source_mapping(**kwargs)
        assert error_of(exc) == (400, "InvalidParameterValueException", message)
    for call in (
        lambda: fn.get_event_source_mapping(UUID="00000000-0000-0000-0000-000000000000"),
        lambda: fn.delete_event_source_mapping(UUID="00000000-0000-0000-0000-000000000000"),
        lambda: fn.update_event_source_mapping(UUID="00000000-0000-0000-0000-000000000000", BatchSize=1),
    ):
        with pytest.raises(ClientError) as exc:
            call()
        assert error_of(exc) == (404, "ResourceNotFoundException", "The resource you requested does not exist.")


def test_mapping_outlives_function(fn):
    created = fn.create_event_source_mapping(FunctionName="my-function", EventSourceArn=QUEUE)
    fn.delete_function(FunctionName="my-function")
    assert fn.get_event_source_mapping(UUID=created["UUID"])["State"] == "Enabled"


def test_dynamodb_streams_refuse_at_timestamp(fn):
    stream = f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/orders/stream/2024-01-01T00:00:00.000"
    with pytest.raises(ClientError) as exc:
        fn.create_event_source_mapping(
            FunctionName="my-function",
            EventSourceArn=stream,
            StartingPosition="AT_TIMESTAMP",
            StartingPositionTimestamp="1741010802",
        )
    assert error_of(exc) == (
        400,
        "InvalidParameterValueException",
        f"Unsupported starting position for arn type: {stream}",
    )
