"""A call for every operation the mock answers, for the per-operation benchmark.

``prepare(client, n)`` builds the shared state (a function with two versions and a routed alias,
a layer, a code signing config, a capacity provider, an event source mapping, a URL config...)
plus, for operations that consume what they act on (deletes, removals), ``n`` items to consume.
``CALLS[operation](client, ctx, i)`` makes the ``i``-th call of that operation. The same table
runs against the mock, against botocore's floor (canned answers) and against moto; a call AWS
would answer with an error is still a call, and the benchmark shows which answer was measured.
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any, Callable

REGION = "us-east-1"
ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/bench"
FN = "bench-fn"
FN_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{FN}"
SIGNER = f"arn:aws:signer:{REGION}:{ACCOUNT}:/signing-profiles/bench"
PER_POLICY = 40  # statements per policy: a policy holds about 20 KB


def code_zip(marker: str = "") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.py", f"def handler(event, context):\n    return event\n# {marker}\n")
    return buffer.getvalue()


ZIP = code_zip()


def _function(client: Any, name: str, **extra: Any) -> dict:
    return client.create_function(
        FunctionName=name,
        Runtime="python3.12",  # Invoke runs the handler, as it does for users
        Role=ctx_role(client),
        Handler="index.handler",
        Code={"ZipFile": ZIP},
        **extra,
    )


def ctx_role(client: Any) -> str:
    return getattr(client, "_bench_role", ROLE)


def _policy(resource: str) -> str:
    statement = {"Sid": "p", "Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"}}
    return json.dumps(
        {"Version": "2012-10-17", "Statement": [{**statement, "Action": "lambda:InvokeFunction", "Resource": resource}]}
    )


def _tolerant(step: Callable[[], Any]) -> Any:
    """Setup steps a target does not implement (moto) must not stop the others."""
    try:
        return step()
    except Exception:
        return None


def prepare(client: Any, n: int) -> dict[str, Any]:
    """The shared state, and ``n`` consumable items for each consuming operation."""
    ctx: dict[str, Any] = {}
    t = _tolerant
    _function(client, FN)
    client.publish_version(FunctionName=FN)
    client.update_function_configuration(FunctionName=FN, Description="v2")
    client.publish_version(FunctionName=FN)
    client.create_alias(
        FunctionName=FN, Name="live", FunctionVersion="1", RoutingConfig={"AdditionalVersionWeights": {"2": 0.1}}
    )
    for name in ("cfg-fn", "code-fn", "url-fn"):
        t(lambda name=name: _function(client, name))
    t(lambda: client.create_function_url_config(FunctionName="url-fn", AuthType="NONE"))
    t(lambda: client.put_function_event_invoke_config(FunctionName="cfg-fn", MaximumRetryAttempts=1))
    t(lambda: client.put_function_concurrency(FunctionName="cfg-fn", ReservedConcurrentExecutions=10))
    t(
        lambda: client.put_provisioned_concurrency_config(
            FunctionName=FN, Qualifier="live", ProvisionedConcurrentExecutions=1
        )
    )
    t(
        lambda: client.add_permission(
            FunctionName=FN, StatementId="base", Action="lambda:InvokeFunction", Principal="sns.amazonaws.com"
        )
    )
    t(lambda: client.tag_resource(Resource=FN_ARN, Tags={"team": "bench"}))
    layer = t(lambda: client.publish_layer_version(LayerName="bench-layer", Content={"ZipFile": ZIP}))
    ctx["layer_arn"] = layer["LayerVersionArn"] if layer else f"arn:aws:lambda:{REGION}:{ACCOUNT}:layer:bench-layer:1"
    t(
        lambda: client.add_layer_version_permission(
            LayerName="bench-layer", VersionNumber=1, StatementId="base", Action="lambda:GetLayerVersion", Principal="*"
        )
    )
    csc = t(lambda: client.create_code_signing_config(AllowedPublishers={"SigningProfileVersionArns": [SIGNER]}))
    ctx["csc"] = (
        csc["CodeSigningConfig"]["CodeSigningConfigArn"]
        if csc
        else f"arn:aws:lambda:{REGION}:{ACCOUNT}:code-signing-config:csc-0"
    )
    t(lambda: client.put_function_code_signing_config(FunctionName="cfg-fn", CodeSigningConfigArn=ctx["csc"]))
    cp = t(
        lambda: client.create_capacity_provider(
            CapacityProviderName="bench-cp",
            VpcConfig={"SubnetIds": ["subnet-0abc"], "SecurityGroupIds": ["sg-0abc"]},
            PermissionsConfig={"CapacityProviderOperatorRoleArn": ctx_role(client)},
        )
    )
    if cp:
        arn = cp["CapacityProvider"]["CapacityProviderArn"]
        config = {"LambdaManagedInstancesCapacityProviderConfig": {"CapacityProviderArn": arn}}
        t(lambda: _function(client, "cp-fn", CapacityProviderConfig=config))
        t(lambda: client.publish_version(FunctionName="cp-fn"))
    esm = t(
        lambda: client.create_event_source_mapping(
            FunctionName=FN, EventSourceArn=f"arn:aws:sqs:{REGION}:{ACCOUNT}:bench-queue"
        )
    )
    ctx["esm"] = esm["UUID"] if esm else "00000000-0000-0000-0000-000000000000"

    # consumables
    for k in range(n // PER_POLICY + 2):
        t(lambda k=k: _function(client, f"perm-{k}"))
        t(lambda k=k: client.publish_layer_version(LayerName="perm-layer", Content={"ZipFile": ZIP}))
    for i in range(n):
        t(lambda i=i: client.create_alias(FunctionName=FN, Name=f"del-{i}", FunctionVersion="1"))
        t(lambda i=i: _function(client, f"del-fn-{i}"))
        t(lambda i=i: _function(client, f"url-new-{i}"))
        t(lambda i=i: _function(client, f"url-del-{i}"))
        t(lambda i=i: client.create_function_url_config(FunctionName=f"url-del-{i}", AuthType="NONE"))
        t(
            lambda i=i: client.add_permission(
                FunctionName=f"perm-{i // PER_POLICY}",
                StatementId=f"rm-{i}",
                Action="lambda:InvokeFunction",
                Principal="s3.amazonaws.com",
            )
        )
        t(
            lambda i=i: client.add_layer_version_permission(
                LayerName="perm-layer",
                VersionNumber=i // PER_POLICY + 1,
                StatementId=f"rm-{i}",
                Action="lambda:GetLayerVersion",
                Principal="*",
            )
        )
        t(lambda i=i: client.publish_layer_version(LayerName="del-layer", Content={"ZipFile": ZIP}))
        t(
            lambda i=i: client.create_capacity_provider(
                CapacityProviderName=f"del-cp-{i}",
                VpcConfig={"SubnetIds": ["subnet-0abc"], "SecurityGroupIds": ["sg-0abc"]},
                PermissionsConfig={"CapacityProviderOperatorRoleArn": ctx_role(client)},
            )
        )
    ctx["del_csc"] = [
        (t(lambda: client.create_code_signing_config(AllowedPublishers={"SigningProfileVersionArns": [SIGNER]})) or {})
        .get("CodeSigningConfig", {})
        .get("CodeSigningConfigArn", ctx["csc"])
        for _ in range(n)
    ]
    ctx["del_esm"] = [
        (
            t(
                lambda i=i: client.create_event_source_mapping(
                    FunctionName=FN, EventSourceArn=f"arn:aws:sqs:{REGION}:{ACCOUNT}:del-queue-{i}"
                )
            )
            or {}
        ).get("UUID", ctx["esm"])
        for i in range(n)
    ]
    return ctx


def _read(response: dict) -> bytes:
    return response["Payload"].read()


def _read_events(response: dict) -> list:
    return list(response["EventStream"])


Call = Callable[[Any, dict, int], Any]

CALLS: dict[str, Call] = {
    "AddLayerVersionPermission": lambda c, x, i: c.add_layer_version_permission(
        LayerName="perm-layer",
        VersionNumber=i // PER_POLICY + 1,
        StatementId=f"add-{i}",
        Action="lambda:GetLayerVersion",
        Principal="*",
    ),
    "AddPermission": lambda c, x, i: c.add_permission(
        FunctionName=f"perm-{i // PER_POLICY}",
        StatementId=f"add-{i}",
        Action="lambda:InvokeFunction",
        Principal="s3.amazonaws.com",
    ),
    "CreateAlias": lambda c, x, i: c.create_alias(FunctionName=FN, Name=f"new-{i}", FunctionVersion="1"),
    "CreateCapacityProvider": lambda c, x, i: c.create_capacity_provider(
        CapacityProviderName=f"new-cp-{i}",
        VpcConfig={"SubnetIds": ["subnet-0abc"], "SecurityGroupIds": ["sg-0abc"]},
        PermissionsConfig={"CapacityProviderOperatorRoleArn": ctx_role(c)},
    ),
    "CreateCodeSigningConfig": lambda c, x, i: c.create_code_signing_config(
        AllowedPublishers={"SigningProfileVersionArns": [SIGNER]}
    ),
    "CreateEventSourceMapping": lambda c, x, i: c.create_event_source_mapping(
        FunctionName=FN, EventSourceArn=f"arn:aws:sqs:{REGION}:{ACCOUNT}:new-queue-{i}"
    ),
    "CreateFunction": lambda c, x, i: _function(c, f"new-fn-{i}"),
    "CreateFunctionUrlConfig": lambda c, x, i: c.create_function_url_config(
        FunctionName=f"url-new-{i}", AuthType="NONE"
    ),
    "DeleteAlias": lambda c, x, i: c.delete_alias(FunctionName=FN, Name=f"del-{i}"),
    "DeleteCapacityProvider": lambda c, x, i: c.delete_capacity_provider(CapacityProviderName=f"del-cp-{i}"),
    "DeleteCodeSigningConfig": lambda c, x, i: c.delete_code_signing_config(CodeSigningConfigArn=x["del_csc"][i]),
    "DeleteEventSourceMapping": lambda c, x, i: c.delete_event_source_mapping(UUID=x["del_esm"][i]),
    "DeleteFunction": lambda c, x, i: c.delete_function(FunctionName=f"del-fn-{i}"),
    "DeleteFunctionCodeSigningConfig": lambda c, x, i: c.delete_function_code_signing_config(FunctionName="code-fn"),
    "DeleteFunctionConcurrency": lambda c, x, i: c.delete_function_concurrency(FunctionName="code-fn"),
    "DeleteFunctionEventInvokeConfig": lambda c, x, i: c.delete_function_event_invoke_config(FunctionName="code-fn"),
    "DeleteFunctionUrlConfig": lambda c, x, i: c.delete_function_url_config(FunctionName=f"url-del-{i}"),
    "DeleteLayerVersion": lambda c, x, i: c.delete_layer_version(LayerName="del-layer", VersionNumber=i + 1),
    "DeleteProvisionedConcurrencyConfig": lambda c, x, i: c.delete_provisioned_concurrency_config(
        FunctionName="code-fn", Qualifier="1"
    ),
    "DeleteResourcePolicy": lambda c, x, i: c.delete_resource_policy(ResourceArn=f"{FN_ARN[: -len(FN)]}code-fn"),
    "GetAccountSettings": lambda c, x, i: c.get_account_settings(),
    "GetAlias": lambda c, x, i: c.get_alias(FunctionName=FN, Name="live"),
    "GetCapacityProvider": lambda c, x, i: c.get_capacity_provider(CapacityProviderName="bench-cp"),
    "GetCodeSigningConfig": lambda c, x, i: c.get_code_signing_config(CodeSigningConfigArn=x["csc"]),
    "GetEventSourceMapping": lambda c, x, i: c.get_event_source_mapping(UUID=x["esm"]),
    "GetFunction": lambda c, x, i: c.get_function(FunctionName=FN),
    "GetFunctionCodeSigningConfig": lambda c, x, i: c.get_function_code_signing_config(FunctionName="cfg-fn"),
    "GetFunctionConcurrency": lambda c, x, i: c.get_function_concurrency(FunctionName="cfg-fn"),
    "GetFunctionConfiguration": lambda c, x, i: c.get_function_configuration(FunctionName=FN),
    "GetFunctionEventInvokeConfig": lambda c, x, i: c.get_function_event_invoke_config(FunctionName="cfg-fn"),
    "GetFunctionRecursionConfig": lambda c, x, i: c.get_function_recursion_config(FunctionName=FN),
    "GetFunctionScalingConfig": lambda c, x, i: c.get_function_scaling_config(FunctionName="cp-fn", Qualifier="1"),
    "GetFunctionUrlConfig": lambda c, x, i: c.get_function_url_config(FunctionName="url-fn"),
    "GetLayerVersion": lambda c, x, i: c.get_layer_version(LayerName="bench-layer", VersionNumber=1),
    "GetLayerVersionByArn": lambda c, x, i: c.get_layer_version_by_arn(Arn=x["layer_arn"]),
    "GetLayerVersionPolicy": lambda c, x, i: c.get_layer_version_policy(LayerName="bench-layer", VersionNumber=1),
    "GetPolicy": lambda c, x, i: c.get_policy(FunctionName=FN),
    "GetProvisionedConcurrencyConfig": lambda c, x, i: c.get_provisioned_concurrency_config(
        FunctionName=FN, Qualifier="live"
    ),
    "GetResourcePolicy": lambda c, x, i: c.get_resource_policy(ResourceArn=FN_ARN),
    "GetRuntimeManagementConfig": lambda c, x, i: c.get_runtime_management_config(FunctionName=FN),
    "Invoke": lambda c, x, i: _read(c.invoke(FunctionName=FN, Qualifier="live", Payload=b'{"key": "value"}')),
    "InvokeAsync": lambda c, x, i: c.invoke_async(FunctionName=FN, InvokeArgs=b'{"key": "value"}'),
    "InvokeWithResponseStream": lambda c, x, i: _read_events(
        c.invoke_with_response_stream(FunctionName=FN, Qualifier="live", Payload=b'{"key": "value"}')
    ),
    "ListAliases": lambda c, x, i: c.list_aliases(FunctionName=FN, MaxItems=10),
    "ListCapacityProviders": lambda c, x, i: c.list_capacity_providers(MaxItems=10),
    "ListCodeSigningConfigs": lambda c, x, i: c.list_code_signing_configs(MaxItems=10),
    "ListEventSourceMappings": lambda c, x, i: c.list_event_source_mappings(FunctionName=FN, MaxItems=10),
    "ListFunctionEventInvokeConfigs": lambda c, x, i: c.list_function_event_invoke_configs(FunctionName="cfg-fn"),
    "ListFunctionUrlConfigs": lambda c, x, i: c.list_function_url_configs(FunctionName="url-fn"),
    "ListFunctionVersionsByCapacityProvider": lambda c, x, i: c.list_function_versions_by_capacity_provider(
        CapacityProviderName="bench-cp"
    ),
    "ListFunctions": lambda c, x, i: c.list_functions(MaxItems=10),
    "ListFunctionsByCodeSigningConfig": lambda c, x, i: c.list_functions_by_code_signing_config(
        CodeSigningConfigArn=x["csc"]
    ),
    "ListLayerVersions": lambda c, x, i: c.list_layer_versions(LayerName="bench-layer"),
    "ListLayers": lambda c, x, i: c.list_layers(MaxItems=10),
    "ListProvisionedConcurrencyConfigs": lambda c, x, i: c.list_provisioned_concurrency_configs(FunctionName=FN),
    "ListTags": lambda c, x, i: c.list_tags(Resource=FN_ARN),
    "ListVersionsByFunction": lambda c, x, i: c.list_versions_by_function(FunctionName=FN),
    "PublishLayerVersion": lambda c, x, i: c.publish_layer_version(LayerName="new-layer", Content={"ZipFile": ZIP}),
    # Nothing changed since the newest version: AWS answers with it (F-VA-003).
    "PublishVersion": lambda c, x, i: c.publish_version(FunctionName=FN),
    "PutFunctionCodeSigningConfig": lambda c, x, i: c.put_function_code_signing_config(
        FunctionName="cfg-fn", CodeSigningConfigArn=x["csc"]
    ),
    "PutFunctionConcurrency": lambda c, x, i: c.put_function_concurrency(
        FunctionName="cfg-fn", ReservedConcurrentExecutions=10
    ),
    "PutFunctionEventInvokeConfig": lambda c, x, i: c.put_function_event_invoke_config(
        FunctionName="cfg-fn", MaximumRetryAttempts=1
    ),
    "PutFunctionRecursionConfig": lambda c, x, i: c.put_function_recursion_config(
        FunctionName="cfg-fn", RecursiveLoop="Allow"
    ),
    "PutFunctionScalingConfig": lambda c, x, i: c.put_function_scaling_config(
        FunctionName="cp-fn", Qualifier="1", FunctionScalingConfig={"MinExecutionEnvironments": 1}
    ),
    "PutProvisionedConcurrencyConfig": lambda c, x, i: c.put_provisioned_concurrency_config(
        FunctionName=FN, Qualifier="live", ProvisionedConcurrentExecutions=1
    ),
    "PutResourcePolicy": lambda c, x, i: c.put_resource_policy(
        ResourceArn=f"{FN_ARN[: -len(FN)]}cfg-fn", Policy=_policy(f"{FN_ARN[: -len(FN)]}cfg-fn")
    ),
    "PutRuntimeManagementConfig": lambda c, x, i: c.put_runtime_management_config(
        FunctionName="cfg-fn", UpdateRuntimeOn="Auto"
    ),
    "RemoveLayerVersionPermission": lambda c, x, i: c.remove_layer_version_permission(
        LayerName="perm-layer", VersionNumber=i // PER_POLICY + 1, StatementId=f"rm-{i}"
    ),
    "RemovePermission": lambda c, x, i: c.remove_permission(
        FunctionName=f"perm-{i // PER_POLICY}", StatementId=f"rm-{i}"
    ),
    "TagResource": lambda c, x, i: c.tag_resource(Resource=FN_ARN, Tags={"round": str(i)}),
    "UntagResource": lambda c, x, i: c.untag_resource(Resource=FN_ARN, TagKeys=["round"]),
    "UpdateAlias": lambda c, x, i: c.update_alias(FunctionName=FN, Name="live", Description=f"d{i}"),
    "UpdateCapacityProvider": lambda c, x, i: c.update_capacity_provider(CapacityProviderName="bench-cp"),
    "UpdateCodeSigningConfig": lambda c, x, i: c.update_code_signing_config(
        CodeSigningConfigArn=x["csc"], Description=f"d{i}"
    ),
    "UpdateEventSourceMapping": lambda c, x, i: c.update_event_source_mapping(UUID=x["esm"], BatchSize=5 + i % 2),
    "UpdateFunctionCode": lambda c, x, i: c.update_function_code(FunctionName="code-fn", ZipFile=ZIP),
    "UpdateFunctionConfiguration": lambda c, x, i: c.update_function_configuration(
        FunctionName="code-fn", Description=f"d{i}"
    ),
    "UpdateFunctionEventInvokeConfig": lambda c, x, i: c.update_function_event_invoke_config(
        FunctionName="cfg-fn", MaximumRetryAttempts=2
    ),
    "UpdateFunctionUrlConfig": lambda c, x, i: c.update_function_url_config(FunctionName="url-fn", AuthType="NONE"),
}
