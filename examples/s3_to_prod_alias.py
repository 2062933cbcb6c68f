"""S3 → PROD, enforced: a bucket notification invokes the PROD alias only if PROD's policy allows S3.

The seed documents' scenario, end to end: moto serves S3, mock_lambda_alias serves Lambda. The
bucket notifies the PROD alias ARN on ``s3:ObjectCreated:*``. ``grant_s3`` adds the permission
with ``--qualifier PROD`` (what AWS requires) or, the classic mistake, on the function. With the
permission on PROD an upload invokes PROD; with it on the function S3 refuses the notification
(``InvalidArgument``), as AWS does; and if PROD loses its permission later, uploads are dropped
silently (the mock records them as denied deliveries).

Run directly: ``python examples/s3_to_prod_alias.py`` (needs moto).
"""

from __future__ import annotations

import json
from typing import Any, Optional

import boto3

from mock_lambda_alias import package

ACCOUNT = "123456789012"
REGION = "us-east-1"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/lambda-role"


HANDLER = "def handler(event, context):\n    return event['Records'][0]['s3']['object']['key']\n"


#: Lambda may assume the execution role (moto's IAM checks that it exists).
TRUST = json.dumps(
    {"Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
)


def create_role(iam: Any) -> str:
    return iam.create_role(RoleName="lambda-role", AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]


def deploy(lam: Any, function: str = "helloworld") -> str:
    """Create the function, publish version 1, point PROD at it; return PROD's ARN."""
    lam.create_function(
        FunctionName=function,
        Runtime="python3.12",
        Role=ROLE,
        Handler="app.handler",
        Code={"ZipFile": package({"app.py": HANDLER})},
    )
    lam.publish_version(FunctionName=function)
    return lam.create_alias(FunctionName=function, Name="PROD", FunctionVersion="1")["AliasArn"]


def grant_s3(lam: Any, bucket: str, qualifier: Optional[str], function: str = "helloworld") -> None:
    """``aws lambda add-permission --qualifier PROD --principal s3.amazonaws.com --source-arn ...``."""
    params: dict[str, Any] = {
        "FunctionName": function,
        "StatementId": "1",
        "Principal": "s3.amazonaws.com",
        "Action": "lambda:InvokeFunction",
        "SourceArn": f"arn:aws:s3:::{bucket}",
        "SourceAccount": ACCOUNT,
    }
    if qualifier is not None:
        params["Qualifier"] = qualifier
    lam.add_permission(**params)


def notify_on_upload(s3: Any, bucket: str, target_arn: str) -> None:
    """Create the bucket and make every new object notify ``target_arn``."""
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_notification_configuration(
        Bucket=bucket,
        NotificationConfiguration={
            "LambdaFunctionConfigurations": [{"LambdaFunctionArn": target_arn, "Events": ["s3:ObjectCreated:*"]}]
        },
    )


def main() -> None:
    from botocore.exceptions import ClientError
    from moto import mock_aws

    from mock_lambda_alias import mock_lambda_alias

    for qualifier in ("PROD", None):
        with mock_aws(), mock_lambda_alias() as m:
            lam = boto3.client("lambda", region_name=REGION)
            s3 = boto3.client("s3", region_name=REGION)
            create_role(boto3.client("iam", region_name=REGION))
            prod = deploy(lam)
            grant_s3(lam, "examplebucket", qualifier)
            where = "on PROD" if qualifier else "on the function"
            try:
                notify_on_upload(s3, "examplebucket", prod)
            except ClientError as exc:
                print(f"permission {where}: notification refused ({exc.response['Error']['Code']})")
                continue
            s3.put_object(Bucket="examplebucket", Key="cat.jpg", Body=b"meow")
            print(f"permission {where}: {m.count_invocations('helloworld', qualifier='PROD')} invocation(s) of PROD")


if __name__ == "__main__":
    main()
