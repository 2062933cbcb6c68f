"""The mapping on PROD: a canary splits batches by weight; promotion moves them, the mapping stays."""

from __future__ import annotations

import boto3
import pytest
from esm_on_alias import REGION, TRUST, canary, create_queue, deploy, main, promote, send, wire

moto = pytest.importorskip("moto")


@pytest.fixture
def clients(mock_lambda_alias):
    with moto.mock_aws():
        boto3.client("iam", region_name=REGION).create_role(RoleName="lambda-role", AssumeRolePolicyDocument=TRUST)
        yield boto3.client("lambda", region_name=REGION), boto3.client("sqs", region_name=REGION)


def test_prod_runs_version_1_until_promoted_then_version_2(mock_lambda_alias, clients):
    lam, sqs = clients
    prod = deploy(lam)
    url, queue_arn = create_queue(sqs)
    uuid = wire(lam, queue_arn, prod)
    send(sqs, url, 3)
    before = lam.get_event_source_mapping(UUID=uuid)
    promote(lam)
    send(sqs, url, 3)
    after = lam.get_event_source_mapping(UUID=uuid)
    assert [b.executed_version for b in mock_lambda_alias.batches(uuid)] == ["1"] * 3 + ["2"] * 3
    assert [b.invocation.response_json()["version"] for b in mock_lambda_alias.batches(uuid)] == [1] * 3 + [2] * 3
    assert (after["FunctionArn"], after["LastModified"]) == (prod, before["LastModified"])
    assert mock_lambda_alias.count_invocations("orders", qualifier="PROD") == 6


def test_a_canary_splits_batches_by_weight(mock_lambda_alias, clients):
    lam, sqs = clients
    mock_lambda_alias.set_seed(42)
    prod = deploy(lam)
    url, queue_arn = create_queue(sqs)
    uuid = wire(lam, queue_arn, prod)
    canary(lam, weight=0.1)
    send(sqs, url, 100)
    versions = [b.executed_version for b in mock_lambda_alias.batches(uuid)]
    assert len(versions) == 100 and 0 < versions.count("2") < versions.count("1")


def test_main_runs(capsys):
    main()
    out = capsys.readouterr().out
    assert "canary: " in out and "version 2" in out
    assert "promoted: the last 10 batches ran version(s) ['2']; mapping untouched: True" in out
