"""``mock-lambda-alias serve`` as a command: options, one log line per request, clean stops."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
from importlib.metadata import entry_points

import boto3
import pytest
import requests
from botocore import UNSIGNED
from botocore.config import Config
from conftest import create
from serverproc import ServerProcess, wait_for_log

ROLE_444 = "arn:aws:iam::444444444444:role/lambda-role"
CONSOLE_SCRIPT = os.path.join(os.path.dirname(sys.executable), "mock-lambda-alias")


def test_console_script_is_declared():
    scripts = (
        entry_points(group="console_scripts") if sys.version_info >= (3, 10) else entry_points()["console_scripts"]
    )
    declared = {ep.name: ep.value for ep in scripts}
    assert declared["mock-lambda-alias"] == "mock_lambda_alias.server.cli:main"


@pytest.mark.skipif(not os.path.exists(CONSOLE_SCRIPT), reason="the package is not installed with its scripts")
def test_console_script_serves_and_stops_on_ctrl_c():
    process = subprocess.Popen(
        [CONSOLE_SCRIPT, "serve", "--host", "127.0.0.1", "--port", "0"], stdout=subprocess.PIPE, text=True
    )
    try:
        line = process.stdout.readline()
        match = re.search(
            r"serving AWS Lambda on (http://127\.0\.0\.1:\d+) \(account 123456789012, region us-east-1\)", line
        )
        assert match, line
        assert requests.get(match.group(1) + "/_mock_lambda_alias/health", timeout=30).json()["status"] == "running"
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=20) == 0
        assert process.stdout.read() == "mock-lambda-alias: stopped\n"
    finally:
        if process.poll() is None:
            process.kill()
        process.stdout.close()


def test_python_m_serves_and_stops_on_sigterm():
    server = ServerProcess()
    try:
        assert server.control("GET", "health").status_code == 200
        code, out = server.stop(signal.SIGTERM)
        assert (code, out) == (0, "mock-lambda-alias: stopped\n")
        with pytest.raises(requests.ConnectionError):
            requests.get(server.url + "/_mock_lambda_alias/health", timeout=5)
    finally:
        server.close()


def test_one_log_line_per_request():
    server = ServerProcess()
    try:
        lam = server.client()
        create(lam)
        lam.get_function(FunctionName="my-function")
        with pytest.raises(lam.exceptions.ResourceNotFoundException):
            lam.get_alias(FunctionName="my-function", Name="nope")
        requests.get(server.url + "/unknown/path", timeout=30)
        # A request's line is written once its response is sent: the next request, served by
        # another thread, may log first. So: wait for every line, then match each pattern once.
        log = ""
        for request in ('/functions"', '/functions/my-function"', "/aliases/nope", "/unknown/path"):
            log = wait_for_log(server, request)
        lines = [line for line in log.splitlines() if '"' in line]
        assert len(lines) == 4, log
        for pattern in (
            r'127\.0\.0\.1 "POST /2015-03-31/functions" 201 CreateFunction \d+\.\dms$',
            r'"GET /2015-03-31/functions/my-function" 200 GetFunction ',
            r'"GET /2015-03-31/functions/my-function/aliases/nope" 404 GetAlias ',
            r'"GET /unknown/path" 404 - ',
        ):
            assert len([line for line in lines if re.search(pattern, line)]) == 1, (pattern, log)
    finally:
        server.close()


def test_quiet_logs_no_requests():
    server = ServerProcess("--quiet")
    try:
        for _ in range(3):
            server.control("GET", "health")
        server.stop()
        assert server.log_text() == ""
    finally:
        server.close()


def test_default_account_and_region_options():
    server = ServerProcess("--account-id", "444444444444", "--region", "eu-north-1", "--quiet")
    try:
        unsigned = boto3.client(
            "lambda", endpoint_url=server.url, region_name="us-west-2", config=Config(signature_version=UNSIGNED)
        )
        assert (
            create(unsigned, "f", Role=ROLE_444)["FunctionArn"] == "arn:aws:lambda:eu-north-1:444444444444:function:f"
        )
        signed = server.client(region="us-west-2")
        assert create(signed, "f", Role=ROLE_444)["FunctionArn"] == "arn:aws:lambda:us-west-2:444444444444:function:f"
        health = server.control("GET", "health").json()
        assert (health["account_id"], health["region"]) == ("444444444444", "eu-north-1")
    finally:
        server.close()


def _routing_with_seed(seed: str) -> list[str]:
    server = ServerProcess("--seed", seed, "--quiet")
    try:
        lam = server.client()
        create(lam)
        lam.publish_version(FunctionName="my-function")
        lam.update_function_configuration(FunctionName="my-function", Description="v2")
        lam.publish_version(FunctionName="my-function")
        lam.create_alias(
            FunctionName="my-function",
            Name="canary",
            FunctionVersion="1",
            RoutingConfig={"AdditionalVersionWeights": {"2": 0.5}},
        )
        return [lam.invoke(FunctionName="my-function:canary")["ExecutedVersion"] for _ in range(16)]
    finally:
        server.close()


def test_seed_option_makes_routing_repeatable_across_servers():
    first = _routing_with_seed("1234")
    assert first == _routing_with_seed("1234")
    assert set(first) == {"1", "2"}


def test_port_in_use_is_reported():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "mock_lambda_alias", "serve", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 1
    assert f"mock-lambda-alias: cannot listen on 127.0.0.1:{port}:" in done.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["serve", "--access-key", "AKID"], "expected ACCESS_KEY_ID=ACCOUNT_ID (12 digits), got 'AKID'"),
        (["serve", "--access-key", "AKID=123"], "expected ACCESS_KEY_ID=ACCOUNT_ID (12 digits), got 'AKID=123'"),
        (["serve", "--account-id", "12345"], "an account id is 12 digits, got '12345'"),
        (["serve", "--port", "http"], "invalid int value: 'http'"),
        ([], "the following arguments are required: COMMAND"),
    ],
)
def test_bad_options_are_refused(args, message):
    done = subprocess.run(
        [sys.executable, "-m", "mock_lambda_alias", *args], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert message in done.stderr


def test_help_names_the_options():
    done = subprocess.run(
        [sys.executable, "-m", "mock_lambda_alias", "serve", "--help"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0
    for option in ("--host", "--port", "--account-id", "--region", "--access-key", "--seed", "--max-body-mb"):
        assert option in done.stdout


def test_bind_all_interfaces_reports_a_usable_url():
    server = ServerProcess("--host", "0.0.0.0", "--quiet")
    try:
        assert server.url.startswith("http://127.0.0.1:")
        assert server.control("GET", "health").status_code == 200
    finally:
        server.close()


def test_the_package_and_its_pytest_plugin_do_not_load_the_server():
    code = (
        "import sys, mock_lambda_alias, mock_lambda_alias.pytest_plugin; "
        "print(sorted(m for m in sys.modules if m.startswith('mock_lambda_alias.server')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
