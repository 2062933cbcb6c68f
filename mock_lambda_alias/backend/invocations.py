"""What an activation knows about invocations beyond AWS's API, and the controls that steer them.

Tests steer invocations through this state: a seeded random generator for alias routing, queued
forced choices ("the next 3 invocations of PROD run version 2"), injected faults per version,
Python callables standing in for a function's code, the isolation of each function's handlers,
and the (bounded) record of invocations. The invoke family (:mod:`.invoke`) reads it; the handle
(:mod:`.controls`) writes it, holding the store lock around each call here.

Keys name a function by (account, region, function name); each control below builds its key the
same way, so a route, a fault or a handler set for one account never applies to another.
"""

from __future__ import annotations

import datetime
import json
import math
import os
import random
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Optional, Union

from .. import arns, runtime
from ..runtime.lambda_logging import LEVELS, line_level

if TYPE_CHECKING:
    from .identity import Identity

#: How many invocation records an activation keeps by default (the oldest go first).
DEFAULT_MAX_RECORDS = 10_000

#: The default response of functions whose code cannot run here: echo the event, as moto does.
ECHO = object()

FunctionKey = tuple[str, str, str]


@dataclass
class Fault:
    """A failure injected into one function version."""

    kind: str  # "error" (FunctionError Unhandled) or "throttle" (TooManyRequestsException)
    rate: float = 1.0
    error_type: str = "Exception"
    message: str = "Injected fault"
    reason: str = "ReservedFunctionConcurrentInvocationLimitExceeded"


@dataclass(frozen=True)
class JsonLogging:
    """A function's ``LoggingConfig`` with ``LogFormat: JSON``: the least level of the function's
    own lines and of Lambda's (``ApplicationLogLevel``, ``SystemLogLevel``), and its ARN."""

    application_level: int
    system_level: int
    function_arn: str


_LEVEL_KEYS = ("ApplicationLogLevel", "SystemLogLevel")


def json_logging(config: dict, region: str, account: str, name: str) -> Optional[JsonLogging]:
    """How the function's log is written, when its format is JSON (None: text, levels unused)."""
    given = config.get("LoggingConfig")
    if not given or given.get("LogFormat") != "JSON":
        return None
    application, system = (LEVELS.get(str(given.get(key) or "INFO").upper(), LEVELS["INFO"]) for key in _LEVEL_KEYS)
    return JsonLogging(application, system, arns.function_arn(region, account, name))


def log_text(
    request_id: str,
    version: str,
    outcome: runtime.Outcome,
    memory: int,
    json_format: Optional[JsonLogging] = None,
    started: Optional[datetime.datetime] = None,
) -> str:
    """The log Lambda writes for one invocation: START, the handler's output, END and REPORT (in
    the JSON format, Lambda's own lines as JSON objects, and each line filtered by its level)."""
    if json_format is not None:
        return _json_log(request_id, version, outcome, memory, json_format, started)
    body = outcome.log if not outcome.log or outcome.log.endswith("\n") else outcome.log + "\n"
    report = (
        f"REPORT RequestId: {request_id}\tDuration: {outcome.duration_ms:.2f} ms\t"
        f"Billed Duration: {_billed(outcome)} ms\tMemory Size: {memory} MB\t"
        f"Max Memory Used: {min(memory, 40)} MB\t"
    )
    if outcome.init_duration_ms is not None:
        report += f"Init Duration: {outcome.init_duration_ms:.2f} ms\t"
    return f"START RequestId: {request_id} Version: {version}\n{body}END RequestId: {request_id}\n{report}\n"


def _billed(outcome: runtime.Outcome) -> int:
    return max(1, math.ceil(outcome.duration_ms))


def _json_log(
    request_id: str,
    version: str,
    outcome: runtime.Outcome,
    memory: int,
    settings: JsonLogging,
    started: Optional[datetime.datetime],
) -> str:
    """The JSON format's log: ``platform.start``, the function's lines at ``ApplicationLogLevel``
    or above (a line that is no JSON object with a ``level`` counts as INFO), ``platform.runtimeDone``
    (DEBUG) and ``platform.report``, at ``SystemLogLevel`` or above."""
    started = started or datetime.datetime.now(datetime.timezone.utc)
    ended = started + datetime.timedelta(milliseconds=(outcome.init_duration_ms or 0.0) + outcome.duration_ms)
    status = _status(outcome)
    lines = [line for line in outcome.log.split("\n") if line and line_level(line) >= settings.application_level]
    if settings.system_level <= LEVELS["INFO"]:
        start = {"requestId": request_id, "functionArn": settings.function_arn, "version": version}
        lines.insert(0, _platform("platform.start", started, start))
    if settings.system_level <= LEVELS["DEBUG"]:
        metrics = {"durationMs": round(outcome.duration_ms, 3), "producedBytes": len(outcome.payload)}
        done = {"requestId": request_id, "status": status, "metrics": metrics}
        lines.append(_platform("platform.runtimeDone", ended, done))
    if settings.system_level <= LEVELS["INFO"]:
        report = {
            "durationMs": round(outcome.duration_ms, 3),
            "billedDurationMs": _billed(outcome),
            "memorySizeMB": memory,
            "maxMemoryUsedMB": min(memory, 40),
        }
        if outcome.init_duration_ms is not None:
            report["initDurationMs"] = round(outcome.init_duration_ms, 3)
        record = {"requestId": request_id, "metrics": report, "status": status}
        lines.append(_platform("platform.report", ended, record))
    return "".join(line + "\n" for line in lines)


def _status(outcome: runtime.Outcome) -> str:
    """The invocation's end as Lambda's system log reports it: success, timeout or error."""
    if outcome.function_error is None:
        return "success"
    try:
        timed_out = json.loads(outcome.payload).get("errorType") == "Sandbox.Timedout"
    except (ValueError, AttributeError):
        timed_out = False
    return "timeout" if timed_out else "error"


def _platform(kind: str, moment: datetime.datetime, record: dict) -> str:
    stamp = moment.astimezone(datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return json.dumps({"time": stamp, "type": kind, "record": record}, separators=(",", ":"))


@dataclass
class Invocation:
    """One invocation as the mock saw it."""

    function_name: str
    invoked_qualifier: Optional[str]
    executed_version: Optional[str]
    invocation_type: str
    payload: bytes
    response: Optional[bytes]
    function_error: Optional[str]
    request_id: str
    timestamp: datetime.datetime
    account_id: str
    region: str
    throttled: bool = False
    #: Who invoked it: account and principal, or the service with its source ARN and account.
    caller: Optional[Identity] = None
    #: The resource-policy statement (Sid) that let a cross-account caller or a service in.
    allowed_by: Optional[str] = None
    #: False while the handler is still running (the record is made when the invocation starts).
    completed: bool = False
    #: The TenantId the invocation carried (tenant isolation), else None.
    tenant_id: Optional[str] = None
    #: What the log is written from, once the run is over: most logs are never read, so the text
    #: is made on first reading.
    log_source: Union[tuple[str, Any, int, Optional[JsonLogging]], str, None] = field(
        default=None, repr=False, compare=False
    )
    #: What CloudWatch needs of the run (telemetry.py): (log group, the environment's log stream or
    #: None, runtime, duration ms, init duration ms on a cold start or None, concurrent executions,
    #: (requested provisioned concurrency, spilled over) or None).
    cloudwatch: Optional[tuple[Any, ...]] = field(default=None, repr=False, compare=False)

    @property
    def log(self) -> str:
        """The log Lambda writes for the invocation (START, the handler's output, END, REPORT)."""
        source = self.log_source
        if source is None:
            return ""
        if type(source) is str:
            return source
        text = log_text(self.request_id, *source, started=self.timestamp)
        self.log_source = text  # type: ignore[assignment]
        return text

    @property
    def ok(self) -> bool:
        return self.completed and not self.throttled and self.function_error is None

    def response_json(self) -> Any:
        return json.loads(self.response) if self.response else None


@dataclass(frozen=True)
class EnvironmentInfo:
    """One warm execution environment, as the handle lists it (``m.environments("fn")``)."""

    account_id: str
    region: str
    function_name: str
    version: str
    code_sha256: str
    #: The tenant the environment serves (tenant isolation), None for functions without isolation.
    tenant_id: Optional[str]
    log_stream_name: str
    #: The environment's own temporary directory (its ``/tmp``), so a test can look inside it.
    tmp_dir: Optional[str] = None


@dataclass
class InvokeState:
    """Invocation settings and records of one activation."""

    seed: Optional[int] = None
    routing_rng: random.Random = field(default_factory=lambda: random.Random(0))
    fault_rng: random.Random = field(default_factory=lambda: random.Random(0))
    #: (account, region, function, alias) -> versions the next invocations of the alias run.
    forced: dict[tuple[str, str, str, str], deque] = field(default_factory=dict)
    #: (account, region, function, version) -> the fault injected into that version.
    faults: dict[tuple[str, str, str, str], Fault] = field(default_factory=dict)
    #: (account, region, function, version or None for every version) -> a callable to run.
    handlers: dict[tuple[str, str, str, Optional[str]], Callable[[Any, Any], Any]] = field(default_factory=dict)
    default_response: Any = ECHO
    records: deque[Invocation] = field(default_factory=lambda: deque(maxlen=DEFAULT_MAX_RECORDS))
    #: Warm execution environments and extracted packages of this activation.
    sandbox: runtime.Sandbox = field(default_factory=runtime.Sandbox)
    #: How handlers run unless a function says otherwise: "in-process" or "process".
    isolation: str = "in-process"
    #: (account, region, function, version or None for every version) -> isolation mode.
    isolation_overrides: dict[tuple[str, str, str, Optional[str]], str] = field(default_factory=dict)
    #: Pushes each finished invocation to CloudWatch (moto's, integrations/cloudwatch.py), or None.
    sink: Any = None
    #: Log streams and emitted metrics of CloudWatch (telemetry.py), made on first use.
    telemetry: Any = None

    # -- controls -------------------------------------------------------------

    def reseed(self, seed: Optional[int]) -> None:
        """Seed routing and faults; without a seed, from fresh randomness."""
        self.seed = seed
        base = int.from_bytes(os.urandom(8), "big") if seed is None else seed
        self.routing_rng.seed(base)
        self.fault_rng.seed(base + 1)

    def limit_records(self, max_records: Optional[int]) -> None:
        """Keep at most ``max_records`` invocation records (None: all of them)."""
        self.records = deque(self.records, maxlen=max_records)

    def route_next(self, function: FunctionKey, alias: str, versions: tuple[str, ...]) -> None:
        self.forced.setdefault((*function, alias), deque()).extend(versions)

    def take_route(self, function: FunctionKey, alias: str) -> Optional[str]:
        """The next forced version of ``alias``, if one is queued."""
        queue = self.forced.get((*function, alias))
        return queue.popleft() if queue else None

    def register_handler(
        self, function: FunctionKey, version: Optional[str], handler: Callable[[Any, Any], Any]
    ) -> None:
        self.handlers[(*function, version)] = handler

    def handler_for(self, function: FunctionKey, version: str) -> Optional[Callable[[Any, Any], Any]]:
        return self.handlers.get((*function, version)) or self.handlers.get((*function, None))

    def set_isolation(self, function: FunctionKey, version: Optional[str], isolation: str) -> None:
        self.isolation_overrides[(*function, version)] = isolation

    def isolation_for(self, function: FunctionKey, version: str) -> str:
        overrides = self.isolation_overrides
        if overrides:
            found = overrides.get((*function, version)) or overrides.get((*function, None))
            if found:
                return found
        return self.isolation

    def inject_fault(self, function: FunctionKey, version: str, fault: Fault) -> None:
        self.faults[(*function, version)] = fault

    def fault_for(self, function: FunctionKey, version: str) -> Optional[Fault]:
        """The fault to apply to this invocation of ``version``, drawn at the fault's rate."""
        fault = self.faults.get((*function, version))
        if fault is not None and self.fault_rng.random() < fault.rate:
            return fault
        return None

    def clear_faults(self) -> None:
        self.faults.clear()

    # -- inspection -----------------------------------------------------------

    def invocations(
        self,
        function_name: Optional[str] = None,
        qualifier: Optional[str] = None,
        executed_version: Optional[str] = None,
        invocation_type: Optional[str] = None,
        tenant_id: Optional[str] = None,
    ) -> list[Invocation]:
        return [
            r
            for r in self.records
            if (function_name is None or r.function_name == function_name)
            and (qualifier is None or r.invoked_qualifier == qualifier)
            and (executed_version is None or r.executed_version == executed_version)
            and (invocation_type is None or r.invocation_type == invocation_type)
            and (tenant_id is None or r.tenant_id == tenant_id)
        ]

    def environment_infos(self) -> list[EnvironmentInfo]:
        return [
            EnvironmentInfo(
                *spec.owner,
                spec.function_name,
                spec.version,
                spec.code_sha256 or "",
                spec.tenant_id,
                environment.log_stream_name,
                environment.tmpdir,
            )
            for spec, environment in self.sandbox.warm()
        ]
