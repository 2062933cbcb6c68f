"""Real handlers written with AWS's Durable Execution SDK for Python, run by the mock as Lambda runs them.

The handler gets the durable invocation input (execution ARN, checkpoint token, the operations so
far); the SDK's own boto3 client checkpoints through the mock's ``CheckpointDurableExecution``;
waits, retries and callbacks suspend the execution, and the mock invokes it again when they are
done, on the version the execution started on. Waits of days take no real time: the scheduler
skips idle time on the mock's clock.

Sources: AWS Lambda developer guide, "Durable functions" (execution names and idempotency,
invoking with a qualified ARN, execution timeout, callbacks with timeouts and heartbeats, chained
invokes); the Lambda API reference for the durable operations (``/2025-12-01/``); the event types
of the API model's ``Event`` shape and AWS's testing SDK's emulator for the history's order.
"""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from mock_lambda_alias import package
from tests.conftest import ROLE, error_of, requires_operation

pytest.importorskip(
    "aws_durable_execution_sdk_python",
    reason="AWS's Durable Execution SDK for Python needs Python 3.11+ (it is in the test extra from there)",
)
pytestmark = requires_operation("CheckpointDurableExecution", since="1.42.1")


HEADER = """
import json

from aws_durable_execution_sdk_python import DurableContext, durable_execution
from aws_durable_execution_sdk_python.config import CallbackConfig, Duration, StepConfig
from aws_durable_execution_sdk_python.retries import RetryStrategyConfig, create_retry_strategy
"""

WORKFLOW = (
    HEADER
    + """
@durable_execution
def handler(event, context: DurableContext):
    order = context.step(lambda _: {"order": event["order"], "charged": True}, name="charge")
    context.wait(Duration.from_days(7), name="cooling-off")
    callback = context.create_callback(name="approval", config=CallbackConfig(timeout=Duration.from_days(10)))
    approval = json.loads(callback.result())  # a callback's result comes as the text it was sent
    return context.step(lambda _: {**order, "approved_by": approval["by"], "version": VERSION}, name="ship")
"""
)


def deploy(lam: Any, name: str, source: str, durable: dict | None = None, versions: int = 1) -> None:
    """A durable function with ``versions`` published versions (VERSION = "v<n>" in each)."""
    lam.create_function(
        FunctionName=name,
        Runtime="python3.13",
        Role=ROLE,
        Handler="app.handler",
        Code={"ZipFile": package({"app.py": source + '\nVERSION = "v1"\n'})},
        DurableConfig=durable or {"ExecutionTimeout": 30 * 86400},
    )
    for n in range(1, versions + 1):
        if n > 1:
            lam.update_function_code(FunctionName=name, ZipFile=package({"app.py": source + f'\nVERSION = "v{n}"\n'}))
        lam.publish_version(FunctionName=name)


def start(lam: Any, name: str, payload: Any, qualifier: str = "1", **kwargs: Any) -> str:
    answer = lam.invoke(
        FunctionName=name, Qualifier=qualifier, InvocationType="Event", Payload=json.dumps(payload), **kwargs
    )
    assert answer["StatusCode"] == 202
    return answer["DurableExecutionArn"]


def callback_of(mock: Any, arn: str, name: str) -> str:
    (record,) = [r for r in mock.durable_executions() if r.arn == arn]
    return record.callbacks[name]


def history(lam: Any, arn: str) -> list[tuple[str, str | None]]:
    events = lam.get_durable_execution_history(DurableExecutionArn=arn)["Events"]
    assert [e["EventId"] for e in events] == list(range(1, len(events) + 1))
    return [(e["EventType"], e.get("Name")) for e in events]


def test_step_wait_seven_days_callback_step_completes_with_the_history_aws_writes(lam, mock):
    deploy(lam, "orders", WORKFLOW)
    started_at = mock.now()
    arn = start(lam, "orders", {"order": 7}, DurableExecutionName="order-7")

    # The week passed on the mock's clock; the execution now waits for its approval.
    assert lam.get_durable_execution(DurableExecutionArn=arn)["Status"] == "RUNNING"
    assert (mock.now() - started_at).days == 7
    callback_id = callback_of(mock, arn, "approval")
    lam.send_durable_execution_callback_success(CallbackId=callback_id, Result=json.dumps({"by": "ana"}))

    execution = lam.get_durable_execution(DurableExecutionArn=arn)
    assert execution["Status"] == "SUCCEEDED"
    assert json.loads(execution["Result"]) == {"order": 7, "charged": True, "approved_by": "ana", "version": "v1"}
    assert history(lam, arn) == [
        ("ExecutionStarted", "order-7"),
        ("StepStarted", "charge"),
        ("StepSucceeded", "charge"),
        ("WaitStarted", "cooling-off"),
        ("InvocationCompleted", None),
        ("WaitSucceeded", "cooling-off"),
        ("CallbackStarted", "approval"),
        ("InvocationCompleted", None),
        ("CallbackSucceeded", "approval"),
        ("StepStarted", "ship"),
        ("StepSucceeded", "ship"),
        ("InvocationCompleted", None),
        ("ExecutionSucceeded", "order-7"),
    ]
    events = lam.get_durable_execution_history(DurableExecutionArn=arn)["Events"]
    wait = events[3]
    assert (wait["SubType"], wait["WaitStartedDetails"]["Duration"]) == ("Wait", 7 * 86400)
    assert events[5]["EventTimestamp"] - wait["EventTimestamp"] >= datetime.timedelta(days=7)
    assert events[6]["CallbackStartedDetails"] == {"CallbackId": callback_id, "Timeout": 10 * 86400}
    step = events[2]["StepSucceededDetails"]
    assert step["RetryDetails"] == {"CurrentAttempt": 1, "NextAttemptDelaySeconds": 0}
    assert step["Result"]["Truncated"] is False
    assert "charged" in step["Result"]["Payload"]  # the SDK's own encoding of the step's result


def test_history_hides_payloads_unless_asked(lam, mock):
    deploy(lam, "orders", WORKFLOW)
    arn = start(lam, "orders", {"order": 1})
    events = lam.get_durable_execution_history(DurableExecutionArn=arn, IncludeExecutionData=False)["Events"]
    assert events[0]["ExecutionStartedDetails"] == {"Input": {"Truncated": True}, "ExecutionTimeout": 30 * 86400}
    assert events[2]["StepSucceededDetails"]["Result"] == {"Truncated": True}


def test_an_execution_started_through_an_alias_replays_on_its_version_after_the_alias_moves(lam, mock):
    deploy(lam, "orders", WORKFLOW, versions=2)
    lam.create_alias(FunctionName="orders", Name="PROD", FunctionVersion="1")
    old = start(lam, "orders", {"order": 1}, qualifier="PROD")
    lam.update_alias(FunctionName="orders", Name="PROD", FunctionVersion="2")
    new = start(lam, "orders", {"order": 2}, qualifier="PROD")

    assert ":function:orders:1/durable-execution/" in old and ":function:orders:2/durable-execution/" in new
    for arn in (old, new):
        lam.send_durable_execution_callback_success(
            CallbackId=callback_of(mock, arn, "approval"), Result=b'{"by": "x"}'
        )

    results = {
        arn: json.loads(lam.get_durable_execution(DurableExecutionArn=arn)["Result"])["version"] for arn in (old, new)
    }
    assert results == {old: "v1", new: "v2"}
    ran = {
        r.arn: {i.executed_version for i in mock.invocations("orders") if i.request_id in r.invocations}
        for r in mock.durable_executions()
    }
    assert ran == {old: {"1"}, new: {"2"}}
    assert [len(r.invocations) for r in mock.durable_executions()] == [3, 3]
    assert lam.get_durable_execution(DurableExecutionArn=old)["Version"] == "1"


def test_a_synchronous_invoke_waits_for_the_whole_execution(lam, mock):
    source = (
        HEADER
        + """
@durable_execution
def handler(event, context: DurableContext):
    first = context.step(lambda _: event["n"] + 1, name="add")
    context.wait(Duration.from_hours(3))
    return {"n": context.step(lambda _: first * 10, name="times-ten"), "version": VERSION}
"""
    )
    deploy(lam, "calc", source)
    answer = lam.invoke(FunctionName="calc", Qualifier="1", Payload=b'{"n": 4}')
    assert answer["StatusCode"] == 200 and answer["ExecutedVersion"] == "1"
    assert json.loads(answer["Payload"].read()) == {"n": 50, "version": "v1"}
    assert answer["DurableExecutionArn"].startswith(
        "arn:aws:lambda:us-east-1:123456789012:function:calc:1/durable-execution/"
    )
    # Without a name, Lambda names the execution itself: the name is the execution id.
    _, name, execution_id = answer["DurableExecutionArn"].rsplit("/", 2)
    assert name == execution_id


def test_a_durable_function_refuses_an_unqualified_invoke(lam, mock):
    deploy(lam, "calc", WORKFLOW)
    with pytest.raises(ClientError) as excinfo:
        lam.invoke(FunctionName="calc", Payload=b"{}")
    assert error_of(excinfo) == (
        400,
        "InvalidParameterValueException",
        "You cannot invoke a durable function using an unqualified ARN.",
    )
    assert lam.invoke(FunctionName="calc:$LATEST", InvocationType="Event")["StatusCode"] == 202


def test_an_execution_name_joins_with_the_same_input_and_conflicts_with_another(lam, mock):
    # Developer guide, "Idempotency" (scenarios 3 and 4) and API reference, Invoke
    # (DurableExecutionAlreadyStartedException, HTTP 409). The exception's text is the mock's.
    deploy(lam, "orders", WORKFLOW)
    first = start(lam, "orders", {"order": 1}, DurableExecutionName="once")
    again = start(lam, "orders", {"order": 1}, DurableExecutionName="once")
    assert again == first
    with pytest.raises(lam.exceptions.DurableExecutionAlreadyStartedException) as excinfo:
        start(lam, "orders", {"order": 2}, DurableExecutionName="once")
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409
    assert len(mock.durable_executions("orders")) == 1


@pytest.mark.parametrize(
    ("answer", "status", "error_type"),
    [
        ("fail", "FAILED", "CallbackExternalError"),
        ("timeout", "FAILED", "CallbackTimeoutError"),
    ],
)
def test_a_callback_that_fails_or_times_out_fails_the_step_waiting_for_it(lam, mock, answer, status, error_type):
    deploy(lam, "orders", WORKFLOW)
    arn = start(lam, "orders", {"order": 1})
    callback_id = callback_of(mock, arn, "approval")
    if answer == "fail":
        lam.send_durable_execution_callback_failure(
            CallbackId=callback_id, Error={"ErrorType": "Rejected", "ErrorMessage": "no stock"}
        )
    else:
        mock.advance(10 * 86400 + 1)
        with pytest.raises(lam.exceptions.CallbackTimeoutException) as excinfo:
            lam.send_durable_execution_callback_success(CallbackId=callback_id, Result=b"{}")
        # API reference, SendDurableExecutionCallbackSuccess: HTTP 400 (AWS's testing library's
        # emulator answers 408; the API reference and botocore's model say 400). Text: the mock's.
        assert error_of(excinfo)[:2] == (400, "CallbackTimeoutException")
    record = mock.run_durable(arn, until="done")
    assert record.status == status
    assert record.error is not None and error_type in record.error["ErrorType"]
    kind = "CallbackFailed" if answer == "fail" else "CallbackTimedOut"
    assert kind in [e["EventType"] for e in record.history]


HEARTBEAT = (
    HEADER
    + """
@durable_execution
def handler(event, context: DurableContext):
    config = CallbackConfig(timeout=Duration.from_hours(2), heartbeat_timeout=Duration.from_minutes(10))
    return json.loads(context.create_callback(name="job", config=config).result())
"""
)


@pytest.mark.parametrize("beat", [True, False])
def test_heartbeats_keep_a_callback_alive_on_the_mocks_clock(lam, mock, beat):
    deploy(lam, "jobs", HEARTBEAT)
    arn = start(lam, "jobs", {})
    callback_id = callback_of(mock, arn, "job")
    for _ in range(3):
        mock.advance(8 * 60)
        if beat:
            lam.send_durable_execution_callback_heartbeat(CallbackId=callback_id)
    if beat:
        lam.send_durable_execution_callback_success(CallbackId=callback_id, Result=b'"done"')
        assert mock.run_durable(arn).result == "done"
    else:
        with pytest.raises(lam.exceptions.CallbackTimeoutException):
            lam.send_durable_execution_callback_heartbeat(CallbackId=callback_id)
        record = mock.run_durable(arn)
        assert record.status == "FAILED"
        (timed_out,) = [e for e in record.history if e["EventType"] == "CallbackTimedOut"]
        assert timed_out["CallbackTimedOutDetails"]["Error"]["Payload"]["ErrorType"] == "Callback.Heartbeat"


def test_stop_ends_a_suspended_execution_and_its_callbacks(lam, mock):
    deploy(lam, "orders", WORKFLOW)
    arn = start(lam, "orders", {"order": 1})
    callback_id = callback_of(mock, arn, "approval")
    stopped = lam.stop_durable_execution(
        DurableExecutionArn=arn, Error={"ErrorType": "Cancelled", "ErrorMessage": "customer left"}
    )
    execution = lam.get_durable_execution(DurableExecutionArn=arn)
    assert execution["Status"] == "STOPPED" and execution["EndTimestamp"] == stopped["StopTimestamp"]
    assert execution["Error"] == {"ErrorType": "Cancelled", "ErrorMessage": "customer left"}
    assert history(lam, arn)[-1] == ("ExecutionStopped", execution["DurableExecutionName"])
    # API reference, CallbackTimeoutException: the callback "has already been closed" (HTTP 400).
    with pytest.raises(lam.exceptions.CallbackTimeoutException) as excinfo:
        lam.send_durable_execution_callback_success(CallbackId=callback_id, Result=b"{}")
    assert error_of(excinfo)[:2] == (400, "CallbackTimeoutException")
    invocations = len(mock.invocations("orders"))
    mock.drain()
    assert len(mock.invocations("orders")) == invocations  # nothing runs a stopped execution again


def test_the_execution_timeout_ends_a_waiting_execution(lam, mock):
    deploy(lam, "orders", WORKFLOW, durable={"ExecutionTimeout": 3600})
    arn = start(lam, "orders", {"order": 1})
    execution = lam.get_durable_execution(DurableExecutionArn=arn)
    assert execution["Status"] == "TIMED_OUT"
    assert execution["EndTimestamp"] - execution["StartTimestamp"] == datetime.timedelta(hours=1)
    assert execution["Error"] == {"ErrorMessage": "Execution timed out after 3600 seconds."}


FAN_OUT = (
    HEADER
    + """
@durable_execution
def handler(event, context: DurableContext):
    square = lambda ctx, item, index, items: ctx.step(lambda _: item * item)  # noqa: E731
    squares = context.map(event["items"], square, name="squares")
    pair = context.parallel(
        [lambda ctx: ctx.step(lambda _: "left"), lambda ctx: ctx.step(lambda _: "right")], name="both"
    )

    def nested(child: DurableContext):
        child.wait(Duration.from_minutes(5))
        return child.step(lambda _: "inner")

    inner = context.run_in_child_context(nested, name="child")
    return {"squares": squares.get_results(), "pair": pair.get_results(), "inner": inner}
"""
)


def test_map_parallel_and_child_contexts_complete(lam, mock):
    deploy(lam, "fan", FAN_OUT)
    answer = lam.invoke(FunctionName="fan", Qualifier="1", Payload=b'{"items": [1, 2, 3]}')
    assert json.loads(answer["Payload"].read()) == {"squares": [1, 4, 9], "pair": ["left", "right"], "inner": "inner"}
    subtypes = {e.get("SubType") for e in mock.run_durable(answer["DurableExecutionArn"]).history}
    assert {"Map", "MapIteration", "Parallel", "ParallelBranch", "RunInChildContext", "Step", "Wait"} <= subtypes


CALLER = (
    HEADER
    + """
@durable_execution
def handler(event, context: DurableContext):
    plain = context.invoke("pricer:1", {"sku": event["sku"]}, name="price")
    durable = context.invoke("stock:1", {"sku": event["sku"]}, name="stock")
    return {"price": plain["price"], "stock": durable}
"""
)
STOCK = (
    HEADER
    + """
@durable_execution
def handler(event, context: DurableContext):
    context.wait(Duration.from_hours(1))
    return context.step(lambda _: {"sku": event["sku"], "count": 3})
"""
)


def test_a_chained_invoke_of_a_plain_and_of_a_durable_function_completes(lam, mock):
    deploy(lam, "caller", CALLER)
    deploy(lam, "stock", STOCK)
    pricer = "def handler(event, context):\n    return {'price': 12, 'sku': event['sku']}\n"
    lam.create_function(
        FunctionName="pricer", Runtime="python3.13", Role=ROLE, Handler="app.handler",
        Code={"ZipFile": package({"app.py": pricer})},
    )  # fmt: skip
    lam.publish_version(FunctionName="pricer")

    answer = lam.invoke(FunctionName="caller", Qualifier="1", Payload=b'{"sku": "a1"}')
    assert json.loads(answer["Payload"].read()) == {"price": 12, "stock": {"sku": "a1", "count": 3}}
    events = mock.run_durable(answer["DurableExecutionArn"]).history
    started = [e["ChainedInvokeStartedDetails"] for e in events if e["EventType"] == "ChainedInvokeStarted"]
    assert [s["FunctionName"] for s in started] == ["pricer:1", "stock:1"]
    (child,) = mock.durable_executions("stock")
    assert started[1]["DurableExecutionArn"] == child.arn and child.status == "SUCCEEDED"
    assert [e["EventType"] for e in events].count("ChainedInvokeSucceeded") == 2


def test_manual_delivery_steps_an_execution_through_its_waits(lam, mock):
    deploy(lam, "orders", WORKFLOW)
    mock.set_delivery("manual")
    arn = start(lam, "orders", {"order": 1})
    assert mock.run_durable(arn, until="suspended").operations[-1]["Type"] == "WAIT"
    mock.advance(86400)
    assert mock.run_durable(arn, until="suspended").operations[-1]["Type"] == "WAIT"  # 6 days to go
    record = mock.run_durable(arn, until="done")  # skips to the wait's end, then to the callback's timeout
    assert record.status == "FAILED"
    assert [op["Type"] for op in record.operations] == ["EXECUTION", "STEP", "WAIT", "CALLBACK"]


RETRYING = (
    HEADER
    + """
ATTEMPTS = []

def flaky(_):
    ATTEMPTS.append(1)
    if len(ATTEMPTS) < 3:
        raise RuntimeError("not yet")
    return len(ATTEMPTS)

@durable_execution
def handler(event, context: DurableContext):
    retry = create_retry_strategy(RetryStrategyConfig(max_attempts=5))
    return context.step(flaky, name="flaky", config=StepConfig(retry_strategy=retry))
"""
)


def test_a_step_retries_on_the_mocks_clock(lam, mock):
    deploy(lam, "flaky", RETRYING)
    answer = lam.invoke(FunctionName="flaky", Qualifier="1", Payload=b"{}")
    assert json.loads(answer["Payload"].read()) == 3
    events = mock.run_durable(answer["DurableExecutionArn"]).history
    retries = [e["StepFailedDetails"]["RetryDetails"] for e in events if e["EventType"] == "StepFailed"]
    assert [r["CurrentAttempt"] for r in retries] == [1, 2]
    assert all(r["NextAttemptDelaySeconds"] >= 1 for r in retries)


POLLING = (
    HEADER
    + """
from aws_durable_execution_sdk_python.waits import WaitForConditionConfig, WaitForConditionDecision

SUBMITTED = []

@durable_execution
def handler(event, context: DurableContext):
    def submit(callback_id, _context):
        SUBMITTED.append(callback_id)  # e.g. a message to the system that will answer

    answer = json.loads(context.wait_for_callback(submit, name="ticket"))

    def strategy(state, attempts):
        if state >= 3:
            return WaitForConditionDecision.stop_polling()
        return WaitForConditionDecision.continue_waiting(Duration.from_minutes(30))

    polled = context.wait_for_condition(
        lambda state, _ctx: state + 1, WaitForConditionConfig(wait_strategy=strategy, initial_state=0), name="poll"
    )
    return {"answer": answer, "polled": polled}
"""
)


def test_wait_for_callback_and_wait_for_condition_complete(lam, mock):
    deploy(lam, "poller", POLLING)
    started = mock.now()
    arn = start(lam, "poller", {})
    (record,) = mock.durable_executions("poller")
    (callback_id,) = record.callbacks.values()
    lam.send_durable_execution_callback_success(CallbackId=callback_id, Result=b'{"ok": true}')

    record = mock.run_durable(arn)
    assert (record.status, record.result) == ("SUCCEEDED", {"answer": {"ok": True}, "polled": 3})
    assert mock.now() - started >= datetime.timedelta(hours=1)  # two polls 30 minutes apart
    subtypes = [e.get("SubType") for e in record.history if e["EventType"] == "StepSucceeded"]
    assert subtypes.count("WaitForCondition") == 3


def test_a_finished_execution_is_joined_by_its_name_and_input(lam, mock):
    # Developer guide, "Idempotency" (scenarios 5 and 6): a closed execution's name with the same
    # payload returns it and its result; with another payload it is DurableExecutionAlreadyStarted.
    source = (
        HEADER
        + """
@durable_execution
def handler(event, context: DurableContext):
    return context.step(lambda _: event["n"] * 2, name="double")
"""
    )
    deploy(lam, "double", source)
    first = lam.invoke(FunctionName="double", Qualifier="1", Payload=b'{"n": 2}', DurableExecutionName="d")
    again = lam.invoke(FunctionName="double", Qualifier="1", Payload=b'{"n": 2}', DurableExecutionName="d")
    assert again["DurableExecutionArn"] == first["DurableExecutionArn"]
    assert json.loads(first["Payload"].read()) == json.loads(again["Payload"].read()) == 4
    assert mock.count_invocations("double") == 1  # the second answer is the execution's, nothing ran
    with pytest.raises(lam.exceptions.DurableExecutionAlreadyStartedException):
        lam.invoke(FunctionName="double", Qualifier="1", Payload=b'{"n": 3}', DurableExecutionName="d")


def test_background_delivery_runs_an_execution_on_the_mocks_thread(lam, mock):
    deploy(lam, "orders", WORKFLOW)
    mock.set_delivery("background")
    arn = start(lam, "orders", {"order": 5})
    mock.drain(timeout=60)
    (record,) = mock.durable_executions("orders")
    assert record.arn == arn and "approval" in record.callbacks
    lam.send_durable_execution_callback_success(CallbackId=record.callbacks["approval"], Result=b'{"by": "bo"}')
    mock.drain(timeout=60)
    assert mock.run_durable(arn).result["approved_by"] == "bo"


def test_manual_delivery_lists_the_executions_pending_work(lam, mock):
    deploy(lam, "orders", WORKFLOW)
    mock.set_delivery("manual")
    start(lam, "orders", {"order": 1}, DurableExecutionName="order-1")
    assert [w.split(" at ")[0] for w in mock.pending_work()] == ["durable replay of orders:1 (order-1)"]
    mock.run_durable(mock.durable_executions()[0].arn, until="suspended")
    assert [w.split(" at ")[0] for w in mock.pending_work()] == ["durable wait cooling-off of orders:1 (order-1)"]


SELF_ANSWERING = (
    HEADER
    + """
import boto3

@durable_execution
def handler(event, context: DurableContext):
    def submit(callback_id, _context):
        # The system the callback id goes to answers at once, while this invocation still runs.
        boto3.client("lambda").send_durable_execution_callback_success(CallbackId=callback_id, Result=b'"fast"')

    return {"answer": json.loads(context.wait_for_callback(submit, name="instant"))}
"""
)


def test_a_callback_answered_while_its_handler_runs_is_seen_by_the_next_replay(lam, mock):
    deploy(lam, "instant", SELF_ANSWERING)
    answer = lam.invoke(FunctionName="instant", Qualifier="1", Payload=b"{}")
    assert json.loads(answer["Payload"].read()) == {"answer": "fast"}
    (record,) = mock.durable_executions("instant")
    assert record.status == "SUCCEEDED"
    assert [e["EventType"] for e in record.history].count("CallbackSucceeded") == 1


def test_a_failed_execution_answers_a_synchronous_invoke_with_its_error(lam, mock):
    # Not recorded against AWS: the answer's shape (FunctionError and Lambda's error payload from
    # the execution's error) is the mock's choice.
    source = (
        HEADER
        + """
@durable_execution
def handler(event, context: DurableContext):
    raise ValueError("no such order")
"""
    )
    deploy(lam, "broken", source)
    answer = lam.invoke(FunctionName="broken", Qualifier="1", Payload=b"{}")
    assert answer["FunctionError"] == "Unhandled"
    assert json.loads(answer["Payload"].read()) == {"errorType": "ValueError", "errorMessage": "no such order"}
    execution = lam.get_durable_execution(DurableExecutionArn=answer["DurableExecutionArn"])
    assert execution["Status"] == "FAILED"
    assert (execution["Error"]["ErrorType"], execution["Error"]["ErrorMessage"]) == ("ValueError", "no such order")
