"""CreateFunction, GetFunction(Configuration), ListFunctions, UpdateFunction*, DeleteFunction."""

from __future__ import annotations

import base64
import hashlib
import re

import boto3
import pytest
from botocore.exceptions import ClientError
from conftest import ACCOUNT, FN_ARN_PREFIX, REGION, ROLE, ZIP, create, error_of, make_zip, requires_member

FN_ARN = FN_ARN_PREFIX + "my-function"
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
REVISION_MESSAGE = (
    "The Revision Id provided does not match the latest Revision Id. "
    "Call the GetFunction/GetAlias API to retrieve the latest Revision Id"
)


# --- CreateFunction ---------------------------------------------------------------------------


def test_create_returns_201_with_configuration_F_FN_001(lam):
    response = create(lam)
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert response["FunctionName"] == "my-function"
    assert response["FunctionArn"] == FN_ARN
    assert response["Version"] == "$LATEST"
    assert response["Runtime"] == "python3.12"
    assert response["Role"] == ROLE
    assert response["Handler"] == "index.handler"
    assert response["PackageType"] == "Zip"


def test_create_defaults_F_FN_002(lam):
    response = create(lam)
    assert response["MemorySize"] == 128
    assert response["Timeout"] == 3
    assert response["Description"] == ""
    assert response["Architectures"] == ["x86_64"]
    assert response["EphemeralStorage"] == {"Size": 512}
    assert response["TracingConfig"] == {"Mode": "PassThrough"}
    assert response["SnapStart"] == {"ApplyOn": "None", "OptimizationStatus": "Off"}
    assert re.fullmatch(
        r"arn:aws:lambda:us-east-1::runtime:[0-9a-f]{64}", response["RuntimeVersionConfig"]["RuntimeVersionArn"]
    )
    assert "Environment" not in response


@requires_member("FunctionConfiguration", "LoggingConfig", since="1.32.2")
def test_create_default_logging_config_F_FN_002(lam):
    response = create(lam)
    assert response["LoggingConfig"] == {"LogFormat": "Text", "LogGroup": "/aws/lambda/my-function"}


def test_code_sha256_and_size_F_FN_004(lam):
    response = create(lam)
    expected = base64.b64encode(hashlib.sha256(ZIP).digest()).decode()
    assert response["CodeSha256"] == expected
    assert response["CodeSize"] == len(ZIP)
    config = lam.get_function(FunctionName="my-function")["Configuration"]
    assert (config["CodeSha256"], config["CodeSize"]) == (expected, len(ZIP))


def test_last_modified_and_revision_formats_F_FN_005(lam):
    response = create(lam)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000", response["LastModified"])
    assert UUID.match(response["RevisionId"])


def test_create_answers_pending_then_active(lam):
    response = create(lam)
    assert response["State"] == "Pending"
    assert response["StateReason"] == "The function is being created."
    assert response["StateReasonCode"] == "Creating"
    config = lam.get_function_configuration(FunctionName="my-function")
    assert config["State"] == "Active"
    assert config["LastUpdateStatus"] == "Successful"


def test_waiters_work(lam):
    create(lam)
    lam.get_waiter("function_active_v2").wait(FunctionName="my-function", WaiterConfig={"Delay": 0})
    lam.get_waiter("function_exists").wait(FunctionName="my-function", WaiterConfig={"Delay": 0})
    lam.update_function_configuration(FunctionName="my-function", Timeout=10)
    lam.get_waiter("function_updated_v2").wait(FunctionName="my-function", WaiterConfig={"Delay": 0})


def test_create_existing_F_FN_007(lam):
    create(lam)
    with pytest.raises(ClientError) as exc:
        create(lam)
    assert error_of(exc) == (409, "ResourceConflictException", "Function already exist: my-function")


def test_invalid_role_F_FN_008(lam):
    with pytest.raises(ClientError) as exc:
        create(lam, Role="r1")
    assert error_of(exc) == (
        400,
        "ValidationException",
        "1 validation error detected: Value 'r1' at 'role' failed to satisfy constraint: Member must satisfy "
        r"regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+",
    )


def test_unknown_runtime_F_FN_009(raw_lam):
    with pytest.raises(ClientError) as exc:
        create(raw_lam, Runtime="non-existent-runtime")
    status, code, message = error_of(exc)
    assert (status, code) == (400, "InvalidParameterValueException")
    assert message.startswith(
        "Value non-existent-runtime at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: ["
    )
    assert message.endswith("] or be a valid ARN")
    listed = message.split("[", 1)[1].rsplit("]", 1)[0].split(", ")
    assert "python3.12" in listed and "nodejs20.x" in listed


@pytest.mark.parametrize("runtime", ["python3.7", "go1.x", "java8", "provided", "nodejs12.x"])
def test_deprecated_runtime_F_FN_011(lam, runtime):
    with pytest.raises(ClientError) as exc:
        create(lam, Runtime=runtime)
    assert error_of(exc) == (
        400,
        "InvalidParameterValueException",
        f"The runtime parameter of {runtime} is no longer supported for creating or updating AWS Lambda "
        "functions. We recommend you use a supported runtime while creating or updating functions.",
    )


def test_two_architectures_F_FN_012(raw_lam):
    with pytest.raises(ClientError) as exc:
        create(raw_lam, Architectures=["x86_64", "arm64"])
    assert error_of(exc) == (
        400,
        "ValidationException",
        "1 validation error detected: Value '[x86_64, arm64]' at 'architectures' failed to satisfy constraint: "
        "Member must have length less than or equal to 1",
    )


def test_not_a_zip_F_FN_014(lam):
    with pytest.raises(ClientError) as exc:
        create(lam, Code={"ZipFile": b"not a zip"})
    assert error_of(exc) == (
        400,
        "InvalidParameterValueException",
        "Could not unzip uploaded file. Please check your file, then try to upload again.",
    )


CREATE_NAME_PATTERN = (
    r"(arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?(\d{12}:)?"
    r"(function:)?([a-zA-Z0-9-_]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?"
)


@pytest.mark.parametrize(
    "name",
    [
        "my-function!",
        FN_ARN + ":1:2",
        "arn:aws:lambda:invalid-region:123456789012:function:my-function",
        "arn:aws:ec2:us-east-1:123456789012:instance:i-1234567890abcdef0",
        "arn:aws:lambda:us-east-1::function:my-function",
    ],
)
def test_create_invalid_function_name_F_FN_015(lam, name):
    with pytest.raises(ClientError) as exc:
        create(lam, name=name)
    assert error_of(exc) == (
        400,
        "ValidationException",
        f"1 validation error detected: Value '{name}' at 'functionName' failed to satisfy constraint: "
        f"Member must satisfy regular expression pattern: {CREATE_NAME_PATTERN}",
    )


def test_create_function_name_too_long_F_FN_017(lam):
    name = "my-function:" + "a" * 129
    with pytest.raises(ClientError) as exc:
        create(lam, name=name)
    assert error_of(exc) == (
        400,
        "ValidationException",
        f"1 validation error detected: Value '{name}' at 'functionName' failed to satisfy constraint: "
        "Member must have length less than or equal to 140",
    )


def test_timeout_above_900_F_FN_018(lam):
    with pytest.raises(ClientError) as exc:
        create(lam, Timeout=1000)
    assert error_of(exc) == (
        400,
        "ValidationException",
        "1 validation error detected: Value '1000' at 'timeout' failed to satisfy constraint: "
        "Member must have value less than or equal to 900",
    )


def test_memory_above_account_maximum_F_FN_019(lam):
    with pytest.raises(ClientError) as exc:
        create(lam, MemorySize=10241)
    assert error_of(exc) == (
        400,
        "ValidationException",
        "'MemorySize' value failed to satisfy constraint: Member must have value less than or equal to 10240",
    )


def test_memory_below_minimum(raw_lam):
    with pytest.raises(ClientError) as exc:
        create(raw_lam, MemorySize=64)
    assert error_of(exc) == (
        400,
        "ValidationException",
        "1 validation error detected: Value '64' at 'memorySize' failed to satisfy constraint: "
        "Member must have value greater than or equal to 128",
    )


def test_handler_with_whitespace_F_FN_021(lam):
    with pytest.raises(ClientError) as exc:
        create(lam, Handler="index handler")
    assert error_of(exc) == (
        400,
        "ValidationException",
        "1 validation error detected: Value 'index handler' at 'handler' failed to satisfy constraint: "
        r"Member must satisfy regular expression pattern: [^\s]+",
    )


def test_several_violations_are_counted(raw_lam):
    with pytest.raises(ClientError) as exc:
        create(raw_lam, Handler="index handler", Timeout=1000)
    status, code, message = error_of(exc)
    assert (status, code) == (400, "ValidationException")
    assert message.startswith("2 validation errors detected: ")
    assert "Value 'index handler' at 'handler'" in message
    assert "; Value '1000' at 'timeout'" in message


def test_missing_required_member_without_client_validation(raw_lam):
    with pytest.raises(ClientError) as exc:
        raw_lam.create_function(FunctionName="f", Runtime="python3.12", Handler="h.h", Code={"ZipFile": ZIP})
    assert error_of(exc) == (
        400,
        "ValidationException",
        "1 validation error detected: Value null at 'role' failed to satisfy constraint: Member must not be null",
    )


def test_runtime_and_handler_are_mandatory_for_zip(lam):
    with pytest.raises(ClientError) as exc:
        lam.create_function(FunctionName="f", Role=ROLE, Code={"ZipFile": ZIP})
    assert error_of(exc) == (
        400,
        "InvalidParameterValueException",
        "Runtime and Handler are mandatory parameters for functions created with deployment packages.",
    )


def test_tags_on_create_F_FN_023(lam):
    create(lam, Tags={"team": "payments"})
    assert lam.list_tags(Resource=FN_ARN)["Tags"] == {"team": "payments"}
    assert lam.get_function(FunctionName="my-function")["Tags"] == {"team": "payments"}


def test_create_with_full_and_partial_arn_F_VA_028(lam):
    response = create(lam, name=FN_ARN)
    assert (response["FunctionName"], response["FunctionArn"]) == ("my-function", FN_ARN)
    response = create(lam, name=f"{ACCOUNT}:function:other")
    assert (response["FunctionName"], response["FunctionArn"]) == ("other", FN_ARN_PREFIX + "other")


def test_create_with_options(lam):
    layer = lam.publish_layer_version(LayerName="l", Content={"ZipFile": ZIP})
    response = create(
        lam,
        Description="d",
        Timeout=30,
        MemorySize=1024,
        Environment={"Variables": {"AB": "1"}},
        Architectures=["arm64"],
        EphemeralStorage={"Size": 1024},
        TracingConfig={"Mode": "Active"},
        Layers=[f"arn:aws:lambda:{REGION}:{ACCOUNT}:layer:l:1"],
    )
    assert response["Description"] == "d"
    assert (response["Timeout"], response["MemorySize"]) == (30, 1024)
    assert response["Environment"] == {"Variables": {"AB": "1"}}
    assert response["Architectures"] == ["arm64"]
    assert response["EphemeralStorage"] == {"Size": 1024}
    assert response["TracingConfig"] == {"Mode": "Active"}
    assert response["Layers"] == [{"Arn": layer["LayerVersionArn"], "CodeSize": len(ZIP)}]


@requires_member("CreateFunctionRequest", "LoggingConfig", since="1.32.2")
def test_create_with_logging_config(lam):
    response = create(lam, LoggingConfig={"LogFormat": "JSON"})
    assert response["LoggingConfig"] == {
        "LogFormat": "JSON",
        "LogGroup": "/aws/lambda/my-function",
        "ApplicationLogLevel": "INFO",
        "SystemLogLevel": "INFO",
    }


def test_reserved_environment_keys(lam):
    with pytest.raises(ClientError) as exc:
        create(lam, Environment={"Variables": {"AWS_REGION": "x"}})
    assert error_of(exc) == (
        400,
        "InvalidParameterValueException",
        "Lambda was unable to configure your environment variables because the environment variables you have "
        "provided contains reserved keys that are currently not supported for modification. "
        "Reserved keys used in this request: AWS_REGION",
    )


def test_environment_over_4kb(lam):
    with pytest.raises(ClientError) as exc:
        create(lam, Environment={"Variables": {"BIG": "x" * 5000}})
    status, code, message = error_of(exc)
    assert (status, code) == (400, "InvalidParameterValueException")
    assert message.startswith(
        "Lambda was unable to configure your environment variables because the environment variables you have "
        'provided exceeded the 4KB limit. String measured: {"BIG":"xxx'
    )


def test_code_from_registered_s3_object(mock, lam):
    mock.add_s3_object("bucket", "code.zip", ZIP)
    response = create(lam, Code={"S3Bucket": "bucket", "S3Key": "code.zip"})
    assert response["CodeSha256"] == base64.b64encode(hashlib.sha256(ZIP).digest()).decode()
    assert response["CodeSize"] == len(ZIP)


def test_code_from_unregistered_s3_location_is_accepted(lam):
    first = create(lam, Code={"S3Bucket": "bucket", "S3Key": "a.zip"})
    second = create(lam, name="other", Code={"S3Bucket": "bucket", "S3Key": "a.zip"})
    assert first["CodeSha256"] == second["CodeSha256"]


def test_image_function(lam):
    uri = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/app:latest"
    response = lam.create_function(FunctionName="img", Role=ROLE, PackageType="Image", Code={"ImageUri": uri})
    assert response["PackageType"] == "Image"
    code = lam.get_function(FunctionName="img")["Code"]
    assert code["RepositoryType"] == "ECR"
    assert code["ImageUri"] == uri


# --- GetFunction / GetFunctionConfiguration ------------------------------------------------------


def test_get_function_F_FN_025(lam):
    created = create(lam)
    response = lam.get_function(FunctionName="my-function")
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    config = response["Configuration"]
    assert config["FunctionArn"] == FN_ARN
    assert config["Version"] == "$LATEST"
    assert config["State"] == "Active"
    assert config["LastUpdateStatus"] == "Successful"
    assert config["CodeSha256"] == created["CodeSha256"]
    assert response["Code"]["RepositoryType"] == "S3"
    assert response["Code"]["Location"].startswith("https://")
    assert "Tags" not in response


def test_get_function_configuration_matches_get_function_F_FN_026(lam):
    create(lam)
    config = lam.get_function_configuration(FunctionName="my-function")
    config.pop("ResponseMetadata")
    assert config == lam.get_function(FunctionName="my-function")["Configuration"]


@pytest.mark.parametrize("operation", ["get_function", "get_function_configuration", "delete_function"])
def test_missing_function_F_FN_027(lam, operation):
    with pytest.raises(ClientError) as exc:
        getattr(lam, operation)(FunctionName="my-function")
    assert error_of(exc) == (404, "ResourceNotFoundException", f"Function not found: {FN_ARN}")


def test_latest_qualifier_F_VA_013(lam):
    create(lam)
    config = lam.get_function_configuration(FunctionName="my-function", Qualifier="$LATEST")
    assert (config["FunctionArn"], config["Version"]) == (FN_ARN + ":$LATEST", "$LATEST")
    config = lam.get_function(FunctionName="my-function")["Configuration"]
    assert (config["FunctionArn"], config["Version"]) == (FN_ARN, "$LATEST")


@pytest.mark.parametrize("name", ["my-function", FN_ARN, f"{ACCOUNT}:function:my-function"])
def test_name_forms_F_VA_028(lam, name):
    create(lam)
    response = lam.update_function_configuration(FunctionName=name, Description="via " + name)
    assert response["Description"] == "via " + name
    assert lam.get_function(FunctionName=name)["Configuration"]["FunctionArn"] == FN_ARN


def test_qualifier_mismatch_F_VA_026(lam):
    with pytest.raises(ClientError) as exc:
        lam.get_function(FunctionName=FN_ARN + ":1", Qualifier="$LATEST")
    assert error_of(exc) == (
        400,
        "InvalidParameterValueException",
        "The derived qualifier from the function name does not match the specified qualifier.",
    )


def test_arn_of_another_region(lam):
    create(lam)
    with pytest.raises(ClientError) as exc:
        lam.get_function(FunctionName=f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:my-function")
    assert error_of(exc) == (
        404,
        "ResourceNotFoundException",
        "Functions from 'eu-west-1' are not reachable in this region ('us-east-1')",
    )


GET_NAME_PATTERN = (
    r"(arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?(\d{12}:)?"
    r"(function:)?([a-zA-Z0-9-_\.]+)(:(\$LATEST(\.PUBLISHED)?|[a-zA-Z0-9-_]+))?"
)


@pytest.mark.parametrize(
    "name",
    [
        "my-function!",
        FN_ARN + ":1:2",
        "function:my-function:$LATEST:extra",
        FN_ARN + ":$LATES",
        "arn:aws:lambda::123456789012:function:my-function",
        "arn:aws:lambda:us-east-1::function:my-function",
        "invalid-account:function:my-function",
        "arn:aws:ec2:us-east-1:123456789012:instance:i-1234567890abcdef0",
    ],
)
@pytest.mark.parametrize("operation", ["get_function", "delete_function"])
def test_malformed_function_name_F_VA_031(lam, operation, name):
    with pytest.raises(ClientError) as exc:
        getattr(lam, operation)(FunctionName=name)
    assert error_of(exc) == (
        400,
        "ValidationException",
        f"1 validation error detected: Value '{name}' at 'functionName' failed to satisfy constraint: "
        f"Member must satisfy regular expression pattern: {GET_NAME_PATTERN}",
    )


@pytest.mark.parametrize("operation", ["get_function", "delete_function"])
def test_invalid_qualifier_F_VA_032(lam, operation):
    with pytest.raises(ClientError) as exc:
        getattr(lam, operation)(FunctionName="my-function", Qualifier="invalid!")
    assert error_of(exc) == (
        400,
        "ValidationException",
        "1 validation error detected: Value 'invalid!' at 'qualifier' failed to satisfy constraint: "
        r"Member must satisfy regular expression pattern: \$(LATEST(\.PUBLISHED)?)|[a-zA-Z0-9-_$]+",
    )
    with pytest.raises(ClientError) as exc:
        getattr(lam, operation)(FunctionName="my-function", Qualifier="a" * 129)
    assert error_of(exc) == (
        400,
        "ValidationException",
        f"1 validation error detected: Value '{'a' * 129}' at 'qualifier' failed to satisfy constraint: "
        "Member must have length less than or equal to 128",
    )


# --- UpdateFunctionConfiguration / UpdateFunctionCode ----------------------------------------------


def test_update_configuration_F_FN_029(lam):
    created = create(lam)
    response = lam.update_function_configuration(
        FunctionName="my-function",
        Runtime="python3.11",
        Description="changed",
        MemorySize=512,
        Timeout=10,
        Environment={"Variables": {"ENV_A": "a"}},
    )
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert (response["Runtime"], response["Description"]) == ("python3.11", "changed")
    assert (response["MemorySize"], response["Timeout"]) == (512, 10)
    assert response["Environment"] == {"Variables": {"ENV_A": "a"}}
    assert (response["Handler"], response["Role"]) == (created["Handler"], created["Role"])
    assert response["CodeSha256"] == created["CodeSha256"]
    assert response["RevisionId"] != created["RevisionId"]
    assert response["LastUpdateStatus"] == "InProgress"
    assert response["LastUpdateStatusReason"] == "The function is being created."
    assert response["LastUpdateStatusReasonCode"] == "Creating"
    after = lam.get_function(FunctionName="my-function")["Configuration"]
    assert after["LastUpdateStatus"] == "Successful"
    assert (after["Description"], after["MemorySize"]) == ("changed", 512)


DLQ = "arn:aws:sqs:us-east-1:123456789012:dlq"


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        # Recorded against AWS (LocalStack's test_lambda_destinations.py::test_dead_letter_queue,
        # snapshot "delete_dlq"): a DeadLetterConfig without a TargetArn leaves the queue in place.
        ({}, {"TargetArn": DLQ}),
        # An empty TargetArn removes it (how ansible's lambda module and node-lambda remove a DLQ).
        ({"TargetArn": ""}, None),
        ({"TargetArn": DLQ + "-2"}, {"TargetArn": DLQ + "-2"}),
    ],
)
def test_update_dead_letter_config(lam, given, kept):
    create(lam, DeadLetterConfig={"TargetArn": DLQ})
    response = lam.update_function_configuration(FunctionName="my-function", DeadLetterConfig=given)
    assert response.get("DeadLetterConfig") == kept
    assert lam.get_function_configuration(FunctionName="my-function").get("DeadLetterConfig") == kept


def test_create_refuses_an_empty_dead_letter_arn(lam):
    # AWS's answer as quoted in motdotla/node-lambda issue #208 (CreateFunction; an update takes it as "remove").
    with pytest.raises(ClientError) as exc:
        create(lam, DeadLetterConfig={"TargetArn": ""})
    assert error_of(exc) == (
        400,
        "InvalidParameterValueException",
        "Invalid dead letter ARN: ARNs must start with 'arn:': ",
    )


def test_update_code_F_FN_031(lam):
    created = create(lam)
    new_zip = make_zip("def handler(event, context):\n    return 2\n")
    response = lam.update_function_code(FunctionName="my-function", ZipFile=new_zip)
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert response["CodeSha256"] == base64.b64encode(hashlib.sha256(new_zip).digest()).decode()
    assert response["CodeSize"] == len(new_zip)
    assert response["RevisionId"] != created["RevisionId"]
    assert response["Handler"] == created["Handler"]
    assert lam.get_function(FunctionName="my-function")["Configuration"]["CodeSha256"] == response["CodeSha256"]


def test_update_code_revision_precondition_F_FN_032(lam):
    create(lam)
    with pytest.raises(ClientError) as exc:
        lam.update_function_code(FunctionName="my-function", ZipFile=ZIP, RevisionId="wrong")
    assert error_of(exc) == (412, "PreconditionFailedException", REVISION_MESSAGE)
    current = lam.get_function(FunctionName="my-function")["Configuration"]["RevisionId"]
    response = lam.update_function_code(FunctionName="my-function", ZipFile=ZIP, RevisionId=current)
    assert response["RevisionId"] != current


def test_update_configuration_revision_precondition_F_VA_078(lam):
    create(lam)
    with pytest.raises(ClientError) as exc:
        lam.update_function_configuration(FunctionName="my-function", Timeout=5, RevisionId="wrong")
    assert error_of(exc) == (412, "PreconditionFailedException", REVISION_MESSAGE)


def test_update_configuration_validates_like_create_F_FN_033(raw_lam):
    create(raw_lam)
    with pytest.raises(ClientError) as exc:
        raw_lam.update_function_configuration(FunctionName="my-function", Role="r1")
    assert error_of(exc)[:2] == (400, "ValidationException")
    assert "Value 'r1' at 'role'" in error_of(exc)[2]
    with pytest.raises(ClientError) as exc:
        raw_lam.update_function_configuration(FunctionName="my-function", Runtime="non-existent-runtime")
    assert error_of(exc)[:2] == (400, "InvalidParameterValueException")
    assert error_of(exc)[2].startswith("Value non-existent-runtime at 'runtime'")


@pytest.mark.parametrize(
    "operation, kwargs",
    [
        ("update_function_configuration", {"Timeout": 5}),
        ("update_function_code", {"ZipFile": ZIP}),
    ],
)
def test_update_missing_function(lam, operation, kwargs):
    with pytest.raises(ClientError) as exc:
        getattr(lam, operation)(FunctionName="my-function", **kwargs)
    assert error_of(exc) == (404, "ResourceNotFoundException", f"Function not found: {FN_ARN}")


def test_update_code_dry_run_changes_nothing(lam):
    create(lam)
    created = lam.get_function_configuration(FunctionName="my-function")
    new_zip = make_zip("x = 1\n")
    response = lam.update_function_code(FunctionName="my-function", ZipFile=new_zip, DryRun=True)
    assert response["CodeSize"] == len(new_zip)
    after = lam.get_function_configuration(FunctionName="my-function")
    assert (after["CodeSha256"], after["RevisionId"]) == (created["CodeSha256"], created["RevisionId"])


# --- ListFunctions -------------------------------------------------------------------------------


def test_list_functions_lists_latest_once_F_FN_034(lam):
    create(lam)
    create(lam, name="other")
    functions = lam.list_functions()["Functions"]
    assert [(f["FunctionName"], f["FunctionArn"], f["Version"]) for f in functions] == [
        ("my-function", FN_ARN, "$LATEST"),
        ("other", FN_ARN_PREFIX + "other", "$LATEST"),
    ]
    assert "State" not in functions[0]
    assert "LastUpdateStatus" not in functions[0]


def test_list_functions_invalid_version_F_FN_036(raw_lam):
    with pytest.raises(ClientError) as exc:
        raw_lam.list_functions(FunctionVersion="invalid")
    assert error_of(exc) == (
        400,
        "ValidationException",
        "1 validation error detected: Value 'invalid' at 'functionVersion' failed to satisfy constraint: "
        "Member must satisfy enum value set: [ALL]",
    )


def test_list_functions_paging_F_FN_037(lam):
    names = [f"fn-{i:02d}" for i in range(7)]
    for name in names:
        create(lam, name=name)
    page = lam.list_functions(MaxItems=3)
    assert len(page["Functions"]) == 3 and "NextMarker" in page
    seen = [f["FunctionName"] for f in page["Functions"]]
    while "NextMarker" in page:
        page = lam.list_functions(MaxItems=3, Marker=page["NextMarker"])
        seen += [f["FunctionName"] for f in page["Functions"]]
    assert seen == names
    paged = [
        f["FunctionName"]
        for p in lam.get_paginator("list_functions").paginate(PaginationConfig={"PageSize": 1})
        for f in p["Functions"]
    ]
    assert paged == names


def test_list_functions_all_versions_pages_resume_after_changes(lam):
    """With FunctionVersion=ALL every version is an entry; a page resumes after the last entry listed
    even when functions were created or deleted in between, and lists each entry once."""
    for name in ("b", "d", "f"):
        create(lam, name=name)
        lam.publish_version(FunctionName=name)
        lam.update_function_configuration(FunctionName=name, Description="2")
        lam.publish_version(FunctionName=name)
    first = lam.list_functions(FunctionVersion="ALL", MaxItems=4)
    assert [(f["FunctionName"], f["Version"]) for f in first["Functions"]] == [
        ("b", "$LATEST"),
        ("b", "1"),
        ("b", "2"),
        ("d", "$LATEST"),
    ]
    create(lam, name="c")  # before the marker: not listed
    create(lam, name="e")  # after it: listed
    lam.delete_function(FunctionName="f")
    rest = []
    page = first
    while "NextMarker" in page:
        page = lam.list_functions(FunctionVersion="ALL", MaxItems=4, Marker=page["NextMarker"])
        rest += [(f["FunctionName"], f["Version"]) for f in page["Functions"]]
    assert rest == [("d", "1"), ("d", "2"), ("e", "$LATEST")]


@pytest.mark.parametrize("position", ['"abc"', "7", "[5]"])
def test_list_functions_marker_of_another_shape(raw_lam, position):
    marker = base64.urlsafe_b64encode(position.encode()).decode().rstrip("=")
    create(raw_lam, name="a")
    with pytest.raises(ClientError) as excinfo:
        raw_lam.list_functions(Marker=marker)
    assert error_of(excinfo) == (400, "InvalidParameterValueException", f"Invalid marker: {marker}")


def test_list_functions_empty(lam):
    assert lam.list_functions()["Functions"] == []


# --- DeleteFunction ---------------------------------------------------------------------------


def test_delete_function_F_FN_039(lam):
    create(lam)
    response = lam.delete_function(FunctionName="my-function")
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 204
    for call in (lam.get_function, lam.delete_function):
        with pytest.raises(ClientError) as exc:
            call(FunctionName="my-function")
        assert error_of(exc) == (404, "ResourceNotFoundException", f"Function not found: {FN_ARN}")
    assert lam.list_functions()["Functions"] == []


@requires_member("DeleteFunctionResponse", "StatusCode", since="1.41.6")
def test_delete_function_status_code_F_FN_039(lam):
    create(lam)
    assert lam.delete_function(FunctionName="my-function")["StatusCode"] == 204


def test_delete_latest_qualifier_F_VA_023(lam):
    with pytest.raises(ClientError) as exc:
        lam.delete_function(FunctionName=FN_ARN + ":$LATEST", Qualifier="$LATEST")
    assert error_of(exc) == (
        400,
        "InvalidParameterValueException",
        "$LATEST version cannot be deleted without deleting the function.",
    )


# --- facts recorded against AWS (LocalStack snapshots) ---------------------------------------------


def test_revision_changes_when_create_and_update_settle(lam):
    created = create(lam)
    active = lam.get_function_configuration(FunctionName="my-function")
    assert active["RevisionId"] != created["RevisionId"]
    updated = lam.update_function_configuration(FunctionName="my-function", Timeout=9)
    assert updated["RevisionId"] != active["RevisionId"]
    settled = lam.get_function_configuration(FunctionName="my-function")
    assert settled["RevisionId"] != updated["RevisionId"]
    assert lam.get_function_configuration(FunctionName="my-function")["RevisionId"] == settled["RevisionId"]


def test_create_response_has_no_update_status(lam):
    response = create(lam)
    assert not {"LastUpdateStatus", "LastUpdateStatusReason", "LastUpdateStatusReasonCode"} & set(response)
    active = lam.get_function_configuration(FunctionName="my-function")
    assert not {"StateReason", "StateReasonCode", "LastUpdateStatusReason"} & set(active)


def test_architecture_enum_inside_list(raw_lam):
    with pytest.raises(ClientError) as exc:
        create(raw_lam, Architectures=["X86_64"])
    assert error_of(exc) == (
        400,
        "ValidationException",
        "1 validation error detected: Value '[X86_64]' at 'architectures' failed to satisfy constraint: "
        "Member must satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64], "
        "Member must not be null]",
    )


def test_empty_handler(lam):
    with pytest.raises(ClientError) as exc:
        create(lam, Handler="")
    assert error_of(exc) == (
        400,
        "ValidationException",
        "1 validation error detected: Value '' at 'handler' failed to satisfy constraint: "
        r"Member must satisfy regular expression pattern: [^\s]+",
    )


@pytest.mark.parametrize("runtime", ["python3.8", "nodejs16.x", "dotnet6", "java8.al2"])
def test_old_but_still_accepted_runtimes(lam, runtime):
    assert create(lam, Runtime=runtime)["Runtime"] == runtime


def test_runtime_enum_lists_what_aws_lists(raw_lam):
    with pytest.raises(ClientError) as exc:
        create(raw_lam, Runtime="PYTHON3.9")
    assert error_of(exc)[2] == (
        "Value PYTHON3.9 at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: "
        "[nodejs20.x, python3.14, provided.al2023, python3.12, python3.13, nodejs24.x, nodejs22.x, java25, "
        "python3.10, python3.11, java21, ruby3.3, ruby3.4, ruby3.2, python3.8, python3.9, java17, nodejs16.x, "
        "dotnet10, dotnet8, java11, dotnet6, nodejs18.x, provided.al2, java8.al2] or be a valid ARN"
    )


def test_update_code_without_source(lam):
    create(lam)
    with pytest.raises(ClientError) as exc:
        lam.update_function_code(FunctionName="my-function")
    assert error_of(exc) == (400, "InvalidParameterValueException", "Please provide a source for function code.")


def test_image_function_refuses_handler(lam):
    with pytest.raises(ClientError) as exc:
        lam.create_function(
            FunctionName="img", Role=ROLE, PackageType="Image", Handler="h.h", Code={"ImageUri": "repo/app:1"}
        )
    assert error_of(exc) == (
        400,
        "InvalidParameterValueException",
        "Please don't provide Handler or Runtime or Layer when the intended function PackageType is Image.",
    )


def test_zip_code_on_image_function(lam):
    uri = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/app:latest"
    lam.create_function(FunctionName="img", Role=ROLE, PackageType="Image", Code={"ImageUri": uri})
    with pytest.raises(ClientError) as exc:
        lam.update_function_code(FunctionName="img", ZipFile=ZIP)
    assert error_of(exc) == (
        400,
        "InvalidParameterValueException",
        "Please provide ImageUri when updating a function with packageType Image.",
    )
    create(lam)
    with pytest.raises(ClientError) as exc:
        lam.update_function_code(FunctionName="my-function", ImageUri=uri)
    assert error_of(exc) == (
        400,
        "InvalidParameterValueException",
        "Please don't provide ImageUri when updating a function with packageType Zip.",
    )


def test_delete_version_of_missing_function_names_unqualified_arn(lam):
    with pytest.raises(ClientError) as exc:
        lam.delete_function(FunctionName="my-function", Qualifier="1")
    assert error_of(exc) == (404, "ResourceNotFoundException", f"Function not found: {FN_ARN}")


def test_list_functions_pages_at_most_50(lam):
    for n in range(52):
        create(lam, name=f"fn-{n:02d}")
    page = lam.list_functions(MaxItems=1000)
    assert len(page["Functions"]) == 50 and "NextMarker" in page


def test_list_functions_master_region(lam):
    create(lam)
    with pytest.raises(ClientError) as exc:
        lam.list_functions(MasterRegion="eu-west-1")
    assert error_of(exc) == (
        400,
        "InvalidParameterValueException",
        "The combination MasterArn=eu-west-1 and FunctionVersion=NULL is not supported. "
        "Please see our documentation for valid combinations of ListFunctions options.",
    )
    assert lam.list_functions(MasterRegion="eu-west-1", FunctionVersion="ALL")["Functions"] == []


def test_error_wire_format(lam):
    with pytest.raises(ClientError) as exc:
        lam.get_function(FunctionName="nope")
    response = exc.value.response
    assert response["Type"] == "User"
    assert response["Message"] == response["Error"]["Message"]
    # As recorded from real AWS: the bare code in the header.
    assert response["ResponseMetadata"]["HTTPHeaders"]["x-amzn-errortype"] == "ResourceNotFoundException"
    create(lam)
    with pytest.raises(ClientError) as exc:
        lam.update_function_code(FunctionName="my-function", ZipFile=ZIP, RevisionId="x")
    assert exc.value.response["Type"] == "User"
    assert exc.value.response["message"] == exc.value.response["Error"]["Message"]


def test_code_from_moto_s3(lam):
    moto = pytest.importorskip("moto")
    with moto.mock_aws():
        # With mock_aws active the role must exist in moto's IAM, as on AWS.
        boto3.client("iam", region_name=REGION).create_role(RoleName="lambda-role", AssumeRolePolicyDocument="{}")
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket="code-bucket")
        s3.put_object(Bucket="code-bucket", Key="fn.zip", Body=ZIP)
        response = create(lam, Code={"S3Bucket": "code-bucket", "S3Key": "fn.zip"})
        assert response["CodeSha256"] == base64.b64encode(hashlib.sha256(ZIP).digest()).decode()
        assert response["CodeSize"] == len(ZIP)
        with pytest.raises(ClientError) as exc:
            create(lam, name="other", Code={"S3Bucket": "code-bucket", "S3Key": "missing.zip"})
        assert error_of(exc) == (
            400,
            "InvalidParameterValueException",
            "Error occurred while GetObject. S3 Error Code: NoSuchKey. S3 Error Message: The specified key does not "
            "exist.",
        )
        with pytest.raises(ClientError) as exc:
            lam.update_function_code(FunctionName="my-function", S3Bucket="no-such-bucket", S3Key="fn.zip")
        assert error_of(exc) == (
            400,
            "InvalidParameterValueException",
            "Error occurred while GetObject. S3 Error Code: NoSuchBucket. S3 Error Message: The specified bucket "
            "does not exist",
        )


def test_registered_bucket_without_the_key(mock, lam):
    mock.add_s3_object("bucket", "a.zip", ZIP)
    with pytest.raises(ClientError) as exc:
        create(lam, Code={"S3Bucket": "bucket", "S3Key": "b.zip"})
    assert error_of(exc)[2].endswith("S3 Error Code: NoSuchKey. S3 Error Message: The specified key does not exist.")


def test_function_name_longer_than_64(lam):
    name = "a" * 65
    with pytest.raises(ClientError) as exc:
        create(lam, name=name)
    assert error_of(exc) == (
        400,
        "InvalidParameterValueException",
        f"1 validation error detected: Value '{name}' at 'functionName' failed to satisfy constraint: "
        "Member must have length less than or equal to 64",
    )
    assert create(lam, name="a" * 64)["FunctionName"] == "a" * 64


def test_update_function_configuration_changes_the_handler_of_a_zip_function(lam):
    """Found by the round-trip test: only Image functions refuse Handler, Runtime and Layers."""
    create(lam)
    updated = lam.update_function_configuration(FunctionName="my-function", Handler="app.main")
    assert updated["Handler"] == "app.main"
