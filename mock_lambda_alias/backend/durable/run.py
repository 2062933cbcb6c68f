"""Running durable executions: starting one from Invoke, invoking its handler, replaying it.

``Invoke`` hands every invocation of a durable function here (:func:`invoke`). An execution starts
on the version the qualifier names (an alias routes once, at the start) and each later invocation
(a replay) runs that version. The handler gets the invocation input the Durable Execution SDK
expects (execution ARN, checkpoint token, the operations so far); the SDK's boto3 client, inside
the handler, checkpoints through the mock's ``CheckpointDurableExecution``. When the handler
suspends (``{"Status": "PENDING"}``), the execution waits for scheduled work (a wait ending, a
retry falling due, a chained invoke finishing) or for a callback, then runs again. An invocation
that crashes or answers no valid output is retried or fails the execution as :mod:`.outputs` says.

The invoke family's own steps (resolve the name, route the alias, open and close the invocation
record, run the handler without the lock) are passed in as a :class:`Runner`: families do not
import each other.
"""

from __future__ import annotations

import datetime
import json
import uuid
from dataclasses import dataclass
from typing import Any, Callable, Optional

from ... import arns
from ...errors import (
    DurableExecutionAlreadyStarted,
    InvalidParameterValue,
    LambdaError,
    UnsupportedMember,
)
from ..call import Call
from ..model import LATEST
from ..store import Store
from . import outputs
from .executions import TERMINAL, Execution, as_json, execution_arn, execution_operation, find, payload, state_of
from .lifecycle import after_invocation
from .updates import complete_chained, expire, finish, public, sweep

#: AWS's answer to an Invoke of a durable function without a qualifier.
UNQUALIFIED = "You cannot invoke a durable function using an unqualified ARN."
#: A chained invoke of another account's function (unsupported; the error's text is the mock's).
CROSS_ACCOUNT = "Cross-account chained invocations are not supported."
#: Task keys of an invocation's retry and (a prefix) of a callback deadline's check (operation ids
#: are hex, so they cannot clash).
RETRY, DEADLINE = "invocation retry", "deadline "
#: Why a durable function's package does not run in a worker process: the SDK's boto3 client there
#: does not reach this mock (worker processes get an unreachable endpoint, see runtime/process.py).
IN_WORKER = (
    'isolation="process" for a durable function: the Durable Execution SDK\'s client in a worker '
    "process cannot reach the mock; run it in-process"
)


@dataclass(frozen=True)
class Runner:
    """The invoke family's steps a durable invocation reuses (see :mod:`.invoke`)."""

    split: Callable[..., Any]
    resolve: Callable[..., Any]
    begin: Callable[..., Any]
    run: Callable[..., Any]
    parse: Callable[[bytes], Any]


#: The invoke family's steps, registered by :mod:`.invoke` when it is imported (families do not
#: import each other): Invoke, replays, callbacks and chained invokes run handlers through them.
RUNNER: Optional[Runner] = None


class Hooks:
    """How :mod:`.updates` schedules work and wakes executions, on the store's scheduler."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def wake(self, execution: Execution) -> None:
        """Invoke the handler again: at once if idle, after its running invocation otherwise."""
        if execution.status in TERMINAL:
            return
        if execution.status == "PAUSED":  # Lambda invokes nothing until the execution resumes
            execution.invoke_on_resume = True
        elif execution.running:
            execution.wake = True
        elif not execution.queued:
            execution.queued = True
            store = self.store
            label = f"durable replay of {execution.function_name}:{execution.version} ({execution.name})"
            store.scheduler.schedule(0, lambda: drive(store, execution), label)

    def at(self, execution: Execution, operation_id: str, due: datetime.datetime, run: Callable[[], None]) -> None:
        if execution.running:
            execution.deferred.append(lambda: self.at(execution, operation_id, due, run))
            return
        store = self.store

        def locked() -> None:
            with store.lock:
                execution.tasks.pop(operation_id, None)
                expire(execution, store.clock.now(), self)
                run()

        operation = execution.operations.get(operation_id, {})
        what = f"{str(operation.get('Type', 'operation')).lower()} {operation.get('Name') or operation_id}"
        label = f"durable {what} of {execution.function_name}:{execution.version} ({execution.name})"
        execution.tasks[operation_id] = store.scheduler.schedule_at(due, locked, label)
        self.arm(execution)

    def arm(self, execution: Execution) -> None:
        """Act on each callback deadline when it falls due if other work of the execution is due
        later (the clock passes it then anyway): Lambda invokes the handler at a callback's timeout,
        before a later wait ends (conformance callback/4-11). A deadline with nothing due after it
        stays a deadline, so a test can answer the callback first."""
        work = [t.due for key, t in execution.tasks.items() if not key.startswith(DEADLINE) and not t.cancelled]
        if not work:
            return
        passing = {d for pair in execution.deadlines.values() for d in pair if d is not None and d < max(work)}
        store = self.store
        for due in passing - {t.due for key, t in execution.tasks.items() if key.startswith(DEADLINE)}:
            key = f"{DEADLINE}{due.isoformat()}"

            def check(key: str = key) -> None:
                with store.lock:
                    execution.tasks.pop(key, None)
                    expire(execution, store.clock.now(), self)

            label = f"durable callback deadline of {execution.function_name}:{execution.version} ({execution.name})"
            execution.tasks[key] = store.scheduler.schedule_at(due, check, label)

    def chain(self, execution: Execution, operation: dict[str, Any], options: dict[str, Any]) -> None:
        if execution.running:
            execution.deferred.append(lambda: self.chain(execution, operation, options))
            return
        store, operation_id = self.store, operation["Id"]
        label = f"chained invoke {operation_id} of {execution.function_name} ({execution.name})"
        task = store.scheduler.schedule(0, lambda: _run_chained(store, execution, operation_id, options), label)
        execution.tasks[operation_id] = task

    def finished(self, execution: Execution) -> None:
        """A child execution started by a chained invoke reports to its parent."""
        if execution.parent is None:
            return
        parent, _ = find(self.store, execution.parent[0])
        if parent is None:
            return
        complete_chained(
            parent, execution.parent[1], execution.ended or self.store.clock.now(), self,
            result=execution.result, error=execution.error, status=execution.status,
        )  # fmt: skip


def sweep_backend(store: Store, account_id: str, region: str) -> None:
    """Apply the deadlines passed on the mock's clock to one account's executions; lock held."""
    sweep(state_of(store.backend(account_id, region)), store.clock.now(), Hooks(store))


# -- Invoke ---------------------------------------------------------------------------------------


def invoke(call: Call, req: dict) -> Optional[dict]:
    """Invoke of a durable function: start or join an execution. None: not a durable function
    (answered at once while the activation has never had one, as most have not)."""
    if not call.store.has_durable and not req.get("DurableExecutionName"):
        return None
    runner = RUNNER
    assert runner is not None
    ref = arns.parse_function_name(req["FunctionName"])
    if ref is None:
        return None
    function = call.store.backend(ref.account or call.account_id, call.region).functions.get(ref.name)
    if function is None:
        return None
    if "DurableConfig" not in function.latest.config:
        if req.get("DurableExecutionName"):
            raise UnsupportedMember("DurableExecutionName", "the function has no DurableConfig")
        return None
    return _invoke_durable(call, req, runner)


#: Invoke members a durable invocation does not carry to its handler here: refused by name.
NOT_CARRIED = ("ClientContext", "TenantId")


def _invoke_durable(call: Call, req: dict, runner: Runner) -> dict:
    for member in NOT_CARRIED:
        if req.get(member):
            raise UnsupportedMember(member, "for a durable function")
    if req.get("LogType") == "Tail":
        raise UnsupportedMember("LogType", "Tail for a durable function")
    store = call.store
    invocation_type = req.get("InvocationType") or "RequestResponse"
    raw = req.get("Payload") or b""
    with store.lock:
        call, name, qualifier = runner.split(call, req["FunctionName"], req.get("Qualifier"))
        _, record, invoked_arn = runner.resolve(store.invoke, call, name, qualifier)
        if qualifier is None:
            raise InvalidParameterValue(UNQUALIFIED)
        _check_isolation(call, name, record.version)
        runner.parse(raw)
        if invocation_type == "DryRun":
            return {"StatusCode": 204}
        sweep_backend(store, call.account_id, call.region)
        text = raw.decode("utf-8") if raw else "{}"
        execution, created = _start_or_join(call, name, record, invoked_arn, qualifier, text, req)
        if created and invocation_type == "Event":
            Hooks(store).wake(execution)
    if invocation_type == "Event":
        return {"StatusCode": 202, "DurableExecutionArn": execution.arn}
    if created:
        drive(store, execution, "RequestResponse", call.request_id, qualifier)
    if store.scheduler.mode == "immediate":
        # A synchronous caller waits for the whole execution: its waits and retries run now,
        # skipping idle time. What only the test can do (answer a callback) ends the wait.
        store.scheduler.run(until=None)
    with store.lock:
        return outputs.sync_answer(execution)


def _check_isolation(call: Call, name: str, version: str) -> None:
    state, key = call.store.invoke, (call.account_id, call.region, name)
    if state.handler_for(key, version) is None and state.isolation_for(key, version) == "process":
        raise UnsupportedMember(IN_WORKER.split(":", 1)[0], IN_WORKER.split(": ", 1)[1])


def _start_or_join(
    call: Call, name: str, record: Any, invoked_arn: str, qualifier: str, text: str, req: dict
) -> tuple[Execution, bool]:
    """The execution a name names (same input: joined) or a new one; another input is a 409."""
    state = state_of(call.backend)
    given = req.get("DurableExecutionName")
    existing = state.executions.get(state.names.get((name, given), "")) if given else None
    if existing is not None:
        if existing.input_payload != text:
            raise DurableExecutionAlreadyStarted(
                f"Durable execution with name {given} already exists with a different input: {existing.arn}"
            )
        return existing, False
    execution_id = str(uuid.uuid4())
    execution_name = given or execution_id
    now = call.store.clock.now()
    execution = Execution(
        arn=execution_arn(call.region, call.account_id, name, record.version, execution_name, execution_id),
        name=execution_name,
        execution_id=execution_id,
        account_id=call.account_id,
        region=call.region,
        function_name=name,
        version=record.version,
        invoked_arn=invoked_arn,
        input_payload=text,
        started=now,
        durable_config=dict(record.config["DurableConfig"]),
    )
    root = execution_operation(execution)
    execution.operations[root["Id"]] = root
    execution.event("ExecutionStarted", now, root, Input=payload(text), ExecutionTimeout=execution.execution_timeout)
    state.add(execution)
    return execution, True


# -- invocations of the handler ---------------------------------------------------------------------


def drive(
    store: Store,
    execution: Execution,
    invocation_type: str = "Event",
    request_id: Optional[str] = None,
    qualifier: Optional[str] = None,
) -> None:
    """Invoke the handler, and again for as long as something changed while it ran."""
    while True:
        _invoke_once(store, execution, invocation_type, request_id, qualifier)
        invocation_type, request_id, qualifier = "Event", None, None
        with store.lock:
            if execution.status in TERMINAL or not execution.wake:
                return
            execution.wake = False


def _invoke_once(
    store: Store, execution: Execution, invocation_type: str, request_id: Optional[str], qualifier: Optional[str]
) -> None:
    runner = RUNNER
    assert runner is not None
    hooks = Hooks(store)
    with store.lock:
        execution.queued = False
        expire(execution, store.clock.now(), hooks)
        if execution.status == "PAUSED":  # paused after this replay was queued: the resume runs it
            execution.invoke_on_resume = True
        if execution.status in TERMINAL or execution.status == "PAUSED" or execution.running:
            return
        function = store.backend(execution.account_id, execution.region).functions.get(execution.function_name)
        record = None
        if function is not None:
            record = function.latest if execution.version == LATEST else function.versions.get(execution.version)
        if function is None or record is None:
            # The version it runs on was deleted: nothing can replay it.
            error = {
                "ErrorType": "ResourceNotFoundException",
                "ErrorMessage": f"Function not found: {execution.function_arn}",
            }
            finish(execution, "FAILED", store.clock.now(), hooks, error=error)
            return
        request_id = request_id or str(uuid.uuid4())
        event = {
            "DurableExecutionArn": execution.arn,
            "CheckpointToken": execution.new_token(),
            "InitialExecutionState": {
                "Operations": [as_json(public(op)) for op in execution.operations.values()],
                "NextMarker": "",
            },
            "UpdatedOperationIds": sorted(execution.changed),
        }
        execution.changed.clear()
        execution.request_ids.append(request_id)
        call = Call(store, execution.account_id, execution.region, request_id=request_id)
        started = store.clock.now()
        body = json.dumps(event).encode()
        pending = runner.begin(
            store.invoke, call, function, record, execution.invoked_arn, event, body, invocation_type,
            qualifier=qualifier or execution.version,
        )  # fmt: skip
        execution.running = True
    outcome = None
    try:
        outcome = runner.run(store.lock, pending)
    finally:
        with store.lock:
            execution.running = False
            _after(store, execution, outcome, started, request_id, hooks)
            deferred, execution.deferred = execution.deferred, []
            if execution.status not in TERMINAL:
                for schedule in deferred:
                    schedule()
                hooks.arm(execution)


def _after(
    store: Store,
    execution: Execution,
    outcome: Any,
    started: datetime.datetime,
    request_id: str,
    hooks: Hooks,
) -> None:
    now = store.clock.now()
    try:
        data = json.loads(outcome.payload or b"null") if outcome is not None else None
    except ValueError:
        data = None
    status, result, error = outputs.read(outcome, data)
    execution.event(
        "InvocationCompleted",
        now,
        None,
        StartTimestamp=started,
        EndTimestamp=now,
        RequestId=request_id,
        Error={"Payload": error} if status == outputs.CRASHED and error else None,
    )
    if execution.status in TERMINAL:
        return
    retry = execution.tasks.pop(RETRY, None)
    if retry is not None:
        retry.cancel()
    if status == outputs.CRASHED:
        execution.empty_pendings = 0
        _retry(execution, now, hooks)
        return
    if status == "PENDING":
        after_invocation(execution, now)
        if execution.status == "RUNNING" and outputs.waits_for_nothing(execution):
            _retry_empty_pending(execution, now, hooks)
            return
    execution.retries = execution.empty_pendings = 0
    if status == "SUCCEEDED":
        finish(execution, "SUCCEEDED", now, hooks, result=result)
    elif status == "FAILED":
        finish(execution, "FAILED", now, hooks, error=error)


def _retry(execution: Execution, now: datetime.datetime, hooks: Hooks) -> None:
    """Invoke the execution again after a delay that doubles with each retry in a row, until the
    execution timeout (see :mod:`.outputs`)."""
    after_invocation(execution, now)
    if execution.status == "PAUSED":  # the pause interrupted this invocation: the resume retries it
        execution.invoke_on_resume = True
        return
    hooks.at(execution, RETRY, outputs.retry_at(execution, now), lambda: hooks.wake(execution))


def _retry_empty_pending(execution: Execution, now: datetime.datetime, hooks: Hooks) -> None:
    """PENDING while nothing is pending: retried, then (after the last retry) the execution fails."""
    execution.empty_pendings += 1
    if execution.empty_pendings > outputs.EMPTY_PENDING_RETRIES:
        finish(execution, "FAILED", now, hooks, error=outputs.invalid(outputs.EMPTY_PENDING))
    else:
        _retry(execution, now, hooks)


# -- chained invokes ----------------------------------------------------------------------------------


def _error_object(error: LambdaError) -> dict[str, Any]:
    return {"ErrorType": error.code, "ErrorMessage": error.message}


def _run_chained(store: Store, parent: Execution, operation_id: str, options: dict[str, Any]) -> None:
    """Invoke the function a chained invoke names and report its result to the parent execution."""
    runner = RUNNER
    assert runner is not None
    hooks = Hooks(store)
    with store.lock:
        parent.tasks.pop(operation_id, None)
        operation = parent.operations.get(operation_id)
        if parent.status in TERMINAL or operation is None:
            return
        text = operation.get("_input")
    call = Call(store, parent.account_id, parent.region, request_id=str(uuid.uuid4()))
    req = {"FunctionName": options["FunctionName"], "Payload": (text or "").encode()}
    try:
        answer = _chained_target(call, req, runner, (parent.arn, operation_id))
    except LambdaError as error:
        with store.lock:
            complete_chained(
                parent, operation_id, store.clock.now(), hooks, error=_error_object(error), status="FAILED"
            )
        return
    if answer is None:  # a durable child: it reports when it finishes
        return
    with store.lock:
        now = store.clock.now()
        if answer.get("FunctionError"):
            data = json.loads(answer["Payload"] or b"{}")
            error = {"ErrorType": data.get("errorType", "Unhandled"), "ErrorMessage": data.get("errorMessage", "")}
            complete_chained(parent, operation_id, now, hooks, error=error, status="FAILED")
        else:
            complete_chained(parent, operation_id, now, hooks, result=answer["Payload"].decode())


def _chained_target(call: Call, req: dict, runner: Runner, link: tuple[str, str]) -> Optional[dict]:
    """Run a chained invoke's target: a durable function as a child execution (None: it reports
    itself), any other function as a synchronous invocation (its answer)."""
    store, account = call.store, call.account_id
    with store.lock:
        call, name, qualifier = runner.split(call, req["FunctionName"], None)
        if call.account_id != account:  # developer guide, "Invoking durable Lambda functions"; text: ours
            raise InvalidParameterValue(CROSS_ACCOUNT)
        function, record, invoked_arn = runner.resolve(store.invoke, call, name, qualifier)
        event = runner.parse(req["Payload"])
        if "DurableConfig" in record.config:
            if qualifier is None:
                raise InvalidParameterValue(UNQUALIFIED)
            _check_isolation(call, name, record.version)
            child, _ = _start_or_join(call, name, record, invoked_arn, qualifier, req["Payload"].decode() or "{}", {})
            child.parent = link
            parent, _ = find(store, link[0])
            if parent is not None:
                for entry in reversed(parent.events):
                    if entry["EventType"] == "ChainedInvokeStarted" and entry.get("Id") == link[1]:
                        details = entry["ChainedInvokeStartedDetails"]
                        details.update(ExecutedVersion=record.version, DurableExecutionArn=child.arn)
                        break
        else:
            child = None
            pending = runner.begin(
                store.invoke, call, function, record, invoked_arn, event, req["Payload"], "RequestResponse",
                qualifier=qualifier,
            )  # fmt: skip
    if child is not None:
        drive(store, child, "Event", None, qualifier)
        return None
    outcome = runner.run(store.lock, pending)
    out: dict[str, Any] = {"Payload": outcome.payload}
    if outcome.function_error:
        out["FunctionError"] = outcome.function_error
    return out
