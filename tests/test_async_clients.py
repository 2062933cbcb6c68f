"""aiobotocore and aioboto3 clients: awaitable calls, botocore-typed responses, streaming bodies."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import textwrap
from typing import Any

import pytest
from botocore.config import Config
from conftest import REGION, ROLE, ZIP

aiobotocore_session = pytest.importorskip("aiobotocore.session")

from mock_lambda_alias import interception, mock_lambda_alias  # noqa: E402


def run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


async def create_function(client: Any, name: str = "my-function") -> dict:
    return await client.create_function(
        FunctionName=name, Runtime="python3.12", Role=ROLE, Handler="index.handler", Code={"ZipFile": ZIP}
    )


def test_aiobotocore_lifecycle_with_routing_and_invoke(socket_guard):
    async def main() -> None:
        session = aiobotocore_session.get_session()
        async with session.create_client("lambda", region_name=REGION) as client:
            created = await create_function(client)
            assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
            assert created["FunctionArn"] == f"arn:aws:lambda:{REGION}:123456789012:function:my-function"
            first = await client.publish_version(FunctionName="my-function")
            await client.update_function_configuration(FunctionName="my-function", Description="v2")
            second = await client.publish_version(FunctionName="my-function")
            assert (first["Version"], second["Version"]) == ("1", "2")
            alias = await client.create_alias(
                FunctionName="my-function",
                Name="live",
                FunctionVersion="1",
                RoutingConfig={"AdditionalVersionWeights": {"2": 0.5}},
            )
            assert alias["RoutingConfig"] == {"AdditionalVersionWeights": {"2": 0.5}}
            response = await client.invoke(FunctionName="my-function", Qualifier="live", Payload=b'{"n": 1}')
            assert response["StatusCode"] == 200
            assert response["ExecutedVersion"] in ("1", "2")
            assert json.loads(await response["Payload"].read()) == {"n": 1}

    with mock_lambda_alias():
        run(main())
    assert socket_guard.attempts == []


def test_aiobotocore_errors_are_modeled_client_errors(socket_guard):
    async def main() -> tuple[Any, ...]:
        session = aiobotocore_session.get_session()
        async with session.create_client("lambda", region_name=REGION) as client:
            with pytest.raises(client.exceptions.ResourceNotFoundException) as exc:
                await client.get_function(FunctionName="missing")
            error = exc.value.response
            return error["ResponseMetadata"]["HTTPStatusCode"], error["Error"]["Code"], error["Error"]["Message"]

    with mock_lambda_alias():
        assert run(main()) == (
            404,
            "ResourceNotFoundException",
            f"Function not found: arn:aws:lambda:{REGION}:123456789012:function:missing",
        )
    assert socket_guard.attempts == []


def test_aiobotocore_paginator(socket_guard):
    async def main() -> list[str]:
        session = aiobotocore_session.get_session()
        async with session.create_client("lambda", region_name=REGION) as client:
            for n in range(3):
                await create_function(client, f"fn-{n}")
            for n in range(3):  # publishing an unchanged $LATEST would return the same version
                await client.update_function_configuration(FunctionName="fn-0", Description=f"rev {n}")
                await client.publish_version(FunctionName="fn-0")
            versions = []
            paginator = client.get_paginator("list_versions_by_function")
            async for page in paginator.paginate(FunctionName="fn-0", PaginationConfig={"PageSize": 1}):
                versions += [v["Version"] for v in page["Versions"]]
            functions = []
            async for page in client.get_paginator("list_functions").paginate(PaginationConfig={"PageSize": 2}):
                functions += [f["FunctionName"] for f in page["Functions"]]
            return versions + functions

    with mock_lambda_alias():
        assert run(main()) == ["$LATEST", "1", "2", "3", "fn-0", "fn-1", "fn-2"]
    assert socket_guard.attempts == []


def test_aiobotocore_response_stream(socket_guard):
    async def main() -> list[Any]:
        session = aiobotocore_session.get_session()
        async with session.create_client("lambda", region_name=REGION) as client:
            await create_function(client)
            response = await client.invoke_with_response_stream(FunctionName="my-function", Payload=b'{"s": 1}')
            events = [event async for event in response["EventStream"]]
            return events

    with mock_lambda_alias():
        events = run(main())
    payload = b"".join(e["PayloadChunk"]["Payload"] for e in events if "PayloadChunk" in e)
    assert json.loads(payload) == {"s": 1}
    assert any("InvokeComplete" in e for e in events)
    assert socket_guard.attempts == []


def test_aiobotocore_client_made_before_activation_and_used_after_stop():
    async def main() -> tuple[int, str]:
        session = aiobotocore_session.get_session()
        async with session.create_client(
            "lambda", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x"
        ) as client:
            with mock_lambda_alias():
                await create_function(client)
                count = len((await client.list_functions())["Functions"])
            # After stop the request goes to botocore's real path again (here: a refused endpoint).
            client.meta.events.register(
                "before-send.lambda", lambda request, **_: (_ for _ in ()).throw(ConnectionError("network"))
            )
            with pytest.raises(ConnectionError) as exc:
                await client.list_functions()
            return count, str(exc.value)

    assert run(main()) == (1, "network")
    assert not interception.engaged()


def test_aiobotocore_runs_the_whole_request_path(socket_guard):
    """Signing and every handler of the request path run for an aiobotocore client too."""
    seen: list[tuple[str, str]] = []

    def record(event_name: str, request: Any, **_: Any) -> None:
        value = request.headers.get("Authorization") or b""
        seen.append((event_name.split(".")[0], value.decode() if isinstance(value, bytes) else value))

    async def main() -> int:
        session = aiobotocore_session.get_session()
        async with session.create_client(
            "lambda", region_name="eu-west-1", aws_access_key_id="AKIDASYNC0000000000", aws_secret_access_key="s"
        ) as client:
            for event in ("request-created", "before-sign", "before-send"):
                client.meta.events.register(event, record)
            await create_function(client)
            with pytest.raises(client.exceptions.ResourceNotFoundException):
                await client.get_function(FunctionName="missing")
            return len((await client.list_functions())["Functions"])

    with mock_lambda_alias():
        assert run(main()) == 1
    assert [event for event, _ in seen] == ["before-sign", "request-created", "before-send"] * 3
    signed = [auth for event, auth in seen if event != "before-sign"]
    assert all(auth.startswith("AWS4-HMAC-SHA256 Credential=AKIDASYNC0000000000/") for auth in signed)
    assert all("/eu-west-1/lambda/aws4_request" in auth for auth in signed)
    assert socket_guard.attempts == []


def test_aiobotocore_after_the_last_stop_nothing_of_ours_remains():
    from aiobotocore.client import AioBaseClient

    from mock_lambda_alias.interception import ownership

    original = AioBaseClient.__dict__["_make_request"]

    async def main() -> list[Any]:
        session = aiobotocore_session.get_session()
        async with session.create_client(
            "lambda", region_name=REGION, aws_access_key_id="k", aws_secret_access_key="s"
        ) as client:
            with mock_lambda_alias():
                assert AioBaseClient.__dict__["_make_request"] is not original
                await client.list_functions()
                assert len(ownership.owned_emitters()) == 1
            return list(client.meta.events._emitter._handlers.prefix_search("before-send.lambda.ListFunctions"))

    remaining = run(main())
    assert AioBaseClient.__dict__["_make_request"] is original
    assert ownership.owned_emitters() == []
    assert not any(getattr(h, "__module__", "").startswith("mock_lambda_alias") for h in remaining)


ROUNDS = 300


def test_aiobotocore_calls_racing_with_stop(socket_guard):
    """300 rounds: each starts a mock and stops it while four event loops (one per thread) call:
    every call is answered by the mock or, after the stop, refused by the socket guard."""
    import threading
    import time

    from botocore.exceptions import EndpointConnectionError

    workers = 4
    go = threading.Barrier(workers + 1, timeout=60)
    done = threading.Barrier(workers + 1, timeout=60)
    outcomes = {"answered": 0, "network": 0}
    unexpected: list[BaseException] = []
    lock = threading.Lock()

    async def calls(client: Any) -> None:
        for _ in range(3):
            try:
                await client.list_functions()
                outcome = "answered"
            except EndpointConnectionError:
                outcome = "network"
            with lock:
                outcomes[outcome] += 1

    def worker() -> None:
        loop = asyncio.new_event_loop()
        session = aiobotocore_session.get_session()
        context = session.create_client(
            "lambda",
            region_name=REGION,
            aws_access_key_id="k",
            aws_secret_access_key="s",
            config=Config(retries={"total_max_attempts": 1}),
        )
        client = loop.run_until_complete(context.__aenter__())
        try:
            for _ in range(ROUNDS):
                go.wait()
                try:
                    loop.run_until_complete(calls(client))
                except BaseException as exc:  # pragma: no cover - reported below
                    with lock:
                        unexpected.append(exc)
                done.wait()
        except threading.BrokenBarrierError:  # pragma: no cover - the main thread failed
            pass
        finally:
            loop.run_until_complete(context.__aexit__(None, None, None))
            loop.close()

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for thread in threads:
        thread.start()
    try:
        for index in range(ROUNDS):
            mock = mock_lambda_alias().start()
            go.wait()
            time.sleep((index % 10) / 5000)  # stop from right away to 2 ms into the calls
            mock.stop()
            done.wait()
            assert not mock.internal_errors
    finally:
        go.abort()
        done.abort()
        for thread in threads:
            thread.join()
    assert unexpected == []
    assert outcomes["answered"] > 0 and outcomes["network"] > 0  # the race was really run
    assert outcomes["answered"] + outcomes["network"] == ROUNDS * workers * 3
    assert not interception.engaged()


# -- aioboto3 (CI's "async" leg installs it; its releases pin an older aiobotocore and botocore) ---

try:
    import aioboto3
except ImportError:  # pragma: no cover - depends on the environment
    aioboto3 = None

requires_aioboto3 = pytest.mark.skipif(
    aioboto3 is None, reason="aioboto3 is not installed (pip install -e '.[test,async]'; CI's async leg runs these)"
)


@requires_aioboto3
def test_aioboto3_create_publish_alias_with_routing_and_invoke(socket_guard):
    async def main() -> tuple[Any, ...]:
        async with aioboto3.Session().client("lambda", region_name=REGION) as client:
            created = await create_function(client)
            first = await client.publish_version(FunctionName="my-function")
            await client.update_function_configuration(FunctionName="my-function", Description="v2")
            second = await client.publish_version(FunctionName="my-function")
            alias = await client.create_alias(
                FunctionName="my-function",
                Name="live",
                FunctionVersion="1",
                RoutingConfig={"AdditionalVersionWeights": {"2": 0.25}},
            )
            response = await client.invoke(FunctionName="my-function:live", Payload=json.dumps({"k": "v"}))
            payload = json.loads(await response["Payload"].read())
            got = await client.get_alias(FunctionName="my-function", Name="live")
            return (
                created["ResponseMetadata"]["HTTPStatusCode"],
                (first["Version"], second["Version"]),
                alias["RoutingConfig"],
                got["AliasArn"],
                response["StatusCode"],
                response["ExecutedVersion"] in ("1", "2"),
                payload,
            )

    with mock_lambda_alias():
        assert run(main()) == (
            201,
            ("1", "2"),
            {"AdditionalVersionWeights": {"2": 0.25}},
            f"arn:aws:lambda:{REGION}:123456789012:function:my-function:live",
            200,
            True,
            {"k": "v"},
        )
    assert socket_guard.attempts == []


@requires_aioboto3
def test_aioboto3_paginator(socket_guard):
    async def main() -> list[str]:
        async with aioboto3.Session().client("lambda", region_name=REGION) as client:
            for n in range(3):
                await create_function(client, f"fn-{n}")
                await client.create_alias(FunctionName="fn-0", Name=f"a{n}", FunctionVersion="$LATEST")
            names = []
            async for page in client.get_paginator("list_functions").paginate(PaginationConfig={"PageSize": 1}):
                names += [f["FunctionName"] for f in page["Functions"]]
            paginator = client.get_paginator("list_aliases")
            async for page in paginator.paginate(FunctionName="fn-0", PaginationConfig={"PageSize": 2}):
                names += [a["Name"] for a in page["Aliases"]]
            return names

    with mock_lambda_alias():
        assert run(main()) == ["fn-0", "fn-1", "fn-2", "a0", "a1", "a2"]
    assert socket_guard.attempts == []


@requires_aioboto3
def test_aioboto3_missing_function_is_a_client_error(socket_guard):
    """F-PI-045: Invoke of a missing function names its ``$LATEST`` ARN."""
    from botocore.exceptions import ClientError

    async def main() -> tuple[Any, ...]:
        async with aioboto3.Session().client("lambda", region_name=REGION) as client:
            with pytest.raises(ClientError) as exc:
                await client.invoke(FunctionName="missing", Payload=b"{}")
            modeled = isinstance(exc.value, client.exceptions.ResourceNotFoundException)
            status, error = exc.value.response["ResponseMetadata"]["HTTPStatusCode"], exc.value.response["Error"]
            return modeled, status, error["Code"], error["Message"]

    with mock_lambda_alias():
        assert run(main()) == (
            True,
            404,
            "ResourceNotFoundException",
            f"Function not found: arn:aws:lambda:{REGION}:123456789012:function:missing:$LATEST",
        )
    assert socket_guard.attempts == []


def test_aiobotocore_imported_while_a_mock_is_active():
    script = textwrap.dedent(
        """
        import asyncio, socket
        attempts = []
        def refuse(*args, **kwargs):
            attempts.append(args)
            raise OSError("network")
        socket.socket.connect = refuse
        socket.getaddrinfo = refuse
        import mock_lambda_alias
        with mock_lambda_alias.mock_lambda_alias():
            import aiobotocore.session  # first imported now
            async def main():
                async with aiobotocore.session.get_session().create_client("lambda", region_name="us-east-1") as c:
                    return len((await c.list_functions())["Functions"])
            print(asyncio.run(main()), len(attempts))
        import aiobotocore.client
        print(aiobotocore.client.AioBaseClient._make_request.__module__)
        """
    )
    env = {"PATH": os.environ.get("PATH", ""), "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["0", "0", "aiobotocore.client"]
