"""Asynchronous invocation configs, per qualifier."""

from __future__ import annotations

import datetime

import pytest
from botocore.exceptions import ClientError
from conftest import FN_ARN_PREFIX, create, error_of

FN_ARN = FN_ARN_PREFIX + "my-function"


@pytest.fixture
def fn(lam):
    create(lam)
    lam.publish_version(FunctionName="my-function")
    lam.create_alias(FunctionName="my-function", Name="live", FunctionVersion="1")
    return lam


def body(response: dict) -> dict:
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}


def test_put_without_qualifier_F_PI_080(fn):
    response = fn.put_function_event_invoke_config(FunctionName="my-function", MaximumRetryAttempts=0)
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert isinstance(response.pop("LastModified"), datetime.datetime)
    assert body(response) == {
        "FunctionArn": FN_ARN + ":$LATEST",
        "MaximumRetryAttempts": 0,
        "DestinationConfig": {"OnSuccess": {}, "OnFailure": {}},
    }


@pytest.mark.parametrize(
    "kwargs, suffix",
    [
        ({"FunctionName": "my-function", "Qualifier": "1"}, "1"),
        ({"FunctionName": "my-function", "Qualifier": "live"}, "live"),
        ({"FunctionName": FN_ARN + ":live"}, "live"),
        ({"FunctionName": FN_ARN + ":live", "Qualifier": "live"}, "live"),
        ({"FunctionName": "my-function:live"}, "live"),
        ({"FunctionName": "my-function:1"}, "1"),
        ({"FunctionName": "my-function:$LATEST", "Qualifier": "$LATEST"}, "$LATEST"),
    ],
)
def test_qualified_arns_F_PI_081(fn, kwargs, suffix):
    response = fn.put_function_event_invoke_config(MaximumRetryAttempts=1, **kwargs)
    assert response["FunctionArn"] == f"{FN_ARN}:{suffix}"


def test_configs_are_per_qualifier_F_PI_082(fn):
    fn.put_function_event_invoke_config(FunctionName="my-function", MaximumEventAgeInSeconds=60)
    with pytest.raises(ClientError) as exc:
        fn.get_function_event_invoke_config(FunctionName="my-function", Qualifier="1")
    assert error_of(exc) == (
        404,
        "ResourceNotFoundException",
        f"The function {FN_ARN}:1 doesn't have an EventInvokeConfig",
    )


def test_get_missing_F_PI_083(fn):
    for kwargs, arn in (
        ({"FunctionName": FN_ARN + ":live"}, FN_ARN + ":live"),
        ({"FunctionName": "my-function", "Qualifier": "doesnotexist"}, FN_ARN + ":doesnotexist"),
        ({"FunctionName": "doesnotexist"}, FN_ARN_PREFIX + "doesnotexist:$LATEST"),
    ):
        with pytest.raises(ClientError) as exc:
            fn.get_function_event_invoke_config(**kwargs)
        assert error_of(exc) == (
            404,
            "ResourceNotFoundException",
            f"The function {arn} doesn't have an EventInvokeConfig",
        )


@pytest.mark.parametrize(
    "kwargs",
    [
        {"FunctionName": FN_ARN + ":live", "Qualifier": "1"},
        {"FunctionName": "my-function:live", "Qualifier": "1"},
        {"FunctionName": "my-function:1", "Qualifier": "$LATEST"},
    ],
)
def test_qualifier_conflict_F_PI_085(fn, kwargs):
    with pytest.raises(ClientError) as exc:
        fn.put_function_event_invoke_config(MaximumRetryAttempts=1, **kwargs)
    assert error_of(exc) == (
        400,
        "InvalidParameterValueException",
        "The derived qualifier from the function name does not match the specified qualifier.",
    )


def test_list_and_delete_F_PI_086(fn):
    fn.put_function_event_invoke_config(FunctionName="my-function", MaximumRetryAttempts=0)
    fn.put_function_event_invoke_config(FunctionName="my-function", Qualifier="1", MaximumRetryAttempts=1)
    fn.put_function_event_invoke_config(FunctionName="my-function", Qualifier="live", MaximumRetryAttempts=2)
    listed = fn.list_function_event_invoke_configs(FunctionName="my-function")["FunctionEventInvokeConfigs"]
    assert [c["FunctionArn"] for c in listed] == [FN_ARN + ":$LATEST", FN_ARN + ":1", FN_ARN + ":live"]
    for qualifier in ("$LATEST", "1", "live"):
        deleted = fn.delete_function_event_invoke_config(FunctionName="my-function", Qualifier=qualifier)
        assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert fn.list_function_event_invoke_configs(FunctionName="my-function")["FunctionEventInvokeConfigs"] == []


def test_delete_without_config_F_PI_088(fn):
    with pytest.raises(ClientError) as exc:
        fn.delete_function_event_invoke_config(FunctionName="my-function")
    assert error_of(exc) == (
        404,
        "ResourceNotFoundException",
        f"The function {FN_ARN}:$LATEST doesn't have an EventInvokeConfig",
    )


def test_put_replaces_and_update_merges(fn):
    fn.put_function_event_invoke_config(FunctionName="my-function", MaximumRetryAttempts=2, MaximumEventAgeInSeconds=60)
    replaced = fn.put_function_event_invoke_config(FunctionName="my-function", MaximumRetryAttempts=0)
    assert "MaximumEventAgeInSeconds" not in replaced
    fn.put_function_event_invoke_config(FunctionName="my-function", MaximumRetryAttempts=2, MaximumEventAgeInSeconds=60)
    merged = fn.update_function_event_invoke_config(FunctionName="my-function", MaximumRetryAttempts=0)
    assert (merged["MaximumRetryAttempts"], merged["MaximumEventAgeInSeconds"]) == (0, 60)
    assert fn.get_function_event_invoke_config(FunctionName="my-function")["MaximumEventAgeInSeconds"] == 60


def test_update_without_config(fn):
    with pytest.raises(ClientError) as exc:
        fn.update_function_event_invoke_config(FunctionName="my-function", MaximumRetryAttempts=1)
    assert error_of(exc)[2] == f"The function {FN_ARN}:$LATEST doesn't have an EventInvokeConfig"


def test_put_errors(fn):
    with pytest.raises(ClientError) as exc:
        fn.put_function_event_invoke_config(FunctionName="doesnotexist", MaximumRetryAttempts=1)
    assert error_of(exc) == (404, "ResourceNotFoundException", "The function doesn't exist.")
    with pytest.raises(ClientError) as exc:
        fn.put_function_event_invoke_config(FunctionName="my-function", Qualifier="nope", MaximumRetryAttempts=1)
    assert error_of(exc) == (404, "ResourceNotFoundException", "The function doesn't exist.")
    with pytest.raises(ClientError) as exc:
        fn.put_function_event_invoke_config(FunctionName="my-function")
    assert error_of(exc) == (
        400,
        "InvalidParameterValueException",
        "You must specify at least one of error handling or destination setting.",
    )


def test_ranges(raw_lam):
    create(raw_lam)
    with pytest.raises(ClientError) as exc:
        raw_lam.put_function_event_invoke_config(FunctionName="my-function", MaximumRetryAttempts=3)
    assert error_of(exc) == (
        400,
        "ValidationException",
        "1 validation error detected: Value '3' at 'maximumRetryAttempts' failed to satisfy constraint: "
        "Member must have value less than or equal to 2",
    )
    with pytest.raises(ClientError) as exc:
        raw_lam.put_function_event_invoke_config(FunctionName="my-function", MaximumEventAgeInSeconds=59)
    assert error_of(exc) == (
        400,
        "ValidationException",
        "1 validation error detected: Value '59' at 'maximumEventAgeInSeconds' failed to satisfy constraint: "
        "Member must have value greater than or equal to 60",
    )


def test_destinations(fn):
    create(fn, name="other")
    other = FN_ARN_PREFIX + "other"
    response = fn.put_function_event_invoke_config(
        FunctionName="my-function", DestinationConfig={"OnSuccess": {"Destination": other}}
    )
    assert response["DestinationConfig"] == {"OnSuccess": {"Destination": other}, "OnFailure": {}}
    queue = "arn:aws:sqs:us-east-1:123456789012:dlq"
    response = fn.put_function_event_invoke_config(
        FunctionName="my-function", DestinationConfig={"OnFailure": {"Destination": queue}}
    )
    assert response["DestinationConfig"] == {"OnSuccess": {}, "OnFailure": {"Destination": queue}}
    cases = [
        (FN_ARN_PREFIX + "doesnotexist", f"The destination ARN {FN_ARN_PREFIX}doesnotexist is invalid."),
        (FN_ARN, "You can't specify the function as a destination for itself."),
        (
            "arn:aws:iam:us-east-1:123456789012:function:my-function",
            "The provided destination config DestinationConfig(onSuccess=OnSuccess(destination="
            "arn:aws:iam:us-east-1:123456789012:function:my-function), onFailure=null) is invalid.",
        ),
    ]
    for destination, message in cases:
        with pytest.raises(ClientError) as exc:
            fn.put_function_event_invoke_config(
                FunctionName="my-function", DestinationConfig={"OnSuccess": {"Destination": destination}}
            )
        assert error_of(exc) == (400, "InvalidParameterValueException", message)


def test_removed_with_alias_and_version(fn):
    fn.put_function_event_invoke_config(FunctionName="my-function", Qualifier="live", MaximumRetryAttempts=1)
    fn.put_function_event_invoke_config(FunctionName="my-function", Qualifier="1", MaximumRetryAttempts=1)
    fn.delete_alias(FunctionName="my-function", Name="live")
    fn.delete_function(FunctionName="my-function", Qualifier="1")
    assert fn.list_function_event_invoke_configs(FunctionName="my-function")["FunctionEventInvokeConfigs"] == []


# Facts below: LocalStack tests/aws/services/lambda_/test_lambda_api.py::TestLambdaEventInvokeConfig::
# test_lambda_eventinvokeconfig_exceptions, recorded against AWS (2025-11-25; snapshot names given).
DESTINATION_PATTERN = (
    r"$|kafka://([^.]([a-zA-Z0-9\-_.]{0,248}))|arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\-])+:"
    r"((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1})?:(\d{12})?:(.*)"
)
NO_SETTINGS = "You must specify at least one of error handling or destination setting."


@pytest.mark.parametrize(
    ("operation", "kwargs", "expected"),
    [
        # put_functionname_nootherargs: the missing setting is refused before the function is looked up.
        ("put", {"FunctionName": "doesnotexist"}, (400, "InvalidParameterValueException", NO_SETTINGS)),
        # Update's order is our choice (not recorded): the same as Put's.
        ("update", {"FunctionName": "doesnotexist"}, (400, "InvalidParameterValueException", NO_SETTINGS)),
        # put_functionname_arn_notfound
        (
            "put",
            {"FunctionName": FN_ARN_PREFIX + "doesnotexist", "MaximumRetryAttempts": 1},
            (404, "ResourceNotFoundException", "The function doesn't exist."),
        ),
        # put_alias_doesnotexist
        (
            "put",
            {"FunctionName": "my-function", "Qualifier": "livedoesnotexist", "MaximumRetryAttempts": 1},
            (404, "ResourceNotFoundException", "The function doesn't exist."),
        ),
        # update_eventinvokeconfig_function_doesnotexist
        (
            "update",
            {"FunctionName": "doesnotexist", "MaximumRetryAttempts": 0},
            (404, "ResourceNotFoundException", "The function doesn't exist."),
        ),
        # update_eventinvokeconfig_config_doesnotexist_with_qualifier
        (
            "update",
            {"FunctionName": FN_ARN + ":live", "MaximumRetryAttempts": 0},
            (404, "ResourceNotFoundException", f"The function {FN_ARN}:live doesn't have an EventInvokeConfig"),
        ),
        # list_function_doesnotexist
        ("list", {"FunctionName": "doesnotexist"}, (404, "ResourceNotFoundException", "The function doesn't exist.")),
        # delete_function_doesnotexist
        (
            "delete",
            {"FunctionName": "doesnotexist"},
            (
                404,
                "ResourceNotFoundException",
                f"The function {FN_ARN_PREFIX}doesnotexist:$LATEST doesn't have an EventInvokeConfig",
            ),
        ),
        # put_destination_invalid_arn_pattern
        (
            "put",
            {
                "FunctionName": "my-function",
                "DestinationConfig": {"OnFailure": {"Destination": FN_ARN.replace(":lambda:", ":_-/!lambda:")}},
            },
            (
                400,
                "ValidationException",
                "1 validation error detected: Value '"
                + FN_ARN.replace(":lambda:", ":_-/!lambda:")
                + "' at 'destinationConfig.onFailure.destination' failed to satisfy constraint: "
                "Member must satisfy regular expression pattern: " + DESTINATION_PATTERN,
            ),
        ),
    ],
)
def test_errors_recorded_against_aws(raw_lam, operation, kwargs, expected):
    create(raw_lam)
    raw_lam.publish_version(FunctionName="my-function")
    raw_lam.create_alias(FunctionName="my-function", Name="live", FunctionVersion="1")
    method = getattr(
        raw_lam,
        f"{operation}_function_event_invoke_config" if operation != "list" else "list_function_event_invoke_configs",
    )
    with pytest.raises(ClientError) as exc:
        method(**kwargs)
    assert error_of(exc) == expected


@pytest.mark.parametrize("side", ["OnSuccess", "OnFailure"])
def test_a_side_without_a_destination_arn_is_kept_empty(fn, side):
    """put_destination_success_no_destination_arn / put_destination_failure_no_destination_arn."""
    response = fn.put_function_event_invoke_config(FunctionName="my-function", DestinationConfig={side: {}})
    assert body(response)["DestinationConfig"] == {"OnSuccess": {}, "OnFailure": {}}
    assert "MaximumRetryAttempts" not in response and "MaximumEventAgeInSeconds" not in response


def test_an_s3_bucket_takes_failure_records_only(fn):
    """API reference, PutFunctionEventInvokeConfig: "S3 buckets are supported only for on-failure
    destinations". AWS's message for an S3 OnSuccess is NOT recorded: the mock answers the message
    recorded for a destination of a service that is none (put_destination_invalid_service_arn)."""
    bucket = "arn:aws:s3:::records"
    response = fn.put_function_event_invoke_config(
        FunctionName="my-function", DestinationConfig={"OnFailure": {"Destination": bucket}}
    )
    assert response["DestinationConfig"] == {"OnSuccess": {}, "OnFailure": {"Destination": bucket}}
    with pytest.raises(ClientError) as exc:
        fn.put_function_event_invoke_config(
            FunctionName="my-function", DestinationConfig={"OnSuccess": {"Destination": bucket}}
        )
    assert error_of(exc) == (
        400,
        "InvalidParameterValueException",
        f"The provided destination config DestinationConfig(onSuccess=OnSuccess(destination={bucket}), "
        "onFailure=null) is invalid.",
    )
