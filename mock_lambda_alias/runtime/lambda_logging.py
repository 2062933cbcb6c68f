"""The root logger's handler of Lambda's Python runtime, and its text and JSON formats.

Lambda's Python runtime (the runtime interface client ``awslambdaric``, ``bootstrap.py``
``_setup_logging`` and ``lambda_runtime_log_utils.py``) puts one handler on the root logger before
it imports the function's module, so ``logging.getLogger().info(...)`` reaches the function's log
once the root logger's level lets it through (Python's default, WARNING, unless the function sets
one). Lambda tells the runtime its ``LoggingConfig`` through two variables
(:data:`FORMAT_VARIABLE`, :data:`LEVEL_VARIABLE`):

- text (the default): ``[%(levelname)s]\\t%(asctime)s.%(msecs)03dZ\\t%(aws_request_id)s\\t%(message)s``
  and a newline, the time in UTC as ``%Y-%m-%dT%H:%M:%S``;
- ``AWS_LAMBDA_LOG_FORMAT=JSON``: one JSON object per record (:class:`JsonFormatter`);
- ``AWS_LAMBDA_LOG_LEVEL``: the root logger's level (``TRACE`` is ``DEBUG``).

A record's request id is the runtime's current invocation's: ``""`` while the module is imported
(init), then each invocation's, kept until the next one starts.

This module uses the standard library only and nothing of this package: the worker process of
``isolation="process"`` loads it by file path, as it loads ``lambda_api.py``.
"""

from __future__ import annotations

import json
import logging
import time
import traceback
from collections.abc import Mapping
from typing import Any, Callable, Optional

FORMAT_VARIABLE = "AWS_LAMBDA_LOG_FORMAT"
LEVEL_VARIABLE = "AWS_LAMBDA_LOG_LEVEL"
TEXT_FORMAT = "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n"
TEXT_DATE_FORMAT = "%Y-%m-%dT%H:%M:%S"
#: The JSON format's timestamp: whole seconds (awslambdaric's ``_DATETIME_FORMAT``).
JSON_DATE_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
TASK_ROOT = "/var/task"

#: The record attributes the JSON format leaves out; any other is written as a key of its own.
RESERVED_ATTRIBUTES = frozenset(
    {
        "name",
        "msg",
        "args",
        "levelname",
        "levelno",
        "pathname",
        "filename",
        "module",
        "exc_info",
        "exc_text",
        "stack_info",
        "lineno",
        "funcName",
        "created",
        "msecs",
        "relativeCreated",
        "thread",
        "threadName",
        "processName",
        "process",
        "aws_request_id",
        "tenant_id",
        "_frame_type",
    }
)

_encode_json = json.JSONEncoder(ensure_ascii=False).encode

#: Lambda's log levels by name, as its log-level filtering orders them (Python's names included).
LEVELS = {"TRACE": 5, "DEBUG": 10, "INFO": 20, "WARN": 30, "WARNING": 30, "ERROR": 40, "FATAL": 50, "CRITICAL": 50}


def is_json(variables: Mapping[str, str]) -> bool:
    """Whether Lambda's variables ask for the JSON format."""
    return (variables.get(FORMAT_VARIABLE) or "").upper() == "JSON"


def root_level(variables: Mapping[str, str]) -> Optional[int]:
    """The root logger's level the runtime sets from ``AWS_LAMBDA_LOG_LEVEL`` (None: it sets none)."""
    name = (variables.get(LEVEL_VARIABLE) or "").upper()
    name = "DEBUG" if name == "TRACE" else name
    level = logging.getLevelName(name) if name else None
    return level if isinstance(level, int) else None


def line_level(line: str) -> int:
    """The level Lambda's log-level filtering gives one line of a function's output: a JSON
    object's ``level`` (``log_level`` in the runtime's own error report), else INFO, as AWS
    documents for a missing or unknown level."""
    if line.startswith("{"):
        try:
            found = json.loads(line)
        except ValueError:
            return LEVELS["INFO"]
        if isinstance(found, dict):
            level = found.get("level", found.get("log_level"))
            if isinstance(level, str):
                return LEVELS.get(level.upper(), LEVELS["INFO"])
    return LEVELS["INFO"]


class TextFormatter(logging.Formatter):
    """The text format, its time in UTC (set on this class: the process's own formatters keep theirs)."""

    converter = time.gmtime

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT, TEXT_DATE_FORMAT)


class JsonFormatter(logging.Formatter):
    """The JSON format: ``timestamp``, ``level``, ``message``, ``logger``, ``requestId``, the
    exception's ``stackTrace``, ``errorType``, ``errorMessage`` and ``location`` when there is one,
    ``tenantId`` with tenant isolation, and every other attribute of the record (``extra=``).

    The level is rounded down to one of Python's named levels. Unlike the runtime, the record is
    not changed: in-process, the test's own handlers see it too.
    """

    converter = time.gmtime

    def __init__(self) -> None:
        super().__init__(datefmt=JSON_DATE_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        exc = record.exc_info if record.exc_info and record.exc_info[0] is not None else None
        result: dict[str, Any] = {
            "timestamp": self.formatTime(record, self.datefmt),
            "level": logging.getLevelName(min(50, max(0, record.levelno)) // 10 * 10),
            "message": record.getMessage(),
            "logger": record.name,
            "stackTrace": traceback.format_tb(exc[2]) if exc else None,
            "errorType": exc[0].__name__ if exc else None,
            "errorMessage": str(exc[1]) if exc else None,
            "requestId": getattr(record, "aws_request_id", None),
            "location": f"{record.pathname}:{record.funcName}:{record.lineno}" if exc else None,
        }
        tenant_id = getattr(record, "tenant_id", None)
        if tenant_id is not None:
            result["tenantId"] = tenant_id
        result.update((k, v) for k, v in record.__dict__.items() if k not in RESERVED_ATTRIBUTES and k not in result)
        return _encode_json({k: v for k, v in result.items() if v is not None}) + "\n"


class Invocation:
    """What the runtime knows of the invocation running: its request id and tenant."""

    __slots__ = ("request_id", "tenant_id")

    def __init__(self) -> None:
        self.request_id = ""
        self.tenant_id: Optional[str] = None


class LambdaLoggerFilter(logging.Filter):
    """Gives each record the invocation's ``aws_request_id`` and ``tenant_id``, as the runtime's does."""

    def __init__(self, invocation: Any) -> None:
        super().__init__()
        self.invocation = invocation

    def filter(self, record: logging.LogRecord) -> bool:
        record.aws_request_id = self.invocation.request_id
        record.tenant_id = self.invocation.tenant_id
        return True


#: Where a handler writes a record: given the handler, the stream of the calling thread's
#: invocation, or None when the record is not this environment's (it is then left as it is).
Sink = Callable[["LambdaLoggerHandler"], Optional[Any]]


class LambdaLoggerHandler(logging.Handler):
    """The runtime's root handler: each record of the environment, formatted, to its log.

    The package's directory is written ``/var/task``, as the paths are on Lambda.
    """

    def __init__(self, sink: Sink, json_format: bool, task_root: str = "", invocation: Any = None) -> None:
        super().__init__()
        self._sink = sink
        self.json_format = json_format
        self.task_root = task_root
        #: What names the invocation running (``request_id``, ``tenant_id``): an :class:`Invocation`.
        self.invocation = invocation if invocation is not None else Invocation()
        self.setFormatter(JsonFormatter() if json_format else TextFormatter())
        self.addFilter(LambdaLoggerFilter(self.invocation))

    def handle(self, record: logging.LogRecord) -> Any:
        if self._sink(self) is None:  # another thread's record: no request id given, nothing written
            _as_if_absent(self, record)
            return False
        return super().handle(record)

    def emit(self, record: logging.LogRecord) -> None:
        stream = self._sink(self)
        if stream is None:
            return
        try:
            text = self.format(record)
            if self.task_root:
                text = text.replace(self.task_root, TASK_ROOT)
            stream.write(text if text.endswith("\n") else text + "\n")
        except Exception:
            self.handleError(record)


def _as_if_absent(handler: LambdaLoggerHandler, record: logging.LogRecord) -> None:
    """Another thread's record goes to logging's last resort (stderr) when it would have without the
    Lambda handlers: when no other handler is on its logger's way up (``Logger.callHandlers`` counts
    every handler there, so one of ours would otherwise stop it). One Lambda handler, the first on
    the root logger, answers for all of them; a record one of them writes is left alone."""
    lambda_handlers = [h for h in logging.root.handlers if isinstance(h, LambdaLoggerHandler)]
    if not lambda_handlers or lambda_handlers[0] is not handler or logging.lastResort is None:
        return
    if any(h._sink(h) is not None for h in lambda_handlers):
        return
    logger: Any = logging.root.manager.loggerDict.get(record.name)
    if not isinstance(logger, logging.Logger):  # the root logger's record, or one made by hand
        logger = logging.root
    while logger is not None:
        if any(not isinstance(h, LambdaLoggerHandler) for h in logger.handlers):
            return
        logger = logger.parent if logger.propagate else None
    if record.levelno >= logging.lastResort.level:
        logging.lastResort.handle(record)


class RootLog:
    """One execution environment's root logger as its runtime has it: the runtime's handler, and
    the level the root logger has there (None: the process's own), which the runtime sets from
    ``AWS_LAMBDA_LOG_LEVEL`` and the function may set again."""

    __slots__ = ("handler", "level")

    def __init__(self, handler: LambdaLoggerHandler, level: Optional[int]) -> None:
        self.handler = handler
        self.level = level

    @classmethod
    def made(cls, sink: Sink, variables: Mapping[str, str], task_root: str = "") -> RootLog:
        """The root logger the runtime sets up from Lambda's variables, for an environment in a
        process it shares (in-process): its handler and level are put in only while it runs."""
        return cls(LambdaLoggerHandler(sink, is_json(variables), task_root), root_level(variables))


def install(
    variables: Mapping[str, str], sink: Sink, task_root: str = "", invocation: Any = None
) -> LambdaLoggerHandler:
    """What the runtime does at start-up, in a process of its own (the worker): every formatter's
    time in UTC, the root logger's level from ``AWS_LAMBDA_LOG_LEVEL``, and its handler."""
    logging.Formatter.converter = time.gmtime
    handler = LambdaLoggerHandler(sink, is_json(variables), task_root, invocation)
    level = root_level(variables)
    if level is not None:
        logging.root.setLevel(level)
    logging.root.addHandler(handler)
    return handler
