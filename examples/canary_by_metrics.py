"""A canary judged as SAM's safe deployments judge it: by CloudWatch, not by the responses.

The seed's scenario: ``helloworld``'s ``PROD`` alias points at version 1; ``release()`` publishes
new code as version 2, shifts 10% of ``PROD`` to it and creates the alarm SAM's templates create,
``LatestVersionErrorMetricGreaterThanZeroAlarm`` (``AWS/Lambda`` ``Errors``, ``Sum`` over 60 s,
greater than 0, for ``FunctionName``, ``Resource=helloworld:PROD`` and ``ExecutedVersion=2``).
``traffic()`` invokes ``PROD`` and never looks at what it ran; ``evaluate()`` reads the alarm's
metric with ``GetMetricStatistics`` and sets the alarm's state (moto stores alarms but does not
evaluate them); ``judge()`` rolls ``PROD`` back to version 1 when the alarm fires, and promotes
the new version otherwise.

Run directly, it deploys against the mock and moto's CloudWatch (moto must be installed):
``python examples/canary_by_metrics.py``.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from typing import Any

import boto3

from mock_lambda_alias import package

FUNCTION = "helloworld"
ALIAS = "PROD"
ALARM = "LatestVersionErrorMetricGreaterThanZeroAlarm"
REGION = "us-east-1"


@dataclass
class Canary:
    stable: str
    candidate: str


def bootstrap(lam: Any, role: str, source: str) -> str:
    """Create the function, publish version 1 and point ``PROD`` at it."""
    lam.create_function(
        FunctionName=FUNCTION,
        Runtime="python3.12",
        Role=role,
        Handler="app.handler",
        Code={"ZipFile": package({"app.py": source})},
    )
    version = lam.publish_version(FunctionName=FUNCTION)["Version"]
    lam.create_alias(FunctionName=FUNCTION, Name=ALIAS, FunctionVersion=version)
    return version


def release(lam: Any, cloudwatch: Any, source: str, weight: float = 0.1) -> Canary:
    """Publish ``source`` as a version, send ``weight`` of ``PROD`` to it, and alarm on its errors."""
    updated = lam.update_function_code(FunctionName=FUNCTION, ZipFile=package({"app.py": source}))
    candidate = lam.publish_version(FunctionName=FUNCTION, CodeSha256=updated["CodeSha256"])["Version"]
    alias = lam.get_alias(FunctionName=FUNCTION, Name=ALIAS)
    lam.update_alias(
        FunctionName=FUNCTION,
        Name=ALIAS,
        RoutingConfig={"AdditionalVersionWeights": {candidate: weight}},
        RevisionId=alias["RevisionId"],
    )
    cloudwatch.put_metric_alarm(
        AlarmName=ALARM,
        Namespace="AWS/Lambda",
        MetricName="Errors",
        Dimensions=[
            {"Name": "FunctionName", "Value": FUNCTION},
            {"Name": "Resource", "Value": f"{FUNCTION}:{ALIAS}"},
            {"Name": "ExecutedVersion", "Value": candidate},
        ],
        Statistic="Sum",
        Period=60,
        EvaluationPeriods=2,
        Threshold=0,
        ComparisonOperator="GreaterThanThreshold",
        TreatMissingData="notBreaching",
    )
    return Canary(alias["FunctionVersion"], candidate)


def traffic(lam: Any, invocations: int) -> None:
    """Customers calling ``PROD``: orders, every fifth one a large one."""
    for n in range(invocations):
        lam.invoke(FunctionName=FUNCTION, Qualifier=ALIAS, Payload=json.dumps({"order": n, "large": n % 5 == 0}))


def evaluate(cloudwatch: Any, now: datetime.datetime) -> str:
    """The alarm's state from its metric over its evaluation periods (what CloudWatch would do)."""
    alarm = cloudwatch.describe_alarms(AlarmNames=[ALARM])["MetricAlarms"][0]
    window = datetime.timedelta(seconds=alarm["Period"] * alarm["EvaluationPeriods"])
    points = cloudwatch.get_metric_statistics(
        Namespace=alarm["Namespace"],
        MetricName=alarm["MetricName"],
        Dimensions=alarm["Dimensions"],
        StartTime=now - window,
        EndTime=now + datetime.timedelta(seconds=alarm["Period"]),
        Period=alarm["Period"],
        Statistics=[alarm["Statistic"]],
    )["Datapoints"]
    breaching = [p for p in points if p[alarm["Statistic"]] > alarm["Threshold"]]
    state = "ALARM" if breaching else "OK"
    reason = f"{len(breaching)} of {len(points)} datapoints above {alarm['Threshold']}"
    cloudwatch.set_alarm_state(AlarmName=ALARM, StateValue=state, StateReason=reason)
    return state


def judge(lam: Any, cloudwatch: Any, canary: Canary) -> str:
    """Roll back when the alarm is in ALARM, promote otherwise; returns the verdict."""
    state = cloudwatch.describe_alarms(AlarmNames=[ALARM])["MetricAlarms"][0]["StateValue"]
    alias = lam.get_alias(FunctionName=FUNCTION, Name=ALIAS)
    target = canary.stable if state == "ALARM" else canary.candidate
    lam.update_alias(
        FunctionName=FUNCTION,
        Name=ALIAS,
        FunctionVersion=target,
        RoutingConfig={"AdditionalVersionWeights": {}},
        RevisionId=alias["RevisionId"],
    )
    return "rolled back" if state == "ALARM" else "promoted"


def run_canary(lam: Any, cloudwatch: Any, source: str, now: Any, invocations: int = 200) -> str:
    """Release, send traffic, evaluate the alarm, judge. ``now`` gives the time to evaluate at."""
    canary = release(lam, cloudwatch, source)
    traffic(lam, invocations)
    evaluate(cloudwatch, now())
    return judge(lam, cloudwatch, canary)


STABLE = "def handler(event, context):\n    return {'order': event['order']}\n"
BROKEN = (
    "def handler(event, context):\n"
    "    if event['large']:\n"
    "        raise RuntimeError('large orders time out')\n"
    "    return {'order': event['order']}\n"
)
HEALTHY = "def handler(event, context):\n    return {'order': event['order'], 'fast': True}\n"


def main() -> None:
    from moto import mock_aws

    from mock_lambda_alias import mock_lambda_alias

    with mock_aws(), mock_lambda_alias(seed=2026) as m:
        iam = boto3.client("iam", region_name=REGION)
        role = iam.create_role(RoleName="lambda-role", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        lam = boto3.client("lambda", region_name=REGION)
        cloudwatch = boto3.client("cloudwatch", region_name=REGION)
        print(f"bootstrapped: {ALIAS} -> version {bootstrap(lam, role, STABLE)}")
        print(f"version 2 (large orders fail): {run_canary(lam, cloudwatch, BROKEN, m.now)}")
        print(f"version 3 (healthy): {run_canary(lam, cloudwatch, HEALTHY, m.now)}")
        live = lam.get_alias(FunctionName=FUNCTION, Name=ALIAS)
        print(f"{ALIAS} -> version {live['FunctionVersion']}, routing: {live.get('RoutingConfig')}")


if __name__ == "__main__":
    main()
