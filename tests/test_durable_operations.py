"""The durable execution operations through a real client: listing, reading, stopping, callbacks,
errors, resource policies, versions, retention, process isolation and the server.

Sources: the Lambda API reference for GetDurableExecution (``IncludeExecutionData`` defaults to
true; ``ExpectedExecutionTimeoutTimestamp`` while running), GetDurableExecutionHistory and
ListDurableExecutionsByFunction (newest first unless ``ReverseOrder``; ``MaxItems`` defaults to
100; filters by qualifier, status, name and start time); the Lambda API model (which errors each
operation can answer: the SDK's Checkpoint and GetState model no 404); the developer guide,
"Durable functions" (qualified invokes only: "You cannot invoke a durable function using an
unqualified ARN.", retention of finished executions, ``lambda:<Operation>`` IAM actions).
"""

from __future__ import annotations

import datetime
import json
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from mock_lambda_alias import implemented_operations
from tests.conftest import create, error_of, requires_operation

sdk = pytest.importorskip(
    "aws_durable_execution_sdk_python",
    reason="AWS's Durable Execution SDK for Python needs Python 3.11+ (it is in the test extra from there)",
)
pytestmark = requires_operation("CheckpointDurableExecution", since="1.42.1")


Duration = pytest.importorskip("aws_durable_execution_sdk_python.config").Duration

NINE = [
    "CheckpointDurableExecution",
    "GetDurableExecution",
    "GetDurableExecutionHistory",
    "GetDurableExecutionState",
    "ListDurableExecutionsByFunction",
    "StopDurableExecution",
    "SendDurableExecutionCallbackSuccess",
    "SendDurableExecutionCallbackFailure",
    "SendDurableExecutionCallbackHeartbeat",
]
UNKNOWN = "arn:aws:lambda:us-east-1:123456789012:function:jobs:1/durable-execution/nope/0000"


@sdk.durable_execution
def waiting(event: Any, context: Any) -> Any:
    """Waits for a callback named ``go``, then echoes what it was sent and the version that ran."""
    answer = context.create_callback(name="go").result()
    return {"got": json.loads(answer), "input": event, "version": context.lambda_context.function_version}


def durable_function(lam: Any, mock: Any, name: str = "jobs", versions: int = 2, **config: Any) -> None:
    create(lam, name, Runtime="python3.13", DurableConfig={"ExecutionTimeout": 86400, **config})
    for n in range(versions):
        lam.update_function_configuration(FunctionName=name, Description=f"version {n + 1}")
        lam.publish_version(FunctionName=name)
    mock.register_handler(name, waiting)


def start(lam: Any, name: str = "jobs", qualifier: str = "1", payload: Any = None, **kwargs: Any) -> str:
    body = json.dumps(payload if payload is not None else {})
    answer = lam.invoke(FunctionName=name, Qualifier=qualifier, InvocationType="Event", Payload=body, **kwargs)
    return answer["DurableExecutionArn"]


def answer(lam: Any, mock: Any, arn: str, result: Any) -> None:
    (record,) = [r for r in mock.durable_executions() if r.arn == arn]
    lam.send_durable_execution_callback_success(CallbackId=record.callbacks["go"], Result=json.dumps(result))


def test_every_durable_operation_is_implemented():
    assert set(NINE) <= set(implemented_operations())


def test_listing_filters_by_qualifier_status_name_and_start_time(lam, mock):
    durable_function(lam, mock)
    lam.create_alias(FunctionName="jobs", Name="PROD", FunctionVersion="1")
    first = start(lam, qualifier="PROD", DurableExecutionName="a")
    mock.advance(60)
    middle = mock.now()
    second = start(lam, qualifier="1", DurableExecutionName="b")
    mock.advance(60)
    third = start(lam, qualifier="2", DurableExecutionName="c")
    lam.stop_durable_execution(DurableExecutionArn=second)

    def listed(**filters: Any) -> list[str]:
        return [
            e["DurableExecutionArn"]
            for e in lam.list_durable_executions_by_function(FunctionName="jobs", **filters)["DurableExecutions"]
        ]

    assert listed() == [third, second, first]  # newest first
    assert listed(ReverseOrder=True) == [first, second, third]
    assert listed(Qualifier="1") == [second, first]
    assert listed(Qualifier="PROD") == [first]
    assert listed(Statuses=["STOPPED"]) == [second]
    assert listed(Statuses=["RUNNING"]) == [third, first]
    assert listed(DurableExecutionName="c") == [third]
    assert listed(StartedAfter=middle) == [third, second]
    assert listed(StartedBefore=middle) == [first]
    (summary,) = lam.list_durable_executions_by_function(FunctionName="jobs", Qualifier="2")["DurableExecutions"]
    assert summary["FunctionArn"].endswith(":function:jobs:2") and summary["DurableExecutionName"] == "c"
    assert summary["Status"] == "RUNNING" and "EndTimestamp" not in summary


def test_listing_pages_with_markers(lam, mock):
    durable_function(lam, mock, versions=1)
    started = [start(lam, DurableExecutionName=f"run-{n}") for n in range(5)]
    page = lam.list_durable_executions_by_function(FunctionName="jobs", MaxItems=2, ReverseOrder=True)
    assert [e["DurableExecutionName"] for e in page["DurableExecutions"]] == ["run-0", "run-1"]
    pages = lam.get_paginator("list_durable_executions_by_function").paginate(
        FunctionName="jobs", ReverseOrder=True, PaginationConfig={"PageSize": 2}
    )
    assert [e["DurableExecutionArn"] for p in pages for e in p["DurableExecutions"]] == started


def test_get_durable_execution_reports_the_version_config_and_data(lam, mock):
    durable_function(lam, mock, RetentionPeriodInDays=3)
    arn = start(lam, payload={"job": 1}, DurableExecutionName="job-1")
    execution = lam.get_durable_execution(DurableExecutionArn=arn)
    assert {k: execution[k] for k in ("DurableExecutionName", "Status", "Version", "InputPayload")} == {
        "DurableExecutionName": "job-1",
        "Status": "RUNNING",
        "Version": "1",
        "InputPayload": '{"job": 1}',
    }
    assert execution["FunctionArn"] == "arn:aws:lambda:us-east-1:123456789012:function:jobs:1"
    assert execution["DurableConfig"] == {"ExecutionTimeout": 86400, "RetentionPeriodInDays": 3}
    assert execution["ExpectedExecutionTimeoutTimestamp"] - execution["StartTimestamp"] == datetime.timedelta(days=1)
    assert execution["ExecutionDataIncluded"] is True
    compact = lam.get_durable_execution(DurableExecutionArn=arn, IncludeExecutionData=False)
    assert compact["ExecutionDataIncluded"] is False and "InputPayload" not in compact

    answer(lam, mock, arn, "ok")
    done = lam.get_durable_execution(DurableExecutionArn=arn)
    assert json.loads(done["Result"]) == {"got": "ok", "input": {"job": 1}, "version": "1"}
    assert "ExpectedExecutionTimeoutTimestamp" not in done and done["EndTimestamp"] >= done["StartTimestamp"]


@pytest.mark.parametrize(
    "call",
    [
        lambda lam: lam.get_durable_execution(DurableExecutionArn=UNKNOWN),
        lambda lam: lam.get_durable_execution_history(DurableExecutionArn=UNKNOWN),
        lambda lam: lam.stop_durable_execution(DurableExecutionArn=UNKNOWN),
    ],
    ids=["get", "history", "stop"],
)
def test_an_unknown_execution_is_a_404(lam, mock, call):
    durable_function(lam, mock)
    with pytest.raises(ClientError) as excinfo:
        call(lam)
    assert error_of(excinfo) == (404, "ResourceNotFoundException", "The resource you requested does not exist.")


@pytest.mark.parametrize(
    "call",
    [
        lambda lam, token: lam.checkpoint_durable_execution(DurableExecutionArn=UNKNOWN, CheckpointToken=token),
        lambda lam, token: lam.get_durable_execution_state(DurableExecutionArn=UNKNOWN, CheckpointToken=token),
    ],
    ids=["checkpoint", "state"],
)
def test_the_sdks_calls_answer_a_bad_token_with_a_400(lam, mock, call):
    # The exact text is the service's (aws/aws-durable-execution-sdk-python issue 721 quotes its
    # constant; the SDKs match it to retry the invocation).
    with pytest.raises(ClientError) as excinfo:
        call(lam, "dG9rZW4=")
    assert error_of(excinfo) == (400, "InvalidParameterValueException", "Invalid checkpoint token")


def test_a_stale_checkpoint_token_is_refused(lam, mock):
    durable_function(lam, mock)
    arn = start(lam)
    with pytest.raises(lam.exceptions.InvalidParameterValueException):
        lam.checkpoint_durable_execution(DurableExecutionArn=arn, CheckpointToken="c3RhbGU=", Updates=[])


def test_unknown_callbacks_and_functions_are_404s(lam, mock):
    with pytest.raises(ClientError) as excinfo:
        lam.send_durable_execution_callback_heartbeat(CallbackId="bm9uZQ==")
    assert error_of(excinfo) == (404, "ResourceNotFoundException", "The callback you requested does not exist.")
    with pytest.raises(ClientError) as excinfo:
        lam.list_durable_executions_by_function(FunctionName="ghost")
    assert error_of(excinfo) == (
        404,
        "ResourceNotFoundException",
        "Function not found: arn:aws:lambda:us-east-1:123456789012:function:ghost",
    )


@pytest.mark.parametrize("send", ["success", "failure", "heartbeat"])
def test_answering_a_closed_callback_is_a_callback_timeout(lam, mock, send):
    # API reference, CallbackTimeoutException (HTTP 400): the callback "has already been closed".
    # The message is the mock's.
    durable_function(lam, mock)
    arn = start(lam)
    (record,) = mock.durable_executions()
    answer(lam, mock, arn, "first")
    calls = {
        "success": lambda cid: lam.send_durable_execution_callback_success(CallbackId=cid, Result=b'"again"'),
        "failure": lambda cid: lam.send_durable_execution_callback_failure(CallbackId=cid, Error={"ErrorType": "E"}),
        "heartbeat": lambda cid: lam.send_durable_execution_callback_heartbeat(CallbackId=cid),
    }
    with pytest.raises(ClientError) as excinfo:
        calls[send](record.callbacks["go"])
    assert error_of(excinfo)[:2] == (400, "CallbackTimeoutException")
    assert mock.run_durable(arn).result["got"] == "first"


def test_a_dry_run_starts_nothing(lam, mock):
    durable_function(lam, mock)
    assert lam.invoke(FunctionName="jobs", Qualifier="1", InvocationType="DryRun")["StatusCode"] == 204
    assert mock.durable_executions() == []


def test_an_event_invoke_without_a_name_gets_its_id_as_name(lam, mock):
    durable_function(lam, mock)
    arn = start(lam)
    _, name, execution_id = arn.rsplit("/", 2)
    assert name == execution_id and lam.get_durable_execution(DurableExecutionArn=arn)["DurableExecutionName"] == name


def test_another_account_needs_the_versions_policy(lam, mock):
    durable_function(lam, mock)
    arn = start(lam)
    other = boto3.client(
        "lambda", region_name="us-east-1", aws_access_key_id="222222222222", aws_secret_access_key="secret"
    )
    with pytest.raises(ClientError) as excinfo:
        other.get_durable_execution(DurableExecutionArn=arn)
    assert error_of(excinfo)[:2] == (403, "AccessDeniedException")
    assert "lambda:GetDurableExecution" in error_of(excinfo)[2]
    for action in ("lambda:GetDurableExecution", "lambda:SendDurableExecutionCallbackSuccess"):
        lam.add_permission(
            FunctionName="jobs",
            Qualifier="1",
            StatementId=action.split(":")[1],
            Action=action,
            Principal="222222222222",
        )
    assert other.get_durable_execution(DurableExecutionArn=arn)["Status"] == "RUNNING"
    (record,) = mock.durable_executions()
    other.send_durable_execution_callback_success(CallbackId=record.callbacks["go"], Result=b'"from afar"')
    assert mock.run_durable(arn).result["got"] == "from afar"


def test_a_deleted_version_fails_its_suspended_executions_when_they_replay(lam, mock):
    # Not recorded against AWS: allowing the deletion and failing the execution later is the mock's choice.
    durable_function(lam, mock)
    arn = start(lam)
    (record,) = mock.durable_executions()
    lam.delete_function(FunctionName="jobs", Qualifier="1")
    lam.send_durable_execution_callback_success(CallbackId=record.callbacks["go"], Result=b"1")
    execution = lam.get_durable_execution(DurableExecutionArn=arn)
    assert execution["Status"] == "FAILED"
    assert execution["Error"] == {
        "ErrorType": "ResourceNotFoundException",
        "ErrorMessage": "Function not found: arn:aws:lambda:us-east-1:123456789012:function:jobs:1",
    }


def test_a_finished_execution_is_kept_for_its_retention_period(lam, mock):
    durable_function(lam, mock, RetentionPeriodInDays=1)
    arn = start(lam)
    lam.stop_durable_execution(DurableExecutionArn=arn)
    mock.advance(86400 - 60)
    assert lam.get_durable_execution(DurableExecutionArn=arn)["Status"] == "STOPPED"
    mock.advance(61)
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.get_durable_execution(DurableExecutionArn=arn)


def test_stopping_a_finished_execution_answers_when_it_ended(lam, mock):
    durable_function(lam, mock)
    arn = start(lam)
    first = lam.stop_durable_execution(DurableExecutionArn=arn)["StopTimestamp"]
    mock.advance(30)
    assert lam.stop_durable_execution(DurableExecutionArn=arn)["StopTimestamp"] == first


def test_durable_packages_are_refused_in_worker_processes(lam, mock):
    create(lam, "worker-jobs", Runtime="python3.13", DurableConfig={"ExecutionTimeout": 60})
    lam.publish_version(FunctionName="worker-jobs")
    mock.set_isolation("worker-jobs", "process")
    with pytest.raises(ClientError) as excinfo:
        lam.invoke(FunctionName="worker-jobs", Qualifier="1", InvocationType="Event")
    status, code, message = error_of(excinfo)
    assert (status, code) == (400, "InvalidParameterValueException")
    assert message.startswith('mock_lambda_alias does not support isolation="process" for a durable function yet')


def test_the_durable_operations_over_http(mock_lambda_alias_server):
    endpoint = mock_lambda_alias_server
    keys = {"region_name": "us-east-1", "aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
    lam = boto3.client("lambda", endpoint_url=endpoint, **keys)
    # On Lambda the SDK's client reaches the service; here it is told where the server is.
    handler_client = boto3.client("lambda", endpoint_url=endpoint, **keys)

    @sdk.durable_execution(boto3_client=handler_client)
    def over_http(event: Any, context: Any) -> Any:
        context.wait(Duration.from_days(2))
        return {"twice": context.step(lambda _: event["n"] * 2)}

    create(lam, "served", Runtime="python3.13", DurableConfig={"ExecutionTimeout": 7 * 86400})
    lam.publish_version(FunctionName="served")
    endpoint.mock.register_handler("served", over_http)
    answer = lam.invoke(FunctionName="served", Qualifier="1", Payload=b'{"n": 21}', DurableExecutionName="http")
    arn = answer["DurableExecutionArn"]
    assert json.loads(answer["Payload"].read()) == {"twice": 42}
    assert lam.get_durable_execution(DurableExecutionArn=arn)["Status"] == "SUCCEEDED"
    events = lam.get_durable_execution_history(DurableExecutionArn=arn)["Events"]
    assert [e["EventType"] for e in events][-1] == "ExecutionSucceeded"
    listed = lam.list_durable_executions_by_function(FunctionName="served")["DurableExecutions"]
    assert [e["DurableExecutionArn"] for e in listed] == [arn]


def test_history_pages_with_markers_in_either_order(lam, mock):
    durable_function(lam, mock)
    arn = start(lam)
    answer(lam, mock, arn, 1)
    whole = lam.get_durable_execution_history(DurableExecutionArn=arn)["Events"]
    pages = lam.get_paginator("get_durable_execution_history").paginate(
        DurableExecutionArn=arn, PaginationConfig={"PageSize": 2}
    )
    assert [e["EventId"] for p in pages for e in p["Events"]] == [e["EventId"] for e in whole]
    newest_first = lam.get_durable_execution_history(DurableExecutionArn=arn, ReverseOrder=True, MaxItems=3)
    assert [e["EventId"] for e in newest_first["Events"]] == [len(whole), len(whole) - 1, len(whole) - 2]
    assert newest_first["NextMarker"]


def test_a_history_page_resumes_after_its_last_event_while_events_are_added(lam, mock):
    durable_function(lam, mock)
    arn = start(lam)
    first = lam.get_durable_execution_history(DurableExecutionArn=arn, ReverseOrder=True, MaxItems=2)
    answer(lam, mock, arn, 1)  # the execution goes on: newer events arrive between the pages
    rest = lam.get_durable_execution_history(DurableExecutionArn=arn, ReverseOrder=True, Marker=first["NextMarker"])
    ids = [e["EventId"] for e in first["Events"] + rest["Events"]]
    assert ids == sorted(ids, reverse=True) and ids[-1] == 1 and len(set(ids)) == len(ids)


@pytest.mark.parametrize(
    ("extra", "member"),
    [({"LogType": "Tail"}, "LogType"), ({"ClientContext": "e30="}, "ClientContext"), ({"TenantId": "t"}, "TenantId")],
)
def test_invoke_members_not_carried_to_a_durable_handler_are_refused_by_name(lam, mock, extra, member):
    durable_function(lam, mock)
    with pytest.raises(ClientError) as excinfo:
        lam.invoke(FunctionName="jobs", Qualifier="1", **extra)
    status, code, message = error_of(excinfo)
    assert (status, code) == (400, "InvalidParameterValueException")
    assert message.startswith(f"mock_lambda_alias does not support {member}")
    assert mock.durable_executions() == []


@sdk.durable_execution
def calling_abroad(event: Any, context: Any) -> Any:
    return context.invoke("arn:aws:lambda:us-east-1:222222222222:function:abroad:1", {})


def test_a_chained_invoke_of_another_accounts_function_fails(lam, mock):
    # Developer guide, "Invoking durable Lambda functions": "Cross-account chained invocations are
    # not supported." The failed operation's error type and message are the mock's.
    other = boto3.client(
        "lambda", region_name="us-east-1", aws_access_key_id="222222222222", aws_secret_access_key="secret"
    )
    create(other, "abroad", Runtime="python3.13", Role="arn:aws:iam::222222222222:role/lambda-role")
    other.publish_version(FunctionName="abroad")
    other.add_permission(
        FunctionName="abroad", Qualifier="1", StatementId="all", Action="lambda:InvokeFunction", Principal="*"
    )
    create(lam, "home", Runtime="python3.13", DurableConfig={"ExecutionTimeout": 300})
    lam.publish_version(FunctionName="home")
    mock.register_handler("home", calling_abroad)
    arn = start(lam, "home")
    execution = lam.get_durable_execution(DurableExecutionArn=arn)
    assert execution["Status"] == "FAILED"
    events = lam.get_durable_execution_history(DurableExecutionArn=arn)["Events"]
    (failed,) = [e for e in events if e["EventType"] == "ChainedInvokeFailed"]
    assert failed["ChainedInvokeFailedDetails"]["Error"]["Payload"] == {
        "ErrorType": "InvalidParameterValueException",
        "ErrorMessage": "Cross-account chained invocations are not supported.",
    }
    assert mock.invocations("abroad") == []
