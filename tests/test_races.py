"""Sixteen threads at once, each with its own boto3 client, racing for the same resources.

AWS serialises writes to one function: a version number is handed out once, one of two updates
carrying the same ``RevisionId`` wins and the other gets ``PreconditionFailedException``, one of two
``AddPermission`` calls with the same ``StatementId`` wins and the other gets
``ResourceConflictException``. The mock must keep those rules under contention, lose no write and
answer every call (never an internal error), while handlers run in parallel.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Iterator
from typing import Any, Callable

import boto3
import pytest
from botocore.exceptions import ClientError
from conftest import REGION, create

from mock_lambda_alias import LambdaAliasMock
from mock_lambda_alias.errors import REVISION_MISMATCH

THREADS = 16


def race(work: Callable[[Any, int], Any]) -> list[Any]:
    """Run ``work(client, index)`` in THREADS threads released together; their results (or the
    ClientError each raised), in thread order. Any other exception fails the test."""
    start = threading.Barrier(THREADS)
    results: list[Any] = [None] * THREADS
    failures: list[BaseException] = []
    clients = [boto3.session.Session().client("lambda", region_name=REGION) for _ in range(THREADS)]

    def run(index: int) -> None:
        start.wait()
        try:
            results[index] = work(clients[index], index)
        except ClientError as error:
            results[index] = error
        except BaseException as exc:  # pragma: no cover - reported below
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    assert failures == []
    return results


def codes(results: list[Any]) -> Counter:
    return Counter("ok" if not isinstance(r, ClientError) else r.response["Error"]["Code"] for r in results)


@pytest.fixture
def versions(lam: Any) -> Iterator[Any]:
    create(lam)
    for description in ("one", "two"):
        lam.update_function_configuration(FunctionName="my-function", Description=description)
        lam.publish_version(FunctionName="my-function")
    yield lam


def test_versions_published_at_once_are_numbered_once_each(lam: Any) -> None:
    create(lam)

    def publish(client: Any, index: int) -> str:
        client.update_function_configuration(FunctionName="my-function", Description=f"build {index}")
        return client.publish_version(FunctionName="my-function")["Version"]

    published = race(publish)
    assert codes(published) == {"ok": THREADS}
    # One number each, no gap; a publish whose $LATEST a later update already replaced may return
    # the version another thread published for it, which AWS does too (no change since it).
    numbers = sorted({int(v) for v in published})
    assert numbers == list(range(1, len(numbers) + 1))
    listed = lam.list_versions_by_function(FunctionName="my-function")["Versions"]
    assert [v["Version"] for v in listed] == ["$LATEST", *map(str, numbers)]


def test_one_update_wins_per_revision_id(versions: Any) -> None:
    revision = versions.create_alias(FunctionName="my-function", Name="live", FunctionVersion="1")["RevisionId"]

    def shift(client: Any, index: int) -> dict:
        return client.update_alias(
            FunctionName="my-function",
            Name="live",
            RoutingConfig={"AdditionalVersionWeights": {"2": (index + 1) / 100}},
            RevisionId=revision,
        )

    results = race(shift)
    assert codes(results) == {"ok": 1, "PreconditionFailedException": THREADS - 1}
    (winner,) = [r for r in results if not isinstance(r, ClientError)]
    assert {
        (r.response["ResponseMetadata"]["HTTPStatusCode"], r.response["Error"]["Message"])
        for r in results
        if isinstance(r, ClientError)
    } == {(412, REVISION_MISMATCH)}
    alias = versions.get_alias(FunctionName="my-function", Name="live")
    assert alias["RoutingConfig"] == winner["RoutingConfig"] and alias["RevisionId"] == winner["RevisionId"]


def test_one_statement_per_id_and_none_lost(versions: Any) -> None:
    def grant(client: Any, index: int) -> dict:
        return client.add_permission(
            FunctionName="my-function",
            StatementId="shared" if index % 2 else f"own-{index}",
            Action="lambda:InvokeFunction",
            Principal="s3.amazonaws.com",
        )

    results = race(grant)
    assert codes(results) == {"ok": THREADS // 2 + 1, "ResourceConflictException": THREADS // 2 - 1}
    policy = json.loads(versions.get_policy(FunctionName="my-function")["Policy"])
    assert sorted(s["Sid"] for s in policy["Statement"]) == sorted(
        ["shared", *(f"own-{i}" for i in range(0, THREADS, 2))]
    )


def test_aliases_created_and_deleted_at_once(versions: Any) -> None:
    def churn(client: Any, index: int) -> str:
        client.create_alias(FunctionName="my-function", Name=f"a{index}", FunctionVersion=str(index % 2 + 1))
        if index % 4 == 0:
            client.delete_alias(FunctionName="my-function", Name=f"a{index}")
        return client.get_alias(FunctionName="my-function", Name=f"a{(index + 1) % THREADS}")["Name"]

    race(churn)  # reads of aliases another thread is creating or deleting: found or not, never torn
    names = [a["Name"] for a in versions.list_aliases(FunctionName="my-function")["Aliases"]]
    assert sorted(names) == sorted(f"a{i}" for i in range(THREADS) if i % 4)


def test_invocations_of_a_weighted_alias_from_sixteen_threads(versions: Any, mock: LambdaAliasMock) -> None:
    versions.create_alias(
        FunctionName="my-function",
        Name="live",
        FunctionVersion="1",
        RoutingConfig={"AdditionalVersionWeights": {"2": 0.5}},
    )

    def invoke(client: Any, index: int) -> list[tuple[str, Any]]:
        answers = []
        for n in range(5):
            response = client.invoke(FunctionName="my-function:live", Payload=json.dumps({"i": index, "n": n}))
            answers.append((response["ExecutedVersion"], json.loads(response["Payload"].read())))
        return answers

    results = race(invoke)
    assert [[payload for _, payload in answers] for answers in results] == [
        [{"i": i, "n": n} for n in range(5)] for i in range(THREADS)
    ]
    executed = Counter(version for answers in results for version, _ in answers)
    assert set(executed) <= {"1", "2"} and sum(executed.values()) == THREADS * 5
    records = mock.invocations("my-function")
    assert len(records) == THREADS * 5 and all(r.completed and r.ok for r in records)
    assert Counter(r.executed_version for r in records) == executed
    assert not mock.internal_errors
