"""Tests of the canary script: the happy path and the AWS errors a careless script would hit."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError
from canary_release import ALIAS, bootstrap, main, observe, promote, release, rollback, run_canary

ROLE = "arn:aws:iam::123456789012:role/lambda-role"
V1 = "def handler(event, context):\n    return 'v1'\n"
V2 = "def handler(event, context):\n    return 'v2'\n"


@pytest.fixture
def client(mock_lambda_alias):
    return boto3.client("lambda", region_name="us-east-1")


def test_release_shifts_ten_percent(client):
    bootstrap(client, "checkout", ROLE, V1)
    canary = release(client, "checkout", V2)
    alias = client.get_alias(FunctionName="checkout", Name=ALIAS)
    assert (canary.stable, canary.candidate) == ("1", "2")
    assert alias["FunctionVersion"] == "1"
    assert alias["RoutingConfig"] == {"AdditionalVersionWeights": {"2": 0.1}}


def test_promote(client):
    bootstrap(client, "checkout", ROLE, V1)
    promoted = promote(client, release(client, "checkout", V2))
    assert promoted["FunctionVersion"] == "2"
    assert "RoutingConfig" not in promoted
    assert client.get_function(FunctionName="checkout", Qualifier=ALIAS)["Configuration"]["Version"] == "2"


def test_rollback(client):
    bootstrap(client, "checkout", ROLE, V1)
    rolled_back = rollback(client, release(client, "checkout", V2))
    assert rolled_back["FunctionVersion"] == "1"
    assert "RoutingConfig" not in rolled_back


def test_release_without_change_is_refused(client):
    bootstrap(client, "checkout", ROLE, V1)
    promote(client, release(client, "checkout", V2))
    # Same code again: AWS returns the existing version 2 instead of publishing a new one.
    with pytest.raises(RuntimeError, match="already live"):
        release(client, "checkout", V2)


def test_stale_revision_id_is_refused(client):
    bootstrap(client, "checkout", ROLE, V1)
    stale = client.get_alias(FunctionName="checkout", Name=ALIAS)["RevisionId"]
    release(client, "checkout", V2)  # changes the alias
    with pytest.raises(ClientError) as exc:
        client.update_alias(FunctionName="checkout", Name=ALIAS, FunctionVersion="2", RevisionId=stale)
    assert exc.value.response["Error"]["Code"] == "PreconditionFailedException"
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 412


def test_routing_to_latest_is_refused(client):
    bootstrap(client, "checkout", ROLE, V1)
    with pytest.raises(ClientError) as exc:
        client.update_alias(
            FunctionName="checkout", Name=ALIAS, RoutingConfig={"AdditionalVersionWeights": {"$LATEST": 0.1}}
        )
    # botocore's own validation accepts the key; AWS refuses it with its model's pattern.
    assert exc.value.response["Error"]["Code"] == "ValidationException"
    assert "Member must satisfy regular expression pattern: [0-9]+" in exc.value.response["Error"]["Message"]


def test_traffic_split_is_about_ten_percent(client, mock_lambda_alias):
    bootstrap(client, "checkout", ROLE, V1)
    release(client, "checkout", V2, weight=0.1)
    seen = observe(client, "checkout", 1000)
    assert sum(seen.invocations.values()) == 1000
    assert 60 <= seen.invocations["2"] <= 140
    assert (
        mock_lambda_alias.count_invocations("checkout", qualifier=ALIAS, executed_version="2") == seen.invocations["2"]
    )


def test_healthy_canary_is_promoted(client):
    bootstrap(client, "checkout", ROLE, V1)
    verdict, seen = run_canary(client, "checkout", V2)
    assert verdict == "promoted"
    assert seen.errors == {}
    assert client.get_alias(FunctionName="checkout", Name=ALIAS)["FunctionVersion"] == "2"


def test_failing_canary_is_rolled_back(client):
    bootstrap(client, "checkout", ROLE, V1)
    broken = "def handler(event, context):\n    raise RuntimeError('down')\n"
    verdict, seen = run_canary(client, "checkout", broken)
    assert verdict == "rolled back"
    assert seen.errors["2"] == seen.invocations["2"] > 0
    alias = client.get_alias(FunctionName="checkout", Name=ALIAS)
    assert alias["FunctionVersion"] == "1"
    assert "RoutingConfig" not in alias


def test_injected_fault_triggers_rollback(client, mock_lambda_alias):
    bootstrap(client, "checkout", ROLE, V1)
    canary = release(client, "checkout", V2)
    mock_lambda_alias.inject_fault("checkout", canary.candidate, rate=0.5)
    seen = observe(client, "checkout", 400)
    assert seen.error_rate("2") > 0.2
    assert seen.errors["1"] == 0


def test_main_runs(capsys):
    main()
    out = capsys.readouterr().out
    assert "canary: live -> 1 with {'2': 0.1}" in out
    assert "promoted: live -> version 2, routing: None" in out
    assert "-> promoted\n" in out
    assert "-> rolled back\n" in out
    assert out.rstrip().endswith("live -> version 3, routing: None")
