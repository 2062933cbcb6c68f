"""Logging as Lambda's Python runtime does it, in both isolation modes, through a real boto3 client.

Lambda's Python runtime (``awslambdaric``, ``bootstrap.py`` ``_setup_logging``) puts a handler on the
root logger before it imports the function: in the text format each record is
``[LEVEL]\\t<UTC time with milliseconds>Z\\t<request id>\\t<message>``; with ``LoggingConfig``
``LogFormat: JSON`` one JSON object (``JsonFormatter``), the root logger's level set from
``ApplicationLogLevel``, and Lambda drops lines below that level and system lines below
``SystemLogLevel``. In-process, that handler is on the test's root logger only while its
environment's invocation runs, writes only that environment's thread's records, and the test's own
root logger (its list of handlers, the handlers, its level) is what the test had afterwards.
"""

from __future__ import annotations

import base64
import datetime
import json
import logging
import os
import re
import threading
import time
from collections.abc import Iterator
from typing import Any, Callable, Optional

import boto3
import pytest
from conftest import REGION, create, requires_member

from mock_lambda_alias import mock_lambda_alias, package

ISOLATIONS = ["in-process", pytest.param("process", marks=pytest.mark.skipif(os.name != "posix", reason="POSIX"))]
json_logging = requires_member("CreateFunctionRequest", "LoggingConfig", since="1.32.2")
JSON_CONFIG = {"LogFormat": "JSON", "ApplicationLogLevel": "INFO"}
FUNCTION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:my-function"

TEXT_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")
JSON_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")

#: The usual handler code, plus a record at init (it has no request id yet).
USUAL = (
    "import logging\n"
    "logger = logging.getLogger()\n"
    "logger.setLevel(logging.INFO)\n"
    "logger.info('cold start')\n"
    "def handler(event, context):\n"
    "    logger.info('hello %s', event)\n"
    "    logger.debug('not at INFO')\n"
    "    return 'ok'\n"
)


@pytest.fixture(params=ISOLATIONS)
def isolation(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def mock(isolation: str) -> Iterator[Any]:
    with mock_lambda_alias(isolation=isolation) as m:
        yield m
        assert not m.internal_errors, m.internal_errors


@pytest.fixture
def lam(mock: Any) -> Any:
    return boto3.client("lambda", region_name=REGION)


@pytest.fixture(autouse=True)
def root_at_warning() -> Iterator[None]:
    """Python's default root level, as a fresh Lambda runtime has it, whatever the test run set."""
    level = logging.root.level
    logging.root.setLevel(logging.WARNING)
    yield
    logging.root.setLevel(level)


def deploy(lam: Any, source: str, name: str = "my-function", **settings: Any) -> None:
    create(lam, name=name, Handler="lambda_function.handler", Code={"ZipFile": package(source)}, **settings)


def invoke(lam: Any, name: str = "my-function", event: Any = None) -> tuple[dict, str]:
    """(the response, its decoded LogResult)."""
    response = lam.invoke(FunctionName=name, Payload=json.dumps(event or {}), LogType="Tail")
    response["body"] = response["Payload"].read()
    return response, base64.b64decode(response["LogResult"]).decode()


def request_id(response: dict) -> str:
    return response["ResponseMetadata"]["RequestId"]


def text_app_lines(log: str) -> list[str]:
    """The function's lines between START and END, each UTC time of now replaced by ``<time>``."""
    lines = log.split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith("START RequestId: "))
    end = next(i for i, line in enumerate(lines) if line.startswith("END RequestId: "))
    return [_stamp(line, TEXT_TIME, "%Y-%m-%dT%H:%M:%S.%fZ") for line in lines[start + 1 : end]]


def _stamp(text: str, pattern: re.Pattern, form: str) -> str:
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    for found in pattern.findall(text):
        moment = datetime.datetime.strptime(found, form)
        assert abs((now - moment).total_seconds()) < 60, f"{found} is not the UTC time of now ({now})"
    return pattern.sub("<time>", text)


def json_lines(log: str) -> list[dict]:
    """Every line of a JSON-format log, parsed; each written as the runtime's encoder writes it."""
    parsed = []
    for line in log.split("\n")[:-1]:
        found = json.loads(line) if line.startswith("{") else line
        if isinstance(found, dict) and "timestamp" in found:
            assert line == json.dumps(found, ensure_ascii=False), line  # key order and ", " / ": "
            found["timestamp"] = _stamp(found["timestamp"], JSON_TIME, "%Y-%m-%dT%H:%M:%SZ")
        parsed.append(found)
    return parsed


def app_records(log: str) -> list[Any]:
    """The function's own lines of a JSON-format log (Lambda's platform records left out)."""
    return [line for line in json_lines(log) if not (isinstance(line, dict) and "type" in line)]


def record_log(mock: Any, response: dict) -> str:
    (record,) = [r for r in mock.invocations("my-function") if r.request_id == request_id(response)]
    return record.log


# --- text format -------------------------------------------------------------------------------


def test_logger_info_is_in_log_result_and_the_record_in_text_format(mock, lam):
    deploy(lam, USUAL)
    first, first_log = invoke(lam, event={"n": 1})
    second, second_log = invoke(lam, event={"n": 2})
    assert first["body"] == b'"ok"'
    assert text_app_lines(first_log) == [
        "[INFO]\t<time>\t\tcold start",
        f"[INFO]\t<time>\t{request_id(first)}\thello {{'n': 1}}",
    ]
    # Warm: the level the module set at init is still the root logger's in its environment.
    assert text_app_lines(second_log) == [f"[INFO]\t<time>\t{request_id(second)}\thello {{'n': 2}}"]
    assert record_log(mock, first) == first_log and record_log(mock, second) == second_log


def test_levels_and_exceptions_in_text_format(lam):
    source = (
        "import logging\n"
        "def handler(event, context):\n"
        "    logging.getLogger('orders').warning('stock low: %d', 3)\n"
        "    logging.info('root is at WARNING: not shown')\n"
        "    try:\n"
        "        raise KeyError('missing')\n"
        "    except KeyError:\n"
        "        logging.exception('lookup failed')\n"
        "    print('printed')\n"
    )
    deploy(lam, source)
    response, log = invoke(lam)
    rid = request_id(response)
    assert text_app_lines(log) == [
        f"[WARNING]\t<time>\t{rid}\tstock low: 3",
        f"[ERROR]\t<time>\t{rid}\tlookup failed",
        "Traceback (most recent call last):",
        '  File "/var/task/lambda_function.py", line 6, in handler',
        "    raise KeyError('missing')",
        "KeyError: 'missing'",
        "printed",
    ]


def test_a_function_restyling_the_lambda_handler_keeps_its_style_while_warm(lam):
    source = (
        "import logging\n"
        "root = logging.getLogger()\n"
        "root.setLevel(logging.INFO)\n"
        "root.handlers[0].setFormatter(logging.Formatter('%(levelname)s %(aws_request_id)s %(message)s'))\n"
        "def handler(event, context):\n"
        "    root.info('styled')\n"
        "    return type(root.handlers[0]).__name__\n"
    )
    deploy(lam, source)
    for _ in range(2):
        response, log = invoke(lam)
        assert response["body"] == b'"LambdaLoggerHandler"'
        assert text_app_lines(log) == [f"INFO {request_id(response)} styled"]


def test_another_environment_keeps_its_own_root_level(lam):
    deploy(lam, USUAL, name="sets-info")
    deploy(lam, "import logging\ndef handler(event, context):\n    logging.getLogger().info('hidden')\n", name="other")
    invoke(lam, "sets-info")
    assert text_app_lines(invoke(lam, "other")[1]) == []


def test_records_of_threads_the_handler_starts(lam, isolation):
    """In a worker process every thread is the function's; in-process only the environment's own
    thread is known to be (as with print)."""
    source = (
        "import logging, threading\n"
        "def handler(event, context):\n"
        "    thread = threading.Thread(target=logging.warning, args=('from a thread',))\n"
        "    thread.start()\n"
        "    thread.join()\n"
    )
    deploy(lam, source)
    response, log = invoke(lam)
    expected = [f"[WARNING]\t<time>\t{request_id(response)}\tfrom a thread"] if isolation == "process" else []
    assert text_app_lines(log) == expected


# --- JSON format and levels ------------------------------------------------------------------------


@json_logging
def test_logger_info_is_a_json_line_in_log_result_and_the_record(mock, lam):
    deploy(lam, USUAL, LoggingConfig=JSON_CONFIG)
    first, first_log = invoke(lam, event={"n": 1})
    second, second_log = invoke(lam, event={"n": 2})
    assert app_records(first_log) == [
        {"timestamp": "<time>", "level": "INFO", "message": "cold start", "logger": "root", "requestId": ""},
        {
            "timestamp": "<time>",
            "level": "INFO",
            "message": "hello {'n': 1}",
            "logger": "root",
            "requestId": request_id(first),
        },
    ]
    assert app_records(second_log) == [
        {
            "timestamp": "<time>",
            "level": "INFO",
            "message": "hello {'n': 2}",
            "logger": "root",
            "requestId": request_id(second),
        }
    ]
    assert record_log(mock, first) == first_log and record_log(mock, second) == second_log


@json_logging
def test_json_records_carry_exceptions_and_extra_attributes_and_prints_stay_text(lam):
    source = (
        "import logging\n"
        "logger = logging.getLogger('orders')\n"
        "def handler(event, context):\n"
        "    print('plain text')\n"
        "    logger.warning('slow order', extra={'order_id': 7, 'tags': ['a']})\n"
        "    try:\n"
        "        raise ZeroDivisionError('division by zero')\n"
        "    except ZeroDivisionError:\n"
        "        logger.exception('failed')\n"
    )
    deploy(lam, source, LoggingConfig=JSON_CONFIG)
    response, log = invoke(lam)
    rid = request_id(response)
    assert app_records(log) == [
        "plain text",
        {
            "timestamp": "<time>",
            "level": "WARNING",
            "message": "slow order",
            "logger": "orders",
            "requestId": rid,
            "order_id": 7,
            "tags": ["a"],
        },
        {
            "timestamp": "<time>",
            "level": "ERROR",
            "message": "failed",
            "logger": "orders",
            "stackTrace": [
                '  File "/var/task/lambda_function.py", line 7, in handler\n'
                "    raise ZeroDivisionError('division by zero')\n"
            ],
            "errorType": "ZeroDivisionError",
            "errorMessage": "division by zero",
            "requestId": rid,
            "location": "/var/task/lambda_function.py:handler:9",
        },
    ]


EVERY_LEVEL = (
    "import logging\n"
    "def handler(event, context):\n"
    "    log = logging.getLogger('app')\n"
    "    log.debug('d')\n"
    "    log.info('i')\n"
    "    log.warning('w')\n"
    "    log.error('e')\n"
    "    log.critical('c')\n"
    "    print('p')\n"
)


@json_logging
@pytest.mark.parametrize(
    ("level", "shown"),
    [
        ("TRACE", ["d", "i", "w", "e", "c", "p"]),
        ("DEBUG", ["d", "i", "w", "e", "c", "p"]),
        ("INFO", ["i", "w", "e", "c", "p"]),
        ("WARN", ["w", "e", "c"]),
        ("ERROR", ["e", "c"]),
        ("FATAL", ["c"]),
    ],
)
def test_application_log_level_sets_the_root_level_and_filters(lam, level, shown):
    deploy(lam, EVERY_LEVEL, LoggingConfig={"LogFormat": "JSON", "ApplicationLogLevel": level})
    records = app_records(invoke(lam)[1])
    assert [r["message"] if isinstance(r, dict) else r for r in records] == shown


@json_logging
def test_lines_below_the_application_level_are_dropped_even_when_the_function_lowers_it(lam):
    source = "import logging\nlogging.getLogger().setLevel(logging.DEBUG)\n" + EVERY_LEVEL.split("\n", 1)[1]
    deploy(lam, source, LoggingConfig={"LogFormat": "JSON", "ApplicationLogLevel": "WARN"})
    records = app_records(invoke(lam)[1])
    assert [(r["level"], r["message"]) for r in records] == [("WARNING", "w"), ("ERROR", "e"), ("CRITICAL", "c")]


@json_logging
@pytest.mark.parametrize(
    ("level", "types"),
    [
        ("DEBUG", ["platform.start", "platform.runtimeDone", "platform.report"]),
        ("INFO", ["platform.start", "platform.report"]),
        ("WARN", []),
    ],
)
def test_system_log_level_filters_lambdas_own_lines(lam, level, types):
    deploy(
        lam,
        "def handler(event, context):\n    return 'ok'\n",
        LoggingConfig={"LogFormat": "JSON", "SystemLogLevel": level},
    )
    response, log = invoke(lam)
    system = [line for line in json_lines(log) if isinstance(line, dict) and "type" in line]
    assert [line["type"] for line in system] == types
    rid = request_id(response)
    for line in system:
        assert TEXT_TIME.fullmatch(line["time"]) and line["record"]["requestId"] == rid
        if line["type"] == "platform.start":
            assert line["record"] == {"requestId": rid, "functionArn": FUNCTION_ARN, "version": "$LATEST"}
        if line["type"] == "platform.report":
            assert line["record"]["status"] == "success"
            assert set(line["record"]["metrics"]) == {
                "durationMs",
                "billedDurationMs",
                "memorySizeMB",
                "maxMemoryUsedMB",
                "initDurationMs",
            }


@json_logging
def test_an_unhandled_error_is_reported_as_a_json_record(lam):
    deploy(lam, "def handler(event, context):\n    raise ValueError('bad input')\n", LoggingConfig=JSON_CONFIG)
    response, log = invoke(lam)
    assert response["FunctionError"] == "Unhandled"
    (error,) = app_records(log)
    assert error == {
        "timestamp": "<time>",
        "log_level": "ERROR",
        "errorMessage": "bad input",
        "errorType": "ValueError",
        "requestId": request_id(response),
        "stackTrace": [
            "  File \"/var/task/lambda_function.py\", line 2, in handler\n    raise ValueError('bad input')\n"
        ],
    }
    report = [line for line in json_lines(log) if isinstance(line, dict) and line.get("type") == "platform.report"]
    assert report[0]["record"]["status"] == "error"


@json_logging
def test_a_new_logging_config_gets_new_environments(lam):
    deploy(lam, USUAL)
    assert text_app_lines(invoke(lam)[1])[-1].startswith("[INFO]\t<time>\t")
    lam.update_function_configuration(FunctionName="my-function", LoggingConfig=JSON_CONFIG)
    log = invoke(lam, event={"n": 3})[1]
    assert [r["message"] for r in app_records(log)] == ["cold start", "hello {'n': 3}"]


# --- the test's own logging ------------------------------------------------------------------------


class Recorder(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def _wait_for(path: str) -> None:
    deadline = time.monotonic() + 10
    while not os.path.exists(path) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert os.path.exists(path), path


WAITING = (
    "import logging, os, time\n"
    "logging.getLogger().setLevel(logging.INFO)\n"
    "def handler(event, context):\n"
    "    open(event['started'], 'w').close()\n"
    "    while not os.path.exists(event['go']):\n"
    "        time.sleep(0.01)\n"
    "    logging.getLogger('handler').info('from the handler')\n"
)


def the_test_warns() -> None:
    logging.getLogger("test").warning("from the test")


def while_the_handler_waits(lam: Any, tmp_path: Any, during: Callable[[], None]) -> tuple[dict, str]:
    """Invoke a WAITING handler in another thread; call ``during`` while it runs; its response and log."""
    paths = {"started": str(tmp_path / "started"), "go": str(tmp_path / "go")}
    results: list[tuple[dict, str]] = []
    caller = threading.Thread(target=lambda: results.append(invoke(lam, event=paths)))
    caller.start()
    _wait_for(paths["started"])
    during()
    (tmp_path / "go").touch()
    caller.join(10)
    return results[0]


def test_the_tests_records_while_a_handler_runs_are_neither_captured_nor_changed(lam, tmp_path):
    deploy(lam, WAITING)
    recorder = Recorder()
    logging.root.addHandler(recorder)
    try:
        response, log = while_the_handler_waits(lam, tmp_path, the_test_warns)
    finally:
        logging.root.removeHandler(recorder)
    assert text_app_lines(log) == [f"[INFO]\t<time>\t{request_id(response)}\tfrom the handler"]
    (ours,) = [r for r in recorder.records if r.name == "test"]
    assert ours.getMessage() == "from the test"
    assert not hasattr(ours, "aws_request_id") and not hasattr(ours, "tenant_id")


@pytest.mark.parametrize("isolation", ["in-process"])  # where the Lambda handler is on the test's root logger
def test_the_tests_records_reach_its_handlers_once_while_invocations_come_and_go(lam):
    deploy(lam, "import logging\ndef handler(event, context):\n    logging.warning('w')\n")
    recorder, stop, sent = Recorder(), threading.Event(), []
    logging.root.addHandler(recorder)

    def chatter() -> None:
        while not stop.is_set() and len(sent) < 20_000:
            logging.getLogger("test").warning("tick %d", len(sent))
            sent.append(1)

    thread = threading.Thread(target=chatter)
    thread.start()
    try:
        for _ in range(30):
            invoke(lam)
    finally:
        stop.set()
        thread.join()
        logging.root.removeHandler(recorder)
    ticks = [r.getMessage() for r in recorder.records if r.name == "test"]
    assert ticks == [f"tick {n}" for n in range(len(sent))]


def test_a_test_threads_warning_still_reaches_stderr_when_the_root_logger_has_no_handler(lam, capsys, tmp_path):
    """With no handler on its way, Python writes a WARNING to stderr (its last resort): a Lambda
    handler on the root logger meanwhile does not stop that."""
    deploy(lam, WAITING)
    saved, logging.root.handlers = logging.root.handlers, []
    try:
        while_the_handler_waits(lam, tmp_path, the_test_warns)
    finally:
        logging.root.handlers = saved
    assert "from the test\n" in capsys.readouterr().err


def _root() -> tuple[Any, list[Any], int, Optional[int]]:
    return logging.root.handlers, list(logging.root.handlers), logging.root.level, logging.root.manager.disable


CHANGING = (
    "import logging\n"
    "root = logging.getLogger()\n"
    "root.setLevel(logging.INFO)\n"
    "root.addHandler(logging.NullHandler())\n"
    "def handler(event, context):\n"
    "    root.setLevel(logging.DEBUG)\n"
    "    root.addHandler(logging.NullHandler())\n"
    "    root.removeHandler(root.handlers[0])\n"
    "    root.info('seen')\n"
)


@pytest.mark.parametrize("isolation", ISOLATIONS)
@pytest.mark.parametrize("logging_config", [None, pytest.param(JSON_CONFIG, marks=json_logging)])
def test_the_root_logger_is_the_tests_after_invokes_and_after_stop(isolation, logging_config):
    recorder = Recorder()
    logging.root.addHandler(recorder)
    try:
        before = _root()
        with mock_lambda_alias(isolation=isolation):
            lam = boto3.client("lambda", region_name=REGION)
            deploy(lam, CHANGING, **({"LoggingConfig": logging_config} if logging_config else {}))
            for _ in range(2):
                invoke(lam)
                handlers, entries, level, disable = _root()
                assert handlers is before[0] and entries == before[1] and (level, disable) == before[2:]
            logging.root.setLevel(logging.ERROR)  # the test's own change stays
            invoke(lam)
            assert logging.root.level == logging.ERROR
            logging.root.setLevel(before[2])
        handlers, entries, level, disable = _root()
        assert handlers is before[0] and entries == before[1] and (level, disable) == before[2:]
    finally:
        logging.root.removeHandler(recorder)
