"""What Lambda writes to CloudWatch: each invocation's log events and its ``AWS/Lambda`` metrics.

Canary and rollback tooling reads CloudWatch, not ``X-Amz-Executed-Version``: an alarm on
``Errors`` with ``ExecutedVersion=<new version>``, a bot summing ``Invocations`` per version. Both
are built here from the invocation records (:mod:`.invocations`), which are already kept, lazily
and bounded: nothing is built per invoke unless a sink pushes it (moto's CloudWatch, while
``mock_aws`` is active: ``integrations/cloudwatch.py``), so invoking costs the same when nobody
reads them.

- **Logs** (F-CW-001): the group ``/aws/lambda/<function>`` or ``LoggingConfig.LogGroup``, one
  stream per execution environment (``YYYY/MM/DD/[<version>]<id>``, the environment's own name),
  and the invocation's log text (what ``LogResult`` carries) as one event per line, with
  ``INIT_START`` before it on a cold start; stamped with the mock's clock.
- **Metrics** (F-CW-002): ``Invocations``, ``Errors``, ``Duration`` and ``ConcurrentExecutions``
  for each invocation that ran, ``Throttles`` for each throttled one, under the dimension sets
  Lambda publishes: none, ``FunctionName``, ``FunctionName`` + ``Resource`` (``fn``, ``fn:alias``
  or ``fn:version`` as invoked) and, for a qualified invocation, ``+ ExecutedVersion``. Metrics
  that are not per invocation come through :func:`emit_metric`.
"""

from __future__ import annotations

import datetime
import json
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Optional

from . import lookup, runtimes
from .invocations import Invocation, InvokeState

if TYPE_CHECKING:
    from .store import Store

NAMESPACE = "AWS/Lambda"

Dimensions = tuple[tuple[str, str], ...]
_MS = datetime.timedelta(milliseconds=1)


@dataclass(frozen=True)
class LogEvent:
    """One CloudWatch Logs event Lambda wrote for an invocation."""

    account_id: str
    region: str
    log_group: str
    log_stream: str
    timestamp: datetime.datetime
    message: str
    function_name: str
    version: str
    request_id: str

    @property
    def timestamp_ms(self) -> int:
        """The event's time as CloudWatch Logs gives it: milliseconds since the epoch."""
        return int(self.timestamp.timestamp() * 1000)

    def to_json(self) -> dict[str, Any]:
        return {
            "account_id": self.account_id,
            "region": self.region,
            "log_group": self.log_group,
            "log_stream": self.log_stream,
            "timestamp": self.timestamp_ms,
            "message": self.message,
            "function_name": self.function_name,
            "version": self.version,
            "request_id": self.request_id,
        }


@dataclass(frozen=True)
class MetricDatum:
    """One data point Lambda publishes in the ``AWS/Lambda`` namespace."""

    metric_name: str
    value: float
    unit: str
    timestamp: datetime.datetime
    #: (name, value) pairs sorted by name; empty for the account-wide series.
    dimensions: Dimensions
    account_id: str
    region: str
    namespace: str = NAMESPACE

    @property
    def dimension_map(self) -> dict[str, str]:
        return dict(self.dimensions)

    def to_json(self) -> dict[str, Any]:
        return {
            "namespace": self.namespace,
            "metric_name": self.metric_name,
            "value": self.value,
            "unit": self.unit,
            "timestamp": self.timestamp.isoformat(),
            "dimensions": self.dimension_map,
            "account_id": self.account_id,
            "region": self.region,
        }


class Telemetry:
    """What one activation keeps beside the records: the log streams of invocations no environment
    ran (a fault, code that cannot run here) and the metrics :func:`emit_metric` published."""

    def __init__(self, max_points: Optional[int]) -> None:
        self.streams: dict[tuple[str, str, str, str], str] = {}
        #: Invocations running now, per (account, region, function).
        self.running: dict[tuple[str, str, str], int] = {}
        #: Running invocations that provisioned concurrency concerns (by ``id``): (its requested
        #: concurrency, whether this one spilled over to standard concurrency).
        self.provisioned: dict[int, tuple[int, bool]] = {}
        self.points: deque[MetricDatum] = deque(maxlen=max_points)


def telemetry_of(state: InvokeState) -> Telemetry:
    """The activation's telemetry, made on first use (call with the store lock held)."""
    found = state.telemetry
    if found is None:
        found = state.telemetry = Telemetry(state.records.maxlen)
    return found


def started(state: InvokeState, entry: Invocation, function: Any = None) -> None:
    """Called by invoke (store lock held) as an invocation is recorded: one more running; and
    whether provisioned concurrency (of the invoked alias or the version) serves it or it spills
    over, when the function has some."""
    telemetry = state.telemetry or telemetry_of(state)
    key = (entry.account_id, entry.region, entry.function_name)
    count = telemetry.running[key] = telemetry.running.get(key, 0) + 1
    provisioned = getattr(function, "provisioned", None)
    if provisioned:
        config = provisioned.get(entry.invoked_qualifier or "") or provisioned.get(entry.executed_version or "")
        if config is not None:
            telemetry.provisioned[id(entry)] = (config.requested, count > config.requested)


def finished(
    state: InvokeState,
    entry: Invocation,
    config: Optional[dict] = None,
    environment: Any = None,
    outcome: Any = None,
) -> None:
    """Called by invoke (store lock held) as an invocation ends, is throttled or its run failed:
    keeps what its CloudWatch record needs (``Invocation.cloudwatch``, with how many invocations
    of the function were running as it ended, itself included: its ConcurrentExecutions) and
    hands it to the sink, if any."""
    telemetry = state.telemetry or telemetry_of(state)
    key = (entry.account_id, entry.region, entry.function_name)
    concurrency = telemetry.running.get(key, 1)
    telemetry.running[key] = concurrency - 1
    provisioned = telemetry.provisioned.pop(id(entry), None) if telemetry.provisioned else None
    if outcome is not None and config is not None:
        group = (config.get("LoggingConfig") or {}).get("LogGroup") or f"/aws/lambda/{entry.function_name}"
        stream = None if environment is None else environment.log_stream_name
        runtime = config.get("Runtime")
        timing = (outcome.duration_ms, outcome.init_duration_ms)
        entry.cloudwatch = (group, stream, runtime, *timing, concurrency, provisioned)
    if state.sink is not None and entry.completed:
        state.sink.invocation(entry)


# -- logs ---------------------------------------------------------------------


def _stream_of(state: InvokeState, entry: Invocation, stream: Optional[str]) -> str:
    """The environment's stream; for an invocation no environment ran, one stream per version."""
    if stream is not None:
        return stream
    version = entry.executed_version or "$LATEST"
    key = (entry.account_id, entry.region, entry.function_name, version)
    streams = telemetry_of(state).streams
    if key not in streams:
        day = entry.timestamp
        streams[key] = f"{day.year:04d}/{day.month:02d}/{day.day:02d}/[{version}]{entry.request_id.replace('-', '')}"
    return streams[key]


def _init_start(entry: Invocation, runtime: Optional[str], json_format: bool) -> Optional[str]:
    """Lambda's ``INIT_START`` line of a cold start (``platform.initStart`` in the JSON format)."""
    if not runtime or not runtime.startswith("python"):
        return None
    arn = runtimes.runtime_version_arn(entry.region, runtime)
    version = f"python:{runtime[len('python') :]}.v{int(arn[-4:], 16) % 90 + 10}"
    if not json_format:
        return f"INIT_START Runtime Version: {version}\tRuntime Version ARN: {arn}\n"
    record = {
        "initializationType": "on-demand",
        "phase": "init",
        "runtimeVersion": version,
        "runtimeVersionArn": arn,
        "functionName": entry.function_name,
        "functionVersion": entry.executed_version,
    }
    stamp = entry.timestamp.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return json.dumps({"time": stamp, "type": "platform.initStart", "record": record}, separators=(",", ":"))


_CLOSING = ("END RequestId:", "REPORT RequestId:")
_CLOSING_JSON = ('"type":"platform.runtimeDone"', '"type":"platform.report"')


def log_events(state: InvokeState, entry: Invocation) -> list[LogEvent]:
    """The events an invocation wrote: its log text (as ``LogResult`` has it), one event per line.

    Lambda's closing lines (``END``, ``REPORT``, ``platform.report``) are stamped when the run
    ended, the others when it started, on the mock's clock.
    """
    facts = entry.cloudwatch
    if facts is None or not entry.completed or entry.throttled:
        return []
    group, stream, runtime, duration_ms, init_ms = facts[:5]
    stream = _stream_of(state, entry, stream)
    text = entry.log
    json_format = not text.startswith("START RequestId:")
    begun = entry.timestamp
    ended = begun + _MS * ((init_ms or 0.0) + duration_ms)
    lines = [line for line in text.split("\n") if line]
    if init_ms is not None and (not json_format or '"type":"platform.start"' in text):
        first = _init_start(entry, runtime, json_format)
        if first is not None:
            lines.insert(0, first.rstrip("\n"))
    version = entry.executed_version or "$LATEST"
    events = []
    for line in lines:
        closing = line.startswith(_CLOSING) or (json_format and any(kind in line for kind in _CLOSING_JSON))
        message = line if json_format else line + "\n"
        events.append(
            LogEvent(
                entry.account_id,
                entry.region,
                group,
                stream,
                ended if closing else begun,
                message,
                entry.function_name,
                version,
                entry.request_id,
            )
        )
    return events


# -- metrics ------------------------------------------------------------------


def dimension_sets(function_name: str, qualifier: Optional[str], executed_version: Optional[str]) -> list[Dimensions]:
    """The dimension sets Lambda publishes a data point under: none, the function, the resource
    as invoked, and for a version or alias the version that ran."""
    resource = function_name if qualifier is None else f"{function_name}:{qualifier}"
    named = (("FunctionName", function_name),)
    sets = [(), named, (*named, ("Resource", resource))]
    if qualifier is not None and executed_version is not None:
        sets.append((("ExecutedVersion", executed_version), *named, ("Resource", resource)))
    return sets


def invocation_metrics(entry: Invocation) -> list[MetricDatum]:
    """The data points of one finished invocation."""
    if not entry.completed:
        return []
    if entry.throttled:
        values = [("Throttles", 1.0, "Count")]
    else:
        facts = entry.cloudwatch
        duration, concurrency = (facts[3], facts[5]) if facts is not None else (0.0, 1)
        values = [
            ("Invocations", 1.0, "Count"),
            ("Errors", 1.0 if entry.function_error else 0.0, "Count"),
            ("Duration", round(duration, 2), "Milliseconds"),
            ("ConcurrentExecutions", float(concurrency), "Count"),
        ]
        if facts is not None and facts[6] is not None:
            values.extend(_provisioned_values(concurrency, *facts[6]))
    sets = dimension_sets(entry.function_name, entry.invoked_qualifier, entry.executed_version)
    return [
        MetricDatum(name, value, unit, entry.timestamp, dimensions, entry.account_id, entry.region)
        for name, value, unit in values
        for dimensions in sets
    ]


def _provisioned_values(concurrency: int, requested: int, spilled: bool) -> list[tuple[str, float, str]]:
    """An invocation served by provisioned concurrency, or one that spilled over beyond it."""
    if spilled:
        return [("ProvisionedConcurrencySpilloverInvocations", 1.0, "Count")]
    busy = float(min(concurrency, requested))
    return [
        ("ProvisionedConcurrencyInvocations", 1.0, "Count"),
        ("ProvisionedConcurrentExecutions", busy, "Count"),
        ("ProvisionedConcurrencyUtilization", busy / requested, "None"),
    ]


def all_metrics(state: InvokeState) -> list[MetricDatum]:
    """Every data point of the kept records and of :func:`emit_metric`, oldest first."""
    out: list[MetricDatum] = []
    for entry in list(state.records):
        if entry.completed:
            out.extend(invocation_metrics(entry))
    if state.telemetry is not None:
        out.extend(state.telemetry.points)
    out.sort(key=lambda d: d.timestamp)
    return out


def emit_metric(
    store: Store,
    account_id: str,
    region: str,
    function_name: str,
    metric_name: str,
    value: float,
    *,
    unit: str = "Count",
    qualifier: Optional[str] = None,
    executed_version: Optional[str] = None,
    timestamp: Optional[datetime.datetime] = None,
) -> list[MetricDatum]:
    """Publish a metric that is not per invocation, as Lambda does, under its dimension sets.

    For ``DeadLetterErrors`` and ``DestinationDeliveryFailures`` (value 1 per event that could not
    be delivered; ``qualifier`` as invoked, ``executed_version`` the version that ran) and
    ``IteratorAge`` (``unit="Milliseconds"``: the age of the last record of a batch). Stamped with
    the mock's clock unless ``timestamp`` is given; pushed to moto's CloudWatch when it is active.
    Takes the store lock (re-entrant: callers may hold it).
    """
    moment = timestamp or store.clock.now()
    points = [
        MetricDatum(metric_name, float(value), unit, moment, dimensions, account_id, region)
        for dimensions in dimension_sets(function_name, qualifier, executed_version)
    ]
    with store.lock:
        state = store.invoke
        telemetry_of(state).points.extend(points)
        if state.sink is not None:
            state.sink.metrics(points)
    return points


# -- the handle's controls -------------------------------------------------------


def _matches(datum: MetricDatum, metric_name: Optional[str], function_name: Optional[str], wanted: Any) -> bool:
    return (
        metric_name in (None, datum.metric_name)
        and (function_name is None or ("FunctionName", function_name) in datum.dimensions)
        and (wanted is None or datum.dimensions == wanted)
    )


class TelemetryControls:
    """Mixed into the mock's handle, which owns ``store`` and the scope helpers of ``Controls``."""

    store: Store
    _scope: Callable[[Optional[str], Optional[str]], lookup.Scope]

    def logs(
        self,
        function_name: Optional[str] = None,
        *,
        version: Optional[str] = None,
        log_group: Optional[str] = None,
        log_stream: Optional[str] = None,
        account_id: Optional[str] = None,
        region: Optional[str] = None,
    ) -> list[LogEvent]:
        """The CloudWatch Logs events Lambda wrote, oldest invocation first: the same events moto's
        ``get_log_events`` answers while ``mock_aws`` is active. Narrowed by the function, the
        version that ran, the group and the stream; an unknown function or version raises
        :class:`NotFound` when nothing matches."""
        scope = self._scope(account_id, region)
        with self.store.lock:
            state = self.store.invoke
            records = [
                r
                for r in state.records
                if scope.covers(r.account_id, r.region)
                and function_name in (None, r.function_name)
                and version in (None, r.executed_version)
            ]
            found = [
                e
                for r in records
                for e in log_events(state, r)
                if log_group in (None, e.log_group) and log_stream in (None, e.log_stream)
            ]
            if not found:
                seen = [(r.function_name, None, r.executed_version) for r in state.records]
                lookup.refuse_unknown(self.store.backends(), scope, function_name, seen, None, version)
        return found

    def metrics(
        self,
        metric_name: Optional[str] = None,
        *,
        function_name: Optional[str] = None,
        dimensions: Optional[dict[str, str]] = None,
        account_id: Optional[str] = None,
        region: Optional[str] = None,
    ) -> list[MetricDatum]:
        """The ``AWS/Lambda`` data points Lambda published, oldest first: the same data moto's
        CloudWatch holds while ``mock_aws`` is active. ``dimensions`` matches one series exactly,
        as ``GetMetricStatistics`` does (``{}``: the account-wide series); ``function_name`` takes
        every series that names the function."""
        wanted = None if dimensions is None else tuple(sorted(dimensions.items()))
        scope = self._scope(account_id, region)
        with self.store.lock:
            state = self.store.invoke
            data = all_metrics(state)
            found = [
                d
                for d in data
                if scope.covers(d.account_id, d.region) and _matches(d, metric_name, function_name, wanted)
            ]
            if not found and function_name is not None:
                seen = [(r.function_name, None, None) for r in state.records]
                lookup.refuse_unknown(self.store.backends(), scope, function_name, seen)
        return found


def recursion_dropped(
    store: Store,
    account_id: str,
    region: str,
    function_name: str,
    qualifier: Optional[str],
    executed_version: Optional[str],
) -> None:
    """Loop detection stopped an invocation (asynchronous, synchronous or an SQS batch's): each
    counts 1 in ``RecursiveInvocationsDropped`` (developer guide, "Types of metrics for Lambda
    functions")."""
    emit_metric(
        store,
        account_id,
        region,
        function_name,
        "RecursiveInvocationsDropped",
        1,
        qualifier=qualifier,
        executed_version=executed_version,
    )
