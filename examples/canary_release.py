"""A small canary deploy script, the kind of code mock_lambda_alias exists to test.

``release()`` publishes the current code as a new version and shifts a share of the ``live``
alias's traffic to it; ``promote()`` points the alias at the new version and clears routing;
``rollback()`` clears routing and leaves the alias on the old version. Every alias update passes
the alias's RevisionId, so a concurrent change makes AWS (and the mock) refuse it.

Run directly, it deploys against the mock: ``python examples/canary_release.py``.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from typing import Any

import boto3

ALIAS = "live"


@dataclass
class Canary:
    function: str
    stable: str
    candidate: str
    weight: float


def package(source: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", source)
    return buffer.getvalue()


def bootstrap(client: Any, function: str, role: str, source: str) -> str:
    """Create the function, publish version 1 and point the ``live`` alias at it."""
    client.create_function(
        FunctionName=function,
        Runtime="python3.12",
        Role=role,
        Handler="app.handler",
        Code={"ZipFile": package(source)},
    )
    client.get_waiter("function_active_v2").wait(FunctionName=function, WaiterConfig={"Delay": 0})
    version = client.publish_version(FunctionName=function, Description="initial release")["Version"]
    client.create_alias(FunctionName=function, Name=ALIAS, FunctionVersion=version)
    return version


def release(client: Any, function: str, source: str, weight: float = 0.1) -> Canary:
    """Deploy new code as a version and send ``weight`` of live traffic to it."""
    updated = client.update_function_code(FunctionName=function, ZipFile=package(source))
    client.get_waiter("function_updated_v2").wait(FunctionName=function, WaiterConfig={"Delay": 0})
    candidate = client.publish_version(FunctionName=function, CodeSha256=updated["CodeSha256"])["Version"]
    alias = client.get_alias(FunctionName=function, Name=ALIAS)
    if alias["FunctionVersion"] == candidate:
        raise RuntimeError(f"version {candidate} is already live: nothing to release")
    client.update_alias(
        FunctionName=function,
        Name=ALIAS,
        RoutingConfig={"AdditionalVersionWeights": {candidate: weight}},
        RevisionId=alias["RevisionId"],
    )
    return Canary(function, alias["FunctionVersion"], candidate, weight)


def promote(client: Any, canary: Canary) -> dict:
    """Point the alias at the candidate and stop splitting traffic."""
    alias = client.get_alias(FunctionName=canary.function, Name=ALIAS)
    return client.update_alias(
        FunctionName=canary.function,
        Name=ALIAS,
        FunctionVersion=canary.candidate,
        RoutingConfig={"AdditionalVersionWeights": {}},
        RevisionId=alias["RevisionId"],
    )


def rollback(client: Any, canary: Canary) -> dict:
    """Send all traffic back to the stable version."""
    alias = client.get_alias(FunctionName=canary.function, Name=ALIAS)
    return client.update_alias(
        FunctionName=canary.function,
        Name=ALIAS,
        FunctionVersion=canary.stable,
        RoutingConfig={"AdditionalVersionWeights": {}},
        RevisionId=alias["RevisionId"],
    )


def main() -> None:
    from mock_lambda_alias import mock_lambda_alias

    with mock_lambda_alias():
        client = boto3.client("lambda", region_name="us-east-1")
        role = "arn:aws:iam::123456789012:role/lambda-role"
        v1 = bootstrap(client, "checkout", role, "def handler(event, context):\n    return 'v1'\n")
        print(f"bootstrapped: live -> version {v1}")
        canary = release(client, "checkout", "def handler(event, context):\n    return 'v2'\n", weight=0.1)
        live = client.get_alias(FunctionName="checkout", Name=ALIAS)
        print(f"canary: live -> {live['FunctionVersion']} with {live['RoutingConfig']['AdditionalVersionWeights']}")
        promoted = promote(client, canary)
        print(f"promoted: live -> version {promoted['FunctionVersion']}, routing: {promoted.get('RoutingConfig')}")
        versions = [v["Version"] for v in client.list_versions_by_function(FunctionName="checkout")["Versions"]]
        print(f"versions: {versions}")


if __name__ == "__main__":
    main()
