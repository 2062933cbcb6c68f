"""Lambda's logs and metrics in moto's CloudWatch Logs and CloudWatch, while ``mock_aws`` is active.

As an invocation ends (or is throttled), the :class:`MotoSink` of the activation writes its log
events (:mod:`..backend.telemetry`) into moto's CloudWatch Logs of the function's account and
region, the group and the environment's stream created as Lambda creates them. Its ``AWS/Lambda``
data points are queued and written into moto's CloudWatch the moment anything reads it: every
read (``GetMetricStatistics``, ``GetMetricData``, ``ListMetrics``) adds up
``CloudWatchBackend.get_all_metrics``, which writes them first while a mock is active. So a test
reading right after an invoke sees them, and an invoke does not pay for building them. Without an
active ``mock_aws`` the sink returns at once; ``m.logs()`` / ``m.metrics()`` answer from the
records when read.

moto matches ``GetMetricStatistics``' dimensions as a subset (a query for ``FunctionName`` would
also add up the ``Resource`` and ``ExecutedVersion`` series, and one with no dimensions every
series); CloudWatch matches them exactly. While a mock is active, moto's
``CloudWatchBackend.get_metric_statistics`` takes the ``AWS/Lambda`` data points we wrote by
their exact dimension set, and is restored when the last mock stops. Other namespaces are left as
moto has them. moto stores alarms but never evaluates them: read the alarm's metric instead
(``docs/guide/cloudwatch.md``).
"""

from __future__ import annotations

import datetime
import threading
from typing import Any

from ..backend.invocations import Invocation
from ..backend.store import Store
from ..backend.telemetry import (
    NAMESPACE,
    LogEvent,
    MetricDatum,
    invocation_metrics,
    log_events,
)
from .moto_patches import moto_active

#: The moto names patched while a mock is active, with what they held before.
_patched: list[tuple[Any, str, Any]] = []
#: moto's ``MetricDatum`` with the exact dimension set kept (made once moto is loaded).
_datum_class: Any = None
#: Data points not yet in moto's CloudWatch: invocations, or lists of emitted points.
_queued: list[Any] = []
_queue_lock = threading.Lock()
#: The exact dimension set a ``GetMetricStatistics`` of ``AWS/Lambda`` asks for, per thread.
_wanted = threading.local()


class MotoSink:
    """Pushes one activation's invocations and emitted metrics into moto, when it is active."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def invocation(self, entry: Invocation) -> None:
        if not moto_active():
            return
        state = self.store.invoke
        write_logs(log_events(state, entry))
        _queue(entry)

    def metrics(self, points: list[MetricDatum]) -> None:
        if moto_active():
            _queue(points)


def _queue(item: Any) -> None:
    if not _patched:  # again after each last stop
        _patch()
    with _queue_lock:
        _queued.append(item)


def flush() -> None:
    """Write the queued data points into moto's CloudWatch (moto is reading it)."""
    if not _queued:
        return
    with _queue_lock:
        items = _queued[:]
        del _queued[:]
    for item in items:
        write_metrics(item if isinstance(item, list) else invocation_metrics(item))


def write_logs(events: list[LogEvent]) -> None:
    """Events into moto's CloudWatch Logs, their group and stream made first if need be."""
    if not events:
        return
    from moto.logs.models import logs_backends

    first = events[0]
    backend = logs_backends[first.account_id][first.region]
    group = backend.groups.get(first.log_group)
    if group is None:
        group = backend.create_log_group(first.log_group, {})
    if first.log_stream not in group.streams:
        group.create_log_stream(first.log_stream)
    # The stream itself, not the backend's PutLogEvents: the mock's clock may be far from moto's,
    # whose 14-day / 2-hour window would reject what Lambda wrote.
    group.streams[first.log_stream].put_log_events(
        [{"timestamp": event.timestamp_ms, "message": event.message} for event in events]
    )


def write_metrics(points: list[MetricDatum]) -> None:
    """Data points into moto's CloudWatch (moto keeps naive UTC times)."""
    if not points:
        return
    from moto.cloudwatch.models import cloudwatch_backends

    datum = _lambda_datum()
    backend = cloudwatch_backends[points[0].account_id][points[0].region]
    for point in points:
        moment = point.timestamp.astimezone(datetime.timezone.utc).replace(tzinfo=None)
        dimensions = [{"Name": name, "Value": value} for name, value in point.dimensions]
        made = datum(point.namespace, point.metric_name, point.value, dimensions, moment, point.unit)
        made.exact = tuple(sorted(point.dimensions))
        backend.metric_data.append(made)


def _lambda_datum() -> Any:
    """moto's MetricDatum, marked as one of ours (matched by its exact dimension set)."""
    global _datum_class
    if _datum_class is None:
        from moto.cloudwatch.models import MetricDatum as MotoDatum

        class LambdaDatum(MotoDatum):  # type: ignore[misc,valid-type]
            exact: tuple[tuple[str, str], ...] = ()

        _datum_class = LambdaDatum
    return _datum_class


def _flushing(original: Any) -> Any:
    """``get_all_metrics`` (what every read of moto's CloudWatch adds up): our queued points are
    written first, and an ``AWS/Lambda`` statistics query keeps ours of exactly its dimensions."""

    def get_all_metrics(self: Any) -> Any:
        flush()
        metrics = original(self)
        wanted = getattr(_wanted, "dimensions", None)
        if wanted is None:
            return metrics
        ours = _lambda_datum()
        return [md for md in metrics if not isinstance(md, ours) or md.exact == wanted]

    get_all_metrics.__wrapped__ = original  # type: ignore[attr-defined]
    return get_all_metrics


def _exact(original: Any) -> Any:
    def get_metric_statistics(self: Any, namespace: str, *args: Any, **kwargs: Any) -> Any:
        if namespace != NAMESPACE:
            return original(self, namespace, *args, **kwargs)
        dimensions = kwargs["dimensions"] if "dimensions" in kwargs else args[5] if len(args) > 5 else None
        _wanted.dimensions = tuple(sorted((d["Name"], d.get("Value")) for d in dimensions or []))
        try:
            return original(self, namespace, *args, **kwargs)
        finally:
            _wanted.dimensions = None

    get_metric_statistics.__wrapped__ = original  # type: ignore[attr-defined]
    return get_metric_statistics


def _patch() -> None:
    if _patched:
        return
    from moto.cloudwatch.models import CloudWatchBackend

    for name, wrap in (("get_all_metrics", _flushing), ("get_metric_statistics", _exact)):
        original = CloudWatchBackend.__dict__[name]
        _patched.append((CloudWatchBackend, name, original))
        setattr(CloudWatchBackend, name, wrap(original))


def unpatch() -> None:
    """Give moto its own ``get_metric_statistics`` back and drop what was not read (the last mock
    stopped: the next ``mock_aws`` starts empty)."""
    with _queue_lock:
        del _queued[:]
    while _patched:
        owner, name, original = _patched.pop()
        setattr(owner, name, original)
