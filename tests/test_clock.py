"""The mock's clock and the scheduler of work due on it: modes, ordering, skipping idle time."""

from __future__ import annotations

import datetime
import threading

import pytest
from conftest import create

from mock_lambda_alias import mock_lambda_alias


def test_the_clock_starts_at_real_time_and_only_moves_forward(mock):
    before = datetime.datetime.now(datetime.timezone.utc)
    assert before <= mock.now() <= datetime.datetime.now(datetime.timezone.utc)
    moved = mock.advance(3600)
    assert moved - datetime.datetime.now(datetime.timezone.utc) >= datetime.timedelta(minutes=59)
    assert mock.now() >= moved


@pytest.mark.parametrize("seconds", [-1, "10", None, True])
def test_advance_refuses_what_is_not_a_duration(mock, seconds):
    with pytest.raises(ValueError, match="seconds must be a number >= 0"):
        mock.advance(seconds)


def test_invocation_records_are_stamped_with_the_mock_clock(mock, lam):
    create(lam)
    mock.advance(86400)
    lam.invoke(FunctionName="my-function", Payload=b"{}")
    (record,) = mock.invocations("my-function")
    assert record.timestamp - datetime.datetime.now(datetime.timezone.utc) > datetime.timedelta(hours=23)


@pytest.mark.parametrize("mode", ["soon", "", None])
def test_an_unknown_delivery_mode_is_refused(mode):
    with pytest.raises(ValueError, match="delivery must be one of 'immediate', 'background', 'manual'"):
        mock_lambda_alias(delivery=mode)


def test_immediate_mode_runs_due_work_in_order_skipping_idle_time(mock, lam):
    ran: list[tuple[str, datetime.datetime]] = []
    scheduler = mock.store.scheduler
    start = mock.now()
    for label, delay in [("late", 120), ("early", 60), ("now", 0)]:
        scheduler.schedule(delay, lambda label=label: ran.append((label, mock.now())), label)
    lam.list_functions()  # any call settles the work it (or anything before it) queued
    assert [label for label, _ in ran] == ["now", "early", "late"]
    assert ran[2][1] - start >= datetime.timedelta(seconds=120)
    assert mock.pending_work() == []


def test_manual_mode_runs_only_what_falls_due_when_the_test_advances():
    with mock_lambda_alias(delivery="manual") as m:
        ran: list[str] = []
        m.store.scheduler.schedule(60, lambda: ran.append("retry 1"), "retry 1")
        m.store.scheduler.schedule(180, lambda: ran.append("retry 2"), "retry 2")
        assert [w.split(" at ")[0] for w in m.pending_work()] == ["retry 1", "retry 2"]
        m.advance(59)
        assert ran == []
        m.advance(1)
        assert ran == ["retry 1"]
        m.drain()
        assert ran == ["retry 1", "retry 2"]


def test_work_scheduled_by_work_runs_in_the_same_drain():
    with mock_lambda_alias(delivery="manual") as m:
        ran: list[int] = []

        def step(n: int) -> None:
            ran.append(n)
            if n < 3:
                m.store.scheduler.schedule(60, lambda: step(n + 1), f"step {n + 1}")

        m.store.scheduler.schedule(0, lambda: step(0), "step 0")
        m.drain()
        assert ran == [0, 1, 2, 3]


def test_background_mode_runs_work_on_the_mock_thread_and_drain_waits():
    with mock_lambda_alias(delivery="background") as m:
        release = threading.Event()
        ran: list[str] = []

        def slow() -> None:
            release.wait(5)
            ran.append(threading.current_thread().name)

        m.store.scheduler.schedule(0, slow, "slow")
        assert ran == []
        release.set()
        m.drain(timeout=5)
        assert ran == ["mock_lambda_alias-deliveries"]


def test_drain_times_out_naming_the_work_still_running():
    with mock_lambda_alias(delivery="background") as m:
        release = threading.Event()
        m.store.scheduler.schedule(0, lambda: release.wait(5), "stuck handler")
        try:
            with pytest.raises(TimeoutError, match=r"scheduled work still running after 0\.05 s"):
                m.drain(timeout=0.05)
        finally:
            release.set()


def test_a_failing_task_is_recorded_and_the_rest_still_run(mock, lam):
    ran: list[str] = []

    def broken() -> None:
        raise RuntimeError("boom")

    mock.store.scheduler.schedule(0, broken, "broken")
    mock.store.scheduler.schedule(1, lambda: ran.append("after"), "after")
    lam.list_functions()
    assert ran == ["after"]
    assert [(label, str(error)) for label, error in mock.store.scheduler.errors] == [("broken", "boom")]
    mock.store.scheduler.errors.clear()  # seen: the fixture fails a test that leaves any


def test_stop_drops_pending_work():
    m = mock_lambda_alias(delivery="manual")
    m.start()
    ran: list[str] = []
    m.store.scheduler.schedule(60, lambda: ran.append("late"), "late")
    m.stop()
    m.start()
    try:
        assert m.pending_work() == []
        m.drain()
    finally:
        m.stop()
    assert ran == []


def test_the_delivery_mode_can_be_switched_and_survives_a_restart():
    m = mock_lambda_alias()
    m.set_delivery("manual")
    with m:
        assert m.delivery == "manual"
        m.set_delivery("immediate")
        assert m.delivery == "immediate"
    with m:
        assert m.delivery == "immediate"
