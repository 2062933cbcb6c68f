"""How a durable execution fares when an invocation crashes or answers something that is no SDK output.

Sources, each pinned below:

- AWS Lambda developer guide, "Retries for Lambda durable functions" (durable-execution-sdk-retries),
  section "Backend retries": a runtime error outside the durable handler (out of memory, timeout,
  crash) is retried by Lambda, which replays from the last checkpoint; backend retries use
  exponential backoff and go on until the function succeeds or the execution timeout is reached.
  The delays are not published: the mock's are 1 s, doubling with each crash in a row.
- aws/aws-durable-execution-sdk-python issue 670 ("Emulator retries invalid invocation outputs that
  the service fails immediately", service behaviour verified by AWS's maintainers): an invalid
  invocation output (no or an unknown ``Status``, ``FAILED`` with a ``Result``, ``SUCCEEDED`` with an
  ``Error``, a payload that is no output object) fails the execution at once, without a retry, with
  an error object of type ``InvalidParameterValueException``. Its messages are not published.
"""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from tests.conftest import create, requires_operation

sdk = pytest.importorskip(
    "aws_durable_execution_sdk_python",
    reason="AWS's Durable Execution SDK for Python needs Python 3.11+ (it is in the test extra from there)",
)
pytestmark = requires_operation("CheckpointDurableExecution", since="1.42.1")


@sdk.durable_execution
def one_step(event: Any, context: Any) -> Any:
    return context.step(lambda _: {"done": event.get("n")}, name="work")


def deploy(lam: Any, mock: Any, handler: Any, timeout: int = 30 * 86400) -> None:
    create(lam, "jobs", Runtime="python3.13", DurableConfig={"ExecutionTimeout": timeout})
    lam.publish_version(FunctionName="jobs")
    mock.register_handler("jobs", handler)


def crashing(mock: Any, times: int) -> tuple[Any, list[float]]:
    """A handler that crashes (raises outside the SDK) ``times`` times, then runs :func:`one_step`,
    and the mock-clock moments it was invoked at."""
    moments: list[float] = []

    def handler(event: Any, context: Any) -> Any:
        moments.append(mock.now().timestamp())
        if len(moments) <= times:
            raise RuntimeError("the sandbox went away")
        return one_step(event, context)

    return handler, moments


def invocation_errors(lam: Any, arn: str) -> list[Any]:
    events = lam.get_durable_execution_history(DurableExecutionArn=arn)["Events"]
    return [
        e["InvocationCompletedDetails"].get("Error", {}).get("Payload", {}).get("ErrorType")
        for e in events
        if e["EventType"] == "InvocationCompleted"
    ]


def retry_delays(lam: Any, arn: str) -> list[int]:
    """Seconds from the end of each invocation to the start of the next, on the mock's clock."""
    events = lam.get_durable_execution_history(DurableExecutionArn=arn)["Events"]
    spans = [e["InvocationCompletedDetails"] for e in events if e["EventType"] == "InvocationCompleted"]
    return [round((b["StartTimestamp"] - a["EndTimestamp"]).total_seconds()) for a, b in zip(spans, spans[1:])]


def test_a_crashed_invocation_is_retried_after_a_delay_that_doubles(lam, mock):
    # Developer guide, "Retries for Lambda durable functions", Backend retries: Lambda retries a
    # crash with exponential backoff and the SDK replays. The delays (1 s, 2 s, ...) are the mock's.
    handler, moments = crashing(mock, times=2)
    deploy(lam, mock, handler)
    answer = lam.invoke(FunctionName="jobs", Qualifier="1", Payload=b'{"n": 5}')
    assert "FunctionError" not in answer
    assert json.loads(answer["Payload"].read()) == {"done": 5}
    arn = answer["DurableExecutionArn"]
    assert len(moments) == 3 and retry_delays(lam, arn) == [1, 2]
    assert lam.get_durable_execution(DurableExecutionArn=arn)["Status"] == "SUCCEEDED"
    assert invocation_errors(lam, arn) == ["RuntimeError", "RuntimeError", None]


def test_crashes_are_retried_until_the_execution_timeout(lam, mock):
    # Developer guide, Backend retries: "until the function succeeds or the execution timeout is
    # reached". With the mock's delays, a 60-second timeout sees invocations at about 0, 1, 3, 7, 15
    # and 31 s; the next would be due after the timeout.
    handler, moments = crashing(mock, times=1000)
    deploy(lam, mock, handler, timeout=60)
    arn = lam.invoke(FunctionName="jobs", Qualifier="1", InvocationType="Event", Payload=b"{}")["DurableExecutionArn"]
    execution = lam.get_durable_execution(DurableExecutionArn=arn)
    assert execution["Status"] == "TIMED_OUT"
    assert (execution["EndTimestamp"] - execution["StartTimestamp"]).total_seconds() == 60
    assert len(moments) == 6 and retry_delays(lam, arn) == [1, 2, 4, 8, 16]
    assert invocation_errors(lam, arn) == ["RuntimeError"] * 6


def test_a_crash_in_manual_delivery_waits_for_the_clock(lam, mock):
    handler, moments = crashing(mock, times=1)
    deploy(lam, mock, handler)
    mock.set_delivery("manual")
    arn = lam.invoke(FunctionName="jobs", Qualifier="1", InvocationType="Event", Payload=b"{}")["DurableExecutionArn"]
    assert mock.run_durable(arn, until="suspended").status == "RUNNING"
    assert len(moments) == 1
    mock.advance(1)
    assert mock.run_durable(arn, until="suspended").status == "SUCCEEDED"
    assert len(moments) == 2


@pytest.mark.parametrize(
    "output",
    [
        {"hello": "world"},  # no Status
        {"Status": "DONE"},  # an unknown Status
        {"Status": "SUCCEEDED", "Result": "1", "Error": {"ErrorType": "E", "ErrorMessage": "m"}},
        {"Status": "FAILED", "Result": "1", "Error": {"ErrorType": "E", "ErrorMessage": "m"}},
        "just text",  # no output object at all
    ],
    ids=["no-status", "unknown-status", "succeeded-with-error", "failed-with-result", "not-an-object"],
)
def test_an_invalid_output_fails_the_execution_at_once(lam, mock, output):
    # aws/aws-durable-execution-sdk-python issue 670: no retry, an InvalidParameterValueException
    # error object. The message is the mock's.
    calls: list[Any] = []
    deploy(lam, mock, lambda event, context: calls.append(event) or output)
    answer = lam.invoke(FunctionName="jobs", Qualifier="1", Payload=b"{}")
    execution = lam.get_durable_execution(DurableExecutionArn=answer["DurableExecutionArn"])
    assert execution["Status"] == "FAILED"
    assert execution["Error"]["ErrorType"] == "InvalidParameterValueException"
    assert execution["Error"]["ErrorMessage"].startswith("Invalid invocation output")
    assert len(calls) == 1
    assert answer["FunctionError"] == "Unhandled"
    assert json.loads(answer["Payload"].read())["errorType"] == "InvalidParameterValueException"


def test_pending_while_nothing_is_pending_is_retried_then_fails(lam, mock):
    # aws/aws-durable-execution-sdk-python issue 670: PENDING while the execution has no pending
    # operations is retried, up to 3 consecutive attempts, then fails the execution with an
    # InvalidParameterValueException error object. The delays and the message are the mock's.
    calls: list[Any] = []
    deploy(lam, mock, lambda event, context: calls.append(mock.now().timestamp()) or {"Status": "PENDING"})
    arn = lam.invoke(FunctionName="jobs", Qualifier="1", InvocationType="Event", Payload=b"{}")["DurableExecutionArn"]
    execution = lam.get_durable_execution(DurableExecutionArn=arn)
    assert execution["Status"] == "FAILED"
    assert execution["Error"] == {
        "ErrorType": "InvalidParameterValueException",
        "ErrorMessage": "Invalid invocation output: Status is PENDING but the execution has no pending operations.",
    }
    assert len(calls) == 4 and retry_delays(lam, arn) == [1, 2, 4]


def test_pending_with_nothing_pending_recovers_on_a_retry(lam, mock):
    outputs = iter([{"Status": "PENDING"}, {"Status": "SUCCEEDED", "Result": '"late"'}])
    deploy(lam, mock, lambda event, context: next(outputs))
    answer = lam.invoke(FunctionName="jobs", Qualifier="1", Payload=b"{}")
    assert json.loads(answer["Payload"].read()) == "late"
    assert len(mock.invocations("jobs")) == 2


def test_a_stale_checkpoint_token_ends_the_invocation_and_lambda_retries_it(lam, mock):
    # The service's text for a stale token is exactly "Invalid checkpoint token"
    # (aws/aws-durable-execution-sdk-python issue 721, quoting the service's constant); the SDK
    # treats it as an invocation error, so the invocation ends and Lambda retries it (developer
    # guide, Backend retries: "invalid checkpoint token").
    seen: list[str] = []

    def superseded(event: Any, context: Any) -> Any:
        if not seen:  # another checkpoint with this token first: the SDK's copy of it is now stale
            client = boto3.client("lambda", region_name="us-east-1")
            client.checkpoint_durable_execution(
                DurableExecutionArn=event["DurableExecutionArn"], CheckpointToken=event["CheckpointToken"], Updates=[]
            )
        seen.append(event["CheckpointToken"])
        return one_step(event, context)

    deploy(lam, mock, superseded)
    answer = lam.invoke(FunctionName="jobs", Qualifier="1", Payload=b'{"n": 1}')
    assert json.loads(answer["Payload"].read()) == {"done": 1}
    assert len(seen) == 2
    errors = invocation_errors(lam, answer["DurableExecutionArn"])
    assert errors == ["CheckpointError", None]  # the SDK raised its CheckpointError: the invocation failed
