"""Server mode over real HTTP: boto3 (signed), the AWS CLI, plain requests, Node's SDK, many clients.

The server runs as ``python -m mock_lambda_alias serve`` in a subprocess; every answer a client
gets is checked against botocore's output shape, as in-process answers are (tests/conftest.py).
"""

from __future__ import annotations

import base64
import datetime
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
import pytest
import requests
from botocore.exceptions import ClientError
from conftest import botocore_models, create, error_of, make_zip
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from serverproc import ServerProcess

import mock_lambda_alias
from mock_lambda_alias.errors import REVISION_MISMATCH

MAPPED_KEY, MAPPED_ACCOUNT = "AKIAMAPPEDTOACCOUNT2", "222222222222"
VERSION_ZIP = make_zip(
    "def handler(event, context):\n    return {'version': context.function_version, 'event': event}\n"
)


@pytest.fixture(scope="module")
def server() -> Iterator[ServerProcess]:
    process = ServerProcess("--access-key", f"{MAPPED_KEY}={MAPPED_ACCOUNT}", "--quiet")
    try:
        yield process
    finally:
        process.close()


@pytest.fixture(autouse=True)
def _fresh(server: ServerProcess) -> Iterator[None]:
    assert server.control("POST", "reset").status_code == 200
    yield
    errors = server.control("GET", "internal-errors").json()["internal_errors"]
    assert errors == [], errors


@pytest.fixture
def lam(server: ServerProcess) -> Any:
    return server.client()


def two_versions(client: Any, name: str = "my-function") -> None:
    create(client, name, Code={"ZipFile": VERSION_ZIP})
    client.publish_version(FunctionName=name)
    client.update_function_configuration(FunctionName=name, Description="v2")
    client.publish_version(FunctionName=name)


# -- boto3, signed -------------------------------------------------------------


def test_boto3_alias_lifecycle_over_http(lam):
    two_versions(lam)
    alias = lam.create_alias(
        FunctionName="my-function",
        Name="live",
        FunctionVersion="1",
        RoutingConfig={"AdditionalVersionWeights": {"2": 0.25}},
    )
    assert alias["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert alias["AliasArn"] == "arn:aws:lambda:us-east-1:123456789012:function:my-function:live"
    fetched = lam.get_alias(FunctionName="my-function", Name="live")
    assert fetched["ResponseMetadata"]["HTTPStatusCode"] == 200  # moto answers 201 here; AWS 200
    assert fetched["RoutingConfig"] == {"AdditionalVersionWeights": {"2": 0.25}}
    pages = list(lam.get_paginator("list_aliases").paginate(FunctionName="my-function", MaxItems=5))
    assert [a["Name"] for page in pages for a in page["Aliases"]] == ["live"]
    lam.delete_alias(FunctionName="my-function", Name="live")
    with pytest.raises(ClientError) as exc:
        lam.get_alias(FunctionName="my-function", Name="live")
    assert error_of(exc) == (
        404,
        "ResourceNotFoundException",
        "Cannot find alias arn: arn:aws:lambda:us-east-1:123456789012:function:my-function:live",
    )  # F-VA-045


def test_boto3_waiters_and_executed_version(lam):
    two_versions(lam)
    lam.get_waiter("function_active_v2").wait(FunctionName="my-function")
    lam.create_alias(FunctionName="my-function", Name="PROD", FunctionVersion="2")
    response = lam.invoke(FunctionName="my-function", Qualifier="PROD", Payload=b'{"n": 1}')
    assert response["StatusCode"] == 200
    assert response["ExecutedVersion"] == "2"
    assert json.loads(response["Payload"].read()) == {"version": "2", "event": {"n": 1}}


def test_region_comes_from_the_signature(server):
    eu = server.client(region="eu-west-1")
    created = create(eu, "regional")
    assert created["FunctionArn"] == "arn:aws:lambda:eu-west-1:123456789012:function:regional"
    assert server.client(region="us-east-1").list_functions()["Functions"] == []
    assert [f["FunctionName"] for f in eu.list_functions()["Functions"]] == ["regional"]


def test_account_comes_from_the_access_key(server):
    """A 12-digit access key id is its account (as LocalStack does); others map by --access-key."""
    own = server.client(key="111111111111")
    mapped = server.client(key=MAPPED_KEY)
    default = server.client()
    own_role = "arn:aws:iam::111111111111:role/lambda-role"  # a role of the caller's own account, as AWS wants
    mapped_role = f"arn:aws:iam::{MAPPED_ACCOUNT}:role/lambda-role"
    assert create(own, "f", Role=own_role)["FunctionArn"] == "arn:aws:lambda:us-east-1:111111111111:function:f"
    assert (
        create(mapped, "f", Role=mapped_role)["FunctionArn"] == f"arn:aws:lambda:us-east-1:{MAPPED_ACCOUNT}:function:f"
    )
    assert create(default, "f")["FunctionArn"] == "arn:aws:lambda:us-east-1:123456789012:function:f"
    own.delete_function(FunctionName="f")
    assert [f["FunctionName"] for f in mapped.list_functions()["Functions"]] == ["f"]
    assert own.list_functions()["Functions"] == []


def test_unsigned_requests_use_the_default_account_and_region(server):
    from botocore import UNSIGNED
    from botocore.config import Config

    client = boto3.client(
        "lambda", endpoint_url=server.url, region_name="ap-south-1", config=Config(signature_version=UNSIGNED)
    )
    assert create(client, "anon")["FunctionArn"] == "arn:aws:lambda:us-east-1:123456789012:function:anon"


def _normalized(value: Any) -> Any:
    volatile = {"RevisionId", "LastModified", "ResponseMetadata"}
    if isinstance(value, dict):
        return {k: _normalized(v) for k, v in value.items() if k not in volatile}
    if isinstance(value, list):
        return [_normalized(v) for v in value]
    return value


def _scenario(client: Any) -> list[Any]:
    """Calls whose answers must be the same in-process and over HTTP, errors included."""
    calls = [
        lambda: create(client, "same", Code={"ZipFile": VERSION_ZIP}),
        lambda: client.publish_version(FunctionName="same"),
        lambda: client.update_function_configuration(FunctionName="same", Description="second"),
        lambda: client.publish_version(FunctionName="same"),
        lambda: client.create_alias(
            FunctionName="same", Name="PROD", FunctionVersion="1", RoutingConfig={"AdditionalVersionWeights": {}}
        ),
        lambda: client.update_alias(FunctionName="same", Name="PROD", FunctionVersion="2"),
        lambda: client.create_alias(FunctionName="same", Name="1", FunctionVersion="1"),
        lambda: client.create_alias(
            FunctionName="same",
            Name="canary",
            FunctionVersion="$LATEST",
            RoutingConfig={"AdditionalVersionWeights": {"2": 0.5}},
        ),
        lambda: client.add_permission(
            FunctionName="same",
            Qualifier="PROD",
            StatementId="s3",
            Action="lambda:InvokeFunction",
            Principal="s3.amazonaws.com",
            SourceArn="arn:aws:s3:::bucket",
        ),
        lambda: client.get_policy(FunctionName="same", Qualifier="PROD"),
        lambda: client.get_policy(FunctionName="same"),
        lambda: client.update_alias(FunctionName="same", Name="PROD", RevisionId="stale"),
        lambda: client.list_versions_by_function(FunctionName="same"),
        lambda: client.list_aliases(FunctionName="same"),
        lambda: client.invoke(FunctionName="same:PROD", Payload=b'{"k": [1, 2]}'),
        lambda: client.invoke(FunctionName="same", Qualifier="nope", Payload=b"{}"),
        lambda: client.invoke(FunctionName="same", Payload=b"{not json"),
        lambda: client.get_function_configuration(FunctionName="same", Qualifier="2"),
        lambda: client.delete_function(FunctionName="same", Qualifier="$LATEST"),
        lambda: client.list_tags(Resource="arn:aws:lambda:us-east-1:123456789012:function:gone"),
    ]
    out: list[Any] = []
    for call in calls:
        try:
            result = call()
        except ClientError as exc:
            error = exc.response
            out.append(("error", error["ResponseMetadata"]["HTTPStatusCode"], error["Error"]))
            continue
        if "Payload" in result:
            result["Payload"] = json.loads(result["Payload"].read())
        out.append(_normalized({**result, "status": result["ResponseMetadata"]["HTTPStatusCode"]}))
    return out


def test_answers_are_exactly_the_in_process_answers(server):
    from botocore.config import Config

    with mock_lambda_alias.mock_lambda_alias():
        local = _scenario(boto3.client("lambda", region_name="us-east-1", config=Config(parameter_validation=False)))
    remote = _scenario(server.client(parameter_validation=False))
    assert remote == local
    assert ("error", 412, {"Code": "PreconditionFailedException", "Message": REVISION_MISMATCH}) in remote


# -- the AWS CLI (v1 from PyPI) as a separate process ----------------------------------------


def aws(server: ServerProcess, command: str, tmp_path: Any, use_env: bool = False) -> tuple[int, Any, str]:
    """Run an ``aws lambda ...`` command line through a shell, as a reader of the guide would."""
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": str(tmp_path / "no-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-credentials"),
        "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""),
    }
    env.pop("AWS_PROFILE", None)
    if use_env:
        env["AWS_ENDPOINT_URL_LAMBDA"] = server.url
    else:
        command = command.replace("aws lambda ", f"aws --endpoint-url {server.url} lambda ", 1)
    done = subprocess.run(
        ["bash", "-c", command + " --output json"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    out = json.loads(done.stdout) if done.stdout.strip() else None
    return done.returncode, out, done.stderr


needs_aws_cli = pytest.mark.skipif(shutil.which("bash") is None, reason="the CLI commands run through bash")


@needs_aws_cli
def test_seed_commands_through_the_aws_cli(server, tmp_path):
    """The guide's `aws lambda` commands, character for character apart from its placeholders."""
    lam = server.client()
    two_versions(lam)
    two_versions(lam, "helloworld")
    code, created, err = aws(
        server,
        "aws lambda create-alias   --function-name my-function --name alias-name --function-version 1  "
        '--description " "',
        tmp_path,
    )
    assert code == 0, err
    assert created["Description"] == " " and created["FunctionVersion"] == "1"
    code, updated, err = aws(
        server, "aws lambda update-alias  --function-name my-function --name alias-name --function-version 2", tmp_path
    )
    assert code == 0, err
    assert updated["FunctionVersion"] == "2"

    code, routed, err = aws(
        server,
        "aws lambda create-alias --name  routing-alias  --function-name  my-function  --function-version  1  "
        '--routing-config  AdditionalVersionWeights={"2"=0.03}',
        tmp_path,
    )
    assert code == 0, err
    assert routed["RoutingConfig"] == {"AdditionalVersionWeights": {"2": 0.03}}
    code, routed, err = aws(
        server,
        "aws lambda update-alias --name  routing-alias  --function-name  my-function  "
        '--routing-config  AdditionalVersionWeights={"2"=0.05}',
        tmp_path,
        use_env=True,  # AWS_ENDPOINT_URL_LAMBDA instead of --endpoint-url
    )
    assert code == 0, err
    assert routed["RoutingConfig"] == {"AdditionalVersionWeights": {"2": 0.05}}
    code, promoted, err = aws(
        server,
        "aws lambda update-alias --name  routing-alias  --function-name  my-function  "
        "--function-version  2   --routing-config  AdditionalVersionWeights={}",
        tmp_path,
    )
    assert code == 0, err
    assert promoted["FunctionVersion"] == "2" and "RoutingConfig" not in promoted

    lam.create_alias(FunctionName="helloworld", Name="PROD", FunctionVersion="1")
    code, added, err = aws(
        server,
        "aws lambda add-permission --function-name helloworld \\\n"
        "--qualifier PROD --statement-id 1 --principal s3.amazonaws.com --action lambda:InvokeFunction \\\n"
        "--source-arn arn:aws:s3:::examplebucket --source-account 123456789012",
        tmp_path,
    )
    assert code == 0, err
    statement = json.loads(added["Statement"])
    assert statement["Resource"] == "arn:aws:lambda:us-east-1:123456789012:function:helloworld:PROD"
    decision = server.control(
        "POST",
        "is-invoke-allowed",
        json={
            "principal": "s3.amazonaws.com",
            "arn": statement["Resource"],
            "source_arn": "arn:aws:s3:::examplebucket",
            "source_account": "123456789012",
        },
    ).json()
    assert decision == {"allowed": True, "statement_id": "1", "reason": decision["reason"]}

    # Which version ran: the x-amz-executed-version header and the START line of the log.
    code, invoked, err = aws(
        server,
        "aws lambda invoke --function-name my-function:routing-alias --log-type Tail "
        "--payload '{\"order\": 7}' response.json",  # the CLI v1 sends --payload as given
        tmp_path,
    )
    assert code == 0, err
    assert invoked["StatusCode"] == 200 and invoked["ExecutedVersion"] == "2"
    assert "Version: 2" in base64.b64decode(invoked["LogResult"]).decode()
    assert json.loads((tmp_path / "response.json").read_text()) == {"version": "2", "event": {"order": 7}}


@needs_aws_cli
def test_aws_cli_reports_the_servers_errors(server, tmp_path):
    code, _, err = aws(server, "aws lambda get-alias --function-name nope --name PROD", tmp_path)
    assert code == 255
    assert "ResourceNotFoundException" in err
    assert "Function not found: arn:aws:lambda:us-east-1:123456789012:function:nope" in err


# -- function URLs with plain requests ---------------------------------------------------------


#: Where botocore cannot send InvokedViaFunctionUrl (1.31), a plain InvokeFunction statement grants it.
VIA_URL = {"InvokedViaFunctionUrl": True} if botocore_models("AddPermissionRequest", "InvokedViaFunctionUrl") else {}


def _url_function(lam: Any, auth: str = "NONE", permission: bool = True) -> str:
    two_versions(lam)
    lam.create_alias(FunctionName="my-function", Name="live", FunctionVersion="2")
    url = lam.create_function_url_config(FunctionName="my-function", Qualifier="live", AuthType=auth)["FunctionUrl"]
    if permission:
        lam.add_permission(
            FunctionName="my-function",
            Qualifier="live",
            StatementId="url",
            Action="lambda:InvokeFunctionUrl",
            Principal="*",
            FunctionUrlAuthType=auth,
        )
        lam.add_permission(  # function URLs need lambda:InvokeFunction too (AWS, since October 2025)
            FunctionName="my-function",
            Qualifier="live",
            StatementId="url-invoke",
            Action="lambda:InvokeFunction",
            Principal="*",
            **VIA_URL,
        )
    return url


def test_function_url_by_host_header(server, lam):
    url = _url_function(lam)
    host = url.split("/")[2]
    assert host.endswith(".lambda-url.us-east-1.on.aws")
    response = requests.post(f"{server.url}/orders?id=3", headers={"Host": host}, data=b'{"item": "tea"}', timeout=30)
    assert response.status_code == 200
    body = response.json()
    assert body["version"] == "2"
    event = body["event"]
    assert event["rawPath"] == "/orders" and event["rawQueryString"] == "id=3"
    assert event["queryStringParameters"] == {"id": "3"}
    assert event["requestContext"]["http"]["method"] == "POST"
    assert event["headers"]["host"] == host
    assert event["body"] == '{"item": "tea"}'
    # Any domain after the region works, with a port too: e.g. names under .localhost resolving here.
    url_id = host.split(".")[0]
    local = requests.get(
        f"{server.url}/", headers={"Host": f"{url_id}.lambda-url.us-east-1.localhost:4566"}, timeout=30
    )
    assert local.status_code == 200 and local.json()["version"] == "2"


def test_function_url_by_path(server, lam):
    url = _url_function(lam)
    url_id = url.split("//")[1].split(".")[0]
    response = requests.get(f"{server.url}/_mock_lambda_alias/function-urls/{url_id}/a/b?x=1&x=2", timeout=30)
    assert response.status_code == 200
    event = response.json()["event"]
    assert event["rawPath"] == "/a/b"
    assert event["queryStringParameters"] == {"x": "1,2"}
    records = server.control("GET", "invocations", params={"function_name": "my-function"}).json()["invocations"]
    assert [(r["invoked_qualifier"], r["executed_version"]) for r in records] == [("live", "2")]


def test_function_url_without_permission_is_forbidden(server, lam):
    url = _url_function(lam, permission=False)
    response = requests.get(f"{server.url}/", headers={"Host": url.split("/")[2]}, timeout=30)
    assert response.status_code == 403
    assert response.headers["x-amzn-ErrorType"] == "AccessDeniedException"


def test_function_url_with_aws_iam_needs_a_signature(server, lam):
    url = _url_function(lam, auth="AWS_IAM", permission=False)
    host = url.split("/")[2]
    assert requests.get(f"{server.url}/", headers={"Host": host}, timeout=30).status_code == 403
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    signed = AWSRequest("GET", url, headers={"Host": host})
    SigV4Auth(Credentials("AKID", "secret"), "lambda", "us-east-1").add_auth(signed)
    response = requests.get(f"{server.url}/", headers=dict(signed.headers.items()), timeout=30)
    assert response.status_code == 200 and response.json()["version"] == "2"


def test_unknown_function_url_is_forbidden(server):
    response = requests.get(
        f"{server.url}/", headers={"Host": "abcdefghijklmnopqrstuvwxyz0abcde.lambda-url.us-east-1.on.aws"}, timeout=30
    )
    assert response.status_code == 403


# -- many clients at once ----------------------------------------------------------------


def test_sixteen_concurrent_clients_keep_state_consistent(server, lam):
    two_versions(lam)
    per_client = 8

    def client_work(index: int) -> list[str]:
        client = server.client()
        version = "1" if index % 2 else "2"
        client.create_alias(FunctionName="my-function", Name=f"alias-{index}", FunctionVersion=version)
        executed = []
        for n in range(per_client):
            response = client.invoke(
                FunctionName="my-function", Qualifier=f"alias-{index}", Payload=json.dumps({"n": n}).encode()
            )
            assert json.loads(response["Payload"].read()) == {"version": version, "event": {"n": n}}
            executed.append(response["ExecutedVersion"])
        client.update_alias(FunctionName="my-function", Name=f"alias-{index}", Description=f"client {index}")
        return executed

    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(client_work, range(16)))
    assert results == [["1" if i % 2 else "2"] * per_client for i in range(16)]
    aliases = list(lam.get_paginator("list_aliases").paginate(FunctionName="my-function"))
    aliases = {a["Name"]: a for page in aliases for a in page["Aliases"]}
    assert sorted(aliases) == sorted(f"alias-{i}" for i in range(16))
    assert all(aliases[f"alias-{i}"]["Description"] == f"client {i}" for i in range(16))
    counts = server.control("GET", "routing").json()["counts"]["my-function"]
    assert counts == {f"alias-{i}": {"1" if i % 2 else "2": per_client} for i in range(16)}


def test_invoke_with_response_stream_over_http(lam):
    two_versions(lam)
    lam.create_alias(FunctionName="my-function", Name="PROD", FunctionVersion="1")
    response = lam.invoke_with_response_stream(FunctionName="my-function", Qualifier="PROD", Payload=b'{"s": 1}')
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert response["ExecutedVersion"] == "1"
    events = list(response["EventStream"])
    chunks = b"".join(e["PayloadChunk"]["Payload"] for e in events if "PayloadChunk" in e)
    assert json.loads(chunks) == {"version": "1", "event": {"s": 1}}
    assert "InvokeComplete" in events[-1]


def test_expect_100_continue(server, lam):
    create(lam)
    body = json.dumps({"Name": "live", "FunctionVersion": "$LATEST"}).encode()
    host, port = server.url.split("//")[1].rsplit(":", 1)
    with socket.create_connection((host, int(port))) as s:
        s.sendall(
            b"POST /2015-03-31/functions/my-function/aliases HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
            b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body)
        )
        s.settimeout(10)
        assert s.recv(1024).startswith(b"HTTP/1.1 100 Continue")
        s.sendall(body)
        assert _read_reply(s).startswith(b"HTTP/1.1 201 ")


# -- payload sizes -------------------------------------------------------------------------


def test_six_megabyte_invoke_payload(server, lam):
    create(lam)
    payload = b'"' + b"x" * (6 * 1024 * 1024 - 2) + b'"'  # exactly 6 MB, the synchronous limit
    response = lam.invoke(FunctionName="my-function", Payload=payload)
    assert response["StatusCode"] == 200
    assert response["Payload"].read() == payload
    with pytest.raises(ClientError) as exc:
        lam.invoke(FunctionName="my-function", Payload=payload + b" ")
    assert error_of(exc) == (
        413,
        "RequestTooLargeException",
        "Request must be smaller than 6291456 bytes for the InvokeFunction operation",
    )


def test_a_body_over_the_servers_cap_is_refused_unread(server):
    with socket.create_connection((server.url.split("//")[1].split(":")[0], int(server.url.rsplit(":", 1)[1]))) as s:
        s.sendall(
            b"POST /2015-03-31/functions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 999999999999\r\n\r\n{"
        )
        reply = _read_reply(s)
    assert reply.startswith(b"HTTP/1.1 413 ")
    assert b"x-amzn-ErrorType: RequestTooLargeException" in reply
    assert b"Request must be smaller than 70167211 bytes for the CreateFunction operation" in reply
    assert server.control("GET", "health").status_code == 200


def test_a_body_over_a_configured_cap(tmp_path):
    small = ServerProcess("--max-body-mb", "0.001", "--quiet")
    try:
        response = requests.post(f"{small.url}/2015-03-31/functions", data=b"{" + b" " * 2000 + b"}", timeout=30)
        assert response.status_code == 413
        assert response.json() == {
            "message": "Request must be smaller than 1048 bytes for the CreateFunction operation"
        }
        # A client still uploading megabytes reads the answer too (no connection reset).
        with pytest.raises(ClientError) as exc:
            small.client().invoke(FunctionName="f", Payload=b'"' + b"x" * (3 * 1024 * 1024) + b'"')
        assert error_of(exc) == (
            413,
            "RequestTooLargeException",
            "Request must be smaller than 1048 bytes for the Invoke operation",
        )
        assert small.control("GET", "health").status_code == 200
    finally:
        small.close()


# -- bad requests: AWS-style answers, and the server lives on --------------------------------


def _read_reply(s: socket.socket) -> bytes:
    s.settimeout(10)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    while len(body) < length:
        chunk = s.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


def _raw(server: ServerProcess, request: bytes) -> bytes:
    host, port = server.url.split("//")[1].rsplit(":", 1)
    with socket.create_connection((host, int(port))) as s:
        s.sendall(request)
        return _read_reply(s)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/"),
        ("GET", "/2015-03-31/nothing-here"),
        ("POST", "/2015-03-31/functions/f/aliases/a/b/c"),
        ("PATCH", "/2015-03-31/functions"),  # a method no operation uses
        ("DELETE", "/2015-03-31/functions"),  # a known path with the wrong method
        ("BREW", "/2015-03-31/functions"),  # not even an HTTP method
    ],
)
def test_unknown_operations_get_aws_style_404(server, method, path):
    response = requests.request(method, server.url + path, timeout=30)
    assert response.status_code == 404
    assert response.headers["x-amzn-ErrorType"] == "UnknownOperationException"
    assert response.headers["Content-Type"] == "application/json"
    assert path in response.json()["message"]


def test_unknown_operation_reaches_boto3_as_a_client_error(server):
    lam = boto3.client(
        "lambda",
        endpoint_url=server.url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    lam.meta.events.register(
        "before-sign.lambda.ListFunctions", lambda request, **_: setattr(request, "url", request.url + "/x/y/z")
    )
    with pytest.raises(ClientError) as exc:
        lam.list_functions()
    assert exc.value.response["Error"]["Code"] == "UnknownOperationException"
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_known_but_unimplemented_operations_say_so(monkeypatch):
    """A modeled operation the backend lacks gets the in-process answer: 501 naming it. Every
    operation is implemented, so the test withdraws one from the registry of a server in this process."""
    import re
    from urllib.parse import quote

    from mock_lambda_alias.backend import registry
    from mock_lambda_alias.server.app import LambdaServer
    from mock_lambda_alias.server.routing import lambda_router

    candidates = [
        route
        for route in lambda_router().routes
        if route.operation.name == "GetFunction"
        and all(  # every required member is a URI label, which the rendered path fills
            route.operation.input_shape.members[name].serialization.get("location") == "uri"
            for name in (route.operation.input_shape.required_members if route.operation.input_shape else [])
        )
    ]
    route = candidates[0]
    monkeypatch.delitem(registry.HANDLERS, route.operation.name)
    path, _, query = route.operation.http["requestUri"].partition("?")
    # A label whose pattern takes no "x" (a durable execution's ARN) gets a valid value.
    samples = {"DurableExecutionArn": "arn:aws:lambda:us-east-1:123456789012:function:f:1/durable-execution/n/i"}
    members = route.operation.input_shape.members if route.operation.input_shape else {}

    def label(match: re.Match) -> str:
        name = match.group(1).rstrip("+")
        return quote(samples.get(members[name].name, "x") if name in members else "x", safe="")

    with LambdaServer(port=0, log_requests=False) as server:
        url = server.url + re.sub(r"\{([^}]+)\}", label, path) + "?" + query
        response = requests.request(route.method, url, timeout=30)
    assert response.status_code == 501
    assert response.headers["x-amzn-ErrorType"] == "UnknownOperationException"
    assert route.operation.name in response.json()["message"]


def test_malformed_json_gets_aws_error(server):
    response = requests.post(
        f"{server.url}/2015-03-31/functions/my-function/aliases",
        data=b'{"Name": "live", "FunctionVersion": ',
        headers={"Content-Type": "application/json"},
        timeout=30,
    )
    assert response.status_code == 400
    assert response.headers["x-amzn-ErrorType"] == "InvalidRequestContentException"
    assert response.json()["message"].startswith("Could not parse request body into json")


def test_bad_query_value_gets_aws_error(server):
    response = requests.get(f"{server.url}/2015-03-31/functions?MaxItems=lots", timeout=30)
    assert response.status_code == 400  # the same answer as in-process (tests/test_wrong_types.py)
    assert response.headers["x-amzn-ErrorType"] == "ValidationException"
    assert "Value 'lots' at 'maxItems'" in response.json()["message"]


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"HELLO\r\n\r\n",
        b"GET / HTTP/9.9\r\n\r\n",
        b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\n\r\n",
        b"POST /2015-03-31/functions HTTP/1.1\r\nHost: x\r\nContent-Length: nine\r\n\r\n",
        b"POST /2015-03-31/functions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(range(256)) + b"\r\n\r\n",  # TLS to a plain port
    ],
)
def test_garbage_gets_an_answer_and_the_server_survives(server, request_bytes):
    reply = _raw(server, request_bytes)
    if reply:  # http.server may drop a connection that is not HTTP at all; never the server
        status = int(reply.split(b" ", 2)[1])
        assert status in (400, 414, 505)
        assert b"application/json" in reply
    assert server.control("GET", "health").json()["status"] == "running"


def test_chunked_request_body(server, lam):
    create(lam)
    body = json.dumps({"Name": "live", "FunctionVersion": "$LATEST"}).encode()
    chunked = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in (body[:10], body[10:])) + b"0\r\n\r\n"
    reply = _raw(
        server,
        b"POST /2015-03-31/functions/my-function/aliases HTTP/1.1\r\nHost: x\r\n"
        b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + chunked,
    )
    assert reply.startswith(b"HTTP/1.1 201 ")
    assert lam.get_alias(FunctionName="my-function", Name="live")["FunctionVersion"] == "$LATEST"


def test_keep_alive_serves_many_requests_on_one_connection(server, lam):
    create(lam)
    with requests.Session() as session:
        for _ in range(20):
            assert session.get(f"{server.url}/2015-03-31/functions/my-function", timeout=30).status_code == 200


# -- control endpoints ---------------------------------------------------------------------


def test_control_seed_makes_routing_repeatable(server, lam):
    two_versions(lam)
    lam.create_alias(
        FunctionName="my-function",
        Name="canary",
        FunctionVersion="1",
        RoutingConfig={"AdditionalVersionWeights": {"2": 0.5}},
    )

    def run() -> list[str]:
        assert server.control("PUT", "seed", json={"seed": 42}).json() == {"seed": 42}
        return [lam.invoke(FunctionName="my-function:canary")["ExecutedVersion"] for _ in range(20)]

    first, second = run(), run()
    assert first == second and set(first) == {"1", "2"}
    choices = server.control("GET", "routing", params={"qualifier": "canary"}).json()["choices"]
    assert [c["executed_version"] for c in choices] == first + second


def test_control_route_next_faults_and_default_response(server, lam):
    two_versions(lam)
    routing = {"AdditionalVersionWeights": {"2": 0.0}}  # forcing version 2 needs an alias that can route to it
    lam.create_alias(FunctionName="my-function", Name="PROD", FunctionVersion="1", RoutingConfig=routing)
    forced = server.control(
        "POST", "route-next", json={"function_name": "my-function", "alias": "PROD", "versions": ["2", 2]}
    )
    assert forced.json() == {"queued": ["2", "2"]}
    executed = [lam.invoke(FunctionName="my-function:PROD")["ExecutedVersion"] for _ in range(3)]
    assert executed == ["2", "2", "1"]

    fault = server.control(
        "POST", "faults", json={"function_name": "my-function", "version": "1", "message": "boom", "error_type": "E"}
    )
    assert fault.status_code == 200
    failed = lam.invoke(FunctionName="my-function:PROD")
    assert failed["FunctionError"] == "Unhandled"
    assert json.loads(failed["Payload"].read())["errorMessage"] == "boom"
    server.control("POST", "faults", json={"function_name": "my-function", "version": "1", "kind": "throttle"})
    with pytest.raises(ClientError) as exc:
        lam.invoke(FunctionName="my-function:PROD")
    assert exc.value.response["Error"]["Code"] == "TooManyRequestsException"
    assert server.control("DELETE", "faults").json() == {"faults": []}
    assert "FunctionError" not in lam.invoke(FunctionName="my-function:PROD")

    create(lam, "java-fn", Runtime="java21", Handler="example.Handler::handleRequest")
    assert server.control("PUT", "default-response", json={"value": {"status": "ok"}}).status_code == 200
    assert json.loads(lam.invoke(FunctionName="java-fn")["Payload"].read()) == {"status": "ok"}

    records = server.control("GET", "invocations", params={"function_name": "my-function"}).json()["invocations"]
    assert [r["executed_version"] for r in records] == ["2", "2", "1", "1", "1", "1"]
    assert [r["ok"] for r in records] == [True, True, True, False, False, True]
    assert records[3]["function_error"] == "Unhandled" and records[4]["throttled"] is True
    assert server.control("GET", "invocations", params={"function_name": "java-fn"}).json()["invocations"][0][
        "response"
    ] == json.dumps({"status": "ok"})


FAILING_ZIP = make_zip("def handler(event, context):\n    raise ValueError('bad order')\n")


def test_control_clock_steps_asynchronous_retries(server, lam):
    create(lam, Code={"ZipFile": FAILING_ZIP})
    assert server.control("PUT", "delivery", json={"mode": "manual"}).json()["delivery"] == "manual"
    assert lam.invoke(FunctionName="my-function", InvocationType="Event", Payload=b"{}")["StatusCode"] == 202

    def attempts() -> int:
        return len(server.control("GET", "invocations", params={"function_name": "my-function"}).json()["invocations"])

    clock = server.control("GET", "clock").json()
    assert attempts() == 0 and len(clock["pending"]) == 1
    before = datetime.datetime.fromisoformat(clock["now"])
    after = server.control("POST", "clock", json={"seconds": 61}).json()
    assert attempts() == 2  # the first attempt, then the retry a minute after it ended
    assert datetime.datetime.fromisoformat(after["now"]) - before >= datetime.timedelta(seconds=60)
    assert server.control("POST", "drain", json={}).json()["pending"] == []
    assert attempts() == 3


@pytest.mark.parametrize(
    ("name", "body", "message"),
    [
        ("clock", {"seconds": -1}, "expected {\"seconds\": <number >= 0>}, got {'seconds': -1}"),
        ("drain", {"timeout": "soon"}, "timeout must be a number of seconds >= 0, got 'soon'"),
        ("delivery", {"mode": "later"}, "delivery must be one of 'immediate', 'background', 'manual', got 'later'"),
    ],
)
def test_control_clock_refuses_bad_bodies(server, name, body, message):
    answer = server.control("PUT" if name == "delivery" else "POST", name, json=body)
    assert (answer.status_code, answer.json()["message"]) == (400, message)


def test_control_reset_forgets_everything(server, lam):
    create(lam)
    lam.invoke(FunctionName="my-function")
    assert server.control("POST", "reset").json() == {"reset": True}
    assert lam.list_functions()["Functions"] == []
    assert server.control("GET", "invocations").json() == {"invocations": []}


@pytest.mark.parametrize(
    ("method", "name", "body", "status", "message"),
    [
        ("GET", "nothing", None, 404, "no control endpoint /_mock_lambda_alias/nothing"),
        ("GET", "reset", None, 405, "/_mock_lambda_alias/reset accepts ['POST'], not GET"),
        ("PUT", "seed", b"{oops", 400, "the body is not JSON"),
        ("PUT", "seed", b"[1]", 400, "the body must be a JSON object, got list"),
        ("PUT", "seed", b'{"seed": "x"}', 400, "seed must be an integer or null, got 'x'"),
        ("POST", "route-next", b'{"alias": "A"}', 400, "missing field(s) ['function_name', 'versions']"),
        ("POST", "faults", b'{"function_name": "f", "version": 1, "rate": 3}', 400, "rate must be between 0 and 1"),
        ("POST", "faults", b'{"function_name": "f", "version": 1, "kind": "x"}', 400, "kind must be 'error' or"),
        ("GET", "invocations?colour=red", None, 400, "unknown filter(s) ['colour']"),
    ],
)
def test_control_mistakes_say_what_was_expected(server, method, name, body, status, message):
    response = server.control(method, name, data=body)
    assert response.status_code == status
    assert response.json()["message"].startswith(message)


def test_health_lists_the_implemented_operations(server):
    health = server.control("GET", "health").json()
    assert health["status"] == "running" and health["account_id"] == "123456789012"
    assert health["implemented_operations"] == mock_lambda_alias.implemented_operations()


# -- Node's AWS SDK for JavaScript v3 ------------------------------------------------------------

NODE_SCRIPT = r"""
const {
  LambdaClient, CreateFunctionCommand, PublishVersionCommand, UpdateFunctionConfigurationCommand,
  CreateAliasCommand, GetAliasCommand, InvokeCommand, AddPermissionCommand,
} = require("@aws-sdk/client-lambda");

async function main() {
  const client = new LambdaClient({
    region: "eu-central-1",
    endpoint: process.env.ENDPOINT,
    credentials: { accessKeyId: "333333333333", secretAccessKey: "x" },
  });
  const out = {};
  const zip = Buffer.from(process.env.ZIP_B64, "base64");
  out.created = await client.send(new CreateFunctionCommand({
    FunctionName: "node-fn", Runtime: "python3.12", Role: process.env.ROLE,
    Handler: "index.handler", Code: { ZipFile: zip },
  }));
  await client.send(new PublishVersionCommand({ FunctionName: "node-fn" }));
  await client.send(new UpdateFunctionConfigurationCommand({ FunctionName: "node-fn", Description: "v2" }));
  await client.send(new PublishVersionCommand({ FunctionName: "node-fn" }));
  out.alias = await client.send(new CreateAliasCommand({
    FunctionName: "node-fn", Name: "live", FunctionVersion: "1",
    RoutingConfig: { AdditionalVersionWeights: { "2": 0.03 } },
  }));
  out.permission = await client.send(new AddPermissionCommand({
    FunctionName: "node-fn", Qualifier: "live", StatementId: "1", Principal: "s3.amazonaws.com",
    Action: "lambda:InvokeFunction", SourceArn: "arn:aws:s3:::examplebucket",
  }));
  const invoked = await client.send(new InvokeCommand({
    FunctionName: "node-fn", Qualifier: "live", Payload: Buffer.from(JSON.stringify({ from: "node" })),
  }));
  out.invoke = {
    StatusCode: invoked.StatusCode, ExecutedVersion: invoked.ExecutedVersion,
    Payload: JSON.parse(Buffer.from(invoked.Payload).toString()),
  };
  try {
    await client.send(new GetAliasCommand({ FunctionName: "node-fn", Name: "missing" }));
  } catch (err) {
    out.error = { name: err.name, message: err.message, status: err.$metadata.httpStatusCode };
  }
  delete out.created.$metadata; delete out.alias.$metadata; delete out.permission.$metadata;
  console.log(JSON.stringify(out));
}
main().catch((err) => { console.error(err); process.exit(1); });
"""


NODE_SDK_CACHE = os.path.join(tempfile.gettempdir(), f"mock-lambda-alias-node-sdk-{os.getuid()}")


@pytest.fixture(scope="session")
def node_sdk() -> str:
    """A directory with ``@aws-sdk/client-lambda`` installed from npm, kept between runs.

    Installed once into a cache directory (or taken from $MOCK_LAMBDA_ALIAS_NODE_MODULES): a fresh
    install takes half a minute, and deleting 20 MB of node_modules with pytest's temporary
    directories at the end of a session can outlast xdist's patience with its workers.
    """
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("node and npm are needed to drive the server with the AWS SDK for JavaScript v3")

    def ready(directory: str) -> bool:
        return os.path.isdir(os.path.join(directory, "node_modules", "@aws-sdk", "client-lambda"))

    prepared = os.environ.get("MOCK_LAMBDA_ALIAS_NODE_MODULES")
    if prepared and ready(prepared):
        return prepared
    if ready(NODE_SDK_CACHE):
        return NODE_SDK_CACHE
    staging = tempfile.mkdtemp(prefix="mock-lambda-alias-node-sdk-")
    try:
        done = subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "--silent", "@aws-sdk/client-lambda@3"],
            cwd=staging,
            capture_output=True,
            text=True,
            timeout=300,
        )
    except subprocess.TimeoutExpired:
        shutil.rmtree(staging, ignore_errors=True)
        pytest.skip("npm install @aws-sdk/client-lambda timed out (no registry access?)")
    if done.returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        pytest.skip(f"npm install @aws-sdk/client-lambda failed (no registry access?): {done.stderr[-500:]}")
    try:
        os.rename(staging, NODE_SDK_CACHE)  # atomic: a concurrent run either sees all of it or none
    except OSError:  # another run got there first
        shutil.rmtree(staging, ignore_errors=True)
    return NODE_SDK_CACHE if ready(NODE_SDK_CACHE) else staging


def test_node_aws_sdk_v3_against_the_server(server, node_sdk, tmp_path):
    script = tmp_path / "drive.js"
    script.write_text(NODE_SCRIPT)
    done = subprocess.run(
        ["node", str(script)],
        cwd=node_sdk,
        capture_output=True,
        text=True,
        timeout=120,
        env={
            **os.environ,
            "NODE_PATH": os.path.join(node_sdk, "node_modules"),
            "ENDPOINT": server.url,
            "ZIP_B64": base64.b64encode(VERSION_ZIP).decode(),
            "ROLE": "arn:aws:iam::333333333333:role/lambda-role",
        },
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    arn = "arn:aws:lambda:eu-central-1:333333333333:function:node-fn"
    assert out["created"]["FunctionArn"] == arn and out["created"]["State"] == "Pending"
    assert out["alias"]["AliasArn"] == f"{arn}:live"
    assert out["alias"]["RoutingConfig"] == {"AdditionalVersionWeights": {"2": 0.03}}
    assert json.loads(out["permission"]["Statement"])["Resource"] == f"{arn}:live"
    assert out["invoke"]["StatusCode"] == 200
    version = out["invoke"]["ExecutedVersion"]
    assert version in ("1", "2")
    assert out["invoke"]["Payload"] == {"version": version, "event": {"from": "node"}}
    assert out["error"] == {
        "name": "ResourceNotFoundException",
        "message": f"Cannot find alias arn: {arn}:missing",
        "status": 404,
    }


# -- the pytest fixture (in-process server, background thread) ----------------------------------


def test_pytest_fixture_serves_over_http(mock_lambda_alias_server):
    endpoint = mock_lambda_alias_server
    assert endpoint.startswith("http://127.0.0.1:")
    lam = boto3.client(
        "lambda",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    create(lam, "fixture-fn")
    endpoint.mock.register_handler("fixture-fn", lambda event, context: {"handled": event})
    response = lam.invoke(FunctionName="fixture-fn", Payload=b'{"a": 1}')
    assert json.loads(response["Payload"].read()) == {"handled": {"a": 1}}
    assert endpoint.mock.count_invocations("fixture-fn") == 1
    # The server's handle is never activated: this process's own clients are not intercepted.
    with pytest.raises(RuntimeError, match="no mock_lambda_alias is active"):
        mock_lambda_alias.active_mock()


def test_pytest_fixture_state_is_reset_per_test(mock_lambda_alias_server):
    lam = boto3.client(
        "lambda",
        endpoint_url=mock_lambda_alias_server,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    assert lam.list_functions()["Functions"] == []  # fixture-fn of the test before is gone
    assert mock_lambda_alias_server.mock.invocations() == []
    url = _url_function(lam)
    response = requests.get(mock_lambda_alias_server.function_url(url) + "hello", timeout=30)
    assert response.status_code == 200 and response.json()["event"]["rawPath"] == "/hello"


def test_in_process_server_answers_concurrently():
    from mock_lambda_alias.server import LambdaServer

    with LambdaServer(port=0, log_requests=False) as server:
        lam = boto3.client(
            "lambda",
            endpoint_url=server.url,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        create(lam)
        errors: list[BaseException] = []

        def worker(i: int) -> None:
            try:
                lam.create_alias(FunctionName="my-function", Name=f"a{i}", FunctionVersion="$LATEST")
            except BaseException as exc:  # collected, so a failure shows in the main thread
                errors.append(exc)

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(16)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert len(server.mock.get_function("my-function").aliases) == 16


# -- fuzzing the HTTP surface: any bytes get an HTTP answer, never a 500, never a dead server -----

SEGMENTS = st.one_of(
    st.sampled_from(
        [
            "2015-03-31",
            "2017-03-31",
            "2019-09-30",
            "2021-10-31",
            "functions",
            "aliases",
            "versions",
            "policy",
            "invocations",
            "configuration",
            "provisioned-concurrency",
            "url",
            "tags",
            "my-function",
            "PROD",
            "1",
            "$LATEST",
            "%3A",
            "%ZZ",
            "..",
            "",
        ]
    ),
    st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126, exclude_characters="?#"), max_size=12),
)
QUERIES = st.lists(
    st.tuples(st.sampled_from(["Qualifier", "MaxItems", "Marker", "List", "find", "x"]), st.text(max_size=8)),
    max_size=3,
)
JSON_FIELDS = st.dictionaries(
    st.sampled_from(["Name", "FunctionVersion", "RoutingConfig", "Description", "FunctionName", "Runtime"]),
    st.one_of(
        st.text(max_size=8),
        st.integers(),
        st.none(),
        st.dictionaries(st.text(max_size=3), st.floats(allow_nan=False)),
    ),
)
BODIES = st.one_of(st.binary(max_size=64), st.builds(lambda v: json.dumps(v).encode(), JSON_FIELDS))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]),
    segments=st.lists(SEGMENTS, min_size=1, max_size=7),
    query=QUERIES,
    body=BODIES,
)
def test_fuzzed_requests_get_aws_style_answers(mock_lambda_alias_server, method, segments, query, body):
    from urllib.parse import quote

    path = "/" + "/".join(quote(s, safe="%$:") for s in segments)
    if query:
        path += "?" + "&".join(f"{k}={quote(v, safe='')}" for k, v in query)
    host, port = mock_lambda_alias_server.split("//")[1].rsplit(":", 1)
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        connection.request(method, path, body=body, headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        data = response.read()
    finally:
        connection.close()
    code = response.getheader("x-amzn-ErrorType")
    assert response.status < 500 or (response.status == 501 and code == "UnknownOperationException"), (
        response.status,
        data,
    )
    if response.status >= 400:
        assert code and (method == "HEAD" or isinstance(json.loads(data), dict))
    assert mock_lambda_alias_server.mock.internal_errors == []
