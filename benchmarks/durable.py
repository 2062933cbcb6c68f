"""One 20-step durable workflow: mock_lambda_alias against AWS's testing SDK's in-memory runner.

The same handler both ways, in one run: 20 steps written with AWS's Durable Execution SDK, a
one-hour wait after every fifth (so the execution is replayed four times, each replay skipping the
steps already checkpointed). Through the mock: ``Invoke`` of version 1 with a ``DurableExecutionName``
(synchronous: it returns when the execution has ended); the SDK's boto3 client checkpoints through
the mock's ``CheckpointDurableExecution``, the waits pass on the mock's clock. Through the testing
SDK (``aws-durable-execution-sdk-python-testing``): ``DurableFunctionTestRunner(handler).run()``,
its in-memory service and clock that skips time. Timed: one execution, start to result. Median of
interleaved rounds after a warm-up of each.

What each does beyond running the handler: the mock goes through botocore's whole request path
for the Invoke and every checkpoint (serialisation, signing, the wire layer's validation, AWS's
error shapes), resolves the version, records the invocations and writes the history; the testing
runner hands the SDK an in-memory client (no botocore) and runs its executor on threads.

Both pay the SDK's own pauses (its checkpoint thread polls for the end of an invocation every
0.1 s), so most of each figure is the SDK's, not the service's.

Needs Python 3.11+, ``aws-durable-execution-sdk-python`` and ``aws-durable-execution-sdk-python-testing``:

    python benchmarks/durable.py              # 20 rounds
    python benchmarks/durable.py --rounds 5
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from typing import Any, Callable

os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")

import boto3
from aws_durable_execution_sdk_python import DurableContext, durable_execution
from aws_durable_execution_sdk_python.config import Duration
from aws_durable_execution_sdk_python_testing.runner import DurableFunctionTestRunner

from mock_lambda_alias import mock_lambda_alias, package

STEPS = 20
ROLE = "arn:aws:iam::123456789012:role/lambda-role"


@durable_execution
def workflow(event: Any, context: DurableContext) -> Any:
    total = event["start"]
    for n in range(STEPS):
        total = context.step(lambda _, n=n, total=total: total + n, name=f"step-{n}")
        if n % 5 == 4 and n < STEPS - 1:
            context.wait(Duration.from_hours(1), name=f"pause-{n}")
    return {"total": total}


EXPECTED = {"total": sum(range(STEPS))}


def through_mock(rounds: int) -> list[float]:
    times = []
    with mock_lambda_alias() as mock:
        lam = boto3.client("lambda", region_name="us-east-1")
        lam.create_function(
            FunctionName="workflow",
            Runtime="python3.13",
            Role=ROLE,
            Handler="app.handler",
            Code={"ZipFile": package({"app.py": "def handler(event, context):\n    return event\n"})},
            DurableConfig={"ExecutionTimeout": 86400},
        )
        lam.publish_version(FunctionName="workflow")
        mock.register_handler("workflow", workflow)
        for n in range(rounds + 1):
            started = time.perf_counter()
            answer = lam.invoke(FunctionName="workflow:1", Payload=b'{"start": 0}', DurableExecutionName=f"run-{n}")
            result = json.loads(answer["Payload"].read())
            elapsed = time.perf_counter() - started
            assert result == EXPECTED, result
            if n:  # the first round warms the environment and the SDK's client
                times.append(elapsed)
    return times


def through_testing_runner(rounds: int) -> list[float]:
    times = []
    with DurableFunctionTestRunner(handler=workflow) as runner:
        for n in range(rounds + 1):
            started = time.perf_counter()
            outcome = runner.run(input=json.dumps({"start": 0}), execution_name=f"run-{n}")
            elapsed = time.perf_counter() - started
            assert json.loads(outcome.result) == EXPECTED, outcome
            if n:
                times.append(elapsed)
    return times


def interleaved(rounds: int) -> dict[str, list[float]]:
    """Alternate the two, a few rounds at a time, so a slow moment of the machine hits both."""
    runs: dict[str, Callable[[int], list[float]]] = {
        "mock_lambda_alias": through_mock,
        "testing SDK runner": through_testing_runner,
    }
    times: dict[str, list[float]] = {name: [] for name in runs}
    batch = max(1, rounds // 4)
    done = 0
    while done < rounds:
        count = min(batch, rounds - done)
        for name, run in runs.items():
            times[name] += run(count)
        done += count
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    times = interleaved(args.rounds)
    medians = {name: statistics.median(values) for name, values in times.items()}
    print(f"{STEPS}-step durable workflow (4 one-hour waits, 5 invocations), median of {args.rounds} rounds:")
    for name, value in medians.items():
        print(f"  {name:<20} {value * 1000:8.1f} ms")
    ratio = medians["mock_lambda_alias"] / medians["testing SDK runner"]
    print(f"  ratio mock / testing runner: {ratio:.2f}x")


if __name__ == "__main__":
    main()
