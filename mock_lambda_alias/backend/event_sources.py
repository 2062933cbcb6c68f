"""Event source mappings. A mapping whose FunctionName is an alias ARN keeps that ARN: it is not
resolved to a version, which is what lets an alias be promoted without touching the mapping.

States follow AWS: a create answers ``Creating``, an update ``Updating``/``Enabling``/
``Disabling``, a delete ``Deleting``; later reads see ``Enabled`` or ``Disabled``. Mappings
outlive their function (AWS keeps them until they are deleted).
"""

from __future__ import annotations

import datetime
from typing import Any, Optional

from .. import arns
from ..errors import InvalidParameterValue, ResourceNotFound
from . import event_filters, paging
from .addressing import split_name
from .call import Call
from .ids import new_uuid
from .model import LATEST, refuse_with_tenant_isolation

_NOT_FOUND = "The resource you requested does not exist."
_STREAMS = ("kinesis", "dynamodb", "kafka")
_UPDATABLE = (
    "BatchSize",
    "FilterCriteria",
    "MaximumBatchingWindowInSeconds",
    "DestinationConfig",
    "MaximumRecordAgeInSeconds",
    "BisectBatchOnFunctionError",
    "MaximumRetryAttempts",
    "ParallelizationFactor",
    "SourceAccessConfigurations",
    "TumblingWindowInSeconds",
    "FunctionResponseTypes",
    "ScalingConfig",
    "MetricsConfig",
    "ProvisionedPollerConfig",
    "KMSKeyArn",
    "DocumentDBEventSourceConfig",
    "LoggingConfig",
    "AmazonManagedKafkaEventSourceConfig",
    "SelfManagedKafkaEventSourceConfig",
)
#: Members a create stores as given and every read reports (AWS echoes them).
_KEPT_AS_GIVEN = (
    "FilterCriteria",
    "ScalingConfig",
    "SourceAccessConfigurations",
    "Topics",
    "Queues",
    "KMSKeyArn",
    "SelfManagedEventSource",
    "SelfManagedKafkaEventSourceConfig",
    "AmazonManagedKafkaEventSourceConfig",
    "DocumentDBEventSourceConfig",
    "MetricsConfig",
    "ProvisionedPollerConfig",
    "LoggingConfig",
)


def _service(event_source_arn: str) -> str:
    parts = event_source_arn.split(":")
    return parts[2] if len(parts) > 2 else ""


def _function_arn(call: Call, function_name: str) -> str:
    """The FunctionArn a mapping stores: the qualifier as given, never resolved."""
    call, name, qualifier = split_name(call, function_name)
    function = call.backend.functions.get(name)
    if function is None or (
        qualifier is not None
        and qualifier != LATEST
        and qualifier not in function.versions
        and qualifier not in function.aliases
    ):
        raise InvalidParameterValue("Function does not exist")
    # Tenant-isolated functions take only invocations that carry a tenant id, which no mapping sends.
    refuse_with_tenant_isolation(function.latest.config, "Event source mapping")
    return arns.function_arn(call.region, call.account_id, name, qualifier)


def _settle(mapping: dict[str, Any]) -> None:
    mapping["State"] = "Enabled" if mapping.pop("_enabled", True) else "Disabled"


def _tell(call: Call, mapping_id: str) -> None:
    """Let the pollers know (they read the source from now on, or stop)."""
    listener = call.store.mapping_listener
    if listener is not None:
        listener(call.account_id, call.region, mapping_id)


def _view(mapping: dict[str, Any], state: Optional[str] = None) -> dict[str, Any]:
    out = {k: v for k, v in mapping.items() if not k.startswith("_")}
    if state is not None:
        out["State"] = state
    return out


def create_event_source_mapping(call: Call, req: dict) -> dict:
    source = req.get("EventSourceArn")
    if not source:
        raise InvalidParameterValue("Unrecognized event source.")
    function_arn = _function_arn(call, req["FunctionName"])
    event_filters.parse_criteria(req.get("FilterCriteria"))
    service = _service(source)
    stream = service in _STREAMS
    if stream and not req.get("StartingPosition"):
        raise InvalidParameterValue(
            "1 validation error detected: Value null at 'startingPosition' failed to satisfy constraint: "
            "Member must not be null."
        )
    if service == "dynamodb" and req.get("StartingPosition") == "AT_TIMESTAMP":
        raise InvalidParameterValue(f"Unsupported starting position for arn type: {source}")
    if service == "sqs" and req.get("DestinationConfig"):
        raise InvalidParameterValue("Unsupported DestinationConfig parameter for given event source mapping type.")
    batch_size = req.get("BatchSize") or (10 if service == "sqs" else 100)
    window = req.get("MaximumBatchingWindowInSeconds", 0)
    if service == "sqs" and batch_size > 10 and not window:
        raise InvalidParameterValue(
            "Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10"
        )
    mapping_id = new_uuid()
    mapping: dict[str, Any] = {
        "UUID": mapping_id,
        "BatchSize": batch_size,
        "MaximumBatchingWindowInSeconds": window,
        "EventSourceArn": source,
        "FunctionArn": function_arn,
        "LastModified": datetime.datetime.now(datetime.timezone.utc),
        "State": "Enabled",
        "StateTransitionReason": "USER_INITIATED" if service == "sqs" else "User action",
        "FunctionResponseTypes": list(req.get("FunctionResponseTypes") or []),
        "EventSourceMappingArn": (
            f"arn:{arns.partition_for(call.region)}:lambda:{call.region}:{call.account_id}:"
            f"event-source-mapping:{mapping_id}"
        ),
        "_enabled": req.get("Enabled", True),
    }
    if stream:
        mapping.update(
            {
                "StartingPosition": req["StartingPosition"],
                "ParallelizationFactor": req.get("ParallelizationFactor", 1),
                "DestinationConfig": req.get("DestinationConfig") or {"OnFailure": {}},
                "MaximumRecordAgeInSeconds": req.get("MaximumRecordAgeInSeconds", -1),
                "BisectBatchOnFunctionError": req.get("BisectBatchOnFunctionError", False),
                "MaximumRetryAttempts": req.get("MaximumRetryAttempts", -1),
                "TumblingWindowInSeconds": req.get("TumblingWindowInSeconds", 0),
                "LastProcessingResult": "No records processed",
            }
        )
        if req.get("StartingPositionTimestamp") is not None:
            mapping["StartingPositionTimestamp"] = req["StartingPositionTimestamp"]
    if req.get("Tags"):
        mapping["_tags"] = dict(req["Tags"])
    for key in _KEPT_AS_GIVEN:
        if req.get(key) is not None:
            mapping[key] = req[key]
    call.backend.event_source_mappings[mapping_id] = mapping
    response = _view(mapping, "Creating")
    _settle(mapping)
    _tell(call, mapping_id)
    return response


def _mapping_or_404(call: Call, mapping_id: str) -> dict[str, Any]:
    mapping = call.backend.event_source_mappings.get(mapping_id)
    if mapping is None:
        raise ResourceNotFound(_NOT_FOUND)
    return mapping


def get_event_source_mapping(call: Call, req: dict) -> dict:
    return _view(_mapping_or_404(call, req["UUID"]))


def update_event_source_mapping(call: Call, req: dict) -> dict:
    mapping = _mapping_or_404(call, req["UUID"])
    if req.get("FunctionName"):
        mapping["FunctionArn"] = _function_arn(call, req["FunctionName"])
    if "FilterCriteria" in req:
        event_filters.parse_criteria(req["FilterCriteria"])
    for key in _UPDATABLE:
        if key in req:
            mapping[key] = req[key]
    transition = "Updating"
    if "Enabled" in req:
        was_enabled = mapping["State"] == "Enabled"
        mapping["_enabled"] = bool(req["Enabled"])
        if mapping["_enabled"] != was_enabled:
            transition = "Enabling" if mapping["_enabled"] else "Disabling"
    else:
        mapping["_enabled"] = mapping["State"] == "Enabled"
    mapping["LastModified"] = datetime.datetime.now(datetime.timezone.utc)
    response = _view(mapping, transition)
    _settle(mapping)
    _tell(call, req["UUID"])
    return response


def delete_event_source_mapping(call: Call, req: dict) -> dict:
    mapping = _mapping_or_404(call, req["UUID"])
    del call.backend.event_source_mappings[req["UUID"]]
    _tell(call, req["UUID"])
    return _view(mapping, "Deleting")


def list_event_source_mappings(call: Call, req: dict) -> dict:
    wanted_function: Optional[str] = None
    if req.get("FunctionName"):
        lookup, name, qualifier = split_name(call, req["FunctionName"])
        wanted_function = arns.function_arn(lookup.region, lookup.account_id, name, qualifier)
    wanted_source = req.get("EventSourceArn")
    mappings = [
        m
        for m in call.backend.event_source_mappings.values()
        if (wanted_function is None or m["FunctionArn"] == wanted_function)
        and (wanted_source is None or m["EventSourceArn"] == wanted_source)
    ]
    chunk, next_marker = paging.page_in_order(mappings, req.get("Marker"), req.get("MaxItems"))
    out: dict[str, Any] = {"EventSourceMappings": [_view(m) for m in chunk]}
    if next_marker is not None:
        out["NextMarker"] = next_marker
    return out
