"""Input of any JSON type gets an AWS answer: never a 500, never a stored value that breaks reads.

What reaches AWS from code with ``parameter_validation=False`` or from another SDK can carry any
JSON type in any member. The mock answers 400 ``ValidationException`` (which every operation may
send) naming the member and the expected type — a choice, documented in the README.

Not verifiable: what real Lambda answers for a wrong JSON type (``MemorySize="abc"``, an object
where a string belongs) or a non-integer querystring ``MaxItems``. LocalStack's AWS-validated
Lambda snapshots (tests/aws/services/lambda_/*.snapshot.json) record no such case, and no issue
thread we found quotes AWS's response; the only claim found (floci-io/floci#2537: "400
SerializationException, before the operation's own validation") is another emulator's reading of
the rest-json protocol, not a recording. SerializationException is not modeled for any Lambda
operation, so it could not be caught through ``client.exceptions`` either.
"""

from __future__ import annotations

import base64
import datetime
import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import boto3
import botocore.session
import pytest
from botocore.awsrequest import AWSPreparedRequest, create_request_object, prepare_request_dict
from botocore.config import Config
from botocore.exceptions import ClientError
from botocore.serialize import create_serializer
from conftest import ACCOUNT, FN_ARN_PREFIX, REGION, ROLE, ZIP, create, error_of
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mock_lambda_alias import implemented_operations, mock_lambda_alias
from mock_lambda_alias.wire.conversions import parse_timestamp as _parse_timestamp
from mock_lambda_alias.wire.dispatch import respond
from mock_lambda_alias.wire.validation import _scalar_type_ok

SERVICE = botocore.session.get_session().get_service_model("lambda")
SERIALIZER = create_serializer("rest-json", include_validation=False)
ENDPOINT = f"https://lambda.{REGION}.amazonaws.com"
FN_ARN = FN_ARN_PREFIX + "my-function"
RAW = Config(parameter_validation=False, retries={"total_max_attempts": 1})


def error(status: int, path: str, value: str, expected: str) -> tuple[int, str, str]:
    return (
        status,
        "ValidationException",
        f"1 validation error detected: Value {value} at '{path}' failed to satisfy constraint: "
        f"Member must be {expected}",
    )


# ---------------------------------------------------------------------------
# the cases the issue measured, through a real client
# ---------------------------------------------------------------------------


@pytest.fixture
def alias(raw_lam):
    create(raw_lam)
    raw_lam.publish_version(FunctionName="my-function")
    raw_lam.create_alias(FunctionName="my-function", Name="live", FunctionVersion="1")
    return raw_lam


def test_list_where_a_string_belongs_is_refused_not_stored(alias):
    with pytest.raises(ClientError) as exc:
        alias.update_alias(FunctionName="my-function", Name="live", Description=[1])
    assert error_of(exc) == error(400, "description", "'[1]'", "a string")
    assert alias.get_alias(FunctionName="my-function", Name="live")["Description"] == ""


def test_list_where_an_integer_belongs_does_not_break_later_reads(alias):
    with pytest.raises(ClientError) as exc:
        alias.put_function_event_invoke_config(FunctionName="my-function", MaximumEventAgeInSeconds=[])
    assert error_of(exc) == error(400, "maximumEventAgeInSeconds", "'[]'", "an integer")
    assert alias.list_function_event_invoke_configs(FunctionName="my-function")["FunctionEventInvokeConfigs"] == []


def test_numeric_string_does_not_pass_a_minimum(alias):
    with pytest.raises(ClientError) as exc:
        alias.put_function_event_invoke_config(FunctionName="my-function", MaximumEventAgeInSeconds="12")
    assert error_of(exc) == error(400, "maximumEventAgeInSeconds", "'12'", "an integer")


def test_string_where_an_integer_belongs(alias):
    with pytest.raises(ClientError) as exc:
        alias.update_function_configuration(FunctionName="my-function", Timeout="abc")
    assert error_of(exc) == error(400, "timeout", "'abc'", "an integer")
    with pytest.raises(ClientError) as exc:
        alias.put_function_concurrency(FunctionName="my-function", ReservedConcurrentExecutions="abc")
    assert error_of(exc) == error(400, "reservedConcurrentExecutions", "'abc'", "an integer")


def test_unhashable_where_an_enum_belongs(alias):
    with pytest.raises(ClientError) as exc:
        create(alias, name="other", Runtime={"python": 3})
    assert error_of(exc) == error(400, "runtime", "'{python=3}'", "a string")


def test_nested_wrong_types_name_their_path(alias):
    with mock_lambda_alias() as mock:
        model = SERVICE.operation_model("UpdateAlias")
        path = ("RoutingConfig", "AdditionalVersionWeights", "1")
        response = respond(mock, model, prepared(request_for("UpdateAlias", "body", path, "half")))
        message = json.loads(response.raw.getvalue())["message"]
        assert (response.status_code, response.headers["x-amzn-errortype"], message) == error(
            400, "routingConfig.additionalVersionWeights.1", "'half'", "a number"
        )
    with pytest.raises(ClientError) as exc:
        alias.tag_resource(Resource=FN_ARN, Tags={"k": 5})
    assert error_of(exc) == error(400, "tags.k", "'5'", "a string")


def test_integer_out_of_java_range(alias):
    with pytest.raises(ClientError) as exc:
        alias.update_function_configuration(FunctionName="my-function", MemorySize=2**40)
    assert error_of(exc) == error(400, "memorySize", f"'{2**40}'", "an integer")


def test_boolean_is_not_an_integer(alias):
    with pytest.raises(ClientError) as exc:
        alias.update_function_configuration(FunctionName="my-function", Timeout=True)
    assert error_of(exc) == error(400, "timeout", "'true'", "an integer")


@pytest.mark.parametrize("value", ["abc", "1.5", "[1]", "1_0", " 1", "1 "])
@pytest.mark.parametrize(
    "call",
    [
        lambda c, v: c.list_functions(MaxItems=v),
        lambda c, v: c.list_aliases(FunctionName="my-function", MaxItems=v),
        lambda c, v: c.list_versions_by_function(FunctionName="my-function", MaxItems=v),
    ],
    ids=["ListFunctions", "ListAliases", "ListVersionsByFunction"],
)
def test_non_integer_max_items_in_the_querystring(alias, call, value):
    with pytest.raises(ClientError) as exc:
        call(alias, value)
    assert error_of(exc) == error(400, "maxItems", f"'{value}'", "an integer")


def test_null_is_absent(alias):
    """An explicit JSON null for an optional member reads as absent (it is not a type error)."""
    assert alias.update_alias(FunctionName="my-function", Name="live", Description=None)["Name"] == "live"


def test_blob_that_is_not_base64(lam):
    request = {"FunctionName": "f", "Role": ROLE, "Code": {"ZipFile": "not base64!"}}
    status, code, message = send("CreateFunction", request)
    assert (status, code) == (400, "ValidationException")
    assert message == (
        "1 validation error detected: Value 'not base64!' at 'code.zipFile' failed to satisfy constraint: "
        "Member must be base64-encoded binary data"
    )


# ---------------------------------------------------------------------------
# every implemented operation, any wrong type anywhere (through the wire, as another SDK sends)
# ---------------------------------------------------------------------------

#: Placeholders in DEFAULTS for identifiers the mock generates: replaced by the real ones after setup.
UUID_PLACEHOLDER = "00000000-0000-0000-0000-000000000000"
CSC_PLACEHOLDER = "csc-00000000000000000"
DURABLE_PLACEHOLDER = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:durable-fn:1/durable-execution/run/placeholder"
PROFILE = f"arn:aws:signer:{REGION}:{ACCOUNT}:/signing-profiles/test"

#: A valid value for every required member of every implemented operation (see
#: test_every_implemented_operation_has_defaults): the fuzzer sends these and one wrong value.
DEFAULTS: dict[str, Any] = {
    "FunctionName": "my-function",
    "Name": "live",
    "FunctionVersion": "1",
    "Qualifier": "live",
    "StatementId": "s1",
    "Action": "lambda:InvokeFunction",
    "Principal": "s3.amazonaws.com",
    "Role": ROLE,
    "Code": {"ZipFile": ZIP},
    "AuthType": "NONE",
    "ProvisionedConcurrentExecutions": 1,
    "ReservedConcurrentExecutions": 1,
    "Resource": FN_ARN,
    "Tags": {"k": "v"},
    "TagKeys": ["k"],
    "UUID": UUID_PLACEHOLDER,
    "LayerName": "layer",
    "VersionNumber": 1,
    "Arn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:layer:layer:1",
    "Content": {"ZipFile": ZIP},
    "AllowedPublishers": {"SigningProfileVersionArns": [PROFILE]},
    "CodeSigningConfigArn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:code-signing-config:{CSC_PLACEHOLDER}",
    "CapacityProviderName": "cp",
    "VpcConfig": {"SubnetIds": ["subnet-0abc"], "SecurityGroupIds": ["sg-0abc"]},
    "PermissionsConfig": {"CapacityProviderOperatorRoleArn": f"arn:aws:iam::{ACCOUNT}:role/operator"},
    "ResourceArn": FN_ARN,
    "DurableExecutionArn": DURABLE_PLACEHOLDER,
    "CheckpointToken": "dG9rZW4=",
    "CallbackId": "Y2FsbGJhY2s=",
    "Policy": json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "from-s3",
                    "Effect": "Allow",
                    "Principal": {"Service": "s3.amazonaws.com"},
                    "Action": "lambda:InvokeFunction",
                    "Resource": FN_ARN,
                }
            ],
        }
    ),
    "InvokeArgs": b"{}",
    "RecursiveLoop": "Allow",
    "UpdateRuntimeOn": "Auto",
}

POOL = ["abc", "12", "", 7, 0, -1, 2**40, 1.5, True, False, [], [1], ["x"], {}, {"a": 1}, {"Name": "x"}]
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
    max_leaves=5,
)


def right_type(shape: Any, value: Any) -> bool:
    if value is None:
        return True  # null reads as absent
    if shape.type_name == "structure" or shape.type_name == "map":
        return isinstance(value, dict)
    if shape.type_name == "list":
        return isinstance(value, list)
    if shape.type_name == "timestamp":  # epoch seconds (rest-json's format), or text the mock reads as a date
        return not isinstance(value, bool) and isinstance(_parse_timestamp(value), datetime.datetime)
    if shape.type_name == "blob":  # base64 text is right ("" too: no bytes); any other JSON value is wrong
        if not isinstance(value, str):
            return False
        try:
            base64.b64decode(value, validate=True)
        except ValueError:
            return False
        return True
    return _scalar_type_ok(shape.type_name, value)


def query_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def is_boolean(text: str) -> bool:
    """Text a boolean querystring member takes (the durable operations' flags)."""
    return text.lower() in ("true", "false")


def not_integer(text: str) -> bool:
    """Not a sign and decimal digits (Python's int() alone would take " 1" and "1_0")."""
    return re.fullmatch(r"[+-]?\d+", text) is None


def paths(shape: Any, prefix: tuple = (), depth: int = 0) -> list[tuple[tuple, Any]]:
    """(path, leaf shape) for every body member, nested ones included (lists: first item, maps: key "k")."""
    out: list[tuple[tuple, Any]] = []
    if depth > 3:
        return out
    if shape.type_name == "structure":
        for name, member in shape.members.items():
            if depth == 0 and member.serialization.get("location"):
                continue
            out.append(((*prefix, name), member))
            out += paths(member, (*prefix, name), depth + 1)
    elif shape.type_name == "list":
        out.append(((*prefix, 0), shape.member))
        out += paths(shape.member, (*prefix, 0), depth + 1)
    elif shape.type_name == "map":
        out.append(((*prefix, "k"), shape.value))
        out += paths(shape.value, (*prefix, "k"), depth + 1)
    return out


def injectable(operation: str) -> list[tuple[str, tuple, Any]]:
    model = SERVICE.operation_model(operation)
    shape = model.input_shape
    if shape is None:
        return []
    found: list[tuple[str, tuple, Any]] = []
    payload = shape.serialization.get("payload")
    for name, member in shape.members.items():
        location = member.serialization.get("location")
        if location == "querystring" and member.type_name in ("integer", "long", "boolean"):
            found.append(("query", (member.serialization.get("name", name),), member))
        elif location == "uri" and member.type_name in ("integer", "long"):
            found.append(("uri", (name,), member))  # a layer's VersionNumber in the path
    if payload is None:
        found += [("body", path, leaf) for path, leaf in paths(shape)]
    elif shape.members[payload].type_name == "structure":
        found += [("body", path[1:], leaf) for path, leaf in paths(shape) if path[:1] == (payload,) and path[1:]]
    return found


def set_path(document: dict, path: tuple, value: Any) -> None:
    target: Any = document
    for step, following in zip(path, path[1:]):
        container: Any = [] if isinstance(following, int) else {}
        if isinstance(target, list):
            while len(target) <= step:
                target.append(None)
            if not isinstance(target[step], type(container)):
                target[step] = container
            target = target[step]
        else:
            if not isinstance(target.get(step), type(container)):
                target[step] = container
            target = target[step]
    last = path[-1]
    if isinstance(target, list):
        while len(target) <= last:
            target.append(None)
        target[last] = value
    else:
        target[last] = value


def request_for(operation: str, where: str = "", path: tuple = (), value: Any = None) -> dict:
    model = SERVICE.operation_model(operation)
    shape = model.input_shape
    params = {name: DEFAULTS[name] for name in (shape.required_members if shape is not None else [])}
    if where == "uri":
        params[path[0]] = value
    request = SERIALIZER.serialize_to_request(params, model)
    prepare_request_dict(request, endpoint_url=ENDPOINT)
    if where == "query":
        separator = "&" if "?" in request["url"] else "?"
        request["url"] += separator + urlencode({path[0]: query_text(value)})
    elif where == "body":
        body = json.loads(request["body"] or b"{}")
        set_path(body, path, value)
        request["body"] = json.dumps(body).encode()
    return request


def prepared(request_dict: dict) -> AWSPreparedRequest:
    """The unsigned request botocore would prepare (its region is the endpoint's, us-east-1)."""
    return create_request_object(request_dict).prepare()


def send(operation: str, params: dict) -> tuple[int, str, str]:
    with mock_lambda_alias() as mock:
        model = SERVICE.operation_model(operation)
        request = SERIALIZER.serialize_to_request({}, model)
        prepare_request_dict(request, endpoint_url=ENDPOINT)
        request["body"] = json.dumps(params).encode()
        response = respond(mock, model, prepared(request))
        body = json.loads(response.raw.getvalue() or b"{}")
        return response.status_code, response.headers.get("x-amzn-errortype", ""), body.get("message", "")


def modeled(operation: str) -> bool:
    return operation in SERVICE.operation_names


def setup_state(client: Any) -> dict[str, str]:
    """A world in which every operation's defaults name something that exists.

    Returns the replacements for the placeholders of identifiers the mock generates.
    """
    create(client)
    client.publish_version(FunctionName="my-function")
    client.create_alias(FunctionName="my-function", Name="live", FunctionVersion="1")
    client.add_permission(FunctionName="my-function", StatementId="s1", Action="lambda:InvokeFunction", Principal="*")
    client.put_function_event_invoke_config(FunctionName="my-function", MaximumRetryAttempts=1)
    client.put_function_concurrency(FunctionName="my-function", ReservedConcurrentExecutions=5)
    client.create_function_url_config(FunctionName="my-function", AuthType="NONE")
    client.put_provisioned_concurrency_config(
        FunctionName="my-function", Qualifier="live", ProvisionedConcurrentExecutions=1
    )
    esm = client.create_event_source_mapping(
        FunctionName="my-function", EventSourceArn="arn:aws:sqs:us-east-1:123456789012:q"
    )["UUID"]
    replacements = {UUID_PLACEHOLDER: esm}
    client.publish_layer_version(LayerName="layer", Content={"ZipFile": ZIP})
    client.add_layer_version_permission(
        LayerName="layer", VersionNumber=1, StatementId="s1", Action="lambda:GetLayerVersion", Principal="*"
    )
    if modeled("CreateCodeSigningConfig"):
        arn = client.create_code_signing_config(AllowedPublishers=DEFAULTS["AllowedPublishers"])["CodeSigningConfig"][
            "CodeSigningConfigArn"
        ]
        replacements[CSC_PLACEHOLDER] = arn.rsplit(":", 1)[1]
    if modeled("CreateCapacityProvider"):
        client.create_capacity_provider(
            CapacityProviderName="cp", VpcConfig=DEFAULTS["VpcConfig"], PermissionsConfig=DEFAULTS["PermissionsConfig"]
        )
    if modeled("CheckpointDurableExecution"):
        create(client, "durable-fn", DurableConfig={"ExecutionTimeout": 60})
        client.publish_version(FunctionName="durable-fn")
        started = client.invoke(FunctionName="durable-fn:1", InvocationType="Event", DurableExecutionName="run")
        replacements[DURABLE_PLACEHOLDER] = started["DurableExecutionArn"]
    return replacements


def replaced(value: Any, replacements: dict[str, str]) -> Any:
    if isinstance(value, str):
        for placeholder, real in replacements.items():
            value = value.replace(placeholder, real)
    elif isinstance(value, bytes):
        for placeholder, real in replacements.items():
            value = value.replace(placeholder.encode(), real.encode())
    return value


def read_params(operation: str, replacements: dict[str, str]) -> dict[str, Any]:
    shape = SERVICE.operation_model(operation).input_shape
    names = shape.required_members if shape is not None else []
    return {name: replaced(DEFAULTS[name], replacements) for name in names}


#: Every implemented read (Get*, List*) of the installed model, and Invoke: after a refused
#: request, each must still answer (the suite checks each output shape) and never with a 500.
READS = [op for op in sorted(implemented_operations()) if op.startswith(("Get", "List")) and modeled(op)] + ["Invoke"]


def has_defaults(operation: str) -> bool:
    shape = SERVICE.operation_model(operation).input_shape
    return shape is None or all(name in DEFAULTS for name in shape.required_members)


#: Operations the installed botocore models (an old one lacks the newest).
MODELED = [op for op in implemented_operations() if modeled(op)]
OPERATIONS = [op for op in MODELED if injectable(op)]


def test_every_implemented_operation_has_defaults():
    """The table must cover every operation, or the fuzzer below would silently skip it."""
    missing = {
        op: [name for name in SERVICE.operation_model(op).input_shape.required_members if name not in DEFAULTS]
        for op in MODELED
        if not has_defaults(op)
    }
    assert missing == {}, f"add defaults for these required members to DEFAULTS: {missing}"


def test_every_operation_that_can_carry_a_wrong_type_is_fuzzed():
    """The others take only string URI labels, headers and string querystring members: text on any wire."""
    assert {"CreateFunction", "UpdateAlias", "PutFunctionEventInvokeConfig", "ListFunctions"} <= set(OPERATIONS)
    for operation in set(MODELED) - set(OPERATIONS):
        shape = SERVICE.operation_model(operation).input_shape
        payload = shape.serialization.get("payload") if shape is not None else None
        for name, member in shape.members.items() if shape is not None else []:
            if name == payload and member.type_name == "blob":
                continue  # raw bytes (Invoke's payload): no JSON types on the wire
            location = member.serialization.get("location")
            assert location in ("uri", "header", "querystring"), (operation, member.name)
            text = member.member if member.type_name == "list" else member
            assert location == "header" or text.type_name == "string", (operation, member.name)


def test_world_answers_every_read():
    """The setup gives every read something to find, so the reads after a refusal mean something."""
    with mock_lambda_alias() as mock:
        client = boto3.client("lambda", region_name=REGION, config=RAW)
        replacements = setup_state(client)
        failed = {}
        for operation in READS:
            try:
                call_read(client, operation, replacements)
            except ClientError as exc:
                failed[operation] = exc.response["Error"]["Code"]
        # A scaling config's qualifier is a published version number, never an alias such as "live".
        # GetDurableExecutionState needs the token of a running invocation of the execution.
        assert set(failed) <= {"GetFunctionScalingConfig", "GetDurableExecutionState"}, failed
        assert mock.internal_errors == []


def call_read(client: Any, operation: str, replacements: dict[str, str]) -> Any:
    params = read_params(operation, replacements)
    if operation == "Invoke":
        params["Payload"] = b"{}"
    return getattr(client, botocore.xform_name(operation))(**params)


@pytest.fixture
def world() -> Iterator[tuple[Any, Any, dict[str, str]]]:
    """One world per operation, shared by its examples: every example must leave it as it was
    (a request of the wrong type is refused before it can change anything)."""
    with mock_lambda_alias() as mock:
        client = boto3.client("lambda", region_name=REGION, config=RAW)
        yield mock, client, setup_state(client)


@pytest.mark.parametrize("operation", OPERATIONS)
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_wrong_json_types_get_an_aws_answer(world, operation, data):
    where, path, leaf = data.draw(st.sampled_from(injectable(operation)), label="member")
    if where in ("query", "uri"):  # querystring values and labels are text: wrong is text that is no integer
        value = data.draw(
            (st.sampled_from(POOL) | JSON)
            .map(query_text)
            .filter(lambda t: t != "" and not_integer(t) and not (leaf.type_name == "boolean" and is_boolean(t))),
            label="wrong text",
        )
    else:
        value = data.draw((st.sampled_from(POOL) | JSON).filter(lambda v: not right_type(leaf, v)), label="wrong")
    model = SERVICE.operation_model(operation)
    allowed = {shape.name for shape in model.error_shapes} | {"ValidationException"}
    mock, client, replacements = world
    request = request_for(operation, where, path, value)
    request["url"] = replaced(request["url"], replacements)
    request["body"] = replaced(request["body"], replacements)
    response = respond(mock, model, prepared(request))
    status = response.status_code
    code = response.headers.get("x-amzn-errortype")
    assert status < 500, (status, code, response.raw.getvalue())
    assert code in allowed, (code, response.raw.getvalue())
    # A wrong type is refused before anything else looks at the request.
    assert (status, code) == (400, "ValidationException"), response.raw.getvalue()
    for read in READS:  # nothing stored breaks a later read (the suite checks each output shape)
        try:
            call_read(client, read, replacements)
        except ClientError as exc:
            assert exc.response["ResponseMetadata"]["HTTPStatusCode"] < 500, exc.response
    assert mock.internal_errors == []
