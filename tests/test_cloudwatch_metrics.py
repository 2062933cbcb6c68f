"""``AWS/Lambda`` metrics as Lambda publishes them (F-CW-002), read through moto, the handle and server mode.

Each invocation that ran counts in ``Invocations`` (and ``Errors`` when its function failed, with
its ``Duration`` in milliseconds and ``ConcurrentExecutions``); a throttled one counts in
``Throttles`` only. Each data point is published under every dimension set that applies: none,
``FunctionName``, ``FunctionName`` + ``Resource`` (``fn``, ``fn:alias`` or ``fn:version`` as
invoked), and for a qualified invocation ``+ ExecutedVersion``. CloudWatch matches a query's
dimensions exactly: the account-wide series and the function's each add up to the totals.
"""

from __future__ import annotations

import datetime
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
import cloudwatch_scenario
import pytest
from cloudwatch_scenario import World, deploy, dims, invoke_many
from conftest import REGION

from mock_lambda_alias import NotFound, mock_lambda_alias
from mock_lambda_alias.backend.telemetry import emit_metric

#: The scenario's fixtures: ``world`` (moto, the handle or server mode) and the module's server.
world, server = cloudwatch_scenario.world, cloudwatch_scenario.server

FN = {"FunctionName": "helloworld"}
PROD = {**FN, "Resource": "helloworld:PROD"}


def test_invocations_and_errors_by_executed_version_match_the_records(world: World) -> None:
    deploy(world.lam, role=world.role)
    ran = invoke_many(world.lam, 200)
    ran_v2 = [failed for version, failed in ran if version == "2"]
    ran_v1 = [failed for version, failed in ran if version == "1"]
    assert 0 < len(ran_v2) < len(ran_v1) and any(ran_v2)
    if world.mock is not None:
        assert len(ran_v2) == world.mock.count_invocations("helloworld", executed_version="2")

    read = world.reader.metric_sum
    assert read("Invocations", {**PROD, "ExecutedVersion": "2"}) == len(ran_v2)
    assert read("Invocations", {**PROD, "ExecutedVersion": "1"}) == len(ran_v1)
    assert read("Errors", {**PROD, "ExecutedVersion": "2"}) == sum(ran_v2)
    assert read("Errors", {**PROD, "ExecutedVersion": "1"}) == sum(ran_v1)
    for series in ({}, FN, PROD):
        assert read("Invocations", series) == 200
        assert read("Errors", series) == sum(failed for _, failed in ran)
    assert read("Throttles", FN) == 0


def test_an_unqualified_invocation_has_the_function_as_its_resource_and_no_executed_version(world: World) -> None:
    deploy(world.lam, role=world.role)
    world.lam.invoke(FunctionName="helloworld", Payload=b"{}")
    world.lam.invoke(FunctionName="helloworld:2", Payload=b"{}")

    read = world.reader.metric_sum
    assert read("Invocations", {**FN, "Resource": "helloworld"}) == 1
    assert read("Invocations", {**FN, "Resource": "helloworld", "ExecutedVersion": "$LATEST"}) == 0
    assert read("Invocations", {**FN, "Resource": "helloworld:2"}) == 1
    assert read("Invocations", {**FN, "Resource": "helloworld:2", "ExecutedVersion": "2"}) == 1
    assert read("Invocations", FN) == 2
    assert read("Duration", FN, unit="Milliseconds") > 0
    assert read("ConcurrentExecutions", {**FN, "Resource": "helloworld:2"}) == 1  # one at a time


def test_a_throttled_invocation_counts_in_throttles_only(world: World) -> None:
    deploy(world.lam, role=world.role)
    world.lam.put_function_concurrency(FunctionName="helloworld", ReservedConcurrentExecutions=0)
    with pytest.raises(world.lam.exceptions.TooManyRequestsException) as caught:
        world.lam.invoke(FunctionName="helloworld:PROD", Payload=b"{}")
    attempts = caught.value.response["ResponseMetadata"]["RetryAttempts"] + 1  # botocore retries a 429

    read = world.reader.metric_sum
    for series in ({}, FN, PROD):
        assert read("Throttles", series) == attempts
        assert read("Invocations", series) == 0


@pytest.fixture
def moto_world() -> Any:
    moto = pytest.importorskip("moto")
    with moto.mock_aws(), mock_lambda_alias(seed=cloudwatch_scenario.SEED) as m:
        role = boto3.client("iam", region_name=REGION).create_role(RoleName="r", AssumeRolePolicyDocument="{}")
        deploy(boto3.client("lambda", region_name=REGION), role=role["Role"]["Arn"])
        yield m
        assert not m.internal_errors, m.internal_errors


def statistics(
    cloudwatch: Any, name: str, around: datetime.datetime, namespace: str = "AWS/Lambda", **dimensions: str
) -> dict[str, Any]:
    return cloudwatch.get_metric_statistics(
        Namespace=namespace,
        MetricName=name,
        Dimensions=dims(**dimensions),
        StartTime=around - datetime.timedelta(minutes=5),
        EndTime=around + datetime.timedelta(minutes=5),
        Period=600,
        Statistics=["Sum", "SampleCount"],
    )


def test_data_points_carry_the_mocks_clock(moto_world: Any) -> None:
    lam, cloudwatch = boto3.client("lambda", region_name=REGION), boto3.client("cloudwatch", region_name=REGION)
    later = moto_world.advance(2 * 86400)
    lam.invoke(FunctionName="helloworld:PROD", Payload=b"{}")

    answer = statistics(cloudwatch, "Invocations", later, **PROD)
    assert [(p["Sum"], p["Unit"]) for p in answer["Datapoints"]] == [(1.0, "Count")]
    now = datetime.datetime.now(datetime.timezone.utc)
    assert statistics(cloudwatch, "Invocations", now, **PROD)["Datapoints"] == []


def test_errors_are_published_for_every_run_so_an_error_rate_has_a_denominator(moto_world: Any) -> None:
    lam, cloudwatch = boto3.client("lambda", region_name=REGION), boto3.client("cloudwatch", region_name=REGION)
    invoke_many(lam, 14)  # two of them fail
    point = statistics(cloudwatch, "Errors", moto_world.now(), **FN)["Datapoints"][0]
    assert (point["Sum"], point["SampleCount"]) == (2.0, 14.0)


def test_get_metric_data_and_list_metrics_see_the_executed_version_series(moto_world: Any) -> None:
    lam, cloudwatch = boto3.client("lambda", region_name=REGION), boto3.client("cloudwatch", region_name=REGION)
    ran = invoke_many(lam, 50)
    now = moto_world.now()
    query = {
        "Id": "v2",
        "MetricStat": {
            "Metric": {
                "Namespace": "AWS/Lambda",
                "MetricName": "Invocations",
                "Dimensions": dims(**PROD, ExecutedVersion="2"),
            },
            "Period": 600,
            "Stat": "Sum",
        },
    }
    answer = cloudwatch.get_metric_data(
        MetricDataQueries=[query],
        StartTime=now - datetime.timedelta(minutes=10),
        EndTime=now + datetime.timedelta(minutes=10),
    )
    assert sum(answer["MetricDataResults"][0]["Values"]) == sum(1 for v, _ in ran if v == "2")
    listed = cloudwatch.list_metrics(Namespace="AWS/Lambda", MetricName="Errors", Dimensions=dims(**PROD))["Metrics"]
    assert {tuple(sorted((d["Name"], d["Value"]) for d in m["Dimensions"])) for m in listed} == {
        (("FunctionName", "helloworld"), ("Resource", "helloworld:PROD")),
        (("ExecutedVersion", "1"), ("FunctionName", "helloworld"), ("Resource", "helloworld:PROD")),
        (("ExecutedVersion", "2"), ("FunctionName", "helloworld"), ("Resource", "helloworld:PROD")),
    }


@pytest.mark.parametrize(
    ("metric", "value", "unit"),
    [
        ("DeadLetterErrors", 1, "Count"),
        ("DestinationDeliveryFailures", 1, "Count"),
        ("IteratorAge", 1500, "Milliseconds"),
    ],
)
def test_metrics_that_are_not_per_invocation_are_emitted_under_the_same_dimension_sets(
    moto_world: Any, metric: str, value: float, unit: str
) -> None:
    store = moto_world.store
    emit_metric(
        store, "123456789012", REGION, "helloworld", metric, value, unit=unit, qualifier="PROD", executed_version="2"
    )
    cloudwatch = boto3.client("cloudwatch", region_name=REGION)
    for series in ({}, FN, PROD, {**PROD, "ExecutedVersion": "2"}):
        points = statistics(cloudwatch, metric, moto_world.now(), **series)["Datapoints"]
        assert [(p["Sum"], p["Unit"]) for p in points] == [(value, unit)]
        assert sum(d.value for d in moto_world.metrics(metric, dimensions=series)) == value


def test_other_namespaces_keep_moto_s_own_matching(moto_world: Any) -> None:
    cloudwatch = boto3.client("cloudwatch", region_name=REGION)
    cloudwatch.put_metric_data(
        Namespace="Shop", MetricData=[{"MetricName": "Orders", "Value": 3, "Dimensions": dims(Store="a", Till="1")}]
    )
    answer = statistics(cloudwatch, "Orders", datetime.datetime.now(datetime.timezone.utc), "Shop", Store="a")
    assert [p["Sum"] for p in answer["Datapoints"]] == [3.0]


def test_the_handle_filters_by_function_and_refuses_an_unknown_one() -> None:
    with mock_lambda_alias(seed=7) as m:
        lam = boto3.client("lambda", region_name=REGION)
        deploy(lam)
        lam.invoke(FunctionName="helloworld:PROD", Payload=b"{}")
        invocations = m.metrics("Invocations", function_name="helloworld")
        assert sorted(d.dimension_map.get("Resource", "") for d in invocations) == [
            "",
            "helloworld:PROD",
            "helloworld:PROD",
        ]
        assert {d.namespace for d in m.metrics()} == {"AWS/Lambda"}
        with pytest.raises(NotFound, match="no function 'nope'"):
            m.metrics(function_name="nope")


def test_server_mode_refuses_dimensions_that_are_no_json_object(server: Any) -> None:
    assert server.control("POST", "reset").status_code == 200
    wrong = server.control("GET", "metrics", params={"dimensions": "[1]"})
    assert wrong.status_code == 400
    assert wrong.json() == {"message": "dimensions must be a JSON object of names to values"}


def test_concurrent_executions_counts_the_invocations_running_together() -> None:
    moto = pytest.importorskip("moto")
    together = threading.Barrier(3, timeout=10)

    def handler(event: Any, context: Any) -> str:
        together.wait()
        return "ok"

    with moto.mock_aws(), mock_lambda_alias(seed=7) as m:
        role = boto3.client("iam", region_name=REGION).create_role(RoleName="r", AssumeRolePolicyDocument="{}")
        lam = boto3.client("lambda", region_name=REGION)
        deploy(lam, role=role["Role"]["Arn"])
        m.register_handler("helloworld", handler, version="1")
        with ThreadPoolExecutor(3) as pool:
            list(pool.map(lambda _: lam.invoke(FunctionName="helloworld:1", Payload=b"{}"), range(3)))
        lam.invoke(FunctionName="helloworld:2", Payload=b"{}")  # alone

        assert sorted(d.value for d in m.metrics("ConcurrentExecutions", dimensions=FN)) == [1.0, 1.0, 2.0, 3.0]
        cloudwatch = boto3.client("cloudwatch", region_name=REGION)
        answer = cloudwatch.get_metric_statistics(
            Namespace="AWS/Lambda",
            MetricName="ConcurrentExecutions",
            Dimensions=dims(**FN, Resource="helloworld:1"),
            StartTime=m.now() - datetime.timedelta(minutes=5),
            EndTime=m.now() + datetime.timedelta(minutes=5),
            Period=600,
            Statistics=["Maximum"],
        )
        assert [p["Maximum"] for p in answer["Datapoints"]] == [3.0]


def test_provisioned_concurrency_metrics_for_the_alias_that_has_it(world: World) -> None:
    deploy(world.lam, role=world.role)
    world.lam.put_provisioned_concurrency_config(
        FunctionName="helloworld", Qualifier="PROD", ProvisionedConcurrentExecutions=4
    )
    for _ in range(3):
        world.lam.invoke(FunctionName="helloworld:PROD", Payload=b"{}")
    world.lam.invoke(FunctionName="helloworld:2", Payload=b"{}")  # no provisioned concurrency there

    read = world.reader.metric_sum
    assert read("ProvisionedConcurrencyInvocations", PROD) == 3
    assert read("ProvisionedConcurrencyInvocations", FN) == 3
    assert read("ProvisionedConcurrencySpilloverInvocations", FN) == 0
    assert read("ProvisionedConcurrentExecutions", PROD) == 3  # one at a time: 1 each
    assert read("ProvisionedConcurrencyUtilization", PROD, unit="None") == 0.75
    assert read("Invocations", {**FN, "Resource": "helloworld:2"}) == 1


def test_an_invocation_beyond_provisioned_concurrency_spills_over() -> None:
    together = threading.Barrier(3, timeout=10)

    def handler(event: Any, context: Any) -> str:
        together.wait()
        return "ok"

    with mock_lambda_alias(seed=7) as m:
        lam = boto3.client("lambda", region_name=REGION)
        deploy(lam)
        lam.put_provisioned_concurrency_config(
            FunctionName="helloworld", Qualifier="1", ProvisionedConcurrentExecutions=2
        )
        m.register_handler("helloworld", handler, version="1")
        with ThreadPoolExecutor(3) as pool:
            list(pool.map(lambda _: lam.invoke(FunctionName="helloworld:1", Payload=b"{}"), range(3)))

        resource = {**FN, "Resource": "helloworld:1"}
        assert sum(d.value for d in m.metrics("ProvisionedConcurrencyInvocations", dimensions=resource)) == 2
        assert sum(d.value for d in m.metrics("ProvisionedConcurrencySpilloverInvocations", dimensions=resource)) == 1
        assert max(d.value for d in m.metrics("ProvisionedConcurrencyUtilization", dimensions=resource)) == 1.0


def test_after_the_last_stop_moto_s_cloudwatch_is_moto_s_own_again() -> None:
    import moto
    from moto.cloudwatch.models import CloudWatchBackend

    own = {name: CloudWatchBackend.__dict__[name] for name in ("get_all_metrics", "get_metric_statistics")}
    with moto.mock_aws():
        with mock_lambda_alias():
            iam = boto3.client("iam", region_name=REGION)
            role = iam.create_role(RoleName="lambda-role", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
            lam = boto3.client("lambda", region_name=REGION)
            deploy(lam, role=role)
            lam.invoke(FunctionName="helloworld:PROD", Payload=b"{}")
            cloudwatch = boto3.client("cloudwatch", region_name=REGION)
            assert cloudwatch.list_metrics(Namespace="AWS/Lambda")["Metrics"]
        assert {name: CloudWatchBackend.__dict__[name] for name in own} == own
        # What moto answers now is its own: nothing of ours is asked or added any more.
        statistics(cloudwatch, "Invocations", datetime.datetime.now(datetime.timezone.utc), **PROD)
