"""A small canary deploy script, the kind of code mock_lambda_alias exists to test.

``release()`` publishes the current code as a new version and shifts a share of the ``live``
alias's traffic to it; ``observe()`` sends traffic through the alias and counts, per executed
version, invocations and function errors; ``promote()`` points the alias at the new version and
clears routing; ``rollback()`` clears routing and leaves the alias on the old version;
``run_canary()`` ties them together. Every alias update passes the alias's RevisionId, so a
concurrent change makes AWS (and the mock) refuse it.

Run directly, it deploys against the mock: ``python examples/canary_release.py``.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import boto3

from mock_lambda_alias import package

ALIAS = "live"


@dataclass
class Canary:
    function: str
    stable: str
    candidate: str
    weight: float


def bootstrap(client: Any, function: str, role: str, source: str) -> str:
    """Create the function, publish version 1 and point the ``live`` alias at it."""
    client.create_function(
        FunctionName=function,
        Runtime="python3.12",
        Role=role,
        Handler="app.handler",
        Code={"ZipFile": package({"app.py": source})},
    )
    client.get_waiter("function_active_v2").wait(FunctionName=function, WaiterConfig={"Delay": 0})
    version = client.publish_version(FunctionName=function, Description="initial release")["Version"]
    client.create_alias(FunctionName=function, Name=ALIAS, FunctionVersion=version)
    return version


def release(client: Any, function: str, source: str, weight: float = 0.1) -> Canary:
    """Deploy new code as a version and send ``weight`` of live traffic to it."""
    updated = client.update_function_code(FunctionName=function, ZipFile=package({"app.py": source}))
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


@dataclass
class Observation:
    invocations: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)

    def error_rate(self, version: str) -> float:
        return self.errors[version] / self.invocations[version] if self.invocations[version] else 0.0


def observe(client: Any, function: str, invocations: int) -> Observation:
    """Invoke the live alias ``invocations`` times and count what ran and what failed."""
    seen = Observation()
    for n in range(invocations):
        response = client.invoke(FunctionName=function, Qualifier=ALIAS, Payload=json.dumps({"order": n}))
        version = response["ExecutedVersion"]
        seen.invocations[version] += 1
        if "FunctionError" in response:
            seen.errors[version] += 1
    return seen


def run_canary(
    client: Any, function: str, source: str, weight: float = 0.1, invocations: int = 1000, max_error_rate: float = 0.01
) -> tuple[str, Observation]:
    """Release ``source`` as a canary, watch it, then promote it or roll back. Returns the verdict."""
    canary = release(client, function, source, weight)
    seen = observe(client, function, invocations)
    if seen.error_rate(canary.candidate) > max_error_rate:
        rollback(client, canary)
        return "rolled back", seen
    promote(client, canary)
    return "promoted", seen


def main() -> None:
    from mock_lambda_alias import mock_lambda_alias

    with mock_lambda_alias(seed=2026):
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

        healthy = "def handler(event, context):\n    return {'order': event['order'], 'by': 'v3'}\n"
        verdict, seen = run_canary(client, "checkout", healthy)
        print(f"v3 canary: {dict(seen.invocations)} invocations, {dict(seen.errors)} errors -> {verdict}")
        broken = "def handler(event, context):\n    raise RuntimeError('payment provider timeout')\n"
        verdict, seen = run_canary(client, "checkout", broken)
        print(f"v4 canary: {dict(seen.invocations)} invocations, {dict(seen.errors)} errors -> {verdict}")
        live = client.get_alias(FunctionName="checkout", Name=ALIAS)
        print(f"live -> version {live['FunctionVersion']}, routing: {live.get('RoutingConfig')}")


if __name__ == "__main__":
    main()
