"""Pausing, resuming and deleting durable executions, with real handlers of AWS's Durable Execution SDK.

Sources: the Lambda API reference and botocore's model for PauseDurableExecution (202; RUNNING ->
PAUSING while an invocation is in progress, PAUSED at its next checkpoint; waits and callbacks
still complete while paused; ``ExecutionTimeoutPaused`` defaults to true and extends the execution
timeout by the time spent paused, up to 366 days after the start; ``ClientToken``: the same
request within 15 minutes succeeds without pausing again), ResumeDurableExecution (202; cancels a
PAUSING execution's pause; invokes the function if the pause interrupted an invocation or an
operation completed meanwhile), DeleteDurableExecution (202 with ``DeletionRequestTimestamp``; only
SUCCEEDED, FAILED, STOPPED or TIMED_OUT executions, else ResourceConflictException; DELETING until
done), the ``ExecutionStatus`` enum (PAUSING, PAUSED, DELETING), the ``ExecutionPaused`` /
``ExecutionResumed`` history events and ``PauseDetails``; the developer guide, "Pausing and
resuming durable executions" (invoking with a paused execution's name returns it, still paused;
``lambda:PauseDurableExecution`` / ``lambda:ResumeDurableExecution`` on the execution) and
"Deleting durable executions". The texts of the 409s are the mock's own (no recording of them).
"""

from __future__ import annotations

import datetime
import json
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from tests.conftest import create, error_of, requires_operation

sdk = pytest.importorskip(
    "aws_durable_execution_sdk_python",
    reason="AWS's Durable Execution SDK for Python needs Python 3.11+ (it is in the test extra from there)",
)
pytestmark = requires_operation("PauseDurableExecution", since="a release after 1.42.1")
Duration = pytest.importorskip("aws_durable_execution_sdk_python.config").Duration

UNKNOWN = "arn:aws:lambda:us-east-1:123456789012:function:jobs:1/durable-execution/nope/0000"


@sdk.durable_execution
def napping(event: Any, context: Any) -> Any:
    """Waits an hour, then for a callback named ``go``; returns what it was sent."""
    context.wait(Duration.from_hours(1), name="nap")
    return {"got": json.loads(context.create_callback(name="go").result())}


#: What the ``ask`` step of :func:`self_pausing` does: "pause", or "pause-resume" (cancel the pause).
ASK = {"action": "pause"}


def _ask(context: Any) -> str:
    """Pause the execution from inside its own invocation and report the status it then has."""
    lam = boto3.client("lambda", region_name="us-east-1")
    arn = context.state.durable_execution_arn
    lam.pause_durable_execution(DurableExecutionArn=arn, Reason="from inside")
    if ASK["action"] == "pause-resume":
        lam.resume_durable_execution(DurableExecutionArn=arn)
    return lam.get_durable_execution(DurableExecutionArn=arn)["Status"]


@sdk.durable_execution
def self_pausing(event: Any, context: Any) -> Any:
    seen = context.step(lambda _: _ask(context), name="ask")
    return {"seen": seen, "then": context.step(lambda _: "done", name="then")}


def deploy(lam: Any, mock: Any, handler: Any = napping, name: str = "jobs", **config: Any) -> None:
    create(lam, name, Runtime="python3.13", DurableConfig={"ExecutionTimeout": 30 * 86400, **config})
    lam.publish_version(FunctionName=name)
    mock.register_handler(name, handler)


def start(lam: Any, name: str = "jobs", **kwargs: Any) -> str:
    answer = lam.invoke(FunctionName=name, Qualifier="1", InvocationType="Event", Payload=b"{}", **kwargs)
    return answer["DurableExecutionArn"]


def events(lam: Any, arn: str, **kwargs: Any) -> list[dict[str, Any]]:
    return lam.get_durable_execution_history(DurableExecutionArn=arn, **kwargs)["Events"]


def types(lam: Any, arn: str) -> list[str]:
    return [e["EventType"] for e in events(lam, arn)]


def callback(mock: Any, arn: str) -> str:
    (record,) = [r for r in mock.durable_executions() if r.arn == arn]
    return record.callbacks["go"]


def status(lam: Any, arn: str) -> str:
    return lam.get_durable_execution(DurableExecutionArn=arn)["Status"]


# -- pause and resume ---------------------------------------------------------------------------


def test_a_suspended_execution_pauses_at_once_and_its_callback_still_completes(lam, mock):
    deploy(lam, mock)
    arn = start(lam)
    answer = lam.pause_durable_execution(DurableExecutionArn=arn, Reason="dependency degraded")
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 202
    execution = lam.get_durable_execution(DurableExecutionArn=arn)
    assert execution["Status"] == "PAUSED"
    details = execution["PauseDetails"]
    assert (details["Reason"], details["ExecutionTimeoutPaused"]) == ("dependency degraded", True)
    paused = events(lam, arn)[-1]
    assert paused["EventType"] == "ExecutionPaused"
    assert paused["ExecutionPausedDetails"] == {
        "PauseRequestTimestamp": details["PauseRequestTimestamp"],
        "Reason": {"Payload": "dependency degraded", "Truncated": False},
        "ExecutionTimeoutPaused": True,
    }
    invocations = len(mock.invocations("jobs"))
    lam.send_durable_execution_callback_success(CallbackId=callback(mock, arn), Result=b'"yes"')
    # The callback completed, but Lambda does not invoke a paused execution.
    assert status(lam, arn) == "PAUSED"
    assert types(lam, arn)[-2:] == ["ExecutionPaused", "CallbackSucceeded"]
    assert len(mock.invocations("jobs")) == invocations

    assert (
        lam.resume_durable_execution(DurableExecutionArn=arn, Reason="fixed")["ResponseMetadata"]["HTTPStatusCode"]
        == 202
    )
    execution = lam.get_durable_execution(DurableExecutionArn=arn)
    assert (execution["Status"], json.loads(execution["Result"])) == ("SUCCEEDED", {"got": "yes"})
    assert "PauseDetails" not in execution
    resumed = [e for e in events(lam, arn) if e["EventType"] == "ExecutionResumed"]
    assert [e["ExecutionResumedDetails"]["Reason"] for e in resumed] == [{"Payload": "fixed", "Truncated": False}]
    assert len(mock.invocations("jobs")) == invocations + 1


def test_resuming_with_nothing_completed_invokes_nothing(lam, mock):
    deploy(lam, mock)
    arn = start(lam)
    lam.pause_durable_execution(DurableExecutionArn=arn)
    invocations = len(mock.invocations("jobs"))
    lam.resume_durable_execution(DurableExecutionArn=arn)
    assert status(lam, arn) == "RUNNING"
    assert len(mock.invocations("jobs")) == invocations  # it still waits for its callback
    assert types(lam, arn)[-2:] == ["ExecutionPaused", "ExecutionResumed"]
    lam.send_durable_execution_callback_success(CallbackId=callback(mock, arn), Result=b"1")
    assert status(lam, arn) == "SUCCEEDED"


def test_a_wait_elapses_while_paused_and_the_resume_runs_what_follows(lam, mock):
    deploy(lam, mock)
    mock.set_delivery("manual")
    arn = start(lam)
    assert mock.run_durable(arn, until="suspended").operations[-1]["Type"] == "WAIT"
    lam.pause_durable_execution(DurableExecutionArn=arn)
    mock.advance(3600)
    record = mock.run_durable(arn, until="suspended")
    assert record.status == "PAUSED"
    assert [e["EventType"] for e in record.history][-2:] == ["ExecutionPaused", "WaitSucceeded"]
    assert len(record.invocations) == 1
    lam.resume_durable_execution(DurableExecutionArn=arn)
    record = mock.run_durable(arn, until="suspended")
    assert (record.status, len(record.invocations)) == ("RUNNING", 2)
    assert record.callbacks  # the replay went on to the callback


def test_a_pause_during_an_invocation_is_pausing_until_the_next_checkpoint(lam, mock):
    ASK["action"] = "pause"
    deploy(lam, mock, self_pausing)
    arn = start(lam)
    # The checkpoint of the ``ask`` step paused it: the invocation ended there.
    (record,) = mock.durable_executions()
    assert record.status == "PAUSED"
    assert [(op["Name"], op["Status"]) for op in record.operations[1:]] == [("ask", "SUCCEEDED")]
    assert [e["EventType"] for e in record.history] == [
        "ExecutionStarted",
        "StepStarted",
        "StepSucceeded",
        "ExecutionPaused",
        "InvocationCompleted",
    ]
    ASK["action"] = "none"
    lam.resume_durable_execution(DurableExecutionArn=arn)
    execution = lam.get_durable_execution(DurableExecutionArn=arn)
    assert execution["Status"] == "SUCCEEDED"
    # Inside its invocation the execution was PAUSING; the resume invoked it again.
    assert json.loads(execution["Result"]) == {"seen": "PAUSING", "then": "done"}
    assert len(mock.invocations("jobs")) == 2


def test_resuming_a_pausing_execution_cancels_the_pause(lam, mock):
    ASK["action"] = "pause-resume"
    deploy(lam, mock, self_pausing)
    arn = start(lam)
    execution = lam.get_durable_execution(DurableExecutionArn=arn)
    assert json.loads(execution["Result"]) == {"seen": "RUNNING", "then": "done"}
    assert "ExecutionPaused" not in types(lam, arn)
    assert len(mock.invocations("jobs")) == 1


@pytest.mark.parametrize("timeout_paused", [True, False])
def test_execution_timeout_paused_extends_the_timeout_by_the_time_paused(lam, mock, timeout_paused):
    deploy(lam, mock, ExecutionTimeout=3 * 3600)
    arn = start(lam)
    started = lam.get_durable_execution(DurableExecutionArn=arn)["StartTimestamp"]
    mock.advance(3600)  # an hour of the three spent before the pause
    lam.pause_durable_execution(DurableExecutionArn=arn, ExecutionTimeoutPaused=timeout_paused)
    execution = lam.get_durable_execution(DurableExecutionArn=arn)
    assert execution["PauseDetails"]["ExecutionTimeoutPaused"] is timeout_paused
    mock.advance(2 * 86400)
    if not timeout_paused:
        assert status(lam, arn) == "TIMED_OUT"
        return
    execution = lam.get_durable_execution(DurableExecutionArn=arn)
    assert execution["Status"] == "PAUSED"
    assert execution["ExpectedExecutionTimeoutTimestamp"] == started + datetime.timedelta(days=366)
    lam.resume_durable_execution(DurableExecutionArn=arn)
    execution = lam.get_durable_execution(DurableExecutionArn=arn)
    paused_for = datetime.timedelta(days=2)
    expected = started + datetime.timedelta(hours=3) + paused_for
    assert abs(execution["ExpectedExecutionTimeoutTimestamp"] - expected) < datetime.timedelta(seconds=1)
    mock.advance(2 * 3600 + 1)
    assert status(lam, arn) == "TIMED_OUT"


def test_a_paused_execution_still_times_out_366_days_after_it_started(lam, mock):
    deploy(lam, mock, ExecutionTimeout=7200)
    arn = start(lam)  # its hour-long wait is over: it waits for its callback
    lam.pause_durable_execution(DurableExecutionArn=arn)
    mock.advance(366 * 86400 - 3600 - 60)  # a minute short of 366 days after the start
    assert status(lam, arn) == "PAUSED"
    mock.advance(120)
    assert status(lam, arn) == "TIMED_OUT"


def test_stopping_a_paused_execution_ends_it(lam, mock):
    deploy(lam, mock)
    arn = start(lam)
    lam.pause_durable_execution(DurableExecutionArn=arn)
    lam.stop_durable_execution(DurableExecutionArn=arn)
    execution = lam.get_durable_execution(DurableExecutionArn=arn)
    assert execution["Status"] == "STOPPED" and "PauseDetails" not in execution
    assert types(lam, arn)[-2:] == ["ExecutionPaused", "ExecutionStopped"]


def test_invoking_a_paused_executions_name_returns_it_still_paused(lam, mock):
    deploy(lam, mock)
    arn = start(lam, DurableExecutionName="order-1")
    lam.pause_durable_execution(DurableExecutionArn=arn)
    assert start(lam, DurableExecutionName="order-1") == arn
    assert status(lam, arn) == "PAUSED"
    assert len(mock.durable_executions()) == 1


def test_the_pause_reason_is_execution_data(lam, mock):
    deploy(lam, mock)
    arn = start(lam)
    lam.pause_durable_execution(DurableExecutionArn=arn, Reason="secret")
    execution = lam.get_durable_execution(DurableExecutionArn=arn, IncludeExecutionData=False)
    assert "Reason" not in execution["PauseDetails"]
    paused = events(lam, arn, IncludeExecutionData=False)[-1]
    assert paused["ExecutionPausedDetails"]["Reason"] == {"Truncated": True}
    assert mock.durable_executions(status="PAUSED")[0].arn == arn
    listed = lam.list_durable_executions_by_function(FunctionName="jobs", Statuses=["PAUSED"])["DurableExecutions"]
    assert [(e["DurableExecutionArn"], e["Status"]) for e in listed] == [(arn, "PAUSED")]


def test_a_client_token_makes_a_repeated_pause_succeed_without_pausing_again(lam, mock):
    deploy(lam, mock)
    arn = start(lam)
    for _ in range(2):
        lam.pause_durable_execution(DurableExecutionArn=arn, ClientToken="pause-1", Reason="r")
    assert types(lam, arn).count("ExecutionPaused") == 1
    with pytest.raises(ClientError) as excinfo:
        lam.pause_durable_execution(DurableExecutionArn=arn, ClientToken="pause-1", Reason="other")
    assert error_of(excinfo) == (
        400,
        "InvalidParameterValueException",
        "ClientToken pause-1 was already used with different parameters.",
    )
    with pytest.raises(lam.exceptions.ResourceConflictException):  # another token: a real second pause
        lam.pause_durable_execution(DurableExecutionArn=arn, ClientToken="pause-2", Reason="r")
    lam.resume_durable_execution(DurableExecutionArn=arn, ClientToken="resume-1")
    lam.resume_durable_execution(DurableExecutionArn=arn, ClientToken="resume-1")
    assert types(lam, arn).count("ExecutionResumed") == 1


def test_wrong_states_are_409s(lam, mock):
    deploy(lam, mock)
    arn = start(lam)
    with pytest.raises(ClientError) as excinfo:
        lam.resume_durable_execution(DurableExecutionArn=arn)
    assert error_of(excinfo) == (
        409,
        "ResourceConflictException",
        f"Cannot resume durable execution in status RUNNING: {arn}",
    )
    with pytest.raises(ClientError) as excinfo:
        lam.delete_durable_execution(DurableExecutionArn=arn)
    assert error_of(excinfo) == (
        409,
        "ResourceConflictException",
        f"Cannot delete durable execution in status RUNNING: {arn}",
    )
    lam.pause_durable_execution(DurableExecutionArn=arn)
    with pytest.raises(ClientError) as excinfo:
        lam.pause_durable_execution(DurableExecutionArn=arn)
    assert error_of(excinfo) == (
        409,
        "ResourceConflictException",
        f"Cannot pause durable execution in status PAUSED: {arn}",
    )
    lam.stop_durable_execution(DurableExecutionArn=arn)
    for call, action in (
        (lam.pause_durable_execution, "pause"),
        (lam.resume_durable_execution, "resume"),
    ):
        with pytest.raises(ClientError) as excinfo:
            call(DurableExecutionArn=arn)
        assert error_of(excinfo) == (
            409,
            "ResourceConflictException",
            f"Cannot {action} durable execution in status STOPPED: {arn}",
        )


@pytest.mark.parametrize("call", ["pause_durable_execution", "resume_durable_execution", "delete_durable_execution"])
def test_an_unknown_execution_is_a_404(lam, mock, call):
    with pytest.raises(ClientError) as excinfo:
        getattr(lam, call)(DurableExecutionArn=UNKNOWN)
    assert error_of(excinfo) == (404, "ResourceNotFoundException", "The resource you requested does not exist.")


def test_another_account_needs_the_versions_policy_to_pause_and_resume(lam, mock):
    deploy(lam, mock)
    arn = start(lam)
    other = boto3.client(
        "lambda", region_name="us-east-1", aws_access_key_id="222222222222", aws_secret_access_key="secret"
    )
    with pytest.raises(ClientError) as excinfo:
        other.pause_durable_execution(DurableExecutionArn=arn)
    assert error_of(excinfo)[:2] == (403, "AccessDeniedException")
    assert "lambda:PauseDurableExecution" in error_of(excinfo)[2]
    lam.add_permission(
        FunctionName="jobs",
        Qualifier="1",
        StatementId="pause",
        Action="lambda:PauseDurableExecution",
        Principal="222222222222",
    )
    other.pause_durable_execution(DurableExecutionArn=arn)
    with pytest.raises(ClientError) as excinfo:
        other.resume_durable_execution(DurableExecutionArn=arn)
    assert "lambda:ResumeDurableExecution" in error_of(excinfo)[2]
    assert status(lam, arn) == "PAUSED"


# -- delete -------------------------------------------------------------------------------------


@pytest.mark.parametrize("end", ["SUCCEEDED", "STOPPED"])
def test_a_finished_execution_is_deleted_with_its_history(lam, mock, end):
    deploy(lam, mock)
    arn = start(lam)
    if end == "SUCCEEDED":
        lam.send_durable_execution_callback_success(CallbackId=callback(mock, arn), Result=b"1")
    else:
        lam.stop_durable_execution(DurableExecutionArn=arn)
    assert status(lam, arn) == end
    before = mock.now()
    answer = lam.delete_durable_execution(DurableExecutionArn=arn)
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert abs(answer["DeletionRequestTimestamp"] - before) < datetime.timedelta(seconds=1)
    for read in (lam.get_durable_execution, lam.get_durable_execution_history, lam.delete_durable_execution):
        with pytest.raises(ClientError) as excinfo:
            read(DurableExecutionArn=arn)
        assert error_of(excinfo) == (404, "ResourceNotFoundException", "The resource you requested does not exist.")
    assert lam.list_durable_executions_by_function(FunctionName="jobs")["DurableExecutions"] == []
    assert mock.durable_executions() == []


def test_a_deletion_shows_deleting_until_it_runs(lam, mock):
    deploy(lam, mock)
    arn = start(lam, DurableExecutionName="gone")
    lam.stop_durable_execution(DurableExecutionArn=arn)
    mock.set_delivery("manual")
    first = lam.delete_durable_execution(DurableExecutionArn=arn)["DeletionRequestTimestamp"]
    assert status(lam, arn) == "DELETING"
    listed = lam.list_durable_executions_by_function(FunctionName="jobs", Statuses=["DELETING"])["DurableExecutions"]
    assert [e["Status"] for e in listed] == ["DELETING"]
    # Deleting is idempotent: a repeated call answers when the first was accepted.
    assert lam.delete_durable_execution(DurableExecutionArn=arn)["DeletionRequestTimestamp"] == first
    with pytest.raises(lam.exceptions.ResourceConflictException):
        lam.pause_durable_execution(DurableExecutionArn=arn)
    mock.drain()
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.get_durable_execution(DurableExecutionArn=arn)
    # Its name is free again: a new execution starts under it.
    assert start(lam, DurableExecutionName="gone") != arn
