"""Running users' handlers in-process safely: real timeouts, no global lock, Lambda's error
reports for every way a handler can end, and nothing leaking into the test process.

Error reports are those of the Lambda service when its runtime process ends: the runtime
interface client (aws/aws-lambda-python-runtime-interface-client, ``bootstrap.py``) catches
``Exception`` only, so a ``BaseException`` ends the process and the service answers
``{"errorType": "Runtime.ExitError", "errorMessage": "RequestId: <id> Error: Runtime exited with
error: exit status <n>"}`` (``... signal: <name>`` for a signal, ``Runtime exited without providing
a reason`` for status 0), as recorded in public reports of real invocations.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import re
import sys
import threading
import time

import boto3
import pytest
from conftest import REGION, botocore_models, create, make_zip

from mock_lambda_alias import mock_lambda_alias, package
from mock_lambda_alias.runtime import packages


def deploy(lam, source: str, name: str = "my-function", **kwargs):
    return create(lam, name=name, Code={"ZipFile": make_zip(source)}, **kwargs)


def invoke(lam, name: str = "my-function", payload: object = None, **kwargs):
    response = lam.invoke(FunctionName=name, Payload=json.dumps(payload or {}), LogType="Tail", **kwargs)
    response["body"] = response["Payload"].read()
    response["log"] = base64.b64decode(response["LogResult"]).decode()
    return response


def exit_error(response, reason: str) -> None:
    request_id = response["ResponseMetadata"]["RequestId"]
    assert response["FunctionError"] == "Unhandled"
    assert json.loads(response["body"]) == {
        "errorType": "Runtime.ExitError",
        "errorMessage": f"RequestId: {request_id} Error: {reason}",
    }
    assert f"RequestId: {request_id} Error: {reason}\nRuntime.ExitError\n" in response["log"]


FOREVER = "import time\ndef handler(event, context):\n    print('started')\n    while True:\n        time.sleep(0.01)\n"


# --- real timeouts -------------------------------------------------------------------------------


def test_never_returning_handler_times_out_while_other_threads_work(lam):
    deploy(lam, FOREVER, Timeout=1)
    deploy(lam, "def handler(event, context):\n    return 'quick'\n", name="quick")
    others: list[float] = []
    stop = threading.Event()

    def other_calls() -> None:
        client = boto3.client("lambda", region_name=REGION)
        while not stop.is_set():
            started = time.monotonic()
            client.get_function(FunctionName="quick")
            assert client.invoke(FunctionName="quick")["Payload"].read() == b'"quick"'
            others.append(time.monotonic() - started)

    worker = threading.Thread(target=other_calls)
    worker.start()
    try:
        started = time.monotonic()
        response = invoke(lam)
        elapsed = time.monotonic() - started
    finally:
        stop.set()
        worker.join()
    request_id = response["ResponseMetadata"]["RequestId"]
    assert response["FunctionError"] == "Unhandled"
    assert json.loads(response["body"]) == {
        "errorType": "Sandbox.Timedout",
        "errorMessage": f"RequestId: {request_id} Error: Task timed out after 1.00 seconds",
    }
    assert 1.0 <= elapsed < 2.0
    assert len(others) >= 3 and max(others) < 1.0  # the other thread was never blocked
    assert "started\n" in response["log"]
    assert f"RequestId: {request_id} Error: Task timed out after 1.00 seconds\n" in response["log"]
    assert sys.stdout is not None and not type(sys.stdout).__name__.startswith("Output")


def test_sleeping_past_the_timeout_answers_at_the_timeout(lam):
    deploy(lam, "import time\ndef handler(event, context):\n    time.sleep(6)\n", Timeout=1)
    started = time.monotonic()
    payload = json.loads(invoke(lam)["body"])
    assert payload["errorType"] == "Sandbox.Timedout"
    assert time.monotonic() - started < 2.0


def test_timed_out_environment_is_replaced(lam):
    source = (
        "import time\n"
        "calls = 0\n"
        "def handler(event, context):\n"
        "    global calls\n"
        "    calls += 1\n"
        "    if event.get('hang'):\n"
        "        time.sleep(30)\n"
        "    return calls\n"
    )
    deploy(lam, source, Timeout=1)
    assert invoke(lam)["body"] == b"1"
    assert invoke(lam)["body"] == b"2"
    assert json.loads(invoke(lam, payload={"hang": True})["body"])["errorType"] == "Sandbox.Timedout"
    fresh = invoke(lam)
    assert fresh["body"] == b"1"  # a new environment: module state starts over, as after a Lambda timeout
    assert "Init Duration" in fresh["log"]


def test_remaining_time_counts_down_from_the_timeout(lam):
    deploy(lam, "def handler(event, context):\n    return context.get_remaining_time_in_millis()\n", Timeout=2)
    remaining = int(invoke(lam)["body"])
    assert 1500 < remaining <= 2000


def test_stuck_import_times_out_and_cold_starts_resume(lam, monkeypatch):
    from mock_lambda_alias.runtime import lambda_api

    monkeypatch.setattr(lambda_api, "INIT_LIMIT_SECONDS", 0.5)  # Lambda's is 10 s
    deploy(lam, "def handler(event, context):\n    return 'warm'\n", name="warm")
    assert invoke(lam, "warm")["body"] == b'"warm"'
    deploy(lam, "import time\ntime.sleep(60)\ndef handler(event, context):\n    return 1\n", Timeout=1)
    deploy(lam, "def handler(event, context):\n    return 'cold'\n", name="cold")
    result = {}
    thread = threading.Thread(target=lambda: result.setdefault("stuck", invoke(lam)))
    started = time.monotonic()
    thread.start()
    time.sleep(0.2)
    assert invoke(lam, "warm")["body"] == b'"warm"'  # warm environments never wait for an import
    assert invoke(lam, "cold")["body"] == b'"cold"'  # a cold start waits until the stuck import is abandoned
    thread.join(10)
    assert json.loads(result["stuck"]["body"])["errorType"] == "Sandbox.Timedout"
    assert time.monotonic() - started < 2.5  # init's own limit plus the function's timeout


def test_init_has_its_own_time_before_the_handlers_timeout(lam):
    """Lambda gives init 10 s of its own: a slow import does not eat the function's timeout."""
    deploy(lam, "import time\ntime.sleep(1.3)\ndef handler(event, context):\n    return 'ready'\n", Timeout=1)
    result = invoke(lam)
    assert result["body"] == b'"ready"'
    init_ms = float(re.search(r"Init Duration: ([0-9.]+) ms", result["log"]).group(1))
    assert init_ms >= 1300


def test_the_timeout_runs_from_the_end_of_init(lam):
    """After a slow init, a handler that overruns is stopped at init's end plus its timeout."""
    source = "import time\ntime.sleep(0.6)\ndef handler(event, context):\n    time.sleep(30)\n"
    deploy(lam, source, Timeout=1)
    started = time.monotonic()
    payload = json.loads(invoke(lam)["body"])
    elapsed = time.monotonic() - started
    assert payload["errorType"] == "Sandbox.Timedout"
    assert 1.55 <= elapsed < 3.0


# --- no global lock around users' code --------------------------------------------------------------


FAN_OUT = (
    "import boto3, json\n"
    "from concurrent.futures import ThreadPoolExecutor\n"
    "def handler(event, context):\n"
    "    client = boto3.client('lambda')\n"
    "    def call(i):\n"
    "        response = client.invoke(FunctionName='double', Payload=json.dumps({'n': i}))\n"
    "        return json.loads(response['Payload'].read())\n"
    "    with ThreadPoolExecutor(8) as pool:\n"
    "        return list(pool.map(call, range(8)))\n"
)


def test_handler_fanning_out_from_a_thread_pool_completes(mock, lam):
    deploy(lam, "import time\ndef handler(event, context):\n    time.sleep(0.2)\n    return event['n'] * 2\n", "double")
    deploy(lam, FAN_OUT, Timeout=10)
    started = time.monotonic()
    response = invoke(lam)
    assert json.loads(response["body"]) == [0, 2, 4, 6, 8, 10, 12, 14]
    assert time.monotonic() - started < 1.5  # the eight calls ran side by side
    assert mock.count_invocations("double") == 8


def test_function_url_handler_can_fan_out(mock, lam):
    import requests

    deploy(lam, "def handler(event, context):\n    return event['n'] * 2\n", "double")
    deploy(lam, FAN_OUT, Timeout=10)
    url = lam.create_function_url_config(FunctionName="my-function", AuthType="NONE")["FunctionUrl"]
    lam.add_permission(
        FunctionName="my-function",
        StatementId="url",
        Action="lambda:InvokeFunctionUrl",
        Principal="*",
        FunctionUrlAuthType="NONE",
    )
    modeled = botocore_models("AddPermissionRequest", "InvokedViaFunctionUrl")  # not in botocore 1.31
    via_url = {"InvokedViaFunctionUrl": True} if modeled else {}
    lam.add_permission(
        FunctionName="my-function", StatementId="url-invoke", Action="lambda:InvokeFunction", Principal="*", **via_url
    )
    response = requests.get(url, timeout=10)
    assert (response.status_code, response.json()) == (200, [0, 2, 4, 6, 8, 10, 12, 14])


def test_concurrent_invocations_of_one_version_get_their_own_environments(lam):
    source = (
        "import threading, time\n"
        "busy = False\n"
        "def handler(event, context):\n"
        "    global busy\n"
        "    was, busy = busy, True\n"
        "    time.sleep(0.3)\n"
        "    busy = False\n"
        "    return was\n"
    )
    deploy(lam, source)
    results: list[bytes] = []
    threads = [threading.Thread(target=lambda: results.append(invoke(lam)["body"])) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [b"false"] * 4  # no environment ever ran two invocations at once


def test_record_of_a_running_invocation_is_not_ok_yet(mock, lam):
    deploy(lam, "import time\ndef handler(event, context):\n    time.sleep(0.5)\n    return 1\n")
    thread = threading.Thread(target=lambda: invoke(lam))
    thread.start()
    time.sleep(0.2)
    (running,) = mock.invocations("my-function")
    assert (running.completed, running.ok, running.response) == (False, False, None)
    thread.join()
    (done,) = mock.invocations("my-function")
    assert (done.completed, done.ok, done.response) == (True, True, b"1")


# --- every way a handler can end ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "statement, reason",
    [
        ("sys.exit()", "Runtime exited without providing a reason"),
        ("sys.exit(0)", "Runtime exited without providing a reason"),
        ("sys.exit(3)", "Runtime exited with error: exit status 3"),
        ("sys.exit(-1)", "Runtime exited with error: exit status 255"),
        ("sys.exit('bye')", "Runtime exited with error: exit status 1"),
        ("raise KeyboardInterrupt", "Runtime exited with error: signal: interrupt"),
        ("raise GeneratorExit", "Runtime exited with error: exit status 1"),
        ("raise Custom('mine')", "Runtime exited with error: exit status 1"),
    ],
)
def test_base_exceptions_are_runtime_exit_errors(mock, lam, statement, reason):
    source = (
        "import sys\n"
        "class Custom(BaseException):\n"
        "    pass\n"
        "calls = 0\n"
        "def handler(event, context):\n"
        "    global calls\n"
        "    calls += 1\n"
        "    if event.get('fail'):\n"
        f"        {statement}\n"
        "    return calls\n"
    )
    deploy(lam, source)
    assert invoke(lam)["body"] == b"1"
    response = invoke(lam, payload={"fail": True})
    exit_error(response, reason)
    if "bye" in statement:
        assert "bye\n" in response["log"]
    record = mock.invocations("my-function")[-1]
    assert (record.completed, record.ok, record.function_error) == (True, False, "Unhandled")
    assert json.loads(record.response)["errorType"] == "Runtime.ExitError"
    assert invoke(lam)["body"] == b"1"  # the runtime "exited": the next invocation starts a new environment


def test_exit_at_import_is_a_runtime_exit_error(lam):
    deploy(lam, "import sys\nsys.exit(2)\n")
    exit_error(invoke(lam), "Runtime exited with error: exit status 2")


def test_keyboard_interrupt_in_a_handler_does_not_stop_the_test_run(lam):
    deploy(lam, "def handler(event, context):\n    raise KeyboardInterrupt\n")
    for _ in range(3):
        exit_error(invoke(lam), "Runtime exited with error: signal: interrupt")


def test_exceptions_keep_their_lambda_payload(lam):
    deploy(lam, "def handler(event, context):\n    raise ValueError('bad input')\n")
    response = invoke(lam)
    payload = json.loads(response["body"])
    assert (payload["errorType"], payload["errorMessage"]) == ("ValueError", "bad input")
    assert "[ERROR] ValueError: bad input\n" in response["log"]


# --- nothing leaks into the test process -------------------------------------------------------------


LEAKY = (
    "import os, sys, logging, types\n"
    "def handler(event, context):\n"
    "    os.environ['LEAKED_VARIABLE'] = 'yes'\n"
    "    os.environ['PATH'] = '/nowhere'\n"
    "    os.environ.pop('HOME', None)\n"
    "    sys.path.append('/leaked/path')\n"
    "    sys.modules['leaked_module'] = types.ModuleType('leaked_module')\n"
    "    sys.modules['json'] = 'not json'\n"
    "    os.chdir('/')\n"
    "    sys.setrecursionlimit(123)\n"
    "    logging.getLogger().addHandler(logging.StreamHandler())\n"
    "    logging.getLogger().setLevel(logging.DEBUG)\n"
    "    sys.stdout = open(os.devnull, 'w')\n"
    "    return 'done'\n"
)


def snapshot() -> dict:
    root = logging.getLogger()
    return {
        "environ": dict(os.environ),
        "path": list(sys.path),
        "modules": set(sys.modules),
        "json": sys.modules["json"],
        "cwd": os.getcwd(),
        "recursion": sys.getrecursionlimit(),
        "handlers": list(root.handlers),
        "level": root.level,
        "stdout": sys.stdout,
        "stderr": sys.stderr,
    }


def test_side_effects_are_gone_after_the_invoke(lam):
    deploy(lam, LEAKY)
    before = snapshot()
    assert invoke(lam)["body"] == b'"done"'
    after = snapshot()
    assert after == before
    assert "LEAKED_VARIABLE" not in os.environ and os.environ.get("HOME") == before["environ"].get("HOME")


def test_lambda_variables_are_set_only_while_the_handler_runs(lam):
    deploy(lam, "import os\ndef handler(event, context):\n    return os.environ['AWS_LAMBDA_FUNCTION_NAME']\n")
    assert invoke(lam)["body"] == b'"my-function"'
    assert "AWS_LAMBDA_FUNCTION_NAME" not in os.environ and "LAMBDA_TASK_ROOT" not in os.environ


def test_package_modules_do_not_stay_in_sys_modules(lam):
    code = package(
        {
            "index.py": "def handler(event, context):\n    import helper_of_the_package\n    return 1\n",
            "helper_of_the_package.py": "VALUE = 1\n",
        }
    )
    create(lam, Code={"ZipFile": code})
    assert invoke(lam)["body"] == b"1"
    assert "helper_of_the_package" not in sys.modules and "index" not in sys.modules


def test_side_effects_of_a_timed_out_handler_are_undone(lam):
    source = "import os, time\ndef handler(event, context):\n    os.environ['STUCK'] = '1'\n    time.sleep(30)\n"
    deploy(lam, source, Timeout=1)
    stdout = sys.stdout
    assert json.loads(invoke(lam)["body"])["errorType"] == "Sandbox.Timedout"
    assert "STUCK" not in os.environ
    assert sys.stdout is stdout


def test_output_of_other_threads_never_lands_in_the_log(lam):
    deploy(lam, "import time\ndef handler(event, context):\n    print('from the handler')\n    time.sleep(0.3)\n")
    stop = threading.Event()

    def chatter() -> None:
        while not stop.is_set():
            print("from another thread")
            time.sleep(0.005)

    thread = threading.Thread(target=chatter)
    thread.start()
    try:
        log = invoke(lam)["log"]
    finally:
        stop.set()
        thread.join()
    assert "from the handler" in log
    assert "from another thread" not in log


def test_closing_stdout_in_a_handler_closes_nothing(lam):
    deploy(lam, "import sys\ndef handler(event, context):\n    print('bye')\n    sys.stdout.close()\n    return 1\n")
    response = invoke(lam)
    assert response["body"] == b"1" and "bye\n" in response["log"]
    print("the test's own output still works")
    assert not sys.stdout.closed


def test_concurrent_handlers_each_get_their_own_log(lam):
    source = (
        "import time\n"
        "def handler(event, context):\n"
        "    for i in range(20):\n"
        "        print(f\"{event['who']} {i}\")\n"
        "        time.sleep(0.005)\n"
    )
    deploy(lam, source)
    logs: dict[str, str] = {}
    threads = [
        threading.Thread(target=lambda who=who: logs.setdefault(who, invoke(lam, payload={"who": who})["log"]))
        for who in ("alpha", "beta", "gamma")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for who, log in logs.items():
        lines = [line for line in log.splitlines() if not line.startswith(("START", "END", "REPORT"))]
        assert lines == [f"{who} {i}" for i in range(20)]


def test_task_root_is_fresh_in_every_activation():
    writer = (
        "import os\n"
        "def handler(event, context):\n"
        "    path = os.path.join(os.environ['LAMBDA_TASK_ROOT'], 'written.txt')\n"
        "    found = os.path.exists(path)\n"
        "    try:\n"
        "        with open(path, 'w') as f:\n"
        "            f.write('x')\n"
        "    except OSError:\n"
        "        pass\n"
        "    return found\n"
    )
    for _ in range(2):
        with mock_lambda_alias():
            client = boto3.client("lambda", region_name=REGION)
            deploy(client, writer)
            assert invoke(client)["body"] == b"false"


def test_extraction_directories_are_removed_at_stop():
    with mock_lambda_alias():
        client = boto3.client("lambda", region_name=REGION)
        deploy(client, "import os\ndef handler(event, context):\n    return os.environ['LAMBDA_TASK_ROOT']\n")
        task_root = json.loads(invoke(client)["body"])
        assert os.path.isfile(os.path.join(task_root, "index.py"))
    assert not os.path.exists(task_root)


def test_reset_ends_environments_and_directories(mock, lam):
    deploy(lam, "import os\ndef handler(event, context):\n    return os.environ['LAMBDA_TASK_ROOT']\n")
    task_root = json.loads(invoke(lam)["body"])
    mock.reset()
    assert not os.path.exists(task_root)
    deploy(lam, "def handler(event, context):\n    return 'after reset'\n")
    assert invoke(lam)["body"] == b'"after reset"'


def test_thousand_activations_leave_no_directories_behind():
    root = packages.extraction_root()
    before = set(os.listdir(root))
    client = boto3.client("lambda", region_name=REGION)
    code = make_zip("def handler(event, context):\n    return 1\n")
    for _ in range(1000):
        with mock_lambda_alias():
            create(client, Code={"ZipFile": code})
            assert client.invoke(FunctionName="my-function")["Payload"].read() == b"1"
    assert set(os.listdir(root)) == before == set()


# --- bounded records ---------------------------------------------------------------------------------


def test_records_are_capped():
    with mock_lambda_alias(max_invocation_records=5) as m:
        client = boto3.client("lambda", region_name=REGION)
        create(client, Runtime="nodejs20.x")
        for n in range(12):
            client.invoke(FunctionName="my-function", Payload=json.dumps({"n": n}))
        assert [json.loads(r.payload)["n"] for r in m.invocations()] == [7, 8, 9, 10, 11]


def test_default_record_cap_and_no_cap():
    from mock_lambda_alias.backend.invocations import DEFAULT_MAX_RECORDS

    assert DEFAULT_MAX_RECORDS == 10_000
    with mock_lambda_alias() as m:
        assert m.store.invoke.records.maxlen == 10_000
    with mock_lambda_alias(max_invocation_records=None) as m:
        assert m.store.invoke.records.maxlen is None


@pytest.mark.parametrize("value", [-1, 1.5, "10"])
def test_record_cap_must_be_a_count(value):
    with pytest.raises(ValueError, match="max_invocation_records must be None or an int >= 0"):
        mock_lambda_alias(max_invocation_records=value)
