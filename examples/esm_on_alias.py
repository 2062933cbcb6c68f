"""An SQS event source mapping on the PROD alias: promote a version without touching the mapping.

The seed's use case, end to end: moto serves SQS, mock_lambda_alias serves Lambda. The mapping
names the PROD alias ARN, so the alias decides which version consumes each batch: a canary sends
10% of the batches to version 2 (seeded, so the split is repeatable), and promoting PROD to
version 2 moves every later batch there — the mapping's UUID, FunctionArn and LastModified stay as
they were.

Run directly: ``python examples/esm_on_alias.py`` (needs moto).
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import boto3

from mock_lambda_alias import package

REGION = "us-east-1"
ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/lambda-role"
TRUST = json.dumps(
    {"Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
)


def handler_source(version: int) -> str:
    """Each version says which it is, and how many messages its batch held."""
    return f"def handler(event, context):\n    return {{'version': {version}, 'messages': len(event['Records'])}}\n"


def deploy(lam: Any, function: str = "orders") -> str:
    """Versions 1 and 2 of the consumer; PROD on 1. Returns PROD's ARN."""
    lam.create_function(
        FunctionName=function,
        Runtime="python3.12",
        Role=ROLE,
        Handler="app.handler",
        Code={"ZipFile": package({"app.py": handler_source(1)})},
    )
    lam.publish_version(FunctionName=function)
    lam.update_function_code(FunctionName=function, ZipFile=package({"app.py": handler_source(2)}))
    lam.publish_version(FunctionName=function)
    return lam.create_alias(FunctionName=function, Name="PROD", FunctionVersion="1")["AliasArn"]


def create_queue(sqs: Any, name: str = "orders") -> tuple[str, str]:
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    return url, sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def wire(lam: Any, queue_arn: str, alias_arn: str) -> str:
    """``aws lambda create-event-source-mapping --function-name <PROD's ARN> ...``: returns the UUID."""
    return lam.create_event_source_mapping(EventSourceArn=queue_arn, FunctionName=alias_arn, BatchSize=1)["UUID"]


def canary(lam: Any, function: str = "orders", weight: float = 0.1) -> None:
    lam.update_alias(FunctionName=function, Name="PROD", RoutingConfig={"AdditionalVersionWeights": {"2": weight}})


def promote(lam: Any, function: str = "orders") -> None:
    lam.update_alias(
        FunctionName=function, Name="PROD", FunctionVersion="2", RoutingConfig={"AdditionalVersionWeights": {}}
    )


def send(sqs: Any, url: str, count: int) -> None:
    for start in range(0, count, 10):
        entries = [
            {"Id": str(n), "MessageBody": json.dumps({"order": n})} for n in range(start, min(count, start + 10))
        ]
        sqs.send_message_batch(QueueUrl=url, Entries=entries)


def main() -> None:
    from moto import mock_aws

    from mock_lambda_alias import mock_lambda_alias

    with mock_aws(), mock_lambda_alias(seed=42) as m:
        boto3.client("iam", region_name=REGION).create_role(RoleName="lambda-role", AssumeRolePolicyDocument=TRUST)
        lam = boto3.client("lambda", region_name=REGION)
        sqs = boto3.client("sqs", region_name=REGION)
        prod = deploy(lam)
        url, queue_arn = create_queue(sqs)
        uuid = wire(lam, queue_arn, prod)
        canary(lam)
        send(sqs, url, 100)
        split = Counter(b.executed_version for b in m.batches(uuid))
        print(f"canary: {split['1']} batches ran version 1, {split['2']} version 2")
        before = lam.get_event_source_mapping(UUID=uuid)
        promote(lam)
        send(sqs, url, 10)
        after = lam.get_event_source_mapping(UUID=uuid)
        latest = Counter(b.executed_version for b in m.batches(uuid)[-10:])
        untouched = before["LastModified"] == after["LastModified"] and after["FunctionArn"] == prod
        print(f"promoted: the last 10 batches ran version(s) {sorted(latest)}; mapping untouched: {untouched}")


if __name__ == "__main__":
    main()
