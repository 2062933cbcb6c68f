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
