"""The seed's canary, and three ways to read what Lambda wrote to CloudWatch about it.

``helloworld:PROD`` routes 90/10 between versions 1 and 2 (seeded); every seventh invocation
fails. The readers answer the same questions through moto's CloudWatch Logs and CloudWatch
clients (``mock_aws`` active), through the handle (``m.logs()`` / ``m.metrics()``), and through
server mode's control endpoints, so one test asserts the same facts against each.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Callable, Optional

import boto3
import pytest
from conftest import REGION, ROLE, make_zip
from serverproc import ServerProcess

from mock_lambda_alias import mock_lambda_alias

SEED = 7
WAYS = ("moto", "handle", "server")

SOURCE = (
    "import logging\n"
    "logger = logging.getLogger()\n"
    "logger.setLevel(logging.INFO)\n"
    "def handler(event, context):\n"
    "    print('serving', context.function_version)\n"
    "    logger.info('info from %s', context.function_version)\n"
    "    logger.warning('warning from %s', context.function_version)\n"
    "    if event.get('fail'):\n"
    "        raise ValueError('failing on purpose')\n"
    "    return {'version': context.function_version}\n"
)
CODE = make_zip(SOURCE, "lambda_function.py")
FAIL_EVERY = 7


def deploy(lam: Any, name: str = "helloworld", role: str = ROLE, **settings: Any) -> None:
    """The function, versions 1 and 2, and PROD sending 10% to version 2."""
    lam.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=role,
        Handler="lambda_function.handler",
        Code={"ZipFile": CODE},
        **settings,
    )
    lam.publish_version(FunctionName=name)
    lam.update_function_configuration(FunctionName=name, Description="v2")
    lam.publish_version(FunctionName=name)
    lam.create_alias(
        FunctionName=name, Name="PROD", FunctionVersion="1", RoutingConfig={"AdditionalVersionWeights": {"2": 0.1}}
    )


def invoke_many(lam: Any, count: int, target: str = "helloworld:PROD") -> list[tuple[str, bool]]:
    """(version that ran, whether it failed) of each invocation, from the responses."""
    ran = []
    for index in range(count):
        payload = json.dumps({"fail": index % FAIL_EVERY == 0})
        response = lam.invoke(FunctionName=target, Payload=payload)
        ran.append((response["ExecutedVersion"], "FunctionError" in response))
    return ran


def dims(**given: str) -> list[dict[str, str]]:
    return [{"Name": name, "Value": value} for name, value in given.items()]


class MotoReader:
    """moto's CloudWatch Logs and CloudWatch, as a test reads AWS."""

    def __init__(self, now: Callable[[], datetime.datetime]) -> None:
        self.logs = boto3.client("logs", region_name=REGION)
        self.cloudwatch = boto3.client("cloudwatch", region_name=REGION)
        self.now = now

    def groups(self) -> list[str]:
        return [g["logGroupName"] for g in self.logs.describe_log_groups()["logGroups"]]

    def streams(self, group: str) -> list[str]:
        pages = self.logs.get_paginator("describe_log_streams").paginate(logGroupName=group)
        return [s["logStreamName"] for page in pages for s in page["logStreams"]]

    def events(self, group: str) -> list[tuple[str, str, int]]:
        """(stream, message, timestamp) of every event of the group, stream by stream."""
        out = []
        for stream in self.streams(group):
            found = self.logs.get_log_events(logGroupName=group, logStreamName=stream, startFromHead=True)
            out.extend((stream, e["message"], e["timestamp"]) for e in found["events"])
        return out

    def metric_sum(self, name: str, dimensions: Optional[dict[str, str]] = None, *, unit: str = "Count") -> float:
        answer = self.cloudwatch.get_metric_statistics(
            Namespace="AWS/Lambda",
            MetricName=name,
            Dimensions=dims(**(dimensions or {})),
            StartTime=self.now() - datetime.timedelta(hours=1),
            EndTime=self.now() + datetime.timedelta(hours=1),
            Period=60,
            Statistics=["Sum"],
        )
        assert {p["Unit"] for p in answer["Datapoints"]} <= {unit}
        return sum(p["Sum"] for p in answer["Datapoints"])


class HandleReader:
    """The handle's ``m.logs()`` and ``m.metrics()``."""

    def __init__(self, mock: Any) -> None:
        self.mock = mock

    def groups(self) -> list[str]:
        return sorted({e.log_group for e in self.mock.logs()})

    def streams(self, group: str) -> list[str]:
        return sorted({e.log_stream for e in self.mock.logs(log_group=group)})

    def events(self, group: str) -> list[tuple[str, str, int]]:
        found = self.mock.logs(log_group=group)
        by_stream = sorted(found, key=lambda e: e.log_stream)  # stable: each stream's order is kept
        return [(e.log_stream, e.message, e.timestamp_ms) for e in by_stream]

    def metric_sum(self, name: str, dimensions: Optional[dict[str, str]] = None, *, unit: str = "Count") -> float:
        data = self.mock.metrics(name, dimensions=dimensions or {})
        assert {d.unit for d in data} <= {unit}
        return sum(d.value for d in data)


class ServerReader:
    """Server mode's ``logs`` and ``metrics`` control endpoints."""

    def __init__(self, server: Any) -> None:
        self.server = server

    def groups(self) -> list[str]:
        return sorted({e["log_group"] for e in self._events(None)})

    def _events(self, group: Optional[str]) -> list[dict[str, Any]]:
        answer = self.server.control("GET", "logs", params={} if group is None else {"log_group": group})
        assert answer.status_code == 200, answer.text
        return answer.json()["events"]

    def streams(self, group: str) -> list[str]:
        return sorted({e["log_stream"] for e in self._events(group)})

    def events(self, group: str) -> list[tuple[str, str, int]]:
        found = sorted(self._events(group), key=lambda e: e["log_stream"])
        return [(e["log_stream"], e["message"], e["timestamp"]) for e in found]

    def metric_sum(self, name: str, dimensions: Optional[dict[str, str]] = None, *, unit: str = "Count") -> float:
        params = {"metric_name": name, "dimensions": json.dumps(dimensions or {})}
        answer = self.server.control("GET", "metrics", params=params)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert {d["unit"] for d in body["metrics"]} <= {unit}
        return body["sum"]


@dataclass
class World:
    """A Lambda client, a reader of what Lambda wrote, and the handle when there is one."""

    way: str
    lam: Any
    reader: Any
    mock: Any = None
    role: str = ROLE


@pytest.fixture(scope="module")
def server() -> Iterator[ServerProcess]:
    process = ServerProcess("--quiet")
    try:
        yield process
    finally:
        process.close()


@pytest.fixture(params=WAYS)
def world(request: pytest.FixtureRequest) -> Iterator[World]:
    """The same scenario read through moto, the handle, or server mode."""
    if request.param == "server":
        served: ServerProcess = request.getfixturevalue("server")
        assert served.control("POST", "reset").status_code == 200
        assert served.control("PUT", "seed", json={"seed": SEED}).status_code == 200
        yield World("server", served.client(), ServerReader(served))
        assert served.control("GET", "internal-errors").json()["internal_errors"] == []
        return
    if request.param == "moto":
        moto = pytest.importorskip("moto")
        with moto.mock_aws(), mock_lambda_alias(seed=SEED) as m:
            iam = boto3.client("iam", region_name=REGION)
            role = iam.create_role(RoleName="lambda-role", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
            yield World("moto", boto3.client("lambda", region_name=REGION), MotoReader(m.now), m, role)
            assert not m.internal_errors, m.internal_errors
        return
    with mock_lambda_alias(seed=SEED) as m:
        yield World("handle", boto3.client("lambda", region_name=REGION), HandleReader(m), m)
        assert not m.internal_errors, m.internal_errors
