"""The function imports its layer, and each published version keeps the layer it was published with."""

from __future__ import annotations

import boto3
import pytest
from shared_layer import deploy, greet, main, upgrade_layer

ROLE = "arn:aws:iam::123456789012:role/lambda-role"


@pytest.fixture
def client(mock_lambda_alias):
    client = boto3.client("lambda", region_name="us-east-1")
    deploy(client, ROLE)
    return client


def test_the_handler_imports_from_the_layer(client):
    assert greet(client, "live", "Ada") == "Hello, Ada!"


def test_a_new_layer_version_reaches_only_the_new_function_version(client):
    new_version = upgrade_layer(client)
    assert new_version == "2"
    assert greet(client, "2", "Ada") == "Welcome, Ada!"
    assert greet(client, "live", "Ada") == "Hello, Ada!"
    layers = client.get_function_configuration(FunctionName="greeter", Qualifier="live")["Layers"]
    assert [layer["Arn"].rsplit(":", 1)[1] for layer in layers] == ["1"]


def test_moving_the_alias_moves_the_layer(client):
    upgrade_layer(client)
    client.update_alias(FunctionName="greeter", Name="live", FunctionVersion="2")
    assert greet(client, "live", "Ada") == "Welcome, Ada!"


def test_main_runs(capsys):
    main()
    assert capsys.readouterr().out.splitlines() == ["live: Hello, Ada!", "version 2: Welcome, Ada!"]
