"""InvokeAsync, the deprecated asynchronous invoke: accepted with 202 and run like an Event invoke."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError
from conftest import FN_ARN_PREFIX, create, error_of, make_zip


def test_answers_202_with_status_F_MA_001(lam):
    create(lam)
    response = lam.invoke_async(FunctionName="my-function", InvokeArgs=b'{"key": "value"}')
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert response["Status"] == 202
    assert set(response) == {"ResponseMetadata", "Status"}


def test_runs_and_is_recorded_as_an_event_invoke(lam, mock):
    seen = []
    create(lam)
    mock.register_handler("my-function", lambda event, context: seen.append(event) or "ok")
    lam.invoke_async(FunctionName="my-function", InvokeArgs=json.dumps({"n": 1}))
    assert seen == [{"n": 1}]
    (record,) = mock.invocations("my-function")
    assert record.invocation_type == "Event"
    assert record.payload == b'{"n": 1}'
    assert record.executed_version == "$LATEST"
    assert record.response_json() == "ok"
    assert mock.count_invocations("my-function", invocation_type="Event") == 1


def test_accepts_a_file_like_body(lam, mock, tmp_path):
    create(lam)
    path = tmp_path / "event.json"
    path.write_text('{"from": "file"}')
    with path.open("rb") as body:
        assert lam.invoke_async(FunctionName="my-function", InvokeArgs=body)["Status"] == 202
    assert mock.invocations("my-function")[0].payload == b'{"from": "file"}'


def test_runs_the_zip_handler(lam, mock):
    source = "STATE = []\ndef handler(event, context):\n    return {'version': context.function_version, **event}\n"
    create(lam, Code={"ZipFile": make_zip(source)})
    lam.invoke_async(FunctionName="my-function", InvokeArgs=b'{"a": 1}')
    assert mock.invocations("my-function")[0].response_json() == {"version": "$LATEST", "a": 1}


def test_alias_routing_applies(lam, mock):
    create(lam)
    lam.publish_version(FunctionName="my-function")
    lam.update_function_configuration(FunctionName="my-function", Description="v2")
    lam.publish_version(FunctionName="my-function")
    lam.create_alias(
        FunctionName="my-function",
        Name="live",
        FunctionVersion="1",
        RoutingConfig={"AdditionalVersionWeights": {"2": 0.5}},
    )
    mock.route_next("my-function", "live", "2")
    lam.invoke_async(FunctionName=FN_ARN_PREFIX + "my-function:live", InvokeArgs=b"{}")
    (record,) = mock.invocations("my-function")
    assert (record.invoked_qualifier, record.executed_version) == ("live", "2")


def test_unknown_function_is_answered_as_invoke_answers_it(lam):
    with pytest.raises(ClientError) as invoke_exc:
        lam.invoke(FunctionName="doesnotexist", InvocationType="Event", Payload=b"{}")
    with pytest.raises(ClientError) as exc:
        lam.invoke_async(FunctionName="doesnotexist", InvokeArgs=b"{}")
    assert error_of(exc) == error_of(invoke_exc)
    assert error_of(exc) == (
        404,
        "ResourceNotFoundException",
        f"Function not found: {FN_ARN_PREFIX}doesnotexist:$LATEST",
    )


def test_invalid_json_is_refused_as_invoke_refuses_it(lam):
    create(lam)
    with pytest.raises(ClientError) as invoke_exc:
        lam.invoke(FunctionName="my-function", InvocationType="Event", Payload=b"{not json")
    with pytest.raises(ClientError) as async_exc:
        lam.invoke_async(FunctionName="my-function", InvokeArgs=b"{not json")
    assert error_of(async_exc) == error_of(invoke_exc)
    assert error_of(async_exc)[:2] == (400, "InvalidRequestContentException")


def test_throttled_event_is_still_accepted(lam, mock):
    """AWS queues asynchronous events and retries throttled ones; InvokeAsync models no throttling error."""
    create(lam)
    lam.put_function_concurrency(FunctionName="my-function", ReservedConcurrentExecutions=0)
    assert lam.invoke_async(FunctionName="my-function", InvokeArgs=b"{}")["Status"] == 202
    (record,) = mock.invocations("my-function")
    assert record.throttled
