"""Provisioned concurrency per version/alias, reserved concurrency, account settings."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from conftest import FN_ARN_PREFIX, create, error_of, make_zip

FN_ARN = FN_ARN_PREFIX + "my-function"
MISSING = FN_ARN_PREFIX + "doesnotexist"


@pytest.fixture
def versioned(lam):
    create(lam)
    lam.publish_version(FunctionName="my-function")
    lam.create_alias(FunctionName="my-function", Name="PROD", FunctionVersion="1")
    return lam


def put(lam, qualifier, n=1, name="my-function"):
    return lam.put_provisioned_concurrency_config(
        FunctionName=name, Qualifier=qualifier, ProvisionedConcurrentExecutions=n
    )


@pytest.mark.parametrize("qualifier", ["1", "PROD"])
def test_put_answers_in_progress_F_PI_060(versioned, qualifier):
    response = put(versioned, qualifier, 3)
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert response["RequestedProvisionedConcurrentExecutions"] == 3
    assert response["AllocatedProvisionedConcurrentExecutions"] == 0
    assert response["AvailableProvisionedConcurrentExecutions"] == 0
    assert response["Status"] == "IN_PROGRESS"
    assert response["LastModified"]


def test_put_on_latest_F_PI_061(versioned):
    with pytest.raises(ClientError) as exc:
        put(versioned, "$LATEST")
    assert error_of(exc) == (
        400,
        "InvalidParameterValueException",
        "Provisioned Concurrency Configs cannot be applied to unpublished function versions.",
    )


@pytest.mark.parametrize("operation", ["get_provisioned_concurrency_config", "delete_provisioned_concurrency_config"])
def test_get_delete_on_latest_F_PI_062(versioned, operation):
    with pytest.raises(ClientError) as exc:
        getattr(versioned, operation)(FunctionName="my-function", Qualifier="$LATEST")
    assert error_of(exc) == (
        400,
        "InvalidParameterValueException",
        "The function resource provided must be an alias or a published version.",
    )


def test_get_without_config_F_PI_063(versioned):
    with pytest.raises(ClientError) as exc:
        versioned.get_provisioned_concurrency_config(FunctionName="my-function", Qualifier="1")
    assert error_of(exc) == (
        404,
        "ProvisionedConcurrencyConfigNotFoundException",
        "No Provisioned Concurrency Config found for this function",
    )


@pytest.mark.parametrize(
    "operation", ["get_provisioned_concurrency_config", "delete_provisioned_concurrency_config", "put"]
)
def test_missing_alias_F_PI_064(versioned, operation):
    for name, arn in (("my-function", FN_ARN), ("doesnotexist", MISSING)):
        with pytest.raises(ClientError) as exc:
            if operation == "put":
                put(versioned, "noalias", name=name)
            else:
                getattr(versioned, operation)(FunctionName=name, Qualifier="noalias")
        assert error_of(exc) == (404, "ResourceNotFoundException", f"Cannot find alias arn: {arn}:noalias")


@pytest.mark.parametrize(
    "operation", ["get_provisioned_concurrency_config", "delete_provisioned_concurrency_config", "put"]
)
def test_missing_version_F_PI_065(versioned, operation):
    for name, qualifier, arn in (("my-function", "10", FN_ARN), ("doesnotexist", "1", MISSING)):
        with pytest.raises(ClientError) as exc:
            if operation == "put":
                put(versioned, qualifier, name=name)
            else:
                getattr(versioned, operation)(FunctionName=name, Qualifier=qualifier)
        assert error_of(exc) == (404, "ResourceNotFoundException", f"Function not found: {arn}:{qualifier}")


def test_list_F_PI_067(versioned):
    assert (
        versioned.list_provisioned_concurrency_configs(FunctionName="my-function")["ProvisionedConcurrencyConfigs"]
        == []
    )
    with pytest.raises(ClientError) as exc:
        versioned.list_provisioned_concurrency_configs(FunctionName="doesnotexist")
    assert error_of(exc) == (404, "ResourceNotFoundException", f"Function not found: {MISSING}")


def test_zero_executions_F_PI_068(raw_lam):
    create(raw_lam)
    raw_lam.publish_version(FunctionName="my-function")
    with pytest.raises(ClientError) as exc:
        put(raw_lam, "1", 0)
    assert error_of(exc) == (
        400,
        "ValidationException",
        "1 validation error detected: Value '0' at 'provisionedConcurrentExecutions' failed to satisfy constraint: "
        "Member must have value greater than or equal to 1",
    )


def test_delete_then_get_F_PI_072(versioned):
    put(versioned, "1")
    response = versioned.delete_provisioned_concurrency_config(FunctionName="my-function", Qualifier="1")
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as exc:
        versioned.get_provisioned_concurrency_config(FunctionName="my-function", Qualifier="1")
    assert error_of(exc)[:2] == (404, "ProvisionedConcurrencyConfigNotFoundException")
    # deleting again is a quiet 204
    versioned.delete_provisioned_concurrency_config(FunctionName="my-function", Qualifier="1")


def test_ready_after_put_and_listed_F_PI_073(versioned):
    put(versioned, "PROD", 4)
    response = versioned.get_provisioned_concurrency_config(FunctionName="my-function", Qualifier="PROD")
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert response["Status"] == "READY"
    assert response["AvailableProvisionedConcurrentExecutions"] == 4
    assert response["AllocatedProvisionedConcurrentExecutions"] == 4
    (item,) = versioned.list_provisioned_concurrency_configs(FunctionName="my-function")[
        "ProvisionedConcurrencyConfigs"
    ]
    assert item["FunctionArn"] == FN_ARN + ":PROD"
    assert item["RequestedProvisionedConcurrentExecutions"] == 4


def test_not_on_alias_and_its_version(versioned):
    put(versioned, "1")
    with pytest.raises(ClientError) as exc:
        put(versioned, "PROD")
    assert error_of(exc) == (
        409,
        "ResourceConflictException",
        "Alias can't be used for Provisioned Concurrency configuration on an already Provisioned version",
    )
    versioned.delete_provisioned_concurrency_config(FunctionName="my-function", Qualifier="1")
    put(versioned, "PROD")
    with pytest.raises(ClientError) as exc:
        put(versioned, "1")
    assert error_of(exc) == (409, "ResourceConflictException", "Version is pointed by a Provisioned Concurrency alias")


def test_removed_with_alias_and_version(versioned):
    put(versioned, "PROD")
    versioned.delete_alias(FunctionName="my-function", Name="PROD")
    with pytest.raises(ClientError) as exc:
        versioned.get_provisioned_concurrency_config(FunctionName="my-function", Qualifier="PROD")
    assert error_of(exc) == (404, "ResourceNotFoundException", f"Cannot find alias arn: {FN_ARN}:PROD")
    put(versioned, "1")
    versioned.delete_function(FunctionName="my-function", Qualifier="1")
    assert (
        versioned.list_provisioned_concurrency_configs(FunctionName="my-function")["ProvisionedConcurrencyConfigs"]
        == []
    )


def test_provisioned_account_limits(versioned):
    with pytest.raises(ClientError) as exc:
        put(versioned, "1", 1001)
    assert error_of(exc) == (
        400,
        "InvalidParameterValueException",
        "Specified ConcurrentExecutions for function is greater than account's unreserved concurrency [1000].",
    )
    assert "Type" not in exc.value.response
    with pytest.raises(ClientError) as exc:
        put(versioned, "1", 950)
    assert error_of(exc) == (
        400,
        "InvalidParameterValueException",
        "Specified ConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its "
        "minimum value of [100].",
    )


# --- reserved concurrency -------------------------------------------------------------------------------


def test_reserved_concurrency_lifecycle(lam):
    create(lam)
    assert (
        lam.put_function_concurrency(FunctionName="my-function", ReservedConcurrentExecutions=0)[
            "ReservedConcurrentExecutions"
        ]
        == 0
    )
    response = lam.put_function_concurrency(FunctionName="my-function", ReservedConcurrentExecutions=1)
    assert (response["ResponseMetadata"]["HTTPStatusCode"], response["ReservedConcurrentExecutions"]) == (200, 1)
    assert lam.get_function_concurrency(FunctionName="my-function")["ReservedConcurrentExecutions"] == 1
    assert lam.get_function(FunctionName="my-function")["Concurrency"] == {"ReservedConcurrentExecutions": 1}
    deleted = lam.delete_function_concurrency(FunctionName="my-function")
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    after = lam.get_function_concurrency(FunctionName="my-function")
    assert "ReservedConcurrentExecutions" not in after
    assert "Concurrency" not in lam.get_function(FunctionName="my-function")


def test_reserved_concurrency_errors(lam):
    with pytest.raises(ClientError) as exc:
        lam.put_function_concurrency(FunctionName="doesnotexist", ReservedConcurrentExecutions=1)
    assert error_of(exc) == (404, "ResourceNotFoundException", f"Function not found: {MISSING}:$LATEST")
    with pytest.raises(ClientError) as exc:
        lam.get_function_concurrency(FunctionName="doesnotexist")
    assert error_of(exc) == (404, "ResourceNotFoundException", f"Function not found: {MISSING}")
    create(lam)
    lam.publish_version(FunctionName="my-function")
    with pytest.raises(ClientError) as exc:
        lam.put_function_concurrency(FunctionName=FN_ARN + ":1", ReservedConcurrentExecutions=1)
    assert error_of(exc) == (
        400,
        "InvalidParameterValueException",
        "This operation is permitted on Lambda functions only. Aliases and versions do not support this operation. "
        "Please specify either a function name or an unqualified function ARN.",
    )
    with pytest.raises(ClientError) as exc:
        lam.put_function_concurrency(FunctionName="my-function", ReservedConcurrentExecutions=901)
    assert error_of(exc) == (
        400,
        "InvalidParameterValueException",
        "Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution "
        "below its minimum value of [100].",
    )


def test_account_settings(lam):
    settings = lam.get_account_settings()
    assert settings["AccountLimit"] == {
        "TotalCodeSize": 80530636800,
        "CodeSizeUnzipped": 262144000,
        "CodeSizeZipped": 52428800,
        "ConcurrentExecutions": 1000,
        "UnreservedConcurrentExecutions": 1000,
    }
    assert settings["AccountUsage"] == {"TotalCodeSize": 0, "FunctionCount": 0}
    created = create(lam)
    lam.put_function_concurrency(FunctionName="my-function", ReservedConcurrentExecutions=200)
    settings = lam.get_account_settings()
    assert settings["AccountLimit"]["UnreservedConcurrentExecutions"] == 800
    assert settings["AccountUsage"] == {"TotalCodeSize": created["CodeSize"], "FunctionCount": 1}


def test_total_code_size_follows_every_package_change(lam):
    """TotalCodeSize counts each function's distinct packages; it is read after each change that
    adds or drops one (a publish copies $LATEST's package and adds nothing)."""

    def total():
        return lam.get_account_settings()["AccountUsage"]["TotalCodeSize"]

    first = create(lam)["CodeSize"]
    assert total() == first
    lam.publish_version(FunctionName="my-function")
    assert total() == first
    second = lam.update_function_code(
        FunctionName="my-function", ZipFile=make_zip("def handler(e, c):\n    return 2\n")
    )
    assert total() == first + second["CodeSize"]
    lam.publish_version(FunctionName="my-function")
    assert total() == first + second["CodeSize"]
    lam.delete_function(FunctionName="my-function", Qualifier="1")
    assert total() == second["CodeSize"]
    other = create(lam, "other")["CodeSize"]
    assert total() == second["CodeSize"] + other
    lam.delete_function(FunctionName="my-function")
    assert total() == other


def test_a_deleted_function_releases_its_reservation(lam):
    """Deleting a function returns its reserved concurrency to the account, also when the name is
    used again by a function without a reservation."""
    create(lam)
    lam.put_function_concurrency(FunctionName="my-function", ReservedConcurrentExecutions=300)
    create(lam, "other")
    lam.put_function_concurrency(FunctionName="other", ReservedConcurrentExecutions=100)
    lam.delete_function(FunctionName="my-function")
    assert lam.get_account_settings()["AccountLimit"]["UnreservedConcurrentExecutions"] == 900
    create(lam)
    assert lam.get_account_settings()["AccountLimit"]["UnreservedConcurrentExecutions"] == 900
    lam.put_function_concurrency(FunctionName="my-function", ReservedConcurrentExecutions=800)
    assert lam.get_account_settings()["AccountLimit"]["UnreservedConcurrentExecutions"] == 100
    lam.delete_function_concurrency(FunctionName="other")
    assert lam.get_account_settings()["AccountLimit"]["UnreservedConcurrentExecutions"] == 200


def test_reserved_and_provisioned_overlap(versioned):
    """Recorded against AWS: reserved concurrency bounds the function's total provisioned concurrency."""
    import boto3
    from botocore.config import Config

    lam = versioned
    put(lam, "1", 2)
    with pytest.raises(ClientError) as exc:
        lam.put_function_concurrency(FunctionName="my-function", ReservedConcurrentExecutions=1)
    assert error_of(exc) == (
        400,
        "InvalidParameterValueException",
        " ReservedConcurrentExecutions  1 should not be lower than function's total provisioned concurrency [2].",
    )
    lam.put_function_concurrency(FunctionName="my-function", ReservedConcurrentExecutions=2)
    client = boto3.client("lambda", region_name="us-east-1", config=Config(retries={"total_max_attempts": 1}))
    with pytest.raises(ClientError) as exc:
        client.invoke(FunctionName="my-function")  # $LATEST has no provisioned concurrency left to use
    assert error_of(exc) == (429, "TooManyRequestsException", "Rate Exceeded.")
    assert exc.value.response["Reason"] == "ReservedFunctionConcurrentInvocationLimitExceeded"
    assert client.invoke(FunctionName="my-function", Qualifier="1")["StatusCode"] == 200
    lam.update_function_configuration(FunctionName="my-function", Timeout=15)
    lam.publish_version(FunctionName="my-function")
    for qualifier, n in (("2", 1), ("1", 3)):
        with pytest.raises(ClientError) as exc:
            put(lam, qualifier, n)
        assert error_of(exc) == (
            400,
            "InvalidParameterValueException",
            "Requested Provisioned Concurrency should not be greater than the reservedConcurrentExecution for function",
        )


def test_reserved_zero_throttles_everything(lam):
    import boto3
    from botocore.config import Config

    create(lam)
    lam.put_function_concurrency(FunctionName="my-function", ReservedConcurrentExecutions=0)
    client = boto3.client("lambda", region_name="us-east-1", config=Config(retries={"total_max_attempts": 1}))
    with pytest.raises(ClientError) as exc:
        client.invoke(FunctionName="my-function")
    assert error_of(exc)[:2] == (429, "TooManyRequestsException")
    lam.delete_function_concurrency(FunctionName="my-function")
    assert client.invoke(FunctionName="my-function")["StatusCode"] == 200
