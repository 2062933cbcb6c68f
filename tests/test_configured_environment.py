"""What the user configured stays theirs: a region from the environment or the AWS config file is
never overridden, and moto imported after the mock started still hands its deliveries over.

botocore looks a region up in ``AWS_DEFAULT_REGION`` and then in the active profile of the config
file (``AWS_CONFIG_FILE``, else ``~/.aws/config``; profile ``AWS_PROFILE``, else ``default``;
sections ``[default]`` and ``[profile NAME]``).
"""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
from collections.abc import Iterator

import boto3
import pytest

import mock_lambda_alias
from mock_lambda_alias import package

ROLE = "arn:aws:iam::123456789012:role/lambda-role"


@pytest.fixture
def no_region(monkeypatch: pytest.MonkeyPatch, tmp_path: pathlib.Path) -> Iterator[pathlib.Path]:
    """No region anywhere: no variable, and a config file of our own (empty until a test writes it)."""
    for name in ("AWS_DEFAULT_REGION", "AWS_REGION", "AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    config = tmp_path / "config"
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    yield config


@pytest.mark.parametrize(
    ("profile", "text"),
    [
        (None, "[default]\nregion = eu-west-1\n"),
        (None, "[profile default]\nregion = eu-west-1\n"),
        ("dev", "[default]\nregion = us-west-2\n[profile dev]\nregion = eu-west-1\n"),
    ],
    ids=["default", "profile-default", "named-profile"],
)
def test_a_region_in_the_config_file_survives_activation(no_region, monkeypatch, profile, text):
    no_region.write_text(text)
    if profile:
        monkeypatch.setenv("AWS_PROFILE", profile)
    with mock_lambda_alias.mock_lambda_alias():
        assert "AWS_DEFAULT_REGION" not in os.environ
        lam = boto3.session.Session().client("lambda")
        arn = lam.create_function(
            FunctionName="f",
            Runtime="python3.12",
            Role=ROLE,
            Handler="lambda_function.handler",
            Code={"ZipFile": package("def handler(e, c): ...")},
        )["FunctionArn"]
    assert arn == "arn:aws:lambda:eu-west-1:123456789012:function:f"
    assert "AWS_DEFAULT_REGION" not in os.environ


@pytest.mark.parametrize("variable", ["AWS_DEFAULT_REGION", "AWS_REGION"])
def test_a_region_in_the_environment_survives_activation(no_region, monkeypatch, variable):
    monkeypatch.setenv(variable, "ap-south-1")
    with mock_lambda_alias.mock_lambda_alias():
        assert os.environ[variable] == "ap-south-1"
        assert os.environ.get("AWS_DEFAULT_REGION", "ap-south-1") == "ap-south-1"
    assert os.environ[variable] == "ap-south-1"


@pytest.mark.parametrize(
    "text",
    ["", "[default]\noutput = json\n", "[profile other]\nregion = eu-west-1\n"],
    ids=["empty", "no-region", "other-profile"],
)
def test_without_a_configured_region_us_east_1_is_set_while_active(no_region, text):
    no_region.write_text(text)
    with mock_lambda_alias.mock_lambda_alias():
        assert os.environ["AWS_DEFAULT_REGION"] == "us-east-1"
        assert boto3.session.Session().client("lambda").meta.region_name == "us-east-1"
    assert "AWS_DEFAULT_REGION" not in os.environ


def test_a_region_written_to_the_config_file_later_is_seen_by_the_next_activation(no_region):
    no_region.write_text("[default]\noutput = json\n")
    with mock_lambda_alias.mock_lambda_alias():
        assert os.environ["AWS_DEFAULT_REGION"] == "us-east-1"
    no_region.write_text("[default]\nregion = eu-central-1\noutput = json\n")
    os.utime(no_region, ns=(1, 1))  # a new modification time even on coarse clocks
    with mock_lambda_alias.mock_lambda_alias():
        assert "AWS_DEFAULT_REGION" not in os.environ
        assert boto3.session.Session().client("lambda").meta.region_name == "eu-central-1"


_MOTO_IMPORTED_LATE = r"""
import json, sys
import boto3
import mock_lambda_alias
from mock_lambda_alias import package

seen = {"moto_loaded_at_start": "moto" in sys.modules}
m = mock_lambda_alias.mock_lambda_alias()
m.start()
import moto  # after the mock started: its S3 loads later still, inside mock_aws

with moto.mock_aws():
    boto3.client("iam", region_name="us-east-1").create_role(RoleName="lambda-role", AssumeRolePolicyDocument="{}")
    lam = boto3.client("lambda", region_name="us-east-1")
    arn = lam.create_function(
        FunctionName="helloworld", Runtime="python3.12", Role="arn:aws:iam::123456789012:role/lambda-role",
        Handler="lambda_function.handler", Code={"ZipFile": package("def handler(event, context):\n    return 1\n")},
    )["FunctionArn"]
    lam.add_permission(
        FunctionName="helloworld", StatementId="s3", Action="lambda:InvokeFunction", Principal="s3.amazonaws.com",
        SourceArn="arn:aws:s3:::examplebucket", SourceAccount="123456789012",
    )
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="examplebucket")
    s3.put_bucket_notification_configuration(
        Bucket="examplebucket",
        NotificationConfiguration={
            "LambdaFunctionConfigurations": [{"LambdaFunctionArn": arn, "Events": ["s3:ObjectCreated:*"]}]
        },
    )
    s3.put_object(Bucket="examplebucket", Key="photo.jpg", Body=b"x")
    records = m.invocations("helloworld")
    seen["keys"] = [json.loads(r.payload)["Records"][0]["s3"]["object"]["key"] for r in records]
m.stop()
from moto.s3 import notifications
seen["restored"] = notifications._invoke_awslambda.__module__
seen["hooks_left"] = [type(f).__name__ for f in sys.meta_path if type(f).__module__.startswith("mock_lambda_alias")]
print(json.dumps(seen))
"""


def test_moto_imported_after_the_mock_started_still_delivers_s3_events():
    pytest.importorskip("moto")
    output = subprocess.check_output([sys.executable, "-c", _MOTO_IMPORTED_LATE], text=True)
    assert json.loads(output.splitlines()[-1]) == {
        "moto_loaded_at_start": False,
        "keys": ["photo.jpg"],
        "restored": "moto.s3.notifications",
        "hooks_left": [],
    }
