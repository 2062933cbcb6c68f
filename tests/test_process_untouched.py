"""The mock changes nothing of the process it tests in.

Apart from what a handler itself does, running the mock leaves the test process as it found it:
the threads' CPU sets and scheduling policies, ``tempfile``'s directory, the environment, and no
files in ``/dev/shm``. What a handler changes in-process is put back key by key, and never over
a change the test made since (``mock_lambda_alias.runtime.process_state`` says what that covers and
where it stops). Everything is checked through a real ``boto3`` client.
"""

from __future__ import annotations

import json
import os

import boto3
import pytest
from conftest import REGION, create, make_zip

from mock_lambda_alias import mock_lambda_alias


def deploy(lam, source: str, name: str = "my-function", **kwargs):
    return create(lam, name=name, Code={"ZipFile": make_zip(source)}, **kwargs)


def call(lam, name: str = "my-function", payload: object = None, **kwargs):
    response = lam.invoke(FunctionName=name, Payload=json.dumps(payload or {}), **kwargs)
    response["body"] = json.loads(response["Payload"].read())
    return response


def _state(pid: int) -> str:
    """A process's state letter ("Z": a zombie), or "gone"."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"


# --- isolation="process": a handler's os.fork() ------------------------------------------------------


FORKING = (
    "import os\n"
    "def handler(event, context):\n"
    "    pid = os.fork()\n"
    "    if pid == 0:\n"
    "        return {'who': 'child'}  # returns into the worker's loop, as a careless handler would\n"
    "    os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)  # ended, and not reaped\n"
    "    return {'who': 'parent', 'child': pid, 'worker': os.getpid()}\n"
)


@pytest.mark.skipif(not hasattr(os, "waitid") or not os.path.exists("/proc/self/stat"), reason="needs waitid and /proc")
def test_a_forked_child_never_answers_and_is_reaped():
    """The child returning from the handler exits without a word on the worker's pipe (the parent's
    answer arrives, the worker stays warm), and the worker reaps it: no zombie is left."""
    with mock_lambda_alias(isolation="process"):
        lam = boto3.client("lambda", region_name=REGION)
        deploy(lam, FORKING)
        workers = set()
        for _ in range(3):
            response = call(lam)
            assert "FunctionError" not in response, response["body"]
            body = response["body"]
            assert body["who"] == "parent"
            assert _state(body["child"]) == "gone"
            workers.add(body["worker"])
        assert len(workers) == 1


# --- Lambda's response limit --------------------------------------------------------------------------
#
# Source: LocalStack's AWS-validated snapshot tests/aws/services/lambda_/test_lambda.snapshot.json,
# "TestLambdaBaseFeatures::test_lambda_too_large_response" (recorded against AWS on 24-11-2025): a
# python3.12 handler returning a 7 MiB string answers StatusCode 200, FunctionError "Unhandled" and
# {"errorMessage": "Response payload size exceeded maximum allowed payload size (6291556 bytes).",
#  "errorType": "Function.ResponseSizeTooLarge"}, and so does the next invocation; its AWS-validated
# test_lambda_large_response returns a response of 6 MiB + 2 bytes (a 6 MiB string) whole. The
# limit is that of synchronous invocations: an Event invocation returns no payload (AWS's Invoke
# API reference: 6 MB for synchronous invocations, 1 MB for asynchronous ones, both of the request).

LIMIT = 6_291_556
TOO_LARGE = {
    "errorMessage": "Response payload size exceeded maximum allowed payload size (6291556 bytes).",
    "errorType": "Function.ResponseSizeTooLarge",
}
SIZED = "def handler(event, context):\n    print('generating bytes')\n    return 'a' * event['n']\n"


@pytest.fixture(params=["in-process", "process"])
def sized(request):
    if request.param == "process" and os.name != "posix":
        pytest.skip("worker processes need POSIX")
    with mock_lambda_alias(isolation=request.param) as m:
        lam = boto3.client("lambda", region_name=REGION)
        deploy(lam, SIZED)
        yield m, lam


def test_a_response_over_the_limit_is_a_function_error(sized):
    m, lam = sized
    for _ in range(2):  # the environment stays usable, as AWS's second invocation shows
        response = lam.invoke(FunctionName="my-function", Payload=json.dumps({"n": 7 * 1024 * 1024}), LogType="Tail")
        assert response["StatusCode"] == 200
        assert response["FunctionError"] == "Unhandled"
        assert response["ExecutedVersion"] == "$LATEST"
        assert json.loads(response["Payload"].read()) == TOO_LARGE
    assert "generating bytes" in m.invocations("my-function")[-1].log


def test_the_limit_is_six_mebibytes_and_a_hundred_bytes(sized):
    _, lam = sized
    for size, over in ((6 * 1024 * 1024 + 2, False), (LIMIT, False), (LIMIT + 1, True)):
        response = lam.invoke(FunctionName="my-function", Payload=json.dumps({"n": size - 2}))  # JSON's quotes
        body = response["Payload"].read()
        if over:
            assert (response["FunctionError"], json.loads(body)) == ("Unhandled", TOO_LARGE)
        else:
            assert "FunctionError" not in response and len(body) == size


def test_an_event_invocations_response_is_not_limited(sized):
    m, lam = sized
    response = lam.invoke(FunctionName="my-function", InvocationType="Event", Payload=json.dumps({"n": LIMIT}))
    assert response["StatusCode"] == 202
    record = m.invocations("my-function")[-1]
    assert record.function_error is None and len(record.response) == LIMIT + 2
