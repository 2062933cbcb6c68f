"""CloudWatch Logs as Lambda writes them (F-CW-001), read through moto, the handle and server mode.

The group is ``/aws/lambda/<function>`` (or ``LoggingConfig.LogGroup``); each execution
environment writes one stream, ``YYYY/MM/DD/[<version>]<id>``; an invocation's events are its
``LogResult`` text line by line — ``INIT_START`` on a cold start (AWS's runtime-version line,
``INIT_START Runtime Version: python:3.12.v<n>\\tRuntime Version ARN: arn:aws:lambda:<region>::runtime:<hex>``),
``START RequestId: <id> Version: <version>``, the handler's output, ``END``, and the
tab-separated ``REPORT`` (``Init Duration`` on a cold start) — stamped with the mock's clock.
"""

from __future__ import annotations

import base64
import json
import os
import re
from typing import Any

import boto3
import cloudwatch_scenario
import pytest
from cloudwatch_scenario import World, deploy, invoke_many
from conftest import REGION, make_zip, requires_member

from mock_lambda_alias import NotFound, mock_lambda_alias

GROUP = "/aws/lambda/helloworld"
PROD_RESOURCE = {"FunctionName": "helloworld", "Resource": "helloworld:PROD"}
STREAM = re.compile(r"^\d{4}/\d\d/\d\d/\[(\$LATEST|\d+)\][0-9a-f]{32}$")
INIT_START = re.compile(
    r"^INIT_START Runtime Version: python:3\.12\.v\d+\tRuntime Version ARN: "
    r"arn:aws:lambda:us-east-1::runtime:[0-9a-f]{64}\n$"
)
REPORT = re.compile(
    r"^REPORT RequestId: (?P<id>[0-9a-f-]{36})\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\t"
    r"Memory Size: 128 MB\tMax Memory Used: \d+ MB\t(?P<init>Init Duration: \d+\.\d\d ms\t)?\n$"
)


#: The scenario's fixtures: ``world`` (moto, the handle or server mode) and the module's server.
world, server = cloudwatch_scenario.world, cloudwatch_scenario.server


def first_word(message: str) -> str:
    return re.split(r"[ \t]", message, maxsplit=1)[0]


json_logging = requires_member("CreateFunctionRequest", "LoggingConfig", since="1.32.2")


def test_each_stream_names_the_version_that_ran_and_each_start_line_agrees(world: World) -> None:
    deploy(world.lam, role=world.role)
    ran = invoke_many(world.lam, 200)

    streams = world.reader.streams(GROUP)
    assert all(STREAM.match(name) for name in streams), streams
    assert {STREAM.match(name).group(1) for name in streams} == {"1", "2"}
    starts = [(stream, message) for stream, message, _ in world.reader.events(GROUP) if message.startswith("START")]
    assert len(starts) == 200
    for stream, message in starts:
        version = STREAM.match(stream).group(1)
        assert re.match(rf"^START RequestId: [0-9a-f-]{{36}} Version: {version}\n$", message), message
    by_version = {v: sum(1 for _, m in starts if m.endswith(f"Version: {v}\n")) for v in ("1", "2")}
    assert by_version == {v: sum(1 for ran_v, _ in ran if ran_v == v) for v in ("1", "2")}
    assert 0 < by_version["2"] < by_version["1"]


def test_an_invocation_writes_its_log_result_line_by_line_with_init_start_when_cold(world: World) -> None:
    deploy(world.lam, role=world.role)
    first = world.lam.invoke(FunctionName="helloworld:PROD", LogType="Tail", Payload=b"{}")
    second = world.lam.invoke(FunctionName="helloworld:PROD", LogType="Tail", Payload=b"{}")
    assert first["ExecutedVersion"] == second["ExecutedVersion"] == "1"  # seeded

    events = world.reader.events(GROUP)
    assert len({stream for stream, _, _ in events}) == 1  # one warm environment served both
    messages = [message for _, message, _ in events]
    assert INIT_START.match(messages[0]), messages[0]
    for tail, lines, was_cold in ((first, messages[1:7], True), (second, messages[7:], False)):
        assert "".join(lines) == base64.b64decode(tail["LogResult"]).decode()
        request_id = lines[0].split()[2]
        assert lines[0] == f"START RequestId: {request_id} Version: 1\n"
        assert lines[1] == "serving 1\n"
        assert re.match(rf"^\[INFO\]\t\S+Z\t{request_id}\tinfo from 1\n$", lines[2]), lines[2]
        assert re.match(rf"^\[WARNING\]\t\S+Z\t{request_id}\twarning from 1\n$", lines[3]), lines[3]
        assert lines[4] == f"END RequestId: {request_id}\n"
        report = REPORT.match(lines[5])
        assert report and report.group("id") == request_id and bool(report.group("init")) is was_cold


def test_events_are_stamped_with_the_mocks_clock(world: World) -> None:
    if world.mock is None:
        pytest.skip("server mode has no clock the test moves")
    deploy(world.lam, role=world.role)
    world.mock.advance(3 * 86400)
    world.lam.invoke(FunctionName="helloworld:PROD", Payload=b"{}")
    record = world.mock.invocations("helloworld")[-1]
    started = int(record.timestamp.timestamp() * 1000)
    events = world.reader.events(GROUP)
    stamps = [stamp for _, _, stamp in events]
    assert {stream[:11] for stream, _, _ in events} == {record.timestamp.strftime("%Y/%m/%d/")}
    assert stamps[0] == started
    assert all(started <= stamp <= started + 3_000 for stamp in stamps)
    assert stamps == sorted(stamps)


@pytest.mark.parametrize(
    "isolation", ["in-process", pytest.param("process", marks=pytest.mark.skipif(os.name != "posix", reason="POSIX"))]
)
def test_both_isolation_modes_and_asynchronous_invocations_write_logs(isolation: str) -> None:
    moto = pytest.importorskip("moto")
    with moto.mock_aws(), mock_lambda_alias(seed=7, isolation=isolation) as m:
        role = boto3.client("iam", region_name=REGION).create_role(RoleName="r", AssumeRolePolicyDocument="{}")
        lam = boto3.client("lambda", region_name=REGION)
        deploy(lam, role=role["Role"]["Arn"])
        lam.invoke(FunctionName="helloworld", InvocationType="Event", Payload=b"{}")
        logs = boto3.client("logs", region_name=REGION)
        found = logs.filter_log_events(logGroupName=GROUP)["events"]
        assert [first_word(e["message"]) for e in found] == [
            "INIT_START",
            "START",
            "serving",
            "[INFO]",
            "[WARNING]",
            "END",
            "REPORT",
        ]
        assert STREAM.match(found[0]["logStreamName"]).group(1) == "$LATEST"
        assert [e.message for e in m.logs("helloworld")] == [e["message"] for e in found]
        assert not m.internal_errors


def test_an_invocation_no_environment_ran_still_has_a_stream_of_its_version(world: World) -> None:
    deploy(world.lam, role=world.role)
    if world.mock is None:
        fault = world.reader.server.control("POST", "faults", json={"function_name": "helloworld", "version": "2"})
        assert fault.status_code == 200
    else:
        world.mock.inject_fault("helloworld", "2")
    world.lam.invoke(FunctionName="helloworld:2", Payload=b"{}")
    world.lam.invoke(FunctionName="helloworld:2", Payload=b"{}")
    events = world.reader.events(GROUP)
    assert len({stream for stream, _, _ in events}) == 1
    assert STREAM.match(events[0][0]).group(1) == "2"
    assert [first_word(m) for _, m, _ in events] == ["START", "[ERROR]", "END", "REPORT"] * 2


JSON_SOURCE = (
    "import logging\n"
    "logger = logging.getLogger()\n"
    "def handler(event, context):\n"
    "    logger.info('dropped at WARN')\n"
    "    logger.warning('kept at WARN')\n"
    "    return 'ok'\n"
)


@json_logging
def test_json_format_and_a_custom_log_group(world: World) -> None:
    world.lam.create_function(
        FunctionName="jsonfn",
        Runtime="python3.12",
        Role=world.role,
        Handler="lambda_function.handler",
        Code={"ZipFile": make_zip(JSON_SOURCE, "lambda_function.py")},
        LoggingConfig={"LogFormat": "JSON", "ApplicationLogLevel": "WARN", "LogGroup": "/custom/checkout"},
    )
    world.lam.invoke(FunctionName="jsonfn", Payload=b"{}")

    assert world.reader.groups() == ["/custom/checkout"]
    records = [json.loads(message) for _, message, _ in world.reader.events("/custom/checkout")]
    kinds = [r.get("type") or r["level"] for r in records]
    assert kinds == ["platform.initStart", "platform.start", "WARNING", "platform.report"]
    assert records[0]["record"]["functionVersion"] == "$LATEST"
    assert records[1]["record"]["version"] == "$LATEST"
    assert records[2]["message"] == "kept at WARN"
    assert "initDurationMs" in records[3]["record"]["metrics"]
    assert not any("dropped at WARN" in json.dumps(r) for r in records)


def test_the_handle_refuses_an_unknown_function_or_version() -> None:
    with mock_lambda_alias(seed=7) as m:
        lam = boto3.client("lambda", region_name=REGION)
        deploy(lam)
        lam.invoke(FunctionName="helloworld:PROD", Payload=b"{}")
        with pytest.raises(NotFound, match="no function 'nope'"):
            m.logs("nope")
        with pytest.raises(NotFound, match="version '9'"):
            m.logs("helloworld", version="9")
        assert m.logs("helloworld", version="2") == []  # a version that exists and has not run


def test_server_mode_answers_404_and_400_for_mistakes(server: Any) -> None:
    assert server.control("POST", "reset").status_code == 200
    missing = server.control("GET", "logs", params={"function_name": "nope"})
    assert missing.status_code == 404 and "nope" in missing.json()["message"]
    wrong = server.control("GET", "logs", params={"functionname": "x"})
    assert wrong.status_code == 400 and "functionname" in wrong.json()["message"]


def test_a_function_url_request_writes_its_invocation_log() -> None:
    requests = pytest.importorskip("requests")
    with mock_lambda_alias(seed=7) as m:
        lam = boto3.client("lambda", region_name=REGION)
        deploy(lam)
        url = lam.create_function_url_config(FunctionName="helloworld", Qualifier="PROD", AuthType="NONE")
        for action, extra in (
            ("lambda:InvokeFunctionUrl", {"FunctionUrlAuthType": "NONE"}),
            ("lambda:InvokeFunction", {}),
        ):
            lam.add_permission(
                FunctionName="helloworld",
                Qualifier="PROD",
                StatementId=action.split(":")[1],
                Action=action,
                Principal="*",
                **extra,
            )
        assert requests.get(url["FunctionUrl"]).status_code == 200

        [record] = m.invocations("helloworld")
        starts = [e for e in m.logs("helloworld") if e.message.startswith("START")]
        assert [e.message for e in starts] == [f"START RequestId: {record.request_id} Version: 1\n"]
        assert sum(d.value for d in m.metrics("Invocations", dimensions=PROD_RESOURCE)) == 1
