"""Invoke through qualifiers: executed version, routing, handlers, errors, logs, faults, records."""

from __future__ import annotations

import base64
import json
import os
import sys

import boto3
import pytest
from botocore.exceptions import ClientError
from conftest import FN_ARN_PREFIX, REGION, create, error_of, make_zip

from mock_lambda_alias import mock_lambda_alias, package

FN_ARN = FN_ARN_PREFIX + "my-function"

ECHO = "import json\ndef handler(event, context):\n    print(json.dumps(event))\n    return event\n"
VERSION_REPORTER = (
    "import os\n"
    "def handler(event, context):\n"
    "    return {'version': context.function_version, 'env': os.environ['AWS_LAMBDA_FUNCTION_VERSION'],\n"
    "            'arn': context.invoked_function_arn}\n"
)


def deploy(lam, source: str = ECHO, **kwargs):
    return create(lam, Code={"ZipFile": make_zip(source)}, **kwargs)


def publish(lam, source: str) -> str:
    lam.update_function_code(FunctionName="my-function", ZipFile=make_zip(source))
    return lam.publish_version(FunctionName="my-function")["Version"]


def body(response) -> bytes:
    return response["Payload"].read()


@pytest.fixture
def canary(lam):
    """Versions 1 and 2 with different code, alias PROD on 1 routing a share to 2."""
    deploy(lam, "def handler(event, context):\n    return 'v1'\n")
    lam.publish_version(FunctionName="my-function")
    publish(lam, "def handler(event, context):\n    return 'v2'\n")
    lam.create_alias(
        FunctionName="my-function",
        Name="PROD",
        FunctionVersion="1",
        RoutingConfig={"AdditionalVersionWeights": {"2": 0.1}},
    )
    return lam


# --- status, executed version ---------------------------------------------------------------------


def test_unqualified_invoke_F_PI_040(lam):
    deploy(lam)
    response = lam.invoke(FunctionName="my-function", Payload=b'{"a": 1}')
    assert response["StatusCode"] == 200
    assert response["ExecutedVersion"] == "$LATEST"
    assert response["ResponseMetadata"]["HTTPHeaders"]["x-amz-executed-version"] == "$LATEST"
    assert json.loads(body(response)) == {"a": 1}
    assert "FunctionError" not in response


def test_version_and_latest_qualifiers_F_PI_041(lam):
    deploy(lam, VERSION_REPORTER)
    lam.publish_version(FunctionName="my-function")
    publish(lam, VERSION_REPORTER + "# v2\n")
    for qualifier in ("1", "2", "$LATEST"):
        response = lam.invoke(FunctionName="my-function", Qualifier=qualifier)
        assert response["ExecutedVersion"] == qualifier
        result = json.loads(body(response))
        assert result["version"] == result["env"] == qualifier
        assert result["arn"] == f"{FN_ARN}:{qualifier}"


def test_alias_runs_its_version_F_PI_042(lam):
    deploy(lam, VERSION_REPORTER)
    lam.publish_version(FunctionName="my-function")
    lam.create_alias(FunctionName="my-function", Name="live", FunctionVersion="1")
    for kwargs in ({"FunctionName": "my-function", "Qualifier": "live"}, {"FunctionName": FN_ARN + ":live"}):
        response = lam.invoke(**kwargs)
        assert response["ExecutedVersion"] == "1"
        result = json.loads(body(response))
        assert result["version"] == "1"
        assert result["arn"] == FN_ARN + ":live"  # invoked_function_arn keeps the alias


def test_missing_alias_F_PI_044(lam):
    deploy(lam)
    with pytest.raises(ClientError) as exc:
        lam.invoke(FunctionName="my-function", Qualifier="non-existent-alias")
    assert error_of(exc) == (404, "ResourceNotFoundException", f"Function not found: {FN_ARN}:non-existent-alias")


def test_missing_function_F_PI_045(lam):
    with pytest.raises(ClientError) as exc:
        lam.invoke(FunctionName="doesnotexist")
    assert error_of(exc) == (
        404,
        "ResourceNotFoundException",
        f"Function not found: {FN_ARN_PREFIX}doesnotexist:$LATEST",
    )


def test_missing_version(lam):
    deploy(lam)
    with pytest.raises(ClientError) as exc:
        lam.invoke(FunctionName="my-function", Qualifier="7")
    assert error_of(exc) == (404, "ResourceNotFoundException", f"Function not found: {FN_ARN}:7")


def test_qualifier_mismatch(lam):
    deploy(lam)
    with pytest.raises(ClientError) as exc:
        lam.invoke(FunctionName=FN_ARN + ":1", Qualifier="$LATEST")
    assert error_of(exc) == (
        400,
        "InvalidParameterValueException",
        "The derived qualifier from the function name does not match the specified qualifier.",
    )


def test_event_invocation_F_PI_047(mock, lam):
    deploy(lam)
    response = lam.invoke(FunctionName="my-function", InvocationType="Event", Payload=b'{"x": 1}')
    assert response["StatusCode"] == 202
    assert body(response) == b""
    assert "ExecutedVersion" not in response
    (record,) = mock.invocations("my-function")
    assert (record.invocation_type, record.executed_version, record.response_json()) == ("Event", "$LATEST", {"x": 1})


def test_dry_run_F_PI_048(mock, lam):
    deploy(lam)
    response = lam.invoke(FunctionName="my-function", InvocationType="DryRun")
    assert response["StatusCode"] == 204
    assert body(response) == b""
    assert "ExecutedVersion" not in response
    assert mock.invocations() == []


def test_tail_log_F_PI_050(lam):
    deploy(lam)
    response = lam.invoke(FunctionName="my-function", Payload=b"{}", LogType="Tail")
    log = base64.b64decode(response["LogResult"]).decode()
    request_id = response["ResponseMetadata"]["RequestId"]
    lines = log.splitlines(keepends=True)
    assert lines[0] == f"START RequestId: {request_id} Version: $LATEST\n"
    assert lines[1] == "{}\n"
    assert lines[2] == f"END RequestId: {request_id}\n"
    assert lines[3].startswith(f"REPORT RequestId: {request_id}\tDuration: ")
    assert "\tMemory Size: 128 MB\tMax Memory Used: " in lines[3]
    assert "\tInit Duration: " in lines[3] and lines[3].endswith("\t\n")
    second = lam.invoke(FunctionName="my-function", Payload=b"{}", LogType="Tail")
    assert "Init Duration" not in base64.b64decode(second["LogResult"]).decode()  # warm


def test_log_tail_is_last_4kb(lam):
    deploy(lam, "def handler(event, context):\n    print('x' * 10000)\n")
    log = base64.b64decode(lam.invoke(FunctionName="my-function", LogType="Tail")["LogResult"])
    assert len(log) == 4096
    assert log.decode().rstrip("\n").split("\n")[-1].startswith("REPORT RequestId:")


def test_qualified_arn_as_name_F_PI_053(lam):
    deploy(lam, VERSION_REPORTER)
    lam.publish_version(FunctionName="my-function")
    assert lam.invoke(FunctionName=FN_ARN + ":1")["ExecutedVersion"] == "1"


# --- routing -------------------------------------------------------------------------------------------


def test_routing_sends_both_ways_F_PI_052(lam):
    deploy(lam, "def handler(event, context):\n    return 'v1'\n")
    lam.publish_version(FunctionName="my-function")
    publish(lam, "def handler(event, context):\n    return 'v2'\n")
    lam.create_alias(
        FunctionName="my-function",
        Name="PROD",
        FunctionVersion="1",
        RoutingConfig={"AdditionalVersionWeights": {"2": 0.5}},
    )
    seen = {}
    for _ in range(100):
        response = lam.invoke(FunctionName="my-function", Qualifier="PROD")
        seen[response["ExecutedVersion"]] = json.loads(body(response))
    assert seen == {"1": "v1", "2": "v2"}


def test_weight_statistics(mock, canary):
    for _ in range(2000):
        canary.invoke(FunctionName="my-function", Qualifier="PROD")
    on_v2 = mock.count_invocations("my-function", qualifier="PROD", executed_version="2")
    # Binomial(2000, 0.1): mean 200, sd 13.4; +-5 sd
    assert 133 <= on_v2 <= 267
    assert mock.count_invocations("my-function", qualifier="PROD") == 2000


def test_seeded_runs_repeat():
    def run(seed: int) -> list[str]:
        with mock_lambda_alias(seed=seed):
            lam = boto3.client("lambda", region_name=REGION)
            deploy(lam)
            lam.publish_version(FunctionName="my-function")
            publish(lam, ECHO + "# 2\n")
            lam.create_alias(
                FunctionName="my-function",
                Name="PROD",
                FunctionVersion="1",
                RoutingConfig={"AdditionalVersionWeights": {"2": 0.3}},
            )
            return [lam.invoke(FunctionName="my-function", Qualifier="PROD")["ExecutedVersion"] for _ in range(50)]

    assert run(7) == run(7)
    assert run(7) != run(8)


def test_forced_routing(mock, canary):
    mock.route_next("my-function", "PROD", "2", "2", "2")
    versions = [canary.invoke(FunctionName="my-function", Qualifier="PROD")["ExecutedVersion"] for _ in range(3)]
    assert versions == ["2", "2", "2"]
    mock.route_next("my-function", "PROD", "1")
    assert canary.invoke(FunctionName="my-function", Qualifier="PROD")["ExecutedVersion"] == "1"


def test_promotion_stops_routing(mock, canary):
    canary.update_alias(
        FunctionName="my-function", Name="PROD", FunctionVersion="2", RoutingConfig={"AdditionalVersionWeights": {}}
    )
    versions = {canary.invoke(FunctionName="my-function", Qualifier="PROD")["ExecutedVersion"] for _ in range(50)}
    assert versions == {"2"}


# --- handlers -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "returned, expected",
    [("None", b"null"), ("'text'", b'"text"'), ("{'a': [1, 2]}", b'{"a": [1, 2]}'), ("b'raw'", b"raw")],
)
def test_return_values(lam, returned, expected):
    deploy(lam, f"def handler(event, context):\n    return {returned}\n")
    assert body(lam.invoke(FunctionName="my-function")) == expected


def test_unhandled_exception(lam):
    deploy(lam, "def handler(event, context):\n    raise Exception('Handler fails')\n")
    response = lam.invoke(FunctionName="my-function")
    assert response["StatusCode"] == 200
    assert response["FunctionError"] == "Unhandled"
    assert json.loads(body(response)) == {
        "errorMessage": "Handler fails",
        "errorType": "Exception",
        "requestId": response["ResponseMetadata"]["RequestId"],
        "stackTrace": ["  File \"/var/task/index.py\", line 2, in handler\n    raise Exception('Handler fails')\n"],
    }


def test_import_error(lam):
    deploy(lam, Handler="missing.handler")
    payload = json.loads(body(lam.invoke(FunctionName="my-function")))
    assert payload == {
        "errorMessage": "Unable to import module 'missing': No module named 'missing'",
        "errorType": "Runtime.ImportModuleError",
        "requestId": "",
        "stackTrace": [],
    }


def test_handler_not_found(lam):
    deploy(lam, Handler="index.nope")
    response = lam.invoke(FunctionName="my-function")
    assert response["FunctionError"] == "Unhandled"
    assert json.loads(body(response)) == {
        "errorMessage": "Handler 'nope' missing on module 'index'",
        "errorType": "Runtime.HandlerNotFound",
        "requestId": "",
        "stackTrace": [],
    }


def test_error_at_import_time(lam):
    deploy(lam, "raise Exception('Runtime startup fails')\n")
    payload = json.loads(body(lam.invoke(FunctionName="my-function")))
    assert (payload["errorType"], payload["errorMessage"], payload["requestId"]) == (
        "Exception",
        "Runtime startup fails",
        "",
    )
    assert payload["stackTrace"][-1].startswith('  File "/var/task/index.py", line 1, in <module>')


def test_the_handler_module_is_found_as_the_import_system_finds_it(lam):
    """A package directory of the module's name wins over a file of it, as with the path finder;
    a plain module file gets the spec, loader and file an import gives it."""
    reports = (
        "import os\n"
        "def handler(event, context):\n"
        "    spec = __spec__\n"
        "    root = os.environ['LAMBDA_TASK_ROOT']\n"
        "    return {'name': __name__, 'file': os.path.relpath(__file__, root),\n"
        "            'origin': os.path.relpath(spec.origin, root), 'loader': type(__loader__).__name__,\n"
        "            'package': __package__, 'cached': os.path.relpath(__cached__, root)}\n"
    )
    create(lam, Code={"ZipFile": package({"index.py": reports})})
    assert json.loads(body(lam.invoke(FunctionName="my-function"))) == {
        "name": "index",
        "file": "index.py",
        "origin": "index.py",
        "loader": "SourceFileLoader",
        "package": "",
        "cached": f"__pycache__/index.{sys.implementation.cache_tag}.pyc",
    }
    both = package(
        {
            "index.py": "def handler(event, context):\n    return 'the file'\n",
            "index/__init__.py": "def handler(event, context):\n    return 'the package'\n",
        }
    )
    create(lam, name="both", Code={"ZipFile": both})
    assert json.loads(body(lam.invoke(FunctionName="both"))) == "the package"


def test_syntax_error_in_the_handler_module(lam):
    """Reported as the runtime reports it at init, with the compiler's own message."""
    source = "def handler(event, context)\n    return 1\n"
    with pytest.raises(SyntaxError) as compiled:
        compile(source, "/var/task/index.py", "exec")
    deploy(lam, source)
    response = lam.invoke(FunctionName="my-function")
    assert response["FunctionError"] == "Unhandled"
    assert json.loads(body(response)) == {
        "errorMessage": f"Syntax error in module 'index': {compiled.value}",
        "errorType": "Runtime.UserCodeSyntaxError",
        "requestId": "",
        "stackTrace": [f'  File "/var/task/index.py" Line {compiled.value.lineno}\n    def handler(event, context)\n'],
    }


def test_the_handler_module_keeps_its_source_for_inspection(lam):
    source = "import inspect\ndef handler(event, context):\n    return inspect.getsource(handler)\n"
    deploy(lam, source)
    assert json.loads(body(lam.invoke(FunctionName="my-function"))) == source.split("\n", 1)[1]


def test_bytecode_shipped_in_the_package_is_used_as_the_import_system_uses_it(lam, tmp_path):
    """A package's ``__pycache__`` holding unchecked-hash bytecode for the handler's module runs
    that bytecode, whatever the source says, as Lambda's Python runtime would import it."""
    import importlib.util
    import py_compile

    compiled_from = tmp_path / "index.py"
    compiled_from.write_text("def handler(event, context):\n    return 'the bytecode'\n")
    pyc = tmp_path / "index.pyc"
    py_compile.compile(
        str(compiled_from), cfile=str(pyc), invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH
    )
    code = package(
        {
            "index.py": "def handler(event, context):\n    return 'the source'\n",
            os.path.relpath(importlib.util.cache_from_source("index.py")): pyc,
        }
    )
    create(lam, Code={"ZipFile": code})
    assert json.loads(body(lam.invoke(FunctionName="my-function"))) == "the bytecode"


def test_context_and_environment(lam):
    source = (
        "import os\n"
        "def handler(event, context):\n"
        "    keys = ['AWS_LAMBDA_FUNCTION_NAME', 'AWS_LAMBDA_FUNCTION_VERSION', 'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',\n"
        "            'AWS_LAMBDA_LOG_GROUP_NAME', 'AWS_REGION', '_HANDLER', 'AWS_EXECUTION_ENV', 'TZ', 'STAGE']\n"
        "    return {'env': {k: os.environ.get(k) for k in keys}, 'name': context.function_name,\n"
        "            'memory': context.memory_limit_in_mb, 'group': context.log_group_name,\n"
        "            'stream': context.log_stream_name, 'remaining': context.get_remaining_time_in_millis(),\n"
        "            'request_id': context.aws_request_id}\n"
    )
    deploy(lam, source, MemorySize=256, Timeout=30, Environment={"Variables": {"STAGE": "prod"}})
    response = lam.invoke(FunctionName="my-function")
    result = json.loads(body(response))
    assert result["env"] == {
        "AWS_LAMBDA_FUNCTION_NAME": "my-function",
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
        "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/my-function",
        "AWS_REGION": "us-east-1",
        "_HANDLER": "index.handler",
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.12",
        "TZ": ":UTC",
        "STAGE": "prod",
    }
    assert (result["name"], result["memory"], result["group"]) == ("my-function", "256", "/aws/lambda/my-function")
    assert result["stream"].endswith("]" + result["stream"].split("]")[1]) and "/[$LATEST]" in result["stream"]
    assert 0 < result["remaining"] <= 30000
    assert result["request_id"] == response["ResponseMetadata"]["RequestId"]
    assert "STAGE" not in os.environ and "AWS_LAMBDA_FUNCTION_NAME" not in os.environ


def test_versions_do_not_share_module_state(lam):
    counter = "calls = 0\ndef handler(event, context):\n    global calls\n    calls += 1\n    return calls\n"
    deploy(lam, counter)
    lam.publish_version(FunctionName="my-function")
    publish(lam, counter + "# v2\n")
    results = [body(lam.invoke(FunctionName="my-function", Qualifier=q)) for q in ("1", "1", "2", "1", "2")]
    assert results == [b"1", b"2", b"1", b"3", b"2"]


HOLDING_HELPER_USER = (
    "import os, time\n"
    "import helper\n"
    "def handler(event, context):\n"
    "    hold = event.get('hold')\n"
    "    if hold:\n"
    "        open(hold + '.started', 'w').close()\n"
    "        deadline = time.monotonic() + 10\n"
    "        while not os.path.exists(hold) and time.monotonic() < deadline:\n"
    "            time.sleep(0.01)\n"
    "    return helper.VALUE\n"
)


#: Removes the entry of ``sys.modules`` before the module's own (one the import did not add).
REMOVES_AN_ENTRY = "import sys\nbefore = list(sys.modules)[-2]\nif before != 'helper':\n    del sys.modules[before]\n"


@pytest.mark.parametrize("prelude", ["", REMOVES_AN_ENTRY], ids=["plain", "init-removes-an-entry"])
def test_versions_do_not_share_modules_imported_at_init(lam, prelude, tmp_path):
    """A version's cold start while another version runs imports its own helper, not the one
    the running version imported at its init; also after an init that removed an entry of
    ``sys.modules`` it did not add (the new entries are then found among all)."""
    import threading

    def code(value: str) -> bytes:
        return package({"index.py": prelude + HOLDING_HELPER_USER, "helper.py": f"VALUE = {value!r}\n"})

    create(lam, Code={"ZipFile": code("one")})
    lam.publish_version(FunctionName="my-function")
    lam.update_function_code(FunctionName="my-function", ZipFile=code("two"))
    lam.publish_version(FunctionName="my-function")
    hold = str(tmp_path / "release")
    held: list[bytes] = []
    running = threading.Thread(
        target=lambda: held.append(
            body(lam.invoke(FunctionName="my-function", Qualifier="1", Payload=json.dumps({"hold": hold})))
        )
    )
    running.start()
    try:
        for _ in range(1000):
            if os.path.exists(hold + ".started"):
                break
            running.join(0.01)
        assert json.loads(body(lam.invoke(FunctionName="my-function", Qualifier="2"))) == "two"
    finally:
        open(hold, "w").close()
        running.join()
    assert [json.loads(b) for b in held] == ["one"]
    assert "helper" not in sys.modules


def test_package_with_helper_module(lam):
    code = package(
        {
            "app/main.py": "from app import util\ndef handler(event, context):\n    return util.VALUE\n",
            "app/__init__.py": "",
            "app/util.py": "VALUE = 'from helper'\n",
        }
    )
    create(lam, Handler="app/main.handler", Code={"ZipFile": code})
    assert body(lam.invoke(FunctionName="my-function")) == b'"from helper"'


def test_registered_callable(mock, lam):
    deploy(lam)
    lam.publish_version(FunctionName="my-function")
    mock.register_handler("my-function", lambda event, context: {"callable": context.function_version})
    mock.register_handler("my-function", lambda event, context: "only v1", version="1")
    assert json.loads(body(lam.invoke(FunctionName="my-function"))) == {"callable": "$LATEST"}
    assert json.loads(body(lam.invoke(FunctionName="my-function", Qualifier="1"))) == "only v1"


def test_code_that_cannot_run_echoes_or_answers_default(mock, lam):
    create(lam, Runtime="nodejs20.x")
    assert json.loads(body(lam.invoke(FunctionName="my-function", Payload=b'{"k": 2}'))) == {"k": 2}
    mock.set_default_response({"ok": True})
    assert json.loads(body(lam.invoke(FunctionName="my-function", Payload=b'{"k": 2}'))) == {"ok": True}


def test_handler_invoking_another_function(lam):
    deploy(lam, "def handler(event, context):\n    return event['n'] * 2\n")
    caller = (
        "import boto3, json\n"
        "def handler(event, context):\n"
        "    r = boto3.client('lambda').invoke(FunctionName='my-function', Payload=json.dumps({'n': 21}))\n"
        "    return json.loads(r['Payload'].read())\n"
    )
    create(lam, name="caller", Code={"ZipFile": make_zip(caller)})
    assert body(lam.invoke(FunctionName="caller")) == b"42"


def test_timeout(lam):
    deploy(lam, "import time\ndef handler(event, context):\n    time.sleep(1.05)\n", Timeout=1)
    response = lam.invoke(FunctionName="my-function")
    payload = json.loads(body(response))
    request_id = response["ResponseMetadata"]["RequestId"]
    assert response["FunctionError"] == "Unhandled"
    assert payload == {
        "errorType": "Sandbox.Timedout",
        "errorMessage": f"RequestId: {request_id} Error: Task timed out after 1.00 seconds",
    }


# --- payload errors --------------------------------------------------------------------------------------


def test_invalid_json_payload(lam):
    deploy(lam)
    with pytest.raises(ClientError) as exc:
        lam.invoke(FunctionName="my-function", Payload=b"not json")
    assert error_of(exc) == (
        400,
        "InvalidRequestContentException",
        "Could not parse request body into json: Could not parse payload into json: Unrecognized token 'not': "
        "was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')\n at [Source: "
        "REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: 1, column: 4]",
    )
    with pytest.raises(ClientError) as exc:
        lam.invoke(FunctionName="my-function", Payload="\x99".encode())
    assert error_of(exc)[2] == (
        "Could not parse request body into json: Could not parse payload into json: Unexpected character "
        "((CTRL-CHAR, code 153)): expected a valid value (JSON String, Number, Array, Object or token 'null', "
        "'true' or 'false')\n at [Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); "
        "line: 1, column: 1]"
    )
    with pytest.raises(ClientError) as exc:
        lam.invoke(FunctionName="my-function", Payload=b"n\x87r")
    assert error_of(exc)[2].endswith(
        "Invalid UTF-8 start byte 0x87\n at [Source: REDACTED "
        "(`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: 1, column: 3]"
    )
    assert exc.value.response["Type"] == "User"


def test_payload_limits(lam):
    deploy(lam)
    with pytest.raises(ClientError) as exc:
        lam.invoke(FunctionName="my-function", Payload=b'"' + b"x" * (6 * 1024 * 1024) + b'"')
    assert error_of(exc) == (
        413,
        "RequestTooLargeException",
        "Request must be smaller than 6291456 bytes for the InvokeFunction operation",
    )
    big = b'"' + b"x" * (1024 * 1024) + b'"'
    with pytest.raises(ClientError) as exc:
        lam.invoke(FunctionName="my-function", InvocationType="Event", Payload=big)
    assert error_of(exc) == (
        413,
        "RequestTooLargeException",
        f"{len(big)} byte payload is too large for the Event invocation type (limit 1048576 bytes)",
    )


# --- faults and records ----------------------------------------------------------------------------------


def test_injected_error(mock, canary):
    mock.inject_fault("my-function", "2", error_type="RuntimeError", message="v2 is broken")
    mock.route_next("my-function", "PROD", "2")
    response = canary.invoke(FunctionName="my-function", Qualifier="PROD")
    assert response["FunctionError"] == "Unhandled"
    assert json.loads(body(response))["errorMessage"] == "v2 is broken"
    assert canary.invoke(FunctionName="my-function", Qualifier="1")["ExecutedVersion"] == "1"


def test_injected_throttle(mock, canary):
    from botocore.config import Config

    mock.inject_fault("my-function", "1", kind="throttle")
    client = boto3.client("lambda", region_name=REGION, config=Config(retries={"total_max_attempts": 2}))
    with pytest.raises(ClientError) as exc:
        client.invoke(FunctionName="my-function", Qualifier="1")
    assert error_of(exc) == (429, "TooManyRequestsException", "Rate Exceeded.")
    assert exc.value.response["Reason"] == "ReservedFunctionConcurrentInvocationLimitExceeded"
    assert exc.value.response["Type"] == "User"
    records = mock.invocations("my-function")
    # botocore retries throttling: every attempt reached the "service" and was throttled
    assert len(records) == exc.value.response["ResponseMetadata"]["RetryAttempts"] + 1
    assert all(r.throttled and not r.ok for r in records)


def test_fault_rate(lam):
    with mock_lambda_alias(seed=3) as m:
        client = boto3.client("lambda", region_name=REGION)
        deploy(client)
        m.inject_fault("my-function", "$LATEST", rate=0.25)
        errors = sum("FunctionError" in client.invoke(FunctionName="my-function") for _ in range(400))
        assert 60 <= errors <= 140
        m.clear_faults()
        assert "FunctionError" not in client.invoke(FunctionName="my-function")


def test_records(mock, canary):
    canary.invoke(FunctionName="my-function", Qualifier="PROD", Payload=b'{"n": 1}')
    (record,) = mock.invocations("my-function", qualifier="PROD")
    assert record.function_name == "my-function"
    assert record.invoked_qualifier == "PROD"
    assert record.executed_version in ("1", "2")
    assert record.invocation_type == "RequestResponse"
    assert record.payload == b'{"n": 1}'
    assert record.response_json() in ("v1", "v2")
    assert record.ok and record.request_id and record.log.startswith("START RequestId:")


# --- InvokeWithResponseStream ----------------------------------------------------------------------------


def test_invoke_with_response_stream(canary):
    response = canary.invoke_with_response_stream(FunctionName="my-function", Qualifier="1", LogType="Tail")
    assert response["StatusCode"] == 200
    assert response["ExecutedVersion"] == "1"
    assert response["ResponseStreamContentType"] == "application/vnd.amazon.eventstream"
    events = list(response["EventStream"])
    assert events[0] == {"PayloadChunk": {"Payload": b'"v1"'}}
    complete = events[1]["InvokeComplete"]
    assert base64.b64decode(complete["LogResult"]).decode().startswith("START RequestId:")
    assert len(events) == 2


def test_invoke_with_response_stream_error(lam):
    deploy(lam, "def handler(event, context):\n    raise ValueError('x')\n")
    events = list(lam.invoke_with_response_stream(FunctionName="my-function")["EventStream"])
    (complete,) = events
    assert complete["InvokeComplete"]["ErrorCode"] == "Unhandled"
    assert json.loads(complete["InvokeComplete"]["ErrorDetails"])["errorType"] == "ValueError"


def test_invoke_with_response_stream_refuses_event(raw_lam):
    deploy(raw_lam)
    with pytest.raises(ClientError) as exc:
        raw_lam.invoke_with_response_stream(FunctionName="my-function", InvocationType="Event")
    assert error_of(exc) == (
        400,
        "ValidationException",
        "1 validation error detected: Value 'Event' at 'invocationType' failed to satisfy constraint: "
        "Member must satisfy enum value set: [RequestResponse, DryRun]",
    )
