"""A shared-code layer: deploy a function on a layer, then roll out a new layer version safely.

Deploy code often keeps common modules in a layer (``python/`` in the zip, ``/opt/python`` on
AWS). ``deploy()`` publishes the layer and a function that imports from it, and freezes that pair
as version 1 behind a ``live`` alias. ``upgrade_layer()`` publishes a new layer version, points
``$LATEST`` at it and publishes version 2, while ``live`` keeps running version 1 with the old
layer until it is moved. Against the mock the handler really runs and really imports the layer.

Run directly: ``python examples/shared_layer.py``.
"""

from __future__ import annotations

import json
from typing import Any

import boto3

from mock_lambda_alias import layer_package, package

HANDLER = "import greeting\n\ndef handler(event, context):\n    return greeting.greet(event['name'])\n"


def layer_zip(template: str) -> bytes:
    """The layer: ``greeting.py`` under ``python/``, where Lambda's Python runtime finds it."""
    return layer_package({"greeting.py": f"def greet(name):\n    return {template!r}.format(name)\n"})


def deploy(client: Any, role: str) -> str:
    """Publish the layer, create the function on it, publish version 1 behind ``live``."""
    layer = client.publish_layer_version(
        LayerName="greeting", Content={"ZipFile": layer_zip("Hello, {}!")}, CompatibleRuntimes=["python3.12"]
    )
    client.create_function(
        FunctionName="greeter",
        Runtime="python3.12",
        Role=role,
        Handler="app.handler",
        Code={"ZipFile": package({"app.py": HANDLER})},
        Layers=[layer["LayerVersionArn"]],
    )
    client.publish_version(FunctionName="greeter")
    return client.create_alias(FunctionName="greeter", Name="live", FunctionVersion="1")["AliasArn"]


def upgrade_layer(client: Any) -> str:
    """Publish a new layer version, move ``$LATEST`` onto it and publish it; return the new version."""
    layer = client.publish_layer_version(LayerName="greeting", Content={"ZipFile": layer_zip("Welcome, {}!")})
    client.update_function_configuration(FunctionName="greeter", Layers=[layer["LayerVersionArn"]])
    return client.publish_version(FunctionName="greeter")["Version"]


def greet(client: Any, qualifier: str, name: str) -> str:
    response = client.invoke(FunctionName="greeter", Qualifier=qualifier, Payload=json.dumps({"name": name}))
    return json.loads(response["Payload"].read())


def main() -> None:
    from mock_lambda_alias import mock_lambda_alias

    with mock_lambda_alias():
        client = boto3.client("lambda", region_name="us-east-1")
        deploy(client, "arn:aws:iam::123456789012:role/lambda-role")
        new_version = upgrade_layer(client)
        print(f"live: {greet(client, 'live', 'Ada')}")
        print(f"version {new_version}: {greet(client, new_version, 'Ada')}")


if __name__ == "__main__":
    main()
