"""Which backend function answers which Lambda operation: one table, at the top of the backend.

The wire layer looks an operation up here by the name botocore's event carries; an operation with
no entry answers ``UnknownOperationException`` naming it. Each family module below defines plain
functions ``(call, request) -> response`` and knows nothing of this table.
"""

from __future__ import annotations

from typing import Callable, Optional

from . import (
    aliases,
    capacity_providers,
    code_signing,
    concurrency,
    event_invoke,
    event_sources,
    function_settings,
    functions,
    invoke,
    layers,
    policies,
    tags,
    urls,
    versions,
)
from .call import Call
from .durable import operations as durable_ops

Handler = Callable[[Call, dict], Optional[dict]]

HANDLERS: dict[str, Handler] = {
    "AddLayerVersionPermission": layers.add_layer_version_permission,
    "AddPermission": policies.add_permission,
    "CheckpointDurableExecution": durable_ops.checkpoint_durable_execution,
    "CreateAlias": aliases.create_alias,
    "CreateCapacityProvider": capacity_providers.create_capacity_provider,
    "CreateCodeSigningConfig": code_signing.create_code_signing_config,
    "CreateEventSourceMapping": event_sources.create_event_source_mapping,
    "CreateFunction": functions.create_function,
    "CreateFunctionUrlConfig": urls.create_function_url_config,
    "DeleteAlias": aliases.delete_alias,
    "DeleteDurableExecution": durable_ops.delete_durable_execution,
    "DeleteCapacityProvider": capacity_providers.delete_capacity_provider,
    "DeleteCodeSigningConfig": code_signing.delete_code_signing_config,
    "DeleteEventSourceMapping": event_sources.delete_event_source_mapping,
    "DeleteFunction": functions.delete_function,
    "DeleteFunctionCodeSigningConfig": code_signing.delete_function_code_signing_config,
    "DeleteFunctionConcurrency": concurrency.delete_function_concurrency,
    "DeleteFunctionEventInvokeConfig": event_invoke.delete_function_event_invoke_config,
    "DeleteFunctionUrlConfig": urls.delete_function_url_config,
    "DeleteLayerVersion": layers.delete_layer_version,
    "DeleteProvisionedConcurrencyConfig": concurrency.delete_provisioned_concurrency_config,
    "DeleteResourcePolicy": policies.delete_resource_policy,
    "GetAccountSettings": concurrency.get_account_settings,
    "GetAlias": aliases.get_alias,
    "GetCapacityProvider": capacity_providers.get_capacity_provider,
    "GetCodeSigningConfig": code_signing.get_code_signing_config,
    "GetDurableExecution": durable_ops.get_durable_execution,
    "GetDurableExecutionHistory": durable_ops.get_durable_execution_history,
    "GetDurableExecutionState": durable_ops.get_durable_execution_state,
    "GetEventSourceMapping": event_sources.get_event_source_mapping,
    "GetFunction": functions.get_function,
    "GetFunctionCodeSigningConfig": code_signing.get_function_code_signing_config,
    "GetFunctionConcurrency": concurrency.get_function_concurrency,
    "GetFunctionConfiguration": functions.get_function_configuration,
    "GetFunctionEventInvokeConfig": event_invoke.get_function_event_invoke_config,
    "GetFunctionRecursionConfig": function_settings.get_function_recursion_config,
    "GetFunctionScalingConfig": function_settings.get_function_scaling_config,
    "GetFunctionUrlConfig": urls.get_function_url_config,
    "GetLayerVersion": layers.get_layer_version,
    "GetLayerVersionByArn": layers.get_layer_version_by_arn,
    "GetLayerVersionPolicy": layers.get_layer_version_policy,
    "GetPolicy": policies.get_policy,
    "GetProvisionedConcurrencyConfig": concurrency.get_provisioned_concurrency_config,
    "GetResourcePolicy": policies.get_resource_policy,
    "GetRuntimeManagementConfig": function_settings.get_runtime_management_config,
    "Invoke": invoke.invoke,
    "InvokeAsync": invoke.invoke_async,
    "InvokeWithResponseStream": invoke.invoke_with_response_stream,
    "ListAliases": aliases.list_aliases,
    "ListCapacityProviders": capacity_providers.list_capacity_providers,
    "ListCodeSigningConfigs": code_signing.list_code_signing_configs,
    "ListDurableExecutionsByFunction": durable_ops.list_durable_executions_by_function,
    "ListEventSourceMappings": event_sources.list_event_source_mappings,
    "ListFunctionEventInvokeConfigs": event_invoke.list_function_event_invoke_configs,
    "ListFunctionUrlConfigs": urls.list_function_url_configs,
    "ListFunctionVersionsByCapacityProvider": capacity_providers.list_function_versions_by_capacity_provider,
    "ListFunctions": functions.list_functions,
    "ListFunctionsByCodeSigningConfig": code_signing.list_functions_by_code_signing_config,
    "ListLayerVersions": layers.list_layer_versions,
    "ListLayers": layers.list_layers,
    "ListProvisionedConcurrencyConfigs": concurrency.list_provisioned_concurrency_configs,
    "ListTags": tags.list_tags,
    "ListVersionsByFunction": versions.list_versions_by_function,
    "PauseDurableExecution": durable_ops.pause_durable_execution,
    "PublishLayerVersion": layers.publish_layer_version,
    "PublishVersion": versions.publish_version,
    "PutFunctionCodeSigningConfig": code_signing.put_function_code_signing_config,
    "PutFunctionConcurrency": concurrency.put_function_concurrency,
    "PutFunctionEventInvokeConfig": event_invoke.put_function_event_invoke_config,
    "PutFunctionRecursionConfig": function_settings.put_function_recursion_config,
    "PutFunctionScalingConfig": function_settings.put_function_scaling_config,
    "PutProvisionedConcurrencyConfig": concurrency.put_provisioned_concurrency_config,
    "PutResourcePolicy": policies.put_resource_policy,
    "PutRuntimeManagementConfig": function_settings.put_runtime_management_config,
    "RemoveLayerVersionPermission": layers.remove_layer_version_permission,
    "RemovePermission": policies.remove_permission,
    "ResumeDurableExecution": durable_ops.resume_durable_execution,
    "SendDurableExecutionCallbackFailure": durable_ops.send_durable_execution_callback_failure,
    "SendDurableExecutionCallbackHeartbeat": durable_ops.send_durable_execution_callback_heartbeat,
    "SendDurableExecutionCallbackSuccess": durable_ops.send_durable_execution_callback_success,
    "StopDurableExecution": durable_ops.stop_durable_execution,
    "TagResource": tags.tag_resource,
    "UntagResource": tags.untag_resource,
    "UpdateAlias": aliases.update_alias,
    "UpdateCapacityProvider": capacity_providers.update_capacity_provider,
    "UpdateCodeSigningConfig": code_signing.update_code_signing_config,
    "UpdateEventSourceMapping": event_sources.update_event_source_mapping,
    "UpdateFunctionCode": functions.update_function_code,
    "UpdateFunctionConfiguration": functions.update_function_configuration,
    "UpdateFunctionEventInvokeConfig": event_invoke.update_function_event_invoke_config,
    "UpdateFunctionUrlConfig": urls.update_function_url_config,
}

#: Operations that run users' code: they take the store lock themselves, only around reading and
#: recording state. The dispatcher runs every other operation under the lock.
SELF_LOCKING = frozenset({"Invoke", "InvokeAsync", "InvokeWithResponseStream"})


def handler_for(operation: str) -> Optional[Handler]:
    return HANDLERS.get(operation)


def manages_lock(operation: str) -> bool:
    """Whether the operation takes the store lock itself (the dispatcher must not hold it)."""
    return operation in SELF_LOCKING


def implemented_operations() -> list[str]:
    return sorted(HANDLERS)
