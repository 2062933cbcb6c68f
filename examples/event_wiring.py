"""Event wiring: let an S3 bucket invoke the PROD alias of a function, and nothing else.

The classic production bug: the permission is added to the function, while the bucket
notification targets the alias ARN (or the other way round). AWS judges each invoked ARN by its
own policy, so the bucket is refused. ``wire_bucket()`` adds the permission where the
notification points; the tests check the wiring with ``m.is_invoke_allowed``.

Run directly: ``python examples/event_wiring.py``.
"""

from __future__ import annotations

from typing import Any

import boto3

from mock_lambda_alias import package

HANDLER = "def handler(event, context):\n    return len(event.get('Records', []))\n"


def deploy(client: Any, function: str, role: str) -> str:
    """Create the function, publish version 1 and point PROD at it; return PROD's ARN."""
    client.create_function(
        FunctionName=function,
        Runtime="python3.12",
        Role=role,
        Handler="app.handler",
        Code={"ZipFile": package({"app.py": HANDLER})},
    )
    client.publish_version(FunctionName=function)
    return client.create_alias(FunctionName=function, Name="PROD", FunctionVersion="1")["AliasArn"]


def wire_bucket(client: Any, target_arn: str, bucket: str, account_id: str) -> dict:
    """Allow ``bucket`` (owned by ``account_id``) to invoke exactly ``target_arn``."""
    return client.add_permission(
        FunctionName=target_arn,
        StatementId=f"s3-{bucket}",
        Action="lambda:InvokeFunction",
        Principal="s3.amazonaws.com",
        SourceArn=f"arn:aws:s3:::{bucket}",
        SourceAccount=account_id,
    )


def main() -> None:
    from mock_lambda_alias import mock_lambda_alias

    with mock_lambda_alias() as m:
        client = boto3.client("lambda", region_name="us-east-1")
        prod = deploy(client, "thumbnailer", "arn:aws:iam::123456789012:role/lambda-role")
        wire_bucket(client, prod, "uploads", "123456789012")
        for arn in (prod, prod.rsplit(":", 1)[0]):
            decision = m.is_invoke_allowed(
                "s3.amazonaws.com", arn, source_arn="arn:aws:s3:::uploads", source_account="123456789012"
            )
            print(f"{arn}: {'allowed' if decision else 'denied'} — {decision.reason}")


if __name__ == "__main__":
    main()
