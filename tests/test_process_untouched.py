"""The mock changes nothing of the process it tests in.

Apart from what a handler itself does, running the mock leaves the test process as it found it:
the threads' CPU sets and scheduling policies, ``tempfile``'s directory, the environment, and no
files in ``/dev/shm``. What a handler changes in-process is put back key by key, and never over
a change the test made since (``mock_lambda_alias.runtime.process_state`` says what that covers and
where it stops). Everything is checked through a real ``boto3`` client.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import tempfile
import textwrap
import threading
import time

import boto3
import pytest
from conftest import REGION, create, make_zip

from mock_lambda_alias import mock_lambda_alias
from mock_lambda_alias.runtime import packages


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


# --- CPU sets and scheduling policies ------------------------------------------------------------------

scheduling = pytest.mark.skipif(
    not all(hasattr(os, name) for name in ("sched_getaffinity", "sched_setaffinity", "sched_getscheduler")),
    reason="needs sched_getaffinity, sched_setaffinity and sched_getscheduler (Linux)",
)

PROBE = "import json, os; print(json.dumps([sorted(os.sched_getaffinity(0)), os.sched_getscheduler(0)]))"

#: Reports the CPU set and policy of the invoking thread (while it waits), of the handler's own
#: thread, of a thread the handler starts and of a process it starts.
SCHEDULING = (
    "import json, os, subprocess, sys, threading\n"
    f"PROBE = {PROBE!r}\n"
    "def mine(tid=0):\n"
    "    return [sorted(os.sched_getaffinity(tid)), os.sched_getscheduler(tid)]\n"
    "def handler(event, context):\n"
    "    seen = {}\n"
    "    helper = threading.Thread(target=lambda: seen.update(helper=mine()))\n"
    "    helper.start()\n"
    "    helper.join()\n"
    "    child = subprocess.run([sys.executable, '-c', PROBE], capture_output=True, text=True, check=True)\n"
    "    return {'caller': mine(event['caller']), 'handler': mine(), 'helper': seen['helper'],\n"
    "            'child': json.loads(child.stdout)}\n"
)


def _scheduling() -> list:
    return [sorted(os.sched_getaffinity(0)), os.sched_getscheduler(0)]


def _child_scheduling() -> list:
    return json.loads(subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True).stdout)


def _without_the_mock() -> tuple[list, list, list]:
    """What this thread, a thread it starts and a process it starts have: a run without the mock."""
    seen: list = []
    helper = threading.Thread(target=lambda: seen.append(_scheduling()))
    helper.start()
    helper.join()
    return _scheduling(), seen[0], _child_scheduling()


def _run_in_a_thread(scenario) -> None:
    failed: list[BaseException] = []

    def run() -> None:
        try:
            scenario()
        except BaseException as exc:
            failed.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if failed:
        raise failed[0]


@scheduling
@pytest.mark.parametrize("isolation", ["in-process", "process"])
@pytest.mark.parametrize("one_cpu", [False, True], ids=["own-cpus", "restricted-to-one-cpu"])
def test_cpu_sets_and_scheduling_policies_are_as_without_the_mock(isolation, one_cpu):
    """Before, during and after invokes and after stop(), the invoking thread, the handler, a thread
    and a process the handler starts have the CPU set and policy they would have without the mock,
    also when the invoking thread was restricted to one CPU first."""

    def scenario() -> None:
        if one_cpu:
            os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
        own, helper, child = _without_the_mock()
        assert own == helper == child
        with mock_lambda_alias(isolation=isolation):
            lam = boto3.client("lambda", region_name=REGION)
            deploy(lam, SCHEDULING, Timeout=30)
            assert _scheduling() == own
            for _ in range(3):  # a cold start, then warm ones
                body = call(lam, payload={"caller": threading.get_native_id()})["body"]
                assert body == {"caller": own, "handler": own, "helper": own, "child": own}
                assert _scheduling() == own
        assert _scheduling() == own
        assert _child_scheduling() == own

    _run_in_a_thread(scenario)


# --- tempfile, the environment, /dev/shm ----------------------------------------------------------------


TMP_USER = (
    "import os, tempfile\n"
    "def handler(event, context):\n"
    "    with tempfile.NamedTemporaryFile() as f:\n"
    "        return [os.environ['LAMBDA_TASK_ROOT'], tempfile.gettempdir(), f.name]\n"
)

FRESH_PROCESS = textwrap.dedent(
    """
    import json, os, sys, tempfile
    import boto3
    assert tempfile.tempdir is None
    from mock_lambda_alias import mock_lambda_alias, package

    code = package({"index.py": sys.argv[1]})
    environ = dict(os.environ)
    m = mock_lambda_alias().start()
    assert tempfile.tempdir is None, "after start"
    lam = boto3.client("lambda", region_name="us-east-1")
    for name in ("inside", "worker"):
        lam.create_function(FunctionName=name, Runtime="python3.12", Role="arn:aws:iam::123456789012:role/r",
                            Handler="index.handler", Code={"ZipFile": code})
    m.set_isolation("worker", "process")
    paths = [json.loads(lam.invoke(FunctionName=name)["Payload"].read()) for name in ("inside", "worker")]
    assert tempfile.tempdir is None, "after the invokes"
    m.stop()
    assert tempfile.tempdir is None, "after stop"
    assert dict(os.environ) == environ
    print(json.dumps(paths))
    """
)


def test_a_fresh_process_keeps_tempfile_unsettled_and_its_environment():
    """In a process whose tempfile has not chosen its directory yet, start, invokes (in-process and in
    a worker) and stop leave ``tempfile.tempdir`` None and ``os.environ`` as it was; nothing of the
    mock's goes to /dev/shm."""
    env = {k: v for k, v in os.environ.items() if k not in ("TMPDIR", "TEMP", "TMP")}
    env.update(AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)
    done = subprocess.run(
        [sys.executable, "-c", FRESH_PROCESS, TMP_USER], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    for task_root, tmp, named in json.loads(done.stdout.splitlines()[-1]):
        for path in (task_root, tmp, named):
            assert not path.startswith("/dev/shm")
            if os.name == "posix" and os.path.isdir("/tmp"):
                assert path.startswith("/tmp" + os.sep)
        assert os.path.dirname(named) == tmp


def test_tempdir_stays_unsettled_and_the_environment_unchanged(monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", None)
    environ = dict(os.environ)
    with mock_lambda_alias():
        lam = boto3.client("lambda", region_name=REGION)
        deploy(lam, TMP_USER)
        task_root, tmp, _ = call(lam)["body"]
        assert tempfile.tempdir is None
        assert not task_root.startswith("/dev/shm") and not tmp.startswith("/dev/shm")
    assert tempfile.tempdir is None
    assert dict(os.environ) == environ


def test_tempfile_settling_itself_while_a_handler_runs_is_not_undone(mock, lam, monkeypatch):
    """Another thread's first tempfile call settles ``tempfile.tempdir`` while a handler runs: that is
    tempfile's doing, not the handler's, and stays; the handler still gets its own ``/tmp``, and
    the test's thread gets tempfile's directory. Afterwards ``gettempdir`` is tempfile's own again."""
    monkeypatch.setattr(tempfile, "tempdir", None)
    original = tempfile.gettempdir
    running, release = threading.Event(), threading.Event()
    seen: dict = {}

    def handler(event, context):
        running.set()
        release.wait(10)
        return tempfile.gettempdir()

    _function(mock, lam, "tmp-user", handler)
    thread = threading.Thread(target=lambda: seen.update(tmp=call(lam, "tmp-user")["body"]))
    thread.start()
    try:
        assert running.wait(10)
        settled = tempfile.gettempdir()  # the test's thread: tempfile settles its directory
        assert tempfile.tempdir == settled
    finally:
        release.set()
        thread.join(10)
    assert seen["tmp"] != settled
    assert tempfile.tempdir == settled
    assert tempfile.gettempdir is original


def test_the_process_directory_is_not_in_dev_shm(monkeypatch):
    for name in ("TMPDIR", "TEMP", "TMP"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(tempfile, "tempdir", None)
    parent = packages.temporary_parent()
    assert parent != "/dev/shm" and tempfile.tempdir is None
    if os.name == "posix":
        assert parent == "/tmp"
    assert not packages.extraction_root().startswith("/dev/shm")


# --- in-process: a handler's own changes are reverted, the test's are kept -------------------------------

#: Each kind of process state a handler can change, with what it does and what the test looks at.
KINDS = {
    "environment variable": (
        "os.environ['SET_BY_THE_HANDLER'] = 'x'; os.environ['PATH'] = '/nowhere'; os.environ.pop('HOME', None)",
        lambda: dict(os.environ),
    ),
    "sys.path": ("sys.path.append('/handler/last'); sys.path.insert(0, '/handler/first')", lambda: list(sys.path)),
    "working directory": ("os.chdir('/')", os.getcwd),
    "root logger": (
        "logging.getLogger().addHandler(logging.NullHandler()); logging.getLogger().setLevel(5); "
        "logging.disable(logging.CRITICAL)",
        lambda: (list(logging.root.handlers), logging.root.level, logging.root.manager.disable),
    ),
    "sys.modules entry": (
        "sys.modules['injected_by_the_handler'] = object(); sys.modules['json'] = 'not json'",
        lambda: ("injected_by_the_handler" in sys.modules, sys.modules["json"]),
    ),
    "sys.stdout": ("sys.stdout = open(os.devnull, 'w'); sys.stderr = io.StringIO()", lambda: (sys.stdout, sys.stderr)),
    "recursion limit": ("sys.setrecursionlimit(123)", sys.getrecursionlimit),
    "tempfile.tempdir": ("tempfile.tempdir = '/chosen/by/the/handler'", lambda: tempfile.tempdir),
}


def _changing(statement: str) -> str:
    return (
        f"import io, logging, os, sys, tempfile\ndef handler(event, context):\n    {statement}\n    return 'changed'\n"
    )


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_handlers_own_change_is_reverted(lam, kind):
    statement, look = KINDS[kind]
    deploy(lam, _changing(statement))
    before = look()
    assert call(lam)["body"] == "changed"
    assert look() == before
    assert call(lam)["body"] == "changed"  # warm, again
    assert look() == before


def _function(mock, lam, name: str, handler) -> None:
    create(lam, name=name)
    mock.register_handler(name, handler)


def test_an_invocation_reverts_its_changes_when_it_ends_while_another_still_runs(mock, lam):
    """The invocation that ends puts back its own changes then, not when the last running invocation
    ends (which also rolled back what the test changed meanwhile); the other one's stay its own."""
    running, release = threading.Event(), threading.Event()

    def slow(event, context):
        os.environ["SET_BY_SLOW"] = "slow"
        running.set()
        release.wait(10)
        return os.environ.get("SET_BY_SLOW")

    def quick(event, context):
        os.environ["SET_BY_QUICK"] = "quick"
        sys.path.append("/set/by/quick")
        return "quick"

    _function(mock, lam, "slow", slow)
    _function(mock, lam, "quick", quick)
    results: dict = {}
    thread = threading.Thread(target=lambda: results.update(slow=call(lam, "slow")["body"]))
    thread.start()
    try:
        assert running.wait(10)
        assert call(lam, "quick")["body"] == "quick"
        assert "SET_BY_QUICK" not in os.environ and "/set/by/quick" not in sys.path  # at once
        assert os.environ.get("SET_BY_SLOW") == "slow"  # still running: its change is its own
    finally:
        release.set()
        thread.join(10)
    assert results["slow"] == "slow"
    assert "SET_BY_SLOW" not in os.environ


@pytest.mark.skipif(os.name != "posix", reason="worker processes need POSIX")
def test_a_change_the_test_makes_after_a_handler_ended_stays_while_another_invocation_runs(mock, lam, monkeypatch):
    """After an in-process invocation ended, the test's own changes stay, though another invocation
    of another environment (here in a worker process) is still running and ends later."""
    flag = os.path.join(packages.extraction_root(), f"release-{os.getpid()}-{threading.get_ident()}")
    deploy(
        lam,
        "import os, time\ndef handler(event, context):\n    while not os.path.exists(event['flag']):\n"
        "        time.sleep(0.01)\n    return 'slow'\n",
        name="slow",
        Timeout=30,
    )
    mock.set_isolation("slow", "process")
    deploy(lam, _changing(KINDS["environment variable"][0]), name="quick")
    results: dict = {}
    thread = threading.Thread(target=lambda: results.update(slow=call(lam, "slow", {"flag": flag})["body"]))
    thread.start()
    try:
        assert call(lam, "quick")["body"] == "changed"
        monkeypatch.setenv("SET_BY_THE_TEST", "test")
        monkeypatch.syspath_prepend("/set/by/the/test")
    finally:
        open(flag, "w").close()
        thread.join(30)
        os.remove(flag)
    assert results["slow"] == "slow"
    assert os.environ.get("SET_BY_THE_TEST") == "test" and sys.path[0] == "/set/by/the/test"
    assert "SET_BY_THE_HANDLER" not in os.environ


def test_a_key_the_test_changed_after_the_handler_changed_it_keeps_the_tests_value(lam, monkeypatch):
    """Per key: the test's later value of one key stays; the handler's other changes are still undone."""
    deploy(
        lam,
        "import os, sys\n"
        "def handler(event, context):\n"
        "    os.environ['CHANGED_BY_BOTH'] = 'handler'\n"
        "    os.environ['CHANGED_BY_THE_HANDLER'] = 'handler'\n"
        "    sys.path.append('/by/the/handler')\n"
        "    return 'changed'\n",
    )
    assert call(lam)["body"] == "changed"
    monkeypatch.setenv("CHANGED_BY_BOTH", "test")
    assert call(lam)["body"] == "changed"  # the handler changes it again: that change goes
    assert os.environ["CHANGED_BY_BOTH"] == "test"
    assert "CHANGED_BY_THE_HANDLER" not in os.environ and "/by/the/handler" not in sys.path


def test_lambdas_variables_go_and_the_tests_own_value_of_one_comes_back(lam, monkeypatch):
    deploy(lam, "import os\ndef handler(event, context):\n    return os.environ['AWS_LAMBDA_FUNCTION_NAME']\n")
    lambda_names = ("LAMBDA_TASK_ROOT", "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_LAMBDA_FUNCTION_VERSION", "_HANDLER")
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "the tests own")
    assert call(lam)["body"] == "my-function"
    assert os.environ["AWS_LAMBDA_FUNCTION_NAME"] == "the tests own"
    assert not any(name in os.environ for name in lambda_names)


def test_variables_beyond_ascii_are_seen_and_put_back(lam, monkeypatch):
    """The environment is read and written in the form the operating system holds it: values
    beyond ASCII reach the handler as set and are put back as they were."""
    monkeypatch.setenv("THE_TESTS_OWN", "café")
    deploy(
        lam,
        "import os\ndef handler(event, context):\n    os.environ['THE_TESTS_OWN'] = 'thé'\n"
        "    return [os.environ['GREETING'], os.environ['THE_TESTS_OWN']]\n",
        Environment={"Variables": {"GREETING": "grüß dich ✓"}},
    )
    assert call(lam)["body"] == ["grüß dich ✓", "thé"]
    assert "GREETING" not in os.environ and os.environ["THE_TESTS_OWN"] == "café"


def test_limit_a_change_made_while_a_handler_runs_is_taken_for_the_handlers(mock, lam):
    """The documented limit, measured: without tracing hooks a change another thread (here the test's)
    makes while an in-process handler runs cannot be told from the handler's own, and is reverted
    when that handler ends. Changes made while no handler runs stay (the tests above)."""
    running, release = threading.Event(), threading.Event()

    def slow(event, context):
        running.set()
        release.wait(10)
        return "slow"

    _function(mock, lam, "slow", slow)
    thread = threading.Thread(target=lambda: call(lam, "slow"))
    thread.start()
    try:
        assert running.wait(10)
        os.environ["SET_WHILE_A_HANDLER_RUNS"] = "test"
    finally:
        release.set()
        thread.join(10)
    assert "SET_WHILE_A_HANDLER_RUNS" not in os.environ


# --- stop() ends the environments' threads -----------------------------------------------------------


def test_stop_ends_every_environment_thread():
    """Idle environments' threads are told to stop and joined; a running handler is abandoned as at
    a timeout (its invocation answers Runtime.ExitError) and its thread joined."""
    running = threading.Event()
    results: dict = {}

    def busy(event, context):
        running.set()
        while True:
            time.sleep(0.01)

    names = {"lambda stop-idle:$LATEST", "lambda stop-busy:$LATEST"}
    with mock_lambda_alias() as m:
        lam = boto3.client("lambda", region_name=REGION)
        deploy(lam, "def handler(event, context):\n    return 'idle'\n", name="stop-idle")
        create(lam, name="stop-busy", Timeout=60)
        m.register_handler("stop-busy", busy)
        assert call(lam, "stop-idle")["body"] == call(lam, "stop-idle")["body"] == "idle"
        thread = threading.Thread(target=lambda: results.update(busy=call(lam, "stop-busy")))
        thread.start()
        assert running.wait(10)
        assert names <= {t.name for t in threading.enumerate()}
    assert not names & {t.name for t in threading.enumerate() if t.is_alive()}
    thread.join(10)
    response = results["busy"]
    request_id = response["ResponseMetadata"]["RequestId"]
    assert response["FunctionError"] == "Unhandled"
    assert response["body"] == {
        "errorType": "Runtime.ExitError",
        "errorMessage": f"RequestId: {request_id} Error: Runtime exited with error: signal: killed",
    }


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


def test_a_streamed_response_is_not_held_to_the_buffered_limit(sized):
    """InvokeWithResponseStream streams its response: AWS's limit for it is far above the 6 MB of a
    buffered response (Lambda developer guide, "Response streaming"), so a 7 MiB answer streams whole."""
    _, lam = sized
    size = 7 * 1024 * 1024
    response = lam.invoke_with_response_stream(FunctionName="my-function", Payload=json.dumps({"n": size}))
    events = list(response["EventStream"])
    chunks = b"".join(e["PayloadChunk"]["Payload"] for e in events if "PayloadChunk" in e)
    assert len(chunks) == size + 2
    assert events[-1]["InvokeComplete"] == {}


def test_a_handlers_change_to_a_lambda_variable_never_stays_when_another_invocation_starts(mock, lam):
    """A handler changes one of Lambda's variables while another invocation starts and sets it again:
    when both have ended, the variable is as the test had it (absent), not the handler's value."""
    running, release = threading.Event(), threading.Event()

    def alpha(event, context):
        os.environ["AWS_LAMBDA_FUNCTION_NAME"] = "changed by alpha"
        running.set()
        release.wait(10)
        return "alpha"

    _function(mock, lam, "alpha", alpha)
    _function(mock, lam, "beta", lambda event, context: os.environ["AWS_LAMBDA_FUNCTION_NAME"])
    thread = threading.Thread(target=lambda: call(lam, "alpha"))
    thread.start()
    try:
        assert running.wait(10)
        assert call(lam, "beta")["body"] == "beta"
    finally:
        release.set()
        thread.join(10)
    assert "AWS_LAMBDA_FUNCTION_NAME" not in os.environ


@pytest.mark.parametrize("first_to_end", ["older", "newer"])
def test_concurrent_handlers_changing_one_key_leave_nothing_behind(mock, lam, first_to_end):
    """Two handlers change one variable, the second starting after the first changed it; whichever
    ends first, neither value outlives both."""
    events = {name: (threading.Event(), threading.Event()) for name in ("older", "newer")}

    def changing(name):
        def handler(event, context):
            changed, release = events[name]
            os.environ["CHANGED_BY_BOTH_HANDLERS"] = name
            changed.set()
            release.wait(10)
            return name

        return handler

    threads = {}
    for name in ("older", "newer"):
        _function(mock, lam, name, changing(name))
        threads[name] = threading.Thread(target=lambda name=name: call(lam, name))
        threads[name].start()
        assert events[name][0].wait(10)
    for name in (first_to_end, "newer" if first_to_end == "older" else "older"):
        events[name][1].set()
        threads[name].join(10)
    assert "CHANGED_BY_BOTH_HANDLERS" not in os.environ
