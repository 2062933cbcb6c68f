"""Per-function settings: recursive-loop detection, runtime management, scaling on capacity providers."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from conftest import ACCOUNT, FN_ARN_PREFIX, REGION, create, error_of

FN_ARN = FN_ARN_PREFIX + "my-function"
MISSING = FN_ARN_PREFIX + "doesnotexist"
RUNTIME_VERSION = f"arn:aws:lambda:{REGION}::runtime:edb5a058bfa782cb9cedc6d534ac8b8c193bc28e9a9879d9f5ebaaf619cd0fc0"


def body(response: dict) -> dict:
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}


# ---------------------------------------------------------------------------
# recursion
# ---------------------------------------------------------------------------


def test_recursion_defaults_to_terminate_F_MA_014(lam):
    create(lam)
    response = lam.get_function_recursion_config(FunctionName="my-function")
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert body(response) == {"RecursiveLoop": "Terminate"}


def test_recursion_allow_is_kept(lam):
    """Recorded: TestLambdaRecursion::test_put_function_recursion_config_allow (put and get answer Allow)."""
    create(lam)
    put = lam.put_function_recursion_config(FunctionName=FN_ARN, RecursiveLoop="Allow")
    assert put["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert body(put) == {"RecursiveLoop": "Allow"}
    assert body(lam.get_function_recursion_config(FunctionName="my-function")) == {"RecursiveLoop": "Allow"}
    lam.put_function_recursion_config(FunctionName="my-function", RecursiveLoop="Terminate")
    assert body(lam.get_function_recursion_config(FunctionName="my-function")) == {"RecursiveLoop": "Terminate"}


def test_recursion_invalid_value_F_MA_016(raw_lam):
    create(raw_lam)
    with pytest.raises(ClientError) as exc:
        raw_lam.put_function_recursion_config(FunctionName="my-function", RecursiveLoop="InvalidValue")
    assert error_of(exc) == (
        400,
        "ValidationException",
        "1 validation error detected: Value 'InvalidValue' at 'recursiveLoop' failed to satisfy constraint: "
        "Member must satisfy enum value set: [Terminate, Allow]",
    )


@pytest.mark.parametrize("operation", ["get_function_recursion_config", "put_function_recursion_config"])
def test_recursion_unknown_function(lam, operation):
    kwargs = {"RecursiveLoop": "Allow"} if operation.startswith("put") else {}
    with pytest.raises(ClientError) as exc:
        getattr(lam, operation)(FunctionName="doesnotexist", **kwargs)
    assert error_of(exc) == (404, "ResourceNotFoundException", f"Function not found: {MISSING}")


def test_recursion_takes_unqualified_names_only(raw_lam):
    """The model's UnqualifiedFunctionName pattern has no qualifier part."""
    create(raw_lam)
    with pytest.raises(ClientError) as exc:
        raw_lam.get_function_recursion_config(FunctionName="my-function:1")
    assert error_of(exc)[:2] == (400, "ValidationException")


# ---------------------------------------------------------------------------
# runtime management
# ---------------------------------------------------------------------------


def test_runtime_management_defaults_to_auto_F_MA_017(lam):
    create(lam)
    response = lam.get_runtime_management_config(FunctionName="my-function")
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert body(response) == {"UpdateRuntimeOn": "Auto", "FunctionArn": FN_ARN}


def test_runtime_management_manual_keeps_the_version_arn(lam):
    create(lam)
    put = lam.put_runtime_management_config(
        FunctionName="my-function", UpdateRuntimeOn="Manual", RuntimeVersionArn=RUNTIME_VERSION
    )
    assert put["ResponseMetadata"]["HTTPStatusCode"] == 200
    expected = {"UpdateRuntimeOn": "Manual", "FunctionArn": FN_ARN, "RuntimeVersionArn": RUNTIME_VERSION}
    assert body(put) == expected
    assert body(lam.get_runtime_management_config(FunctionName="my-function")) == expected


@pytest.mark.parametrize("mode", ["Auto", "FunctionUpdate"])
def test_runtime_management_other_modes_have_no_version_arn_F_MA_017(lam, mode):
    """DOC: the ARN is returned in Manual mode, 'otherwise null is returned'."""
    create(lam)
    lam.put_runtime_management_config(
        FunctionName="my-function", UpdateRuntimeOn="Manual", RuntimeVersionArn=RUNTIME_VERSION
    )
    put = lam.put_runtime_management_config(FunctionName="my-function", UpdateRuntimeOn=mode)
    assert body(put) == {"UpdateRuntimeOn": mode, "FunctionArn": FN_ARN}
    assert body(lam.get_runtime_management_config(FunctionName="my-function")) == body(put)


def test_runtime_management_manual_needs_a_version_arn(lam):
    """DOC: the runtime version ARN 'is only required if you're using the Manual runtime update mode'."""
    create(lam)
    with pytest.raises(ClientError) as exc:
        lam.put_runtime_management_config(FunctionName="my-function", UpdateRuntimeOn="Manual")
    assert error_of(exc)[:2] == (400, "InvalidParameterValueException")
    assert body(lam.get_runtime_management_config(FunctionName="my-function"))["UpdateRuntimeOn"] == "Auto"


def test_runtime_management_is_per_version(lam):
    """DOC: the qualifier 'can be $LATEST or a published version number'; no qualifier means $LATEST."""
    create(lam)
    lam.publish_version(FunctionName="my-function")
    put = lam.put_runtime_management_config(FunctionName="my-function", Qualifier="1", UpdateRuntimeOn="FunctionUpdate")
    assert put["FunctionArn"] == FN_ARN + ":1"
    assert lam.get_runtime_management_config(FunctionName=FN_ARN + ":1")["UpdateRuntimeOn"] == "FunctionUpdate"
    assert lam.get_runtime_management_config(FunctionName="my-function")["UpdateRuntimeOn"] == "Auto"
    latest = lam.get_runtime_management_config(FunctionName="my-function", Qualifier="$LATEST")
    assert body(latest) == {"UpdateRuntimeOn": "Auto", "FunctionArn": FN_ARN + ":$LATEST"}


def test_runtime_management_of_a_deleted_version_is_gone(lam):
    create(lam)
    lam.publish_version(FunctionName="my-function")
    lam.put_runtime_management_config(FunctionName="my-function", Qualifier="1", UpdateRuntimeOn="FunctionUpdate")
    lam.delete_function(FunctionName="my-function", Qualifier="1")
    with pytest.raises(ClientError) as exc:
        lam.get_runtime_management_config(FunctionName="my-function", Qualifier="1")
    assert error_of(exc) == (404, "ResourceNotFoundException", f"Function not found: {FN_ARN}:1")


@pytest.mark.parametrize("qualifier", ["7", "live"])
def test_runtime_management_unknown_qualifier(lam, qualifier):
    create(lam)
    lam.publish_version(FunctionName="my-function")
    lam.create_alias(FunctionName="my-function", Name="live", FunctionVersion="1")
    with pytest.raises(ClientError) as exc:
        lam.put_runtime_management_config(FunctionName="my-function", Qualifier=qualifier, UpdateRuntimeOn="Auto")
    assert error_of(exc) == (404, "ResourceNotFoundException", f"Function not found: {FN_ARN}:{qualifier}")


@pytest.mark.parametrize("operation", ["get_runtime_management_config", "put_runtime_management_config"])
def test_runtime_management_unknown_function(lam, operation):
    kwargs = {"UpdateRuntimeOn": "Auto"} if operation.startswith("put") else {}
    with pytest.raises(ClientError) as exc:
        getattr(lam, operation)(FunctionName="doesnotexist", **kwargs)
    assert error_of(exc) == (404, "ResourceNotFoundException", f"Function not found: {MISSING}")


def test_runtime_management_qualifier_mismatch(lam):
    create(lam)
    lam.publish_version(FunctionName="my-function")
    with pytest.raises(ClientError) as exc:
        lam.get_runtime_management_config(FunctionName=FN_ARN + ":1", Qualifier="$LATEST")
    assert error_of(exc) == (
        400,
        "InvalidParameterValueException",
        "The derived qualifier from the function name does not match the specified qualifier.",
    )


def test_runtime_management_invalid_mode(raw_lam):
    create(raw_lam)
    with pytest.raises(ClientError) as exc:
        raw_lam.put_runtime_management_config(FunctionName="my-function", UpdateRuntimeOn="Sometimes")
    status, code, message = error_of(exc)
    assert (status, code) == (400, "ValidationException")
    assert message.startswith("1 validation error detected: Value 'Sometimes' at 'updateRuntimeOn'")


# ---------------------------------------------------------------------------
# scaling of functions on capacity providers
# ---------------------------------------------------------------------------


@pytest.fixture
def managed(lam):
    """A function on a capacity provider, with version 1 published."""
    provider = lam.create_capacity_provider(
        CapacityProviderName="cp",
        VpcConfig={"SubnetIds": ["subnet-0abc"], "SecurityGroupIds": ["sg-0abc"]},
        PermissionsConfig={"CapacityProviderOperatorRoleArn": f"arn:aws:iam::{ACCOUNT}:role/operator"},
    )["CapacityProvider"]
    create(
        lam,
        CapacityProviderConfig={
            "LambdaManagedInstancesCapacityProviderConfig": {"CapacityProviderArn": provider["CapacityProviderArn"]}
        },
    )
    lam.publish_version(FunctionName="my-function")
    return lam


def test_scaling_put_and_get(managed):
    put = managed.put_function_scaling_config(
        FunctionName="my-function",
        Qualifier="1",
        FunctionScalingConfig={"MinExecutionEnvironments": 2, "MaxExecutionEnvironments": 10},
    )
    assert put["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert body(put) == {"FunctionState": "Active"}
    got = managed.get_function_scaling_config(FunctionName="my-function", Qualifier="1")
    assert body(got) == {
        "FunctionArn": FN_ARN + ":1",
        "AppliedFunctionScalingConfig": {"MinExecutionEnvironments": 2, "MaxExecutionEnvironments": 10},
        "RequestedFunctionScalingConfig": {"MinExecutionEnvironments": 2, "MaxExecutionEnvironments": 10},
    }


def test_scaling_default_minimum(managed):
    """AWS CDK reference, LatestPublishedScalingConfig: 'Default: 3 execution environments ... minimum'."""
    got = managed.get_function_scaling_config(FunctionName="my-function", Qualifier="1")
    assert body(got) == {"FunctionArn": FN_ARN + ":1", "AppliedFunctionScalingConfig": {"MinExecutionEnvironments": 3}}


def test_scaling_minimum_above_maximum(managed):
    with pytest.raises(ClientError) as exc:
        managed.put_function_scaling_config(
            FunctionName="my-function",
            Qualifier="1",
            FunctionScalingConfig={"MinExecutionEnvironments": 5, "MaxExecutionEnvironments": 1},
        )
    assert error_of(exc)[:2] == (400, "InvalidParameterValueException")


def test_scaling_needs_a_capacity_provider_function(lam):
    """DOC: 'Sets the scaling configuration for a Lambda Managed Instances function'."""
    create(lam)
    lam.publish_version(FunctionName="my-function")
    with pytest.raises(ClientError) as exc:
        lam.put_function_scaling_config(FunctionName="my-function", Qualifier="1", FunctionScalingConfig={})
    assert error_of(exc)[:2] == (400, "InvalidParameterValueException")


@pytest.mark.parametrize("qualifier", ["$LATEST", "live"])
def test_scaling_qualifier_is_a_published_version(managed, qualifier):
    """The model's PublishedFunctionQualifier pattern: ``$LATEST.PUBLISHED`` or a version number."""
    with pytest.raises(ClientError) as exc:
        managed.get_function_scaling_config(FunctionName="my-function", Qualifier=qualifier)
    assert error_of(exc) == (
        400,
        "ValidationException",
        f"1 validation error detected: Value '{qualifier}' at 'qualifier' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: (\\$LATEST\\.PUBLISHED|[0-9]+)",
    )


def test_scaling_unknown_version(managed):
    with pytest.raises(ClientError) as exc:
        managed.get_function_scaling_config(FunctionName="my-function", Qualifier="9")
    assert error_of(exc) == (404, "ResourceNotFoundException", f"Function not found: {FN_ARN}:9")


def test_scaling_unknown_function(lam):
    with pytest.raises(ClientError) as exc:
        lam.get_function_scaling_config(FunctionName="doesnotexist", Qualifier="1")
    assert error_of(exc) == (404, "ResourceNotFoundException", f"Function not found: {MISSING}")
