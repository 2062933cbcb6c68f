"""Execution histories AWS's durable execution conformance suite expects of real Lambda, on the mock.

Source: aws/aws-durable-execution-conformance-tests,
``packages/aws-durable-execution-conformance-tests/test-requirements/<suite>/<id>.yaml``. Its runner
deploys a handler per requirement to a real AWS account, invokes it and checks the execution's
status and its ``GetDurableExecutionHistory``: events are matched by ``EventId`` and the fields a
requirement lists must be equal (``ANY`` below stands for its ``'*'`` and ``{}``: any value), other
events and fields are not compared. Only the facts are taken: the handlers here are the mock's
own, written from each requirement's description, and the expectations keep only what the
requirement lists (event 1 is ``ExecutionStarted``, which no requirement lists).
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from typing import Any, Callable

import pytest

from tests.conftest import create, requires_operation

sdk = pytest.importorskip(
    "aws_durable_execution_sdk_python",
    reason="AWS's Durable Execution SDK for Python needs Python 3.11+ (it is in the test extra from there)",
)
pytestmark = requires_operation("CheckpointDurableExecution", since="1.42.1")
config = pytest.importorskip("aws_durable_execution_sdk_python.config")
retries = pytest.importorskip("aws_durable_execution_sdk_python.retries")
waits = pytest.importorskip("aws_durable_execution_sdk_python.waits")

#: Any value (the requirements' ``'*'`` and ``{}``).
ANY: Any = object()


def matches(expected: Any, actual: Any) -> bool:
    if expected is ANY:
        return True
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(k in actual and matches(v, actual[k]) for k, v in expected.items())
    return bool(expected == actual)


def event(event_id: int, event_type: str, **fields: Any) -> dict[str, Any]:
    return {"EventId": event_id, "EventType": event_type, **fields}


def invocation_completed(event_id: int) -> dict[str, Any]:
    return event(event_id, "InvocationCompleted", InvocationCompletedDetails=ANY)


def retry_strategy(attempts: int) -> Any:
    return retries.create_retry_strategy(retries.RetryStrategyConfig(max_attempts=attempts))


def crash() -> None:
    """End the invocation as a crashed runtime does (``Runtime.ExitError``)."""
    sys.exit(1)


@dataclass
class Requirement:
    #: ``<suite>/<id>`` of the requirement file.
    source: str
    #: Makes the handler; it gets the list its side effects count in.
    handler: Callable[[list[Any]], Any]
    status: str
    history: list[dict[str, Any]]
    payload: Any = "in-put"
    #: What the external system does once the execution waits: (operation, arguments) per callback.
    callback: tuple[str, dict[str, Any]] | None = None
    targets: dict[str, Any] = field(default_factory=dict)


def failing_once(seen: list[Any]) -> Any:
    @sdk.durable_execution
    def handler(event: Any, context: Any) -> Any:
        def unreliable(_: Any) -> str:
            seen.append("attempt")
            if len(seen) == 1:
                raise RuntimeError("first attempt fails")
            return "Operation succeeded"

        return context.step(unreliable, config=config.StepConfig(retry_strategy=retry_strategy(3)))

    return handler


def at_most_once(attempts: int) -> Callable[[list[Any]], Any]:
    def make(seen: list[Any]) -> Any:
        @sdk.durable_execution
        def handler(event: Any, context: Any) -> Any:
            def flaky(_: Any) -> str:
                seen.append("attempt")
                if len(seen) == 1:
                    crash()
                return "succeeded on second attempt"

            semantics = config.StepSemantics.AT_MOST_ONCE_PER_RETRY
            step = config.StepConfig(step_semantics=semantics, retry_strategy=retry_strategy(attempts))
            return context.step(flaky, name="at_most_once_flaky_step", config=step)

        return handler

    return make


def waiting(seen: list[Any]) -> Any:
    @sdk.durable_execution
    def handler(event: Any, context: Any) -> Any:
        context.wait(config.Duration.from_seconds(2))
        return "waited"

    return handler


def calling_back(**options: Any) -> Callable[[list[Any]], Any]:
    def make(seen: list[Any]) -> Any:
        @sdk.durable_execution
        def handler(event: Any, context: Any) -> Any:
            return context.create_callback(name=event, config=config.CallbackConfig(**options)).result()

        return handler

    return make


def calling_back_around_a_wait(**options: Any) -> Callable[[list[Any]], Any]:
    def make(seen: list[Any]) -> Any:
        @sdk.durable_execution
        def handler(event: Any, context: Any) -> Any:
            callback = context.create_callback(name=event, config=config.CallbackConfig(**options))
            context.wait(config.Duration.from_seconds(6 if options else 5))
            return callback.result()

        return handler

    return make


def waiting_for_callback(seen: list[Any]) -> Any:
    @sdk.durable_execution
    def handler(event: Any, context: Any) -> Any:
        options = config.WaitForCallbackConfig(timeout=config.Duration.from_seconds(3))
        return context.wait_for_callback(lambda callback_id, _: seen.append(callback_id), name=event, config=options)

    return handler


def polling_in_vain(seen: list[Any]) -> Any:
    @sdk.durable_execution
    def handler(event: Any, context: Any) -> Any:
        strategy = waits.create_wait_strategy(
            waits.WaitStrategyConfig(
                should_continue_polling=lambda _: True,
                max_attempts=3,
                initial_delay=config.Duration.from_seconds(1),
                backoff_rate=1,
                jitter_strategy=waits.JitterStrategy.NONE,
            )
        )
        check = waits.WaitForConditionConfig(wait_strategy=strategy, initial_state=0)
        return context.wait_for_condition(lambda state, _: state + 1, config=check)

    return handler


def invoking(target: str) -> Callable[[list[Any]], Any]:
    def make(seen: list[Any]) -> Any:
        @sdk.durable_execution
        def handler(event: Any, context: Any) -> Any:
            return context.invoke(f"{target}:$LATEST", event)

        return handler

    return make


@sdk.durable_execution
def echo(event: Any, context: Any) -> Any:
    return event


@sdk.durable_execution
def throwing(event: Any, context: Any) -> Any:
    raise ValueError("boom")


STEP_STARTED = {"SubType": "Step", "StepStartedDetails": ANY}
EXIT_ERROR = {"Error": {"Payload": {"ErrorType": "Runtime.ExitError", "ErrorMessage": ANY}}}
CALLBACK = {"SubType": "Callback", "Name": "in-put"}

REQUIREMENTS = [
    Requirement(
        "step/1-11",  # a step that fails once and is retried on the service's timer
        failing_once,
        "SUCCEEDED",
        [
            event(2, "StepStarted", **STEP_STARTED),
            event(3, "StepFailed", StepFailedDetails={"RetryDetails": {"CurrentAttempt": 1}}),
            invocation_completed(4),
            event(5, "StepStarted", **STEP_STARTED),
            event(6, "StepSucceeded", StepSucceededDetails={"RetryDetails": {"CurrentAttempt": 2}}),
            invocation_completed(7),
        ],
    ),
    Requirement(
        "step/1-17",  # the runtime crashes inside an at-most-once step: Lambda invokes again
        at_most_once(attempts=1),
        "FAILED",
        [
            event(2, "StepStarted", Name="at_most_once_flaky_step", **STEP_STARTED),
            event(3, "InvocationCompleted", InvocationCompletedDetails=EXIT_ERROR),
            event(4, "StepFailed", StepFailedDetails={"Error": ANY, "RetryDetails": {"CurrentAttempt": 1}}),
            invocation_completed(5),
        ],
    ),
    Requirement(
        "step/1-18",
        at_most_once(attempts=3),
        "SUCCEEDED",
        [
            event(2, "StepStarted", **STEP_STARTED),
            event(3, "InvocationCompleted", InvocationCompletedDetails=EXIT_ERROR),
            event(4, "StepFailed", StepFailedDetails={"RetryDetails": {"CurrentAttempt": 1}}),
            invocation_completed(5),
            event(6, "StepStarted", **STEP_STARTED),
            event(
                7,
                "StepSucceeded",
                StepSucceededDetails={
                    "Result": {"Payload": '"succeeded on second attempt"', "Truncated": False},
                    "RetryDetails": {"CurrentAttempt": 2},
                },
            ),
            invocation_completed(8),
        ],
    ),
    Requirement(
        "wait/2-1",
        waiting,
        "SUCCEEDED",
        [
            event(2, "WaitStarted", SubType="Wait", WaitStartedDetails={"Duration": 2}),
            invocation_completed(3),
            event(4, "WaitSucceeded", SubType="Wait", WaitSucceededDetails={"Duration": 2}),
            invocation_completed(5),
        ],
    ),
    Requirement(
        "callback/4-3",  # nobody answers: the callback's own timeout fails it
        calling_back(timeout=config.Duration.from_seconds(5)),
        "FAILED",
        [
            event(2, "CallbackStarted", **CALLBACK, CallbackStartedDetails={"CallbackId": ANY, "Timeout": 5}),
            invocation_completed(3),
            event(
                4,
                "CallbackTimedOut",
                **CALLBACK,
                CallbackTimedOutDetails={"Error": {"Payload": {"ErrorType": "Callback.Timeout"}}},
            ),
            invocation_completed(5),
            event(6, "ExecutionFailed", ExecutionFailedDetails={"Error": {"Payload": {"ErrorType": ANY}}}),
        ],
    ),
    Requirement(
        "callback/4-4",  # no heartbeat within the heartbeat timeout
        calling_back(heartbeat_timeout=config.Duration.from_seconds(5)),
        "FAILED",
        [
            event(2, "CallbackStarted", **CALLBACK, CallbackStartedDetails={"CallbackId": ANY, "HeartbeatTimeout": 5}),
            invocation_completed(3),
            event(
                4,
                "CallbackTimedOut",
                **CALLBACK,
                CallbackTimedOutDetails={"Error": {"Payload": {"ErrorType": "Callback.Heartbeat"}}},
            ),
            invocation_completed(5),
            event(6, "ExecutionFailed", ExecutionFailedDetails={"Error": {"Payload": {"ErrorType": ANY}}}),
        ],
    ),
    Requirement(
        "callback/4-5",  # a heartbeat, then the answer
        calling_back(heartbeat_timeout=config.Duration.from_seconds(10)),
        "SUCCEEDED",
        [
            event(2, "CallbackStarted", **CALLBACK, CallbackStartedDetails={"CallbackId": ANY, "HeartbeatTimeout": 10}),
            invocation_completed(3),
            event(4, "CallbackSucceeded", **CALLBACK, CallbackSucceededDetails={"Result": {"Payload": '"yes"'}}),
            invocation_completed(5),
            event(6, "ExecutionSucceeded", ExecutionSucceededDetails={"Result": ANY}),
        ],
        callback=("heartbeat+success", {"Result": b'"yes"'}),
    ),
    Requirement(
        "callback/4-6",  # the external system reports a failure
        calling_back(),
        "FAILED",
        [
            event(2, "CallbackStarted", **CALLBACK, CallbackStartedDetails={"CallbackId": ANY}),
            invocation_completed(3),
            event(
                4,
                "CallbackFailed",
                **CALLBACK,
                CallbackFailedDetails={
                    "Error": {"Payload": {"ErrorType": "RejectedError", "ErrorMessage": "not approved"}}
                },
            ),
            invocation_completed(5),
            event(
                6,
                "ExecutionFailed",
                ExecutionFailedDetails={"Error": {"Payload": {"ErrorType": ANY, "ErrorMessage": "not approved"}}},
            ),
        ],
        callback=("failure", {"Error": {"ErrorType": "RejectedError", "ErrorMessage": "not approved"}}),
    ),
    Requirement(
        "callback/4-9",  # answered during a later wait: invoked then, and again when the wait ends
        calling_back_around_a_wait(),
        "SUCCEEDED",
        [
            event(2, "CallbackStarted", **CALLBACK, CallbackStartedDetails={"CallbackId": ANY}),
            event(3, "WaitStarted", SubType="Wait", WaitStartedDetails={"Duration": 5}),
            invocation_completed(4),
            event(5, "CallbackSucceeded", **CALLBACK, CallbackSucceededDetails={"Result": {"Payload": '"yes"'}}),
            invocation_completed(6),
            event(7, "WaitSucceeded", SubType="Wait", WaitSucceededDetails={"Duration": 5}),
            invocation_completed(8),
            event(9, "ExecutionSucceeded", ExecutionSucceededDetails={"Result": ANY}),
        ],
        callback=("success", {"Result": b'"yes"'}),
    ),
    Requirement(
        "callback/4-11",  # times out during a later wait: Lambda invokes the handler at the timeout
        calling_back_around_a_wait(timeout=config.Duration.from_seconds(3)),
        "FAILED",
        [
            event(2, "CallbackStarted", **CALLBACK, CallbackStartedDetails={"CallbackId": ANY, "Timeout": 3}),
            event(3, "WaitStarted", SubType="Wait", WaitStartedDetails={"Duration": 6}),
            invocation_completed(4),
            event(
                5,
                "CallbackTimedOut",
                **CALLBACK,
                CallbackTimedOutDetails={"Error": {"Payload": {"ErrorType": "Callback.Timeout"}}},
            ),
            invocation_completed(6),
            event(7, "WaitSucceeded", SubType="Wait", WaitSucceededDetails={"Duration": 6}),
            invocation_completed(8),
            event(9, "ExecutionFailed", ExecutionFailedDetails={"Error": {"Payload": {"ErrorType": ANY}}}),
        ],
    ),
    Requirement(
        "wait_for_callback/7-5",  # nobody answers: the inner callback times out, then its context fails
        waiting_for_callback,
        "FAILED",
        [
            event(2, "ContextStarted", SubType="WaitForCallback", Name="in-put", ContextStartedDetails=ANY),
            event(3, "CallbackStarted", SubType="Callback", CallbackStartedDetails={"CallbackId": ANY, "Timeout": 3}),
            event(4, "StepStarted", SubType="Step", StepStartedDetails=ANY),
            event(5, "StepSucceeded", SubType="Step", StepSucceededDetails=ANY),
            invocation_completed(6),
            event(
                7,
                "CallbackTimedOut",
                SubType="Callback",
                CallbackTimedOutDetails={"Error": {"Payload": {"ErrorType": "Callback.Timeout"}}},
            ),
            event(8, "ContextFailed", SubType="WaitForCallback", Name="in-put", ContextFailedDetails=ANY),
            invocation_completed(9),
            event(10, "ExecutionFailed", ExecutionFailedDetails={"Error": {"Payload": {"ErrorType": ANY}}}),
        ],
    ),
    Requirement(
        "wait_for_condition/6-6",  # polls until its strategy's attempts run out
        polling_in_vain,
        "FAILED",
        [
            event(2, "StepStarted", SubType="WaitForCondition", StepStartedDetails=ANY),
            event(3, "StepSucceeded", SubType="WaitForCondition", StepSucceededDetails=ANY),
            invocation_completed(4),
            event(5, "StepStarted", SubType="WaitForCondition", StepStartedDetails=ANY),
            event(6, "StepSucceeded", SubType="WaitForCondition", StepSucceededDetails=ANY),
            invocation_completed(7),
            event(8, "StepStarted", SubType="WaitForCondition", StepStartedDetails=ANY),
            event(9, "StepFailed", SubType="WaitForCondition", StepFailedDetails={"Error": ANY}),
            event(11, "ExecutionFailed", ExecutionFailedDetails={"Error": ANY}),
        ],
        payload=0,
    ),
    Requirement(
        "invoke/5-1",  # a chained invoke of a durable echo function
        invoking("target-echo"),
        "SUCCEEDED",
        [
            event(
                2,
                "ChainedInvokeStarted",
                ChainedInvokeStartedDetails={
                    "FunctionName": ANY,
                    "Input": {"Payload": '"in-put"'},
                    "ExecutedVersion": ANY,
                    "DurableExecutionArn": ANY,
                },
            ),
            invocation_completed(3),
            event(4, "ChainedInvokeSucceeded", ChainedInvokeSucceededDetails={"Result": {"Payload": '"in-put"'}}),
            invocation_completed(5),
        ],
        targets={"target-echo": echo},
    ),
    Requirement(
        "invoke/5-5",  # the invoked function fails
        invoking("target-error"),
        "FAILED",
        [
            event(2, "ChainedInvokeStarted", ChainedInvokeStartedDetails={"FunctionName": ANY, "Input": ANY}),
            invocation_completed(3),
            event(4, "ChainedInvokeFailed", ChainedInvokeFailedDetails={"Error": ANY}),
            invocation_completed(5),
        ],
        targets={"target-error": throwing},
    ),
]


def deploy(lam: Any, mock: Any, name: str, handler: Any) -> None:
    create(lam, name, Runtime="python3.13", DurableConfig={"ExecutionTimeout": 300, "RetentionPeriodInDays": 7})
    lam.publish_version(FunctionName=name)
    mock.register_handler(name, handler)


def answer_callback(lam: Any, mock: Any, arn: str, action: tuple[str, dict[str, Any]]) -> None:
    (record,) = [r for r in mock.durable_executions() if r.arn == arn]
    callback_id = record.callbacks["in-put"]
    operation, arguments = action
    if operation.startswith("heartbeat"):
        mock.advance(6)  # past the first heartbeat interval's start: the heartbeat resets it
        lam.send_durable_execution_callback_heartbeat(CallbackId=callback_id)
        mock.advance(6)
    if operation.endswith("success"):
        lam.send_durable_execution_callback_success(CallbackId=callback_id, **arguments)
    elif operation == "failure":
        lam.send_durable_execution_callback_failure(CallbackId=callback_id, **arguments)


@pytest.mark.parametrize("requirement", REQUIREMENTS, ids=[r.source for r in REQUIREMENTS])
def test_the_history_aws_records(lam, mock, requirement):
    for name, target in requirement.targets.items():
        deploy(lam, mock, name, target)
    deploy(lam, mock, "subject", requirement.handler([]))
    mock.set_delivery("manual")  # the external system answers while the execution is suspended
    arn = lam.invoke(
        FunctionName="subject", Qualifier="1", InvocationType="Event", Payload=json.dumps(requirement.payload)
    )["DurableExecutionArn"]
    mock.run_durable(arn, until="suspended")
    if requirement.callback is not None:
        answer_callback(lam, mock, arn, requirement.callback)
    assert mock.run_durable(arn, until="done").status == requirement.status
    events = lam.get_durable_execution_history(DurableExecutionArn=arn, IncludeExecutionData=True)["Events"]
    assert events[0]["EventType"] == "ExecutionStarted"
    by_id = {e["EventId"]: e for e in events}
    for expected in requirement.history:
        actual = by_id.get(expected["EventId"])
        assert matches(expected, actual), f"{requirement.source} event {expected['EventId']}: {actual}"
