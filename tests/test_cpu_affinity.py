"""The in-process hand-off keeps both threads on one CPU, and nothing of that reaches the test or the handler.

While an invocation waits, the invoking thread and the environment's thread share one CPU (see
``mock_lambda_alias.runtime.affinity``); the handler runs with the invoking thread's own CPU set,
so the threads and processes it starts are not confined, and the invoking thread has its own set
back when the call returns, whatever the handler did. The environment's thread waits for work
under SCHED_BATCH, so that the caller's hand-off is not preempted; the caller's policy is its own.
Where the system refuses, invocations run exactly as before, unpinned.
"""

from __future__ import annotations

import json
import os
import threading

import pytest
from conftest import create, make_zip

from mock_lambda_alias.runtime import affinity

pytestmark = pytest.mark.skipif(
    not hasattr(os, "sched_setaffinity") or len(os.sched_getaffinity(0)) < 2,
    reason="CPU affinity needs Linux and at least two CPUs",
)

REPORTS_CPUS = (
    "import os, threading\n"
    "def handler(event, context):\n"
    "    seen = {}\n"
    "    def helper():\n"
    "        seen['helper'] = sorted(os.sched_getaffinity(0))\n"
    "    t = threading.Thread(target=helper)\n"
    "    t.start()\n"
    "    t.join()\n"
    "    return {'handler': sorted(os.sched_getaffinity(0)), 'helper': seen['helper']}\n"
)


def _invoke(lam, name: str = "my-function") -> dict:
    response = lam.invoke(FunctionName=name, Payload=b"{}")
    assert response["StatusCode"] == 200
    return json.loads(response["Payload"].read())


def test_the_handler_and_its_threads_run_with_the_callers_cpus(lam):
    create(lam, Code={"ZipFile": make_zip(REPORTS_CPUS)})
    mine = sorted(os.sched_getaffinity(0))
    for _ in range(3):  # cold, then warm environments
        assert _invoke(lam) == {"handler": mine, "helper": mine}
    assert sorted(os.sched_getaffinity(0)) == mine


def test_the_caller_gets_its_own_cpu_set_back(lam):
    create(lam)
    mine = os.sched_getaffinity(0)
    narrower = {max(mine)}  # a thread the user confined to one CPU stays confined there
    os.sched_setaffinity(0, narrower)
    try:
        _invoke(lam)
        _invoke(lam)
        assert os.sched_getaffinity(0) == narrower
    finally:
        os.sched_setaffinity(0, mine)
    _invoke(lam)
    assert os.sched_getaffinity(0) == mine


def test_a_handler_changing_its_own_cpus_changes_nothing_of_the_callers(lam):
    source = (
        "import os\n"
        "def handler(event, context):\n"
        "    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})\n"
        "    return 1\n"
    )
    create(lam, Code={"ZipFile": make_zip(source)})
    mine = os.sched_getaffinity(0)
    assert _invoke(lam) == 1
    assert os.sched_getaffinity(0) == mine


def test_threads_invoking_at_once_each_get_their_cpus_back(lam):
    create(lam, Code={"ZipFile": make_zip(REPORTS_CPUS)})
    mine = sorted(os.sched_getaffinity(0))
    results: list[object] = []

    def work() -> None:
        for _ in range(5):
            results.append(_invoke(lam))
        results.append(sorted(os.sched_getaffinity(0)))

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count(mine) == 8
    assert results.count({"handler": mine, "helper": mine}) == 40


def test_a_refusal_switches_pinning_off_and_invocations_go_on(lam, monkeypatch):
    create(lam)
    calls = []

    def refuse(pid: int, cpus: object) -> None:
        calls.append(cpus)
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(affinity, "_setaffinity", refuse)
    monkeypatch.setattr(affinity, "enabled", True)
    assert _invoke(lam) == {}  # the cold start runs, unpinned
    assert affinity.enabled is False
    assert len(calls) == 1  # tried once, then never again in this process
    assert _invoke(lam) == {}
    assert _invoke(lam) == {}
    assert len(calls) == 1


REPORTS_POLICY = "import os\ndef handler(event, context):\n    return os.sched_getscheduler(0)\n"


def test_the_environments_thread_waits_under_sched_batch_and_the_caller_keeps_its_policy(lam):
    """Woken by the caller, the environment's thread must not preempt it: SCHED_BATCH, only there."""
    create(lam, Code={"ZipFile": make_zip(REPORTS_POLICY)})
    mine = os.sched_getscheduler(0)
    assert _invoke(lam) == os.SCHED_BATCH
    assert _invoke(lam) == os.SCHED_BATCH
    assert os.sched_getscheduler(0) == mine


def test_a_refused_policy_changes_nothing_else(lam, monkeypatch):
    create(lam, Code={"ZipFile": make_zip(REPORTS_POLICY)})

    def refuse(*args: object) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "sched_setscheduler", refuse)
    assert _invoke(lam) == os.sched_getscheduler(0)


REPORTS_MEETING = (
    "import os, threading\n"
    "def handler(event, context):\n"
    "    return {'caller': sorted(os.sched_getaffinity(event['caller'])), 'me': threading.get_native_id()}\n"
)


def test_the_meeting_cpu_is_one_the_caller_was_running_on(lam):
    """Every process meeting on one fixed CPU made the workers of ``pytest -n`` queue there."""
    assert affinity._running_on() in os.sched_getaffinity(0)


def _runs_on(monkeypatch: pytest.MonkeyPatch, cpu: int) -> None:
    """The invoking thread is found on ``cpu`` at the next hand-off."""
    monkeypatch.setattr(affinity, "_running_on", lambda: cpu)
    monkeypatch.setattr(affinity, "_keep_for", 0)


def test_a_waiting_environment_moves_to_the_meeting_cpu(lam, monkeypatch):
    create(lam, Code={"ZipFile": make_zip(REPORTS_MEETING)})
    cpus = sorted(os.sched_getaffinity(0))
    payload = json.dumps({"caller": threading.get_native_id()}).encode()

    def invoke() -> dict:
        result = json.loads(lam.invoke(FunctionName="my-function", Payload=payload)["Payload"].read())
        assert os.sched_getaffinity(0) == set(cpus)  # the caller's own set again
        return result

    _runs_on(monkeypatch, cpus[0])
    cold = invoke()
    assert cold["caller"] == [cpus[0]]  # a cold start is pinned too
    assert os.sched_getaffinity(cold["me"]) == {cpus[0]}  # its new thread waits there
    for cpu in (cpus[-1], cpus[0], cpus[-1]):
        _runs_on(monkeypatch, cpu)
        warm = invoke()
        assert warm["me"] == cold["me"]
        assert warm["caller"] == [cpu]  # the caller waited pinned to the meeting CPU
        assert os.sched_getaffinity(warm["me"]) == {cpu}  # and the environment waits there now


def test_the_meeting_cpu_is_kept_for_a_while(lam, monkeypatch):
    create(lam, Code={"ZipFile": make_zip(REPORTS_MEETING)})
    payload = json.dumps({"caller": threading.get_native_id()}).encode()
    cpus = sorted(os.sched_getaffinity(0))
    _runs_on(monkeypatch, cpus[-1])
    lam.invoke(FunctionName="my-function", Payload=payload)
    lookups = []
    monkeypatch.setattr(affinity, "_running_on", lambda: lookups.append(1) or cpus[-1])
    for _ in range(affinity._LOOKUP_EVERY + 1):
        result = json.loads(lam.invoke(FunctionName="my-function", Payload=payload)["Payload"].read())
        assert result["caller"] == [cpus[-1]]
    assert len(lookups) == 1


def test_where_the_cpu_cannot_be_found_the_meeting_cpu_is_the_lowest(lam, monkeypatch):
    create(lam, Code={"ZipFile": make_zip(REPORTS_MEETING)})
    _runs_on(monkeypatch, -1)
    payload = json.dumps({"caller": threading.get_native_id()}).encode()
    cold = json.loads(lam.invoke(FunctionName="my-function", Payload=payload)["Payload"].read())
    assert cold["caller"] == [min(os.sched_getaffinity(0))]
    result = json.loads(lam.invoke(FunctionName="my-function", Payload=payload)["Payload"].read())
    assert result["caller"] == [min(os.sched_getaffinity(0))]
