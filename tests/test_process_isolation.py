"""``isolation="process"``: each execution environment is a warm worker process.

A timeout kills the worker, ``MemorySize`` bounds it, and ``os._exit``, a segfault or global side
effects stay inside it; afterwards the next invocation starts a fresh environment, as Lambda
does after a crash. The error reports are the Lambda service's for a runtime process that ended
(``Runtime.ExitError`` naming the exit status or signal as Go's ``exec.ExitError`` words it:
``exit status 7``, ``signal: segmentation fault``), and ``Runtime.OutOfMemory`` for a process
killed for memory (``signal: killed``), as recorded in public reports of real invocations.
"""

from __future__ import annotations

import base64
import json
import os
import sys
import threading
import time

import boto3
import pytest
from conftest import REGION, create, make_zip

from mock_lambda_alias import layer_package, mock_lambda_alias

pytestmark = pytest.mark.skipif(os.name != "posix", reason="worker processes need POSIX")


@pytest.fixture
def pmock():
    with mock_lambda_alias(isolation="process") as m:
        yield m
        assert not m.internal_errors, m.internal_errors


@pytest.fixture
def plam(pmock):
    return boto3.client("lambda", region_name=REGION)


def deploy(lam, source: str, name: str = "my-function", **kwargs):
    return create(lam, name=name, Code={"ZipFile": make_zip(source)}, **kwargs)


def invoke(lam, name: str = "my-function", payload: object = None, **kwargs):
    response = lam.invoke(FunctionName=name, Payload=json.dumps(payload or {}), LogType="Tail", **kwargs)
    response["body"] = response["Payload"].read()
    response["log"] = base64.b64decode(response["LogResult"]).decode()
    return response


def error_of(response) -> dict:
    assert response["FunctionError"] == "Unhandled"
    return json.loads(response["body"])


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie still answers kill(0): look at its state
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return True


COUNTER = (
    "import os\n"
    "calls = 0\n"
    "def handler(event, context):\n"
    "    global calls\n"
    "    calls += 1\n"
    "    return {'calls': calls, 'pid': os.getpid()}\n"
)


def test_handler_runs_in_a_warm_worker_process(plam):
    deploy(plam, COUNTER)
    first, second = (json.loads(invoke(plam)["body"]) for _ in range(2))
    assert first["pid"] != os.getpid() and first["pid"] == second["pid"]
    assert (first["calls"], second["calls"]) == (1, 2)


def test_context_environment_and_results_match_the_in_process_mode(plam):
    source = (
        "import os\n"
        "def handler(event, context):\n"
        "    keys = ['AWS_LAMBDA_FUNCTION_NAME', 'AWS_LAMBDA_FUNCTION_VERSION', 'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',\n"
        "            'AWS_REGION', '_HANDLER', 'STAGE']\n"
        "    return {'env': {k: os.environ.get(k) for k in keys}, 'name': context.function_name,\n"
        "            'memory': context.memory_limit_in_mb, 'remaining': context.get_remaining_time_in_millis(),\n"
        "            'request_id': context.aws_request_id, 'arn': context.invoked_function_arn,\n"
        "            'cwd_is_task_root': os.getcwd() == os.environ['LAMBDA_TASK_ROOT'],\n"
        "            'stream': context.log_stream_name == os.environ['AWS_LAMBDA_LOG_STREAM_NAME'],\n"
        "            'event': event}\n"
    )
    deploy(plam, source, MemorySize=256, Timeout=30, Environment={"Variables": {"STAGE": "prod"}})
    plam.publish_version(FunctionName="my-function")
    plam.create_alias(FunctionName="my-function", Name="live", FunctionVersion="1")
    response = invoke(plam, payload={"k": "é"}, Qualifier="live")
    result = json.loads(response["body"])
    assert result["env"] == {
        "AWS_LAMBDA_FUNCTION_NAME": "my-function",
        "AWS_LAMBDA_FUNCTION_VERSION": "1",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
        "AWS_REGION": "us-east-1",
        "_HANDLER": "index.handler",
        "STAGE": "prod",
    }
    assert (result["name"], result["memory"], result["event"]) == ("my-function", "256", {"k": "é"})
    assert 0 < result["remaining"] <= 30000
    assert result["request_id"] == response["ResponseMetadata"]["RequestId"]
    assert result["arn"].endswith(":function:my-function:live")
    assert result["cwd_is_task_root"] and result["stream"]
    assert response["ExecutedVersion"] == "1"


def test_unhandled_exception_payload_is_the_same(plam):
    deploy(plam, "def handler(event, context):\n    raise Exception('Handler fails')\n")
    response = invoke(plam)
    assert error_of(response) == {
        "errorMessage": "Handler fails",
        "errorType": "Exception",
        "requestId": response["ResponseMetadata"]["RequestId"],
        "stackTrace": ["  File \"/var/task/index.py\", line 2, in handler\n    raise Exception('Handler fails')\n"],
    }
    assert "[ERROR] Exception: Handler fails\n" in response["log"]


@pytest.mark.parametrize(
    "handler, expected",
    [
        (
            "missing.handler",
            {
                "errorMessage": "Unable to import module 'missing': No module named 'missing'",
                "errorType": "Runtime.ImportModuleError",
                "requestId": "",
                "stackTrace": [],
            },
        ),
        (
            "index.nope",
            {
                "errorMessage": "Handler 'nope' missing on module 'index'",
                "errorType": "Runtime.HandlerNotFound",
                "requestId": "",
                "stackTrace": [],
            },
        ),
    ],
)
def test_init_errors_are_the_same(plam, handler, expected):
    deploy(plam, COUNTER, Handler=handler)
    assert error_of(invoke(plam)) == expected


def test_output_is_captured_at_the_file_descriptor_level(plam):
    source = (
        "import os, subprocess, sys\n"
        "print('at init')\n"
        "def handler(event, context):\n"
        "    print('from print')\n"
        "    print('from stderr', file=sys.stderr)\n"
        "    os.write(1, b'from fd 1\\n')\n"
        "    subprocess.run(['echo', 'from a child process'], check=True)\n"
        "    return 1\n"
    )
    deploy(plam, source)
    first = invoke(plam)["log"]
    for line in ("at init", "from print", "from stderr", "from fd 1", "from a child process"):
        assert f"{line}\n" in first
    second = invoke(plam)["log"]
    assert "at init" not in second and "from print\n" in second


# --- timeouts kill the worker ------------------------------------------------------------------------


def test_timeout_kills_the_worker_even_in_c_code(plam):
    # sum(range(...)) runs in C without ever releasing the GIL: no thread could be stopped.
    source = (
        "import os\n"
        "def handler(event, context):\n"
        "    if event.get('hang'):\n"
        "        sum(range(10 ** 13))\n"
        "    return os.getpid()\n"
    )
    deploy(plam, source, Timeout=1)
    pid = int(invoke(plam)["body"])
    started = time.monotonic()
    response = invoke(plam, payload={"hang": True})
    elapsed = time.monotonic() - started
    request_id = response["ResponseMetadata"]["RequestId"]
    assert error_of(response) == {
        "errorType": "Sandbox.Timedout",
        "errorMessage": f"RequestId: {request_id} Error: Task timed out after 1.00 seconds",
    }
    assert 1.0 <= elapsed < 2.0
    assert not alive(pid)
    assert int(invoke(plam)["body"]) != pid  # a fresh environment


def test_never_returning_handler_does_not_block_other_threads(plam):
    deploy(plam, "import time\ndef handler(event, context):\n    time.sleep(60)\n", Timeout=1)
    deploy(plam, "def handler(event, context):\n    return 'quick'\n", name="quick")
    invoke(plam, "quick")
    durations: list[float] = []
    stop = threading.Event()

    def other_calls() -> None:
        client = boto3.client("lambda", region_name=REGION)
        while not stop.is_set():
            started = time.monotonic()
            assert client.invoke(FunctionName="quick")["Payload"].read() == b'"quick"'
            durations.append(time.monotonic() - started)

    thread = threading.Thread(target=other_calls)
    thread.start()
    try:
        response = invoke(plam)
    finally:
        stop.set()
        thread.join()
    assert error_of(response)["errorType"] == "Sandbox.Timedout"
    assert len(durations) >= 3 and max(durations) < 1.0


# --- crashes stay inside ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "statement, error_type, reason",
    [
        ("os._exit(7)", "Runtime.ExitError", "Runtime exited with error: exit status 7"),
        ("os._exit(0)", "Runtime.ExitError", "Runtime exited without providing a reason"),
        ("ctypes.string_at(0)", "Runtime.ExitError", "Runtime exited with error: signal: segmentation fault"),
        ("os.abort()", "Runtime.ExitError", "Runtime exited with error: signal: aborted"),
        ("sys.exit(3)", "Runtime.ExitError", "Runtime exited with error: exit status 3"),
        ("sys.exit()", "Runtime.ExitError", "Runtime exited without providing a reason"),
        ("raise KeyboardInterrupt", "Runtime.ExitError", "Runtime exited with error: signal: interrupt"),
        ("raise Custom()", "Runtime.ExitError", "Runtime exited with error: exit status 1"),
        ("x = bytearray(1024 * 2 ** 20)", "Runtime.OutOfMemory", "Runtime exited with error: signal: killed"),
    ],
)
def test_crashes_give_lambdas_report_and_a_fresh_environment(pmock, plam, statement, error_type, reason):
    source = (
        "import ctypes, os, sys\n"
        "class Custom(BaseException):\n"
        "    pass\n"
        "def handler(event, context):\n"
        "    if event.get('crash'):\n"
        "        print('about to crash')\n"
        f"        {statement}\n"
        "    return os.getpid()\n"
    )
    deploy(plam, source, MemorySize=128)
    pid = int(invoke(plam)["body"])
    response = invoke(plam, payload={"crash": True})
    request_id = response["ResponseMetadata"]["RequestId"]
    assert error_of(response) == {"errorType": error_type, "errorMessage": f"RequestId: {request_id} Error: {reason}"}
    assert "about to crash\n" in response["log"]
    assert f"RequestId: {request_id} Error: {reason}\n{error_type}\n" in response["log"]
    record = pmock.invocations("my-function")[-1]
    assert (record.completed, record.ok, record.function_error) == (True, False, "Unhandled")
    assert not alive(pid)
    assert int(invoke(plam)["body"]) not in (pid, os.getpid())


def test_exit_at_import_is_a_runtime_exit_error(plam):
    deploy(plam, "import sys\nsys.exit(2)\n")
    response = invoke(plam)
    request_id = response["ResponseMetadata"]["RequestId"]
    assert error_of(response) == {
        "errorType": "Runtime.ExitError",
        "errorMessage": f"RequestId: {request_id} Error: Runtime exited with error: exit status 2",
    }


def test_memory_size_is_enforced(plam):
    source = "def handler(event, context):\n    return len(bytearray(event['mb'] * 2 ** 20))\n"
    deploy(plam, source, MemorySize=128)
    deploy(plam, source, name="bigger", MemorySize=1024)
    assert invoke(plam, payload={"mb": 64})["body"] == str(64 * 2**20).encode()
    assert error_of(invoke(plam, payload={"mb": 512}))["errorType"] == "Runtime.OutOfMemory"
    assert invoke(plam, "bigger", payload={"mb": 512})["body"] == str(512 * 2**20).encode()


def test_global_side_effects_stay_in_the_worker(plam):
    source = (
        "import os, sys, types\n"
        "def handler(event, context):\n"
        "    seen = os.environ.get('SET_BY_THE_HANDLER')\n"
        "    os.environ['SET_BY_THE_HANDLER'] = 'yes'\n"
        "    os.environ.pop('HOME', None)\n"
        "    sys.path.append('/leaked/path')\n"
        "    sys.modules['leaked_module'] = types.ModuleType('leaked_module')\n"
        "    os.chdir('/')\n"
        "    sys.setrecursionlimit(123)\n"
        "    return seen\n"
    )
    deploy(plam, source)
    home, cwd, path, limit = os.environ.get("HOME"), os.getcwd(), list(sys.path), sys.getrecursionlimit()
    assert invoke(plam)["body"] == b"null"
    assert invoke(plam)["body"] == b'"yes"'  # the warm environment keeps its own changes, as on Lambda
    assert "SET_BY_THE_HANDLER" not in os.environ and os.environ.get("HOME") == home
    assert (os.getcwd(), sys.path, sys.getrecursionlimit()) == (cwd, path, limit)
    assert "leaked_module" not in sys.modules


def test_aws_calls_from_a_worker_stay_off_the_network(plam):
    source = (
        "import boto3\n"
        "def handler(event, context):\n"
        "    try:\n"
        "        boto3.client('s3', region_name='us-east-1').list_buckets()\n"
        "    except Exception as exc:\n"
        "        return type(exc).__name__\n"
    )
    deploy(plam, source, Timeout=30)
    assert invoke(plam)["body"] == b'"EndpointConnectionError"'


# --- environments and lifecycle -------------------------------------------------------------------------


def test_concurrent_invocations_get_their_own_workers(plam):
    deploy(plam, "import os, time\ndef handler(event, context):\n    time.sleep(0.5)\n    return os.getpid()\n")
    pids: list[int] = []
    threads = [threading.Thread(target=lambda: pids.append(int(invoke(plam)["body"]))) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(pids)) == 3


def test_versions_run_in_their_own_workers(plam):
    deploy(plam, COUNTER)
    plam.publish_version(FunctionName="my-function")
    plam.update_function_code(FunctionName="my-function", ZipFile=make_zip(COUNTER + "# v2\n"))
    plam.publish_version(FunctionName="my-function")
    one = json.loads(invoke(plam, Qualifier="1")["body"])
    two = json.loads(invoke(plam, Qualifier="2")["body"])
    assert one["pid"] != two["pid"] and one["calls"] == two["calls"] == 1


def test_stop_ends_the_workers():
    with mock_lambda_alias(isolation="process"):
        client = boto3.client("lambda", region_name=REGION)
        deploy(client, COUNTER)
        pid = json.loads(invoke(client)["body"])["pid"]
        assert alive(pid)
    assert not alive(pid)


def test_isolation_per_function_and_version(mock, lam):
    deploy(lam, COUNTER)
    deploy(lam, COUNTER, name="isolated")
    lam.publish_version(FunctionName="my-function")
    mock.set_isolation("isolated", "process")
    mock.set_isolation("my-function", "process", version="1")
    assert json.loads(invoke(lam)["body"])["pid"] == os.getpid()
    assert json.loads(invoke(lam, "isolated")["body"])["pid"] != os.getpid()
    assert json.loads(invoke(lam, Qualifier="1")["body"])["pid"] != os.getpid()


def test_handlers_import_from_their_layers(plam):
    shared = layer_package({"shared.py": "import os\nVALUE = os.getpid()\n"})
    layer = plam.publish_layer_version(LayerName="shared", Content={"ZipFile": shared})
    source = "import os, shared\ndef handler(event, context):\n    return [shared.VALUE, os.getpid()]\n"
    deploy(plam, source, Layers=[layer["LayerVersionArn"]])
    value, pid = json.loads(invoke(plam)["body"])
    assert value == pid != os.getpid()


def test_registered_callables_run_in_process(pmock, plam):
    deploy(plam, COUNTER)
    pmock.register_handler("my-function", lambda event, context: os.getpid())
    assert invoke(plam)["body"] == str(os.getpid()).encode()


@pytest.mark.parametrize("value", ["thread", "", "PROCESS"])
def test_isolation_must_be_known(mock, value):
    with pytest.raises(ValueError, match="isolation must be one of 'in-process', 'process'"):
        mock_lambda_alias(isolation=value)
    with pytest.raises(ValueError, match="isolation must be one of 'in-process', 'process'"):
        mock.set_isolation("my-function", value)
