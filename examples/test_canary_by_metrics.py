"""Tests of the metric-judged canary: what it reads from CloudWatch is what really ran."""

from __future__ import annotations

import boto3
import pytest
from canary_by_metrics import (
    ALARM,
    ALIAS,
    BROKEN,
    FUNCTION,
    HEALTHY,
    REGION,
    STABLE,
    bootstrap,
    evaluate,
    judge,
    main,
    release,
    run_canary,
    traffic,
)

moto = pytest.importorskip("moto")


@pytest.fixture
def aws():
    from mock_lambda_alias import mock_lambda_alias

    with moto.mock_aws(), mock_lambda_alias(seed=2026) as m:
        role = boto3.client("iam", region_name=REGION).create_role(RoleName="r", AssumeRolePolicyDocument="{}")
        lam = boto3.client("lambda", region_name=REGION)
        bootstrap(lam, role["Role"]["Arn"], STABLE)
        yield m, lam, boto3.client("cloudwatch", region_name=REGION)


def test_the_alarm_watches_the_new_version_behind_the_alias(aws):
    _, lam, cloudwatch = aws
    canary = release(lam, cloudwatch, HEALTHY)
    alarm = cloudwatch.describe_alarms(AlarmNames=[ALARM])["MetricAlarms"][0]
    assert (canary.stable, canary.candidate) == ("1", "2")
    assert sorted((d["Name"], d["Value"]) for d in alarm["Dimensions"]) == [
        ("ExecutedVersion", "2"),
        ("FunctionName", FUNCTION),
        ("Resource", f"{FUNCTION}:{ALIAS}"),
    ]


def test_a_broken_version_fires_the_alarm_and_is_rolled_back(aws):
    m, lam, cloudwatch = aws
    canary = release(lam, cloudwatch, BROKEN)
    traffic(lam, 200)
    failed = [r for r in m.invocations(FUNCTION, executed_version="2") if r.function_error]
    assert failed  # the seed sends some large orders to version 2
    assert m.invocations(FUNCTION, executed_version="1") and not any(
        r.function_error for r in m.invocations(FUNCTION, executed_version="1")
    )

    assert evaluate(cloudwatch, m.now()) == "ALARM"
    alarm = cloudwatch.describe_alarms(AlarmNames=[ALARM])["MetricAlarms"][0]
    assert alarm["StateReason"].endswith("datapoints above 0.0")
    assert judge(lam, cloudwatch, canary) == "rolled back"
    live = lam.get_alias(FunctionName=FUNCTION, Name=ALIAS)
    assert (live["FunctionVersion"], live.get("RoutingConfig")) == ("1", None)


def test_errors_of_version_one_do_not_fire_the_alarm_of_version_two(aws):
    m, lam, cloudwatch = aws
    release(lam, cloudwatch, HEALTHY)
    m.inject_fault(FUNCTION, "1")  # the stable version fails, the canary does not
    traffic(lam, 100)
    assert evaluate(cloudwatch, m.now()) == "OK"


def test_a_healthy_version_is_promoted(aws):
    m, lam, cloudwatch = aws
    assert run_canary(lam, cloudwatch, HEALTHY, m.now) == "promoted"
    assert lam.get_alias(FunctionName=FUNCTION, Name=ALIAS)["FunctionVersion"] == "2"


def test_main_runs(capsys):
    main()
    out = capsys.readouterr().out
    assert "version 2 (large orders fail): rolled back\n" in out
    assert "version 3 (healthy): promoted\n" in out
    assert out.rstrip().endswith("PROD -> version 3, routing: None")
