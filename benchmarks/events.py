"""1,000 SQS messages through an event source mapping on an alias: mock_lambda_alias against moto.

The same flow both ways, in one run: moto serves SQS (and IAM); a function with two versions, the
``PROD`` alias on version 1 with 10% routed to version 2, a mapping from the queue to PROD's ARN
(``BatchSize`` 10), then 1,000 messages sent with ``SendMessageBatch`` (100 calls) until the queue
is empty. Timed: the sends (delivery runs inside them in both mocks). Median of interleaved rounds.

What moto does: its Lambda runs handlers only in Docker containers. Without Docker, moto's
``mock_aws(config={"lambda": {"use_docker": False}})`` swaps in ``LambdaSimpleBackend``, whose
``invoke`` returns the payload (or a queued canned answer) and runs no code. Its SQS mapping
(``moto.sqs.models.Queue.add_message``) receives up to BatchSize messages each time one is added
and calls ``send_sqs_batch``, which invokes once *per message* with a fixed event (a constant
``SentTimestamp``, ``ApproximateReceiveCount`` "1", no message attributes), without the alias's
routing, and deletes them. So the moto figure is a lower bound: no handler runs and no version is
chosen. Ours runs the handler (in-process) for each batch of 10, chooses the version by weight,
records each invocation and batch.

    python benchmarks/events.py             # 1,000 messages, 3 rounds
    python benchmarks/events.py --messages 200 --rounds 1
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

from mock_lambda_alias import mock_lambda_alias, package

REGION = "us-east-1"
TRUST = json.dumps(
    {"Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
)
HANDLER = "def handler(event, context):\n    return {'messages': len(event['Records'])}\n"


def _setup() -> tuple[Any, str, str]:
    """Role, function (versions 1 and 2), PROD 90/10, a queue and a mapping on PROD's ARN."""
    role = boto3.client("iam", region_name=REGION).create_role(RoleName="r", AssumeRolePolicyDocument=TRUST)
    lam = boto3.client("lambda", region_name=REGION)
    sqs = boto3.client("sqs", region_name=REGION)
    code = package({"app.py": HANDLER})
    lam.create_function(
        FunctionName="consumer",
        Runtime="python3.12",
        Role=role["Role"]["Arn"],
        Handler="app.handler",
        Code={"ZipFile": code},
    )
    lam.publish_version(FunctionName="consumer")
    lam.update_function_configuration(FunctionName="consumer", Description="v2")
    lam.publish_version(FunctionName="consumer")
    routing = {"AdditionalVersionWeights": {"2": 0.1}}
    prod = lam.create_alias(FunctionName="consumer", Name="PROD", FunctionVersion="1", RoutingConfig=routing)
    url = sqs.create_queue(QueueName="work")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=prod["AliasArn"], BatchSize=10)
    return sqs, url, arn


def _send(sqs: Any, url: str, count: int) -> float:
    started = time.perf_counter()
    for first in range(0, count, 10):
        entries = [{"Id": str(n), "MessageBody": json.dumps({"n": n})} for n in range(first, min(count, first + 10))]
        sqs.send_message_batch(QueueUrl=url, Entries=entries)
    return time.perf_counter() - started


def _left(sqs: Any, url: str) -> int:
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])


def ours(count: int) -> float:
    from moto import mock_aws

    with mock_aws(), mock_lambda_alias(seed=1) as m:
        sqs, url, _ = _setup()
        elapsed = _send(sqs, url, count)
        delivered = sum(len(b.records) for b in m.batches())
        assert delivered == count and _left(sqs, url) == 0, (delivered, _left(sqs, url))
    return elapsed


def moto_only(count: int) -> float:
    from moto import mock_aws

    with mock_aws(config={"lambda": {"use_docker": False}}):
        sqs, url, _ = _setup()
        elapsed = _send(sqs, url, count)
        assert _left(sqs, url) == 0, _left(sqs, url)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    runs: dict[str, list[float]] = {"mock_lambda_alias": [], "moto (no Docker: no handler runs)": []}
    targets: dict[str, Callable[[int], float]] = dict(zip(runs, (ours, moto_only)))
    for _ in range(args.rounds):
        for name, target in targets.items():
            runs[name].append(target(args.messages))
    medians = {name: statistics.median(times) for name, times in runs.items()}
    for name, seconds in medians.items():
        print(f"{name:36s} {seconds * 1000:9.1f} ms for {args.messages} messages")
    ratio = medians["mock_lambda_alias"] / medians["moto (no Docker: no handler runs)"]
    print(f"{'ratio (ours / moto)':36s} {ratio:9.2f}")


if __name__ == "__main__":
    main()
