"""A whole test suite as a user runs it: ours against moto and botocore's floor, side by side.

Writes a throw-away suite of ``--tests`` tests (default 1,000). Each test creates a function,
publishes two versions, creates an alias routing 10% to the second and invokes the alias 10
times: the shape of a canary or blue-green deploy test. The same suite runs with ``pytest -n 2``
three ways, interleaved round by round:

* ``ours``  — the ``mock_lambda_alias`` fixture (the Python handler really runs);
* ``moto``  — ``moto.mock_aws`` per test, with its Docker-free Lambda (invoke echoes the event);
* ``floor`` — botocore answering every call with a canned response from a ``before-send``
  handler: what botocore and pytest themselves cost, the least any mock can take.

    python benchmarks/suite.py                 # 1,000 tests, 3 rounds
    python benchmarks/suite.py --tests 200 --rounds 1

It prints the median wall time and CPU time (of pytest and its workers) of each, and the ratios;
absolute times vary between machines.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Optional

CONFTEST = """
import io
import json
import os
import zipfile

import boto3
import pytest

TARGET = os.environ["SUITE_TARGET"]
ROLE = "arn:aws:iam::123456789012:role/suite"


def _zip():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", "def handler(event, context):\\n    return event\\n")
    return buffer.getvalue()


ZIP = _zip()


def _canned_client():
    from botocore.awsrequest import AWSResponse

    from mock_lambda_alias.wire.protocol import RawBody

    fn = {"FunctionName": "f", "FunctionArn": "arn:aws:lambda:us-east-1:123456789012:function:f"}
    canned = {
        "CreateFunction": (201, {**fn, "Version": "$LATEST", "State": "Pending"}),
        "PublishVersion": (201, {**fn, "Version": "1"}),
        "UpdateFunctionConfiguration": (200, {**fn, "Description": "v2"}),
        "CreateAlias": (201, {"Name": "live", "FunctionVersion": "1",
                              "RoutingConfig": {"AdditionalVersionWeights": {"2": 0.1}}}),
    }
    client = boto3.client("lambda", region_name="us-east-1")

    def answer(request, event_name="", **_):
        operation = event_name.rpartition(".")[2]
        if operation == "Invoke":
            headers = {"Content-Type": "application/json", "X-Amz-Executed-Version": "1"}
            return AWSResponse(request.url, 200, headers, RawBody(request.body or b"{}"))
        status, body = canned[operation]
        headers = {"Content-Type": "application/json"}
        return AWSResponse(request.url, status, headers, RawBody(json.dumps(body).encode()))

    client.meta.events.register_first("before-send.lambda", answer)
    return client


@pytest.fixture
def lam():
    if TARGET == "ours":
        from mock_lambda_alias import mock_lambda_alias

        with mock_lambda_alias():
            yield boto3.client("lambda", region_name="us-east-1")
    elif TARGET == "moto":
        from moto import mock_aws

        with mock_aws(config={"lambda": {"use_docker": False}}):
            iam = boto3.client("iam", region_name="us-east-1")
            iam.create_role(RoleName="suite", AssumeRolePolicyDocument="{}")
            yield boto3.client("lambda", region_name="us-east-1")
    else:
        yield _canned_client()
"""

TESTS = """
import json

import pytest

from conftest import ROLE, ZIP


@pytest.mark.parametrize("n", range({count}))
def test_canary(lam, n):
    lam.create_function(FunctionName="f", Runtime="python3.12", Role=ROLE, Handler="app.handler",
                        Code={{"ZipFile": ZIP}})
    lam.publish_version(FunctionName="f")
    lam.update_function_configuration(FunctionName="f", Description="v2")
    lam.publish_version(FunctionName="f")
    lam.create_alias(FunctionName="f", Name="live", FunctionVersion="1",
                     RoutingConfig={{"AdditionalVersionWeights": {{"2": 0.1}}}})
    for i in range(10):
        response = lam.invoke(FunctionName="f", Qualifier="live", Payload=json.dumps({{"i": i}}))
        assert json.loads(response["Payload"].read()) == {{"i": i}}
"""

TARGETS = ("floor", "ours", "moto")


def run(target: str, folder: Path, workers: str) -> tuple[float, float]:
    """(wall time, CPU time of pytest and its workers) of one run of the suite under ``target``."""
    env = dict(os.environ, SUITE_TARGET=target, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing")
    env.update(AWS_DEFAULT_REGION="us-east-1", AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", workers, str(folder)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode != 0:
        tail = "\n".join(done.stdout.splitlines()[-15:])
        raise SystemExit(f"the suite failed under {target}:\n{tail}\n{done.stderr[-2000:]}")
    return wall, cpu


#: How much faster than moto the whole suite must run, in wall time.
MOTO_TARGET = 6.0


def main(argv: Optional[list[str]] = None) -> bool:
    """Run the suite under each target; whether ours met its target against moto (True without moto)."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tests", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", default="2", help="pytest-xdist workers (-n)")
    args = parser.parse_args(argv)
    try:
        import moto  # noqa: F401

        targets = TARGETS
    except ImportError:
        targets = ("floor", "ours")
    walls: dict[str, list[float]] = {t: [] for t in targets}
    cpus: dict[str, list[float]] = {t: [] for t in targets}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "conftest.py").write_text(CONFTEST)
        (folder / "test_suite.py").write_text(TESTS.format(count=args.tests))
        (folder / "pytest.ini").write_text("[pytest]\n")
        for _ in range(args.rounds):
            for target in targets:
                wall, cpu = run(target, folder, args.workers)
                walls[target].append(wall)
                cpus[target].append(cpu)
    wall_median = {t: statistics.median(v) for t, v in walls.items()}
    cpu_median = {t: statistics.median(v) for t, v in cpus.items()}
    print(
        f"{args.tests} tests (create, publish x2, alias with routing, invoke x10), pytest -n {args.workers}, "
        f"median of {args.rounds} round(s); wall time, and CPU time of pytest and its workers:"
    )
    for target in targets:
        print(
            f"  {target:6} wall {wall_median[target]:7.2f} s {wall_median[target] / wall_median['floor']:5.2f}x floor"
            f"   CPU {cpu_median[target]:7.2f} s {cpu_median[target] / cpu_median['floor']:5.2f}x floor"
        )
    if "moto" not in wall_median:
        return True
    faster = wall_median["moto"] / wall_median["ours"]
    print(
        f"  ours is {faster:.1f}x faster than moto in wall time (target >= {MOTO_TARGET:.0f}x)"
        f"{'' if faster >= MOTO_TARGET else '  MISSED'}, {cpu_median['moto'] / cpu_median['ours']:.1f}x in CPU time"
    )
    # A mock costing nothing would run the suite in the floor's time: moto / floor bounds the ratio.
    print(f"  the most any mock could reach here: {wall_median['moto'] / wall_median['floor']:.1f}x (moto / floor)")
    return faster >= MOTO_TARGET


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
