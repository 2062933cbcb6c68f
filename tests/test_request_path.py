"""A Lambda request takes botocore's whole path, as against AWS, and the mock answers in ``before-send``.

``request-created``, ``before-sign``, signing with the caller's credentials and ``before-send`` run
for every Lambda call, whenever the client was made; the caller is who signed the request; moto,
side by side, never sees (or records) a Lambda request; what botocore cannot sign fails as it
would against AWS; a call racing with ``stop()`` is either answered or goes where it would without
the mock; and after the last stop nothing of ours is left anywhere.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
import time
from typing import Any

import boto3
import botocore.session
import pytest
from botocore import UNSIGNED
from botocore.awsrequest import AWSResponse
from botocore.client import BaseClient
from botocore.config import Config
from botocore.exceptions import ClientError, EndpointConnectionError
from conftest import ACCOUNT, REGION, create

from mock_lambda_alias import interception, mock_lambda_alias, switch
from mock_lambda_alias.interception import ownership
from mock_lambda_alias.wire.protocol import RawBody

NO_RETRIES = Config(retries={"total_max_attempts": 1})
EVENTS = ("request-created", "before-sign", "before-send")
#: The order handlers on the plain events fire in, as against AWS: botocore signs in a
#: ``request-created.lambda`` handler (which emits ``before-sign``), before plain ``request-created``.
ORDER = ["before-sign", "request-created", "before-send"]


class Spy:
    """Handlers on the plain events (as tracers register them): what each saw, call by call."""

    def __init__(self, client: Any) -> None:
        self.seen: list[dict[str, Any]] = []
        for event in EVENTS:
            client.meta.events.register(event, self.record)

    def record(self, event_name: str, request: Any, **kwargs: Any) -> None:
        headers = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in request.headers.items()}
        self.seen.append(
            {
                "event": event_name,
                "authorization": headers.get("Authorization", ""),
                "date": headers.get("X-Amz-Date", ""),
                "region": kwargs.get("region_name"),
            }
        )

    def events(self) -> list[str]:
        return [entry["event"].split(".")[0] for entry in self.seen]


def calls(client: Any) -> int:
    """Three Lambda calls, one of them an error answer; returns how many were made."""
    create(client)
    client.invoke(FunctionName="my-function", Payload=b'{"a": 1}')
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.get_function(FunctionName="missing")
    return 3


def check_seen(seen: list[dict[str, Any]], count: int, access_key: str, region: str) -> None:
    assert [entry["event"].split(".")[0] for entry in seen] == ORDER * count
    for entry in seen:
        assert entry["event"].split(".")[1] == "lambda"
        if entry["event"].startswith("before-sign"):
            assert entry["region"] == region  # about to be signed, for the client's region
            assert entry["authorization"] == ""
        else:  # signed: the client's own credentials, as AWS would receive them
            assert entry["authorization"].startswith(f"AWS4-HMAC-SHA256 Credential={access_key}/")
            assert f"/{region}/lambda/aws4_request" in entry["authorization"]
            assert entry["date"]


# ---------------------------------------------------------------------------
# every handler of the request path fires once per call and sees the signed request
# ---------------------------------------------------------------------------


def test_client_made_after_import_runs_the_whole_request_path(socket_guard):
    client = boto3.client(
        "lambda",
        region_name="eu-west-2",
        aws_access_key_id="AKIDAFTERIMPORT00000",
        aws_secret_access_key="secret",
        config=NO_RETRIES,
    )
    spy = Spy(client)
    with mock_lambda_alias():
        count = calls(client)
    check_seen(spy.seen, count, "AKIDAFTERIMPORT00000", "eu-west-2")
    assert socket_guard.attempts == []


BEFORE_IMPORT = """
import json, os, socket
def refuse(*args, **kwargs):
    raise OSError("network access attempted")
socket.socket.connect = refuse
socket.getaddrinfo = refuse
import boto3, moto
from botocore.config import Config
from moto.core.models import botocore_stubber
from moto.moto_api import recorder
early = boto3.client("lambda", region_name="eu-west-1", aws_access_key_id="AKIDBEFOREIMPORT0000",
                     aws_secret_access_key="secret", config=Config(retries={"total_max_attempts": 1}))
seen = []
def record(event_name, request, **kwargs):
    headers = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in request.headers.items()}
    seen.append({"event": event_name, "authorization": headers.get("Authorization", ""),
                 "date": headers.get("X-Amz-Date", ""), "region": kwargs.get("region_name")})
for event in ("request-created", "before-sign", "before-send"):
    early.meta.events.register(event, record)
def stubber_on(client):
    return botocore_stubber in client.meta.events._emitter._handlers.prefix_search("before-send")
out = {"stubber_before": stubber_on(early)}

import mock_lambda_alias

with moto.mock_aws(), mock_lambda_alias.mock_lambda_alias():
    recorder.start_recording()
    iam = boto3.client("iam", region_name="eu-west-1")
    role = iam.create_role(RoleName="r", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    code = mock_lambda_alias.package({"index.py": "def handler(event, context):\\n    return event\\n"})
    early.create_function(FunctionName="fn", Runtime="python3.12", Role=role, Handler="index.handler",
                          Code={"ZipFile": code})
    early.invoke(FunctionName="fn", Payload=b"{}")
    try:
        early.get_function(FunctionName="missing")
    except early.exceptions.ResourceNotFoundException:
        pass
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="still-motos")
    out["buckets"] = [b["Name"] for b in s3.list_buckets()["Buckets"]]
    out["stubber_during"] = stubber_on(early)
    recorder.stop_recording()
    out["recorded"] = [json.loads(line)["url"] for line in recorder.download_recording().splitlines()]
out["stubber_after"] = stubber_on(early)
out["seen"] = seen
print(json.dumps(out))
"""


def test_client_made_before_import_runs_the_whole_request_path_and_moto_records_no_lambda(tmp_path):
    pytest.importorskip("moto")
    env = {
        "PATH": os.environ.get("PATH", ""),
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",
        "MOTO_RECORDER_FILEPATH": str(tmp_path / "recording"),
    }
    if "PYTHONPATH" in os.environ:
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(BEFORE_IMPORT)], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout.splitlines()[-1])
    check_seen(out["seen"], 3, "AKIDBEFOREIMPORT0000", "eu-west-1")
    assert out["buckets"] == ["still-motos"]
    assert (out["stubber_before"], out["stubber_during"], out["stubber_after"]) == (True, False, True)
    recorded = out["recorded"]
    assert any("still-motos" in url for url in recorded)  # S3 and IAM went to moto, and were recorded
    assert [url for url in recorded if "lambda" in url] == []


def test_moto_side_by_side_records_no_lambda_request(tmp_path, monkeypatch, socket_guard):
    moto = pytest.importorskip("moto")
    from moto.moto_api import recorder

    monkeypatch.setattr(recorder, "_location", str(tmp_path / "recording"))
    with moto.mock_aws(), mock_lambda_alias():
        recorder.start_recording()
        try:
            role = boto3.client("iam", region_name=REGION).create_role(RoleName="r", AssumeRolePolicyDocument="{}")
            client = boto3.client("lambda", region_name=REGION, config=NO_RETRIES)
            spy = Spy(client)
            create(client, Role=role["Role"]["Arn"])
            client.list_functions()
            s3 = boto3.client("s3", region_name=REGION)
            s3.create_bucket(Bucket="motos-bucket")
            assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["motos-bucket"]
        finally:
            recorder.stop_recording()
        recorded = [json.loads(line)["url"] for line in recorder.download_recording().splitlines()]
    assert spy.events() == ORDER * 2
    assert any("motos-bucket" in url for url in recorded)
    assert [url for url in recorded if "lambda" in url] == []
    assert socket_guard.attempts == []


def test_a_retry_is_botocores_own_signed_again_and_counted(mock):
    """A throttled answer is retried by botocore's endpoint: a new request, signed again, sent again."""
    client = boto3.client("lambda", region_name=REGION, config=Config(retries={"total_max_attempts": 2}))
    create(client)
    spy = Spy(client)
    mock.inject_fault("my-function", "$LATEST", kind="throttle")
    with pytest.raises(client.exceptions.TooManyRequestsException) as exc:
        client.invoke(FunctionName="my-function")
    assert exc.value.response["ResponseMetadata"]["RetryAttempts"] == 1
    assert spy.events() == ORDER * 2
    assert len(mock.invocations("my-function")) == 2


# ---------------------------------------------------------------------------
# the caller is who signed the request
# ---------------------------------------------------------------------------


def test_the_signature_names_the_account_and_region():
    with mock_lambda_alias():
        other = boto3.client(
            "lambda",
            region_name="ap-south-1",
            endpoint_url="http://localhost:4566",  # no region in the host: the credential scope tells it
            aws_access_key_id="222222222222",
            aws_secret_access_key="secret",
        )
        arn = create(other, Role="arn:aws:iam::222222222222:role/r")["FunctionArn"]
        assert arn == "arn:aws:lambda:ap-south-1:222222222222:function:my-function"


def test_an_unsigned_client_is_the_activations_own_account_in_its_hosts_region():
    with mock_lambda_alias():
        unsigned = boto3.client("lambda", region_name="eu-central-1", config=Config(signature_version=UNSIGNED))
        spy = Spy(unsigned)
        arn = create(unsigned)["FunctionArn"]
    assert arn == f"arn:aws:lambda:eu-central-1:{ACCOUNT}:function:my-function"
    assert [entry["authorization"] for entry in spy.seen if entry["event"].startswith("before-send")] == [""]


# ---------------------------------------------------------------------------
# what botocore cannot send, the mock does not answer
# ---------------------------------------------------------------------------


def test_an_unsignable_payload_raises_what_botocore_raises_against_aws():
    raw = Config(parameter_validation=False, retries={"total_max_attempts": 1})
    keys = {"aws_access_key_id": "k", "aws_secret_access_key": "s"}

    def canned(request: Any, **_: Any) -> AWSResponse:
        return AWSResponse(request.url, 200, {}, RawBody(b"{}"))

    plain = boto3.client("lambda", region_name=REGION, config=raw, **keys)
    plain.meta.events.register("before-send.lambda", canned)
    with pytest.raises(TypeError) as against_aws:
        plain.invoke(FunctionName="f", Payload=123)
    with mock_lambda_alias() as mock:
        client = boto3.client("lambda", region_name=REGION, config=raw, **keys)
        with pytest.raises(TypeError) as mocked:
            client.invoke(FunctionName="f", Payload=123)
        assert mock.invocations() == []
    assert type(mocked.value) is type(against_aws.value)
    assert str(mocked.value) == str(against_aws.value)


# ---------------------------------------------------------------------------
# stop() racing with calls in other threads
# ---------------------------------------------------------------------------

ROUNDS = 300


def test_calls_racing_with_stop_are_answered_or_go_on_never_an_internal_error(socket_guard):
    """Each round starts a mock, lets four threads call while it stops, and checks every outcome:
    an answer from the mock, or (after the stop) the network, which the socket guard refuses."""
    clients = [
        boto3.session.Session().client(
            "lambda", region_name=REGION, aws_access_key_id="k", aws_secret_access_key="s", config=NO_RETRIES
        )
        for _ in range(4)
    ]
    outcomes: dict[str, int] = {"answered": 0, "network": 0}
    unexpected: list[BaseException] = []
    lock = threading.Lock()

    def call(client: Any, go: threading.Barrier) -> None:
        go.wait()
        for _ in range(3):
            try:
                client.list_functions()
                outcome = "answered"
            except EndpointConnectionError:
                outcome = "network"
            except BaseException as exc:  # pragma: no cover - reported below
                with lock:
                    unexpected.append(exc)
                return
            with lock:
                outcomes[outcome] += 1

    for index in range(ROUNDS):
        mock = mock_lambda_alias().start()
        go = threading.Barrier(len(clients) + 1)
        threads = [threading.Thread(target=call, args=(client, go)) for client in clients]
        for thread in threads:
            thread.start()
        go.wait()
        time.sleep((index % 10) / 5000)  # stop from right away to 2 ms into the calls
        mock.stop()
        for thread in threads:
            thread.join()
        assert not mock.internal_errors
    assert unexpected == []
    assert outcomes["answered"] > 0 and outcomes["network"] > 0  # the race was really run
    assert outcomes["answered"] + outcomes["network"] == ROUNDS * len(clients) * 3
    assert not interception.engaged()
    assert ownership.owned_emitters() == []


# ---------------------------------------------------------------------------
# after the last stop: nothing of ours in anyone's path
# ---------------------------------------------------------------------------


def _ours(handler: Any) -> bool:
    return getattr(handler, "__module__", "").startswith("mock_lambda_alias")


def handlers_for(client: Any, event: str) -> list[Any]:
    return list(client.meta.events._emitter._handlers.prefix_search(event))


def test_after_the_last_stop_everything_is_as_it_was():
    moto_models = pytest.importorskip("moto.core.models")
    stubber = moto_models.botocore_stubber
    original = BaseClient.__dict__["_make_request"]
    keys = {"aws_access_key_id": "k", "aws_secret_access_key": "s"}
    with_moto = boto3.session.Session().client("lambda", region_name=REGION, **keys)
    without_builtins = botocore.session.Session(include_builtin_handlers=False).create_client(
        "lambda", region_name=REGION, **keys
    )
    assert stubber in handlers_for(with_moto, "before-send")
    assert stubber not in handlers_for(without_builtins, "before-send")
    before = {id(c): handlers_for(c, "before-send.lambda.ListFunctions") for c in (with_moto, without_builtins)}
    with mock_lambda_alias():
        with mock_lambda_alias():  # nested: nothing is given back until the last stop
            for client in (with_moto, without_builtins):
                client.list_functions()
                client.list_functions()
        for client in (with_moto, without_builtins):
            found = handlers_for(client, "before-send.lambda.ListFunctions")
            assert _ours(found[0]) and sum(map(_ours, found)) == 1  # first, once, however often called
            assert stubber not in found
        assert len(ownership.owned_emitters()) == 2
    assert BaseClient.__dict__["_make_request"] is original
    assert ownership.owned_emitters() == []
    for client in (with_moto, without_builtins):
        assert handlers_for(client, "before-send.lambda.ListFunctions") == before[id(client)]
    assert stubber not in handlers_for(without_builtins, "before-send")  # not added where it was not


def test_a_client_that_goes_away_is_not_kept():
    import gc
    import weakref

    with mock_lambda_alias():
        client = boto3.session.Session().client("lambda", region_name=REGION)
        client.list_functions()
        emitter = weakref.ref(client.meta.events)
        assert ownership.owned_emitters() == [emitter()]
        del client
        gc.collect()
        assert emitter() is None
        assert ownership.owned_emitters() == []


def test_a_client_of_another_service_is_not_touched(socket_guard):
    with mock_lambda_alias():
        sts = boto3.client("sts", region_name=REGION, config=NO_RETRIES)
        with pytest.raises(EndpointConnectionError):
            sts.get_caller_identity()
        assert ownership.owned_emitters() == []
        assert not any(_ours(h) for h in handlers_for(sts, "before-send.sts.GetCallerIdentity"))


def test_engage_twice_is_refused_and_the_innermost_is_read_once():
    with mock_lambda_alias() as outer:
        with pytest.raises(RuntimeError, match="while engaged"):
            interception.engage(lambda operation_model, request: None)
        assert switch.innermost() is outer
    assert switch.innermost() is None


def test_an_answer_of_none_lets_the_request_go_on(socket_guard):
    """The interception knows no mock: ``None`` from the answer sends the request where it would go."""
    answered: list[str] = []

    def answer(operation_model: Any, request: Any) -> None:
        answered.append(operation_model.name)

    keys = {"aws_access_key_id": "k", "aws_secret_access_key": "s"}
    client = boto3.client("lambda", region_name=REGION, config=NO_RETRIES, **keys)
    interception.engage(answer)
    try:
        with pytest.raises(EndpointConnectionError):
            client.list_functions()
    finally:
        interception.disengage()
    assert answered == ["ListFunctions"]
    assert len(socket_guard.attempts) == 1
    with mock_lambda_alias(), pytest.raises(ClientError):  # and the next engagement answers again
        client.get_function(FunctionName="missing")
