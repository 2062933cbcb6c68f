"""SnapStart per qualifier, the runtimes it supports, DurableConfig, and members refused by name.

Sources: F-FN-002 (SnapStart defaults); LocalStack's AWS-recorded snapshots
``TestLambdaSnapStart::test_snapstart_update_function_configuration`` ($LATEST reports
``ApplyOn: PublishedVersions`` with ``OptimizationStatus: Off``) and
``test_snapstart_exceptions`` (invalid ApplyOn); AWS Lambda developer guide "Improving startup
performance with Lambda SnapStart" (Java 11+, Python 3.12+, .NET 8+; not other managed runtimes,
OS-only runtimes or container images); deployment errors recorded against AWS
(``nodejs18.x is not supported for SnapStart enabled functions.``, ``ContainerImage is not
supported for SnapStart enabled functions``); API reference DurableConfig (ranges) and the
durable functions guide (RetentionPeriodInDays defaults to 14; durable execution can only be
enabled when a function is created).
"""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import ROLE, create, error_of, requires_member

ON_PUBLISH = {"ApplyOn": "PublishedVersions"}


@pytest.mark.parametrize(
    "runtime", ["java11", "java17", "java21", "java25", "python3.12", "python3.13", "python3.14", "dotnet8"]
)
def test_snapstart_is_on_for_published_versions_and_off_for_latest(lam: Any, runtime: str) -> None:
    created = create(lam, "snappy", Runtime=runtime, SnapStart=ON_PUBLISH)
    assert created["SnapStart"] == {"ApplyOn": "PublishedVersions", "OptimizationStatus": "Off"}
    published = lam.publish_version(FunctionName="snappy")
    assert published["SnapStart"] == {"ApplyOn": "PublishedVersions", "OptimizationStatus": "On"}
    assert lam.get_function_configuration(FunctionName="snappy", Qualifier="1")["SnapStart"] == {
        "ApplyOn": "PublishedVersions",
        "OptimizationStatus": "On",
    }
    assert lam.get_function_configuration(FunctionName="snappy")["SnapStart"]["OptimizationStatus"] == "Off"
    versions = {
        v["Version"]: v["SnapStart"]["OptimizationStatus"]
        for v in lam.list_versions_by_function(FunctionName="snappy")["Versions"]
    }
    assert versions == {"$LATEST": "Off", "1": "On"}


def test_snapstart_enabled_by_update_applies_to_the_next_published_version(lam: Any) -> None:
    create(lam, "snappy", Runtime="java21")
    lam.publish_version(FunctionName="snappy")
    updated = lam.update_function_configuration(FunctionName="snappy", SnapStart=ON_PUBLISH)
    assert updated["SnapStart"] == {"ApplyOn": "PublishedVersions", "OptimizationStatus": "Off"}
    lam.publish_version(FunctionName="snappy")
    assert lam.get_function(FunctionName="snappy:1")["Configuration"]["SnapStart"]["OptimizationStatus"] == "Off"
    assert lam.get_function(FunctionName="snappy:2")["Configuration"]["SnapStart"]["OptimizationStatus"] == "On"


def test_alias_reports_its_version_snapstart_status(lam: Any) -> None:
    create(lam, "snappy", Runtime="python3.13", SnapStart=ON_PUBLISH)
    lam.publish_version(FunctionName="snappy")
    lam.create_alias(FunctionName="snappy", Name="live", FunctionVersion="1")
    config = lam.get_function_configuration(FunctionName="snappy", Qualifier="live")
    assert config["SnapStart"]["OptimizationStatus"] == "On"


@pytest.mark.parametrize("runtime", ["nodejs18.x", "nodejs24.x", "python3.11", "ruby3.4", "provided.al2023", "dotnet6"])
def test_snapstart_on_an_unsupported_runtime_is_refused(lam: Any, runtime: str) -> None:
    with pytest.raises(ClientError) as exc:
        create(lam, "snappy", Runtime=runtime, SnapStart=ON_PUBLISH)
    assert error_of(exc) == (
        400,
        "InvalidParameterValueException",
        f"{runtime} is not supported for SnapStart enabled functions.",
    )


def test_snapstart_apply_on_none_is_accepted_on_any_runtime(lam: Any) -> None:
    created = create(lam, "plain", Runtime="nodejs22.x", SnapStart={"ApplyOn": "None"})
    assert created["SnapStart"] == {"ApplyOn": "None", "OptimizationStatus": "Off"}


def test_enabling_snapstart_by_update_checks_the_runtime(lam: Any) -> None:
    create(lam, "plain", Runtime="nodejs22.x")
    with pytest.raises(ClientError) as exc:
        lam.update_function_configuration(FunctionName="plain", SnapStart=ON_PUBLISH)
    assert error_of(exc)[2] == "nodejs22.x is not supported for SnapStart enabled functions."
    create(lam, "snappy", Runtime="java21", SnapStart=ON_PUBLISH)
    with pytest.raises(ClientError) as exc:
        lam.update_function_configuration(FunctionName="snappy", Runtime="nodejs22.x")
    assert error_of(exc)[2] == "nodejs22.x is not supported for SnapStart enabled functions."
    assert lam.get_function_configuration(FunctionName="snappy")["Runtime"] == "java21"


def test_snapstart_on_a_container_image_is_refused(lam: Any) -> None:
    with pytest.raises(ClientError) as exc:
        lam.create_function(
            FunctionName="img",
            Role=ROLE,
            PackageType="Image",
            Code={"ImageUri": "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:latest"},
            SnapStart=ON_PUBLISH,
        )
    assert error_of(exc) == (
        400,
        "InvalidParameterValueException",
        "ContainerImage is not supported for SnapStart enabled functions.",
    )


def test_invalid_apply_on_is_a_validation_error(raw_lam: Any) -> None:
    """LocalStack snapshot test_snapstart_exceptions / create_function_invalid_snapstart_apply."""
    with pytest.raises(ClientError) as exc:
        create(raw_lam, "snappy", Runtime="java21", SnapStart={"ApplyOn": "invalidOption"})
    assert error_of(exc) == (
        400,
        "ValidationException",
        "1 validation error detected: Value 'invalidOption' at 'snapStart.applyOn' failed to satisfy constraint: "
        "Member must satisfy enum value set: [PublishedVersions, None]",
    )


# -- DurableConfig ------------------------------------------------------------


def test_durable_config_is_stored_reported_and_frozen_into_versions(lam: Any) -> None:
    given = {"ExecutionTimeout": 3600, "RetentionPeriodInDays": 30}
    assert create(lam, "durable", DurableConfig=given)["DurableConfig"] == given
    assert lam.get_function(FunctionName="durable")["Configuration"]["DurableConfig"] == given
    assert lam.publish_version(FunctionName="durable")["DurableConfig"] == given
    assert lam.list_functions()["Functions"][0]["DurableConfig"] == given


def test_durable_retention_defaults_to_14_days(lam: Any) -> None:
    created = create(lam, "durable", DurableConfig={"ExecutionTimeout": 900})
    assert created["DurableConfig"] == {"ExecutionTimeout": 900, "RetentionPeriodInDays": 14}


def test_durable_config_keeps_its_kms_key(lam: Any) -> None:
    key = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    created = create(lam, "durable", DurableConfig={"ExecutionTimeout": 60, "KMSKeyArn": key})
    assert created["DurableConfig"]["KMSKeyArn"] == key


def test_durable_config_of_a_durable_function_can_be_updated(lam: Any) -> None:
    create(lam, "durable", DurableConfig={"ExecutionTimeout": 60})
    updated = lam.update_function_configuration(FunctionName="durable", DurableConfig={"ExecutionTimeout": 120})
    assert updated["DurableConfig"] == {"ExecutionTimeout": 120, "RetentionPeriodInDays": 14}
    lam.update_function_configuration(FunctionName="durable", DurableConfig={"RetentionPeriodInDays": 90})
    assert lam.get_function_configuration(FunctionName="durable")["DurableConfig"] == {
        "ExecutionTimeout": 120,
        "RetentionPeriodInDays": 90,
    }


def test_durable_execution_cannot_be_enabled_on_an_existing_function(lam: Any) -> None:
    create(lam, "plain")
    with pytest.raises(ClientError) as exc:
        lam.update_function_configuration(FunctionName="plain", DurableConfig={"ExecutionTimeout": 60})
    status, code, message = error_of(exc)
    assert (status, code) == (400, "InvalidParameterValueException")
    assert "DurableConfig can only be set when a function is created" in message
    assert "DurableConfig" not in lam.get_function_configuration(FunctionName="plain")


@pytest.mark.parametrize(
    ("durable", "path", "constraint"),
    [
        ({"ExecutionTimeout": 0}, "durableConfig.executionTimeout", "greater than or equal to 1"),
        ({"ExecutionTimeout": 31622401}, "durableConfig.executionTimeout", "less than or equal to 31622400"),
        ({"ExecutionTimeout": 60, "RetentionPeriodInDays": 91}, "durableConfig.retentionPeriodInDays", "90"),
    ],
)
@requires_member("CreateFunctionRequest", "DurableConfig", since="a late-2025 release")
def test_durable_config_ranges_are_validated(raw_lam: Any, durable: dict, path: str, constraint: str) -> None:
    with pytest.raises(ClientError) as exc:
        create(raw_lam, "durable", DurableConfig=durable)
    status, code, message = error_of(exc)
    assert (status, code) == (400, "ValidationException")
    assert f"at '{path}' failed to satisfy constraint" in message
    assert constraint in message


# -- members refused by name ----------------------------------------------------


@pytest.mark.parametrize(
    ("call", "member"),
    [
        (lambda lam: create(lam, "x", PublishTo="LATEST_PUBLISHED"), "PublishTo"),
        (lambda lam: lam.publish_version(FunctionName="base", PublishTo="LATEST_PUBLISHED"), "PublishTo"),
        (
            lambda lam: lam.update_function_code(
                FunctionName="base", ZipFile=b"PK\x05\x06" + b"\0" * 18, PublishTo="LATEST_PUBLISHED"
            ),
            "PublishTo",
        ),
        # A function without DurableConfig (durable functions take it: tests/test_durable_handlers.py).
        (lambda lam: lam.invoke(FunctionName="base", DurableExecutionName="run-1"), "DurableExecutionName"),
        (
            lambda lam: create(
                lam, "x", Code={"S3Bucket": "code-bucket", "S3Key": "k.zip", "S3ObjectStorageMode": "REFERENCE"}
            ),
            "S3ObjectStorageMode",
        ),
    ],
)
def test_members_the_mock_does_not_emulate_are_refused_by_name(lam: Any, call: Any, member: str) -> None:
    create(lam, "base")
    with pytest.raises(ClientError) as exc:
        call(lam)
    status, code, message = error_of(exc)
    assert (status, code) == (400, "InvalidParameterValueException")
    assert message.startswith(f"mock_lambda_alias does not support {member} yet")
