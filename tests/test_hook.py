"""Interception: which calls the mock answers, and that nothing else is touched."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ClientError
from conftest import ACCOUNT, REGION, create, error_of

from mock_lambda_alias import mock_lambda_alias
from mock_lambda_alias.wire.protocol import RawBody


class FakeNetwork:
    """Stands in for botocore's HTTP send (``Endpoint._send``): records what would have left."""

    def __init__(self) -> None:
        self.requests: list[str] = []

    def __call__(self, request):
        self.requests.append(request.url)
        return AWSResponse(request.url, 200, {"Content-Type": "application/json"}, RawBody(b'{"Functions": []}'))


@pytest.fixture
def network(monkeypatch):
    fake = FakeNetwork()
    monkeypatch.setattr("botocore.endpoint.Endpoint._send", lambda endpoint, request: fake(request))
    return fake


def test_client_created_before_activation_is_answered(monkeypatch):
    # Credentials configured before the client is made, as a user's are: botocore resolves them
    # when it makes the client, and signs with them (without any, it raises NoCredentialsError
    # before sending, against AWS and here alike).
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    client = boto3.session.Session().client("lambda", region_name=REGION)
    with mock_lambda_alias():
        assert create(client)["FunctionName"] == "my-function"


def test_no_call_is_answered_after_stop(network):
    # Explicit credentials: after stop the request is signed for real, as it would be for the network.
    client = boto3.client("lambda", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")
    with mock_lambda_alias():
        create(client)
        client.list_functions()
    assert network.requests == []
    assert client.list_functions()["Functions"] == []  # the "network" answered, not the mock
    assert len(network.requests) == 1


@pytest.mark.parametrize(
    "endpoint_url", ["http://127.0.0.1:9", "https://lambda.example.invalid/prefix", "http://localhost:4566"]
)
def test_fail_closed_with_custom_endpoint(network, endpoint_url):
    with mock_lambda_alias():
        client = boto3.client("lambda", region_name=REGION, endpoint_url=endpoint_url)
        create(client)
        assert client.get_function(FunctionName="my-function")["Configuration"]["FunctionName"] == "my-function"
    assert network.requests == []


@pytest.mark.parametrize(
    "region, partition", [("eu-west-1", "aws"), ("cn-north-1", "aws-cn"), ("us-gov-west-1", "aws-us-gov")]
)
def test_every_region_and_partition(region, partition):
    with mock_lambda_alias():
        client = boto3.client("lambda", region_name=region)
        arn = create(client)["FunctionArn"]
        assert arn == f"arn:{partition}:lambda:{region}:{ACCOUNT}:function:my-function"
        # Regions are separate: the function is not visible from another region.
        other = boto3.client("lambda", region_name="ap-southeast-2")
        assert other.list_functions()["Functions"] == []


def test_other_services_pass_through(network):
    with mock_lambda_alias():
        sts = boto3.client("sts", region_name=REGION)
        seen: list[str] = []

        def answer_sts(request, **_):
            seen.append(request.url)
            body = (
                b"<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::1:user/x</Arn>"
                b"<UserId>x</UserId><Account>000000000001</Account></GetCallerIdentityResult>"
                b"</GetCallerIdentityResponse>"
            )
            return AWSResponse(request.url, 200, {}, RawBody(body))

        sts.meta.events.register("before-send.sts", answer_sts)
        assert sts.get_caller_identity()["Account"] == "000000000001"
        assert len(seen) == 1
    assert network.requests == []


def test_coexists_with_moto_mock_aws():
    moto = pytest.importorskip("moto")
    with moto.mock_aws(), mock_lambda_alias() as m:
        boto3.client("iam", region_name=REGION).create_role(RoleName="lambda-role", AssumeRolePolicyDocument="{}")
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket="code-bucket")
        assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["code-bucket"]
        client = boto3.client("lambda", region_name=REGION)
        create(client)
        assert list(m.functions()) == ["my-function"]
        with pytest.raises(ClientError) as exc:
            client.get_function(FunctionName="nope")
        assert error_of(exc)[2] == f"Function not found: arn:aws:lambda:{REGION}:{ACCOUNT}:function:nope"


def test_activation_does_not_reset_default_session():
    boto3.setup_default_session()
    session = boto3.DEFAULT_SESSION
    with mock_lambda_alias():
        boto3.client("lambda", region_name=REGION).list_functions()
    assert boto3.DEFAULT_SESSION is session


def test_default_session_created_before_import():
    script = textwrap.dedent(
        """
        import boto3
        boto3.setup_default_session(region_name="us-east-1")
        import mock_lambda_alias
        with mock_lambda_alias.mock_lambda_alias():
            client = boto3.client("lambda")
            print(len(client.list_functions()["Functions"]))
        """
    )
    env = {
        "AWS_ACCESS_KEY_ID": "x",
        "AWS_SECRET_ACCESS_KEY": "x",
        "PATH": "",
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "0"


def test_unimplemented_operation_names_itself(lam, monkeypatch):
    # Every operation of the model is implemented: withdraw one to see what a missing one answers.
    from mock_lambda_alias.backend import registry

    monkeypatch.delitem(registry.HANDLERS, "ListFunctions")
    with pytest.raises(ClientError) as exc:
        lam.list_functions()
    assert error_of(exc) == (
        501,
        "UnknownOperationException",
        "mock_lambda_alias does not implement the Lambda operation ListFunctions yet. "
        "See the operations table in the documentation (docs/reference/operations.md).",
    )


def test_concurrent_clients_keep_state_consistent(mock):
    errors: list[BaseException] = []

    def worker(index: int) -> None:
        try:
            client = boto3.session.Session().client("lambda", region_name=REGION)
            for n in range(15):
                create(client, name=f"fn-{index}-{n}")
                client.update_function_configuration(FunctionName=f"fn-{index}-{n}", Timeout=5 + n)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    functions = mock.functions()
    assert len(functions) == 90
    assert functions["fn-3-7"].latest.config["Timeout"] == 12


def test_register_session_is_kept_and_harmless(network):
    import mock_lambda_alias

    session = boto3.session.Session(region_name=REGION)
    mock_lambda_alias.register_session(session)
    mock_lambda_alias.register_session(session)  # idempotent
    with mock_lambda_alias.mock_lambda_alias():
        client = session.client("lambda")
        assert create(client)["FunctionName"] == "my-function"
    assert network.requests == []
