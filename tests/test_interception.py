"""Interception leaves no gap: every Lambda request of every botocore-based client is answered while
a mock is active, and after the last stop nothing of ours is left in anyone's path.

Each leak measured before the guard existed has a test here, under a socket guard that records
every connection attempt: the expected count is always 0.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
import sys
import textwrap
import threading
from typing import Any

import boto3
import botocore.session
import pytest
from botocore.client import BaseClient
from botocore.config import Config
from botocore.exceptions import ClientError
from botocore.stub import Stubber
from conftest import REGION, create, error_of

from mock_lambda_alias import interception, mock_lambda_alias, switch

NO_RETRIES = Config(retries={"total_max_attempts": 1})


def names(client: Any) -> list[str]:
    return [f["FunctionName"] for f in client.list_functions()["Functions"]]


# ---------------------------------------------------------------------------
# sessions and clients made before the import (fresh interpreters)
# ---------------------------------------------------------------------------

GUARDED_SCRIPT = """
import socket, sys
attempts = []
def refuse(*args, **kwargs):
    attempts.append(args)
    raise OSError("network access attempted")
socket.socket.connect = refuse
socket.socket.connect_ex = refuse
socket.create_connection = refuse
socket.getaddrinfo = refuse
import boto3, botocore.session
from botocore.config import Config
NO_RETRIES = Config(retries={{"total_max_attempts": 1}})
{before}
import mock_lambda_alias
{after}
print("ATTEMPTS", len(attempts))
"""

ENV = {
    "PATH": os.environ.get("PATH", ""),
    "AWS_ACCESS_KEY_ID": "AKIAREALLOOKING00000",
    "AWS_SECRET_ACCESS_KEY": "would-reach-real-aws",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_EC2_METADATA_DISABLED": "true",
}


def run_guarded(before: str, after: str) -> list[str]:
    script = GUARDED_SCRIPT.format(before=textwrap.dedent(before), after=textwrap.dedent(after))
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=ENV, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_client_created_before_import_is_answered():
    out = run_guarded(
        """
        client = boto3.client("lambda", region_name="us-east-1", config=NO_RETRIES)
        """,
        """
        mock_lambda_alias.register_session(boto3.DEFAULT_SESSION)  # what users did before; harmless now
        with mock_lambda_alias.mock_lambda_alias():
            print(len(client.list_functions()["Functions"]))
        """,
    )
    assert out == ["0", "ATTEMPTS", "0"]


@pytest.mark.parametrize(
    "make_session",
    [
        "botocore.session.get_session()",
        "boto3.session.Session()._session",
        "botocore.session.Session(include_builtin_handlers=False)",
    ],
)
def test_sessions_created_before_import_are_answered(make_session):
    out = run_guarded(
        f"""
        session = {make_session}
        early = session.create_client("lambda", region_name="us-east-1", config=NO_RETRIES)
        """,
        """
        with mock_lambda_alias.mock_lambda_alias():
            late = session.create_client("lambda", region_name="eu-west-1", config=NO_RETRIES)
            print(len(early.list_functions()["Functions"]), len(late.list_functions()["Functions"]))
        """,
    )
    assert out == ["0", "0", "ATTEMPTS", "0"]


# ---------------------------------------------------------------------------
# in-process: every way of making a client, every callable form
# ---------------------------------------------------------------------------


def test_session_without_builtin_handlers(socket_guard):
    session = botocore.session.Session(include_builtin_handlers=False)
    with mock_lambda_alias():
        client = session.create_client("lambda", region_name=REGION, config=NO_RETRIES)
        create(client)
        assert names(client) == ["my-function"]
    assert socket_guard.attempts == []


def test_client_of_another_thread(socket_guard):
    results: list[Any] = []
    with mock_lambda_alias():

        def worker() -> None:
            client = boto3.session.Session().client("lambda", region_name=REGION, config=NO_RETRIES)
            results.append(create(client)["FunctionName"])

        thread = threading.Thread(target=worker)
        thread.start()
        thread.join()
    assert results == ["my-function"]
    assert socket_guard.attempts == []


@mock_lambda_alias
def generator_helper(client: Any) -> Any:
    create(client)
    yield names(client)
    create(client, name="second")
    yield names(client)


def test_decorated_generator_runs_inside_the_mock(socket_guard):
    client = boto3.client("lambda", region_name=REGION, config=NO_RETRIES)
    assert list(generator_helper(client)) == [["my-function"], ["my-function", "second"]]
    assert not switch.ACTIVE
    assert socket_guard.attempts == []


def test_decorated_generator_receives_sent_values_and_closes():
    @mock_lambda_alias
    def echo() -> Any:
        received = yield "ready"
        while True:
            received = yield (received, bool(switch.ACTIVE))

    generator = echo()
    assert next(generator) == "ready"
    assert generator.send(1) == (1, True)
    generator.close()
    assert not switch.ACTIVE


@mock_lambda_alias
async def async_generator_helper(client: Any) -> Any:
    create(client)
    yield names(client)
    await asyncio.sleep(0)
    create(client, name="second")
    yield names(client)


def test_decorated_async_generator_runs_inside_the_mock(socket_guard):
    client = boto3.client("lambda", region_name=REGION, config=NO_RETRIES)

    async def main() -> list[Any]:
        return [item async for item in async_generator_helper(client)]

    assert asyncio.run(main()) == [["my-function"], ["my-function", "second"]]
    assert not switch.ACTIVE
    assert socket_guard.attempts == []


def test_decorated_async_generator_forwards_throw_and_close():
    @mock_lambda_alias
    async def agen() -> Any:
        try:
            yield 1
        except KeyError:
            yield "caught"

    async def main() -> list[Any]:
        gen = agen()
        first = await gen.__anext__()
        second = await gen.athrow(KeyError("x"))
        active = bool(switch.ACTIVE)
        await gen.aclose()
        return [first, second, active, bool(switch.ACTIVE)]

    assert asyncio.run(main()) == [1, "caught", True, False]


@mock_lambda_alias
@contextlib.contextmanager
def contextmanager_helper() -> Any:
    client = boto3.client("lambda", region_name=REGION, config=NO_RETRIES)
    create(client)
    yield client


def test_decorated_contextmanager_helper_keeps_the_mock_for_the_block(socket_guard):
    with contextmanager_helper() as client:
        assert names(client) == ["my-function"]
        assert switch.ACTIVE
    assert not switch.ACTIVE
    assert socket_guard.attempts == []


def test_decorated_asynccontextmanager_helper(socket_guard):
    @mock_lambda_alias
    @contextlib.asynccontextmanager
    async def helper() -> Any:
        client = boto3.client("lambda", region_name=REGION, config=NO_RETRIES)
        create(client)
        yield client

    async def main() -> list[str]:
        async with helper() as client:
            return names(client)

    assert asyncio.run(main()) == ["my-function"]
    assert not switch.ACTIVE
    assert socket_guard.attempts == []


@mock_lambda_alias
class TestSetupMethodRunsInsideTheTestsMock:
    """pytest's setup_method/teardown_method run in the same fresh mock as the test."""

    def setup_method(self, method: Any) -> None:
        self.client = boto3.client("lambda", region_name=REGION, config=NO_RETRIES)
        create(self.client, name="from-setup")

    def teardown_method(self, method: Any) -> None:
        assert names(self.client) == ["from-setup"]

    def test_sees_setup_state(self, socket_guard):
        assert names(self.client) == ["from-setup"]
        assert socket_guard.attempts == []

    def test_each_test_starts_fresh(self):
        assert names(self.client) == ["from-setup"]


@mock_lambda_alias
class TestSetupClassSharesOneMock:
    """A class that sets up once gets one mock for the whole class (its state is what tests see)."""

    @classmethod
    def setup_class(cls) -> None:
        cls.client = boto3.client("lambda", region_name=REGION, config=NO_RETRIES)
        create(cls.client, name="from-setup-class")

    def test_sees_class_state(self):
        assert names(self.client) == ["from-setup-class"]
        assert switch.ACTIVE


def test_setup_class_mock_is_stopped_after_the_class():
    # Runs after the class above in file order on the same worker, or on another worker: either
    # way no activation may be left over from it.
    assert switch.ACTIVE == ()


def test_unittest_setupclass_runs_inside_one_mock(socket_guard):
    import unittest

    seen: list[Any] = []

    @mock_lambda_alias
    class Case(unittest.TestCase):
        @classmethod
        def setUpClass(cls) -> None:
            cls.client = boto3.client("lambda", region_name=REGION, config=NO_RETRIES)
            create(cls.client, name="shared")

        def test_one(self) -> None:
            seen.append(names(self.client))

        def test_two(self) -> None:
            create(self.client, name="extra")
            seen.append(names(self.client))

    with open(os.devnull, "w") as stream:
        result = unittest.TextTestRunner(stream=stream).run(unittest.defaultTestLoader.loadTestsFromTestCase(Case))
    assert result.wasSuccessful(), result.errors + result.failures
    assert seen == [["shared"], ["extra", "shared"]]
    assert not switch.ACTIVE
    assert socket_guard.attempts == []


# ---------------------------------------------------------------------------
# what botocore sees stays identical
# ---------------------------------------------------------------------------


def test_every_event_of_the_request_path_runs_in_order(lam):
    seen: list[str] = []
    for event in ("before-call", "request-created", "before-sign", "before-send", "after-call"):
        lam.meta.events.register(f"{event}.lambda.ListFunctions", lambda event_name, **kw: seen.append(event_name))
    lam.list_functions()
    assert [name.split(".")[0] for name in seen] == [
        "before-call",
        "request-created",
        "before-sign",
        "before-send",
        "after-call",
    ]


def test_a_stubber_on_a_client_still_wins(lam):
    with Stubber(lam) as stubber:
        stubber.add_response("list_functions", {"Functions": [{"FunctionName": "stubbed"}]})
        assert names(lam) == ["stubbed"]


def test_response_metadata_and_modeled_exception(lam):
    response = lam.list_functions()
    metadata = response["ResponseMetadata"]
    assert metadata["HTTPStatusCode"] == 200
    assert metadata["RetryAttempts"] == 0
    assert metadata["RequestId"] == metadata["HTTPHeaders"]["x-amzn-requestid"]
    with pytest.raises(lam.exceptions.ResourceNotFoundException) as exc:
        lam.get_function(FunctionName="missing")
    assert error_of(exc)[:2] == (404, "ResourceNotFoundException")


def test_paginator_and_waiter(lam):
    for n in range(3):
        create(lam, name=f"fn-{n}")
    pages = list(lam.get_paginator("list_functions").paginate(PaginationConfig={"PageSize": 1}))
    assert [p["Functions"][0]["FunctionName"] for p in pages] == ["fn-0", "fn-1", "fn-2"]
    lam.get_waiter("function_active_v2").wait(FunctionName="fn-0")


def test_streaming_payload_is_a_streaming_body(lam):
    create(lam)
    response = lam.invoke(FunctionName="my-function", Payload=b'{"a": 1}')
    assert json.loads(response["Payload"].read()) == {"a": 1}


def test_a_file_payload_is_read_and_left_where_it_was(lam, tmp_path):
    create(lam)
    path = tmp_path / "event.json"
    path.write_bytes(b'{"from": "file"}')
    with path.open("rb") as handle:
        response = lam.invoke(FunctionName="my-function", Payload=handle)
        assert handle.tell() == 0
    assert json.loads(response["Payload"].read()) == {"from": "file"}


# ---------------------------------------------------------------------------
# after stop: nothing of ours anywhere
# ---------------------------------------------------------------------------


def _ours(handler: Any) -> bool:
    target = getattr(handler, "__func__", handler)
    return getattr(target, "__module__", "").startswith("mock_lambda_alias")


def handlers_for(emitter: Any, event: str) -> list[Any]:
    """Every handler ``emitter`` would call for ``event`` (read from botocore's handler trie)."""
    return list(emitter._emitter._handlers.prefix_search(event))


def test_nothing_of_ours_remains_after_stop():
    from botocore import handlers as botocore_handlers

    original = BaseClient.__dict__["_make_request"]
    session = botocore.session.Session()
    client = session.create_client("lambda", region_name=REGION, aws_access_key_id="k", aws_secret_access_key="s")
    with mock_lambda_alias():
        assert BaseClient.__dict__["_make_request"] is not original
        client.list_functions()
        assert any(_ours(h) for h in handlers_for(client.meta.events, "before-send.lambda.ListFunctions"))
    assert BaseClient.__dict__["_make_request"] is original
    assert not interception.engaged()
    assert not any(type(finder).__module__.startswith("mock_lambda_alias") for finder in sys.meta_path)
    assert not any(_ours(entry[1]) for entry in botocore_handlers.BUILTIN_HANDLERS)
    # No handler of ours on the client's or the session's emitter, for any Lambda event.
    for emitter in (client.meta.events, session.get_component("event_emitter")):
        for event in ("before-call.lambda.ListFunctions", "before-send.lambda.ListFunctions", "choose-signer.lambda"):
            assert not any(_ours(h) for h in handlers_for(emitter, event))


def test_other_services_are_not_answered(socket_guard):
    with mock_lambda_alias():
        sts = boto3.client("sts", region_name=REGION, config=NO_RETRIES)
        with pytest.raises(Exception) as exc:
            sts.get_caller_identity()
    assert not isinstance(exc.value, ClientError)
    assert len(socket_guard.attempts) == 1  # the one attempt STS itself made: we did not take it


# ---------------------------------------------------------------------------
# threads: one process-wide activation stack, like moto
# ---------------------------------------------------------------------------


def test_two_concurrent_activations_share_one_process_wide_stack():
    """Activations are process-wide: the last one started answers every thread, and when it stops
    the one before it answers again — whichever thread started either."""
    started_b = threading.Event()
    stop_b = threading.Event()
    b_stopped = threading.Event()
    seen: dict[str, Any] = {}

    def thread_b() -> None:
        with mock_lambda_alias() as b:
            create(boto3.client("lambda", region_name=REGION), name="from-b")
            seen["b"] = b
            started_b.set()
            stop_b.wait(30)
        b_stopped.set()

    with mock_lambda_alias() as a:
        client = boto3.client("lambda", region_name=REGION)
        create(client, name="from-a")
        worker = threading.Thread(target=thread_b)
        worker.start()
        assert started_b.wait(30)
        assert names(client) == ["from-b"]  # thread B's activation is the innermost for everyone
        assert (a, seen["b"]) == switch.ACTIVE
        stop_b.set()
        assert b_stopped.wait(30)
        worker.join()
        assert names(client) == ["from-a"]  # back to A
        assert interception.engaged()
    assert not interception.engaged()


def test_concurrent_start_stop_in_many_threads_leaves_nothing_behind():
    errors: list[BaseException] = []

    def cycle() -> None:
        try:
            for _ in range(50):
                with mock_lambda_alias():
                    pass
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=cycle) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert switch.ACTIVE == ()
    assert not interception.engaged()
