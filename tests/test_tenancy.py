"""Tenant isolation: TenancyConfig set at creation, and per-tenant execution environments.

Sources: AWS Lambda developer guide, "Tenant isolation", "Invoking Lambda functions with tenant
isolation", "Accessing tenant identifier in Lambda function code" (``context.tenant_id`` in
Python), "Troubleshooting tenant isolation" (InvalidParameterValueException for a missing or
unexpected tenant id); API reference TenancyConfig ("cannot be modified after function creation").
"""

from __future__ import annotations

import json
from typing import Any

import botocore.session
import pytest
from botocore.exceptions import ClientError

from tests.conftest import create, error_of, make_zip, requires_member

PER_TENANT = {"TenantIsolationMode": "PER_TENANT"}

#: A handler whose module-level counter shows which execution environment served a call.
COUNTER = make_zip(
    "import os\n"
    "count = 0\n"
    "def handler(event, context):\n"
    "    global count\n"
    "    count += 1\n"
    "    return {'count': count, 'tenant': context.tenant_id}\n"
)

TENANT_MISMATCH = "Tenant ID configuration not specified or passed to a function when tenant isolation is not enabled."


def invoke(lam: Any, tenant: str, **kwargs: Any) -> dict:
    response = lam.invoke(FunctionName="saas", TenantId=tenant, **kwargs)
    return json.loads(response["Payload"].read())


def test_tenancy_config_is_reported_by_every_configuration_read(lam: Any) -> None:
    created = create(lam, "saas", TenancyConfig=PER_TENANT)
    assert created["TenancyConfig"] == PER_TENANT
    assert lam.get_function(FunctionName="saas")["Configuration"]["TenancyConfig"] == PER_TENANT
    assert lam.get_function_configuration(FunctionName="saas")["TenancyConfig"] == PER_TENANT
    assert lam.list_functions()["Functions"][0]["TenancyConfig"] == PER_TENANT
    published = lam.publish_version(FunctionName="saas")
    assert published["TenancyConfig"] == PER_TENANT
    versions = lam.list_versions_by_function(FunctionName="saas")["Versions"]
    assert [v["TenancyConfig"] for v in versions] == [PER_TENANT, PER_TENANT]
    assert lam.get_function_configuration(FunctionName="saas", Qualifier="1")["TenancyConfig"] == PER_TENANT
    assert all(f["TenancyConfig"] == PER_TENANT for f in lam.list_functions(FunctionVersion="ALL")["Functions"])


def test_functions_without_tenancy_config_report_none(lam: Any) -> None:
    assert "TenancyConfig" not in create(lam, "plain")
    assert "TenancyConfig" not in lam.get_function_configuration(FunctionName="plain")


@requires_member("CreateFunctionRequest", "TenancyConfig", since="a late-2025 release")
def test_tenancy_config_cannot_be_changed_by_update_function_configuration() -> None:
    """The model itself leaves TenancyConfig out of UpdateFunctionConfiguration: set at creation only."""
    model = botocore.session.get_session().get_service_model("lambda")
    assert "TenancyConfig" in model.operation_model("CreateFunction").input_shape.members
    assert "TenancyConfig" not in model.operation_model("UpdateFunctionConfiguration").input_shape.members


def test_tenancy_survives_configuration_updates_and_is_frozen_into_versions(lam: Any) -> None:
    create(lam, "saas", TenancyConfig=PER_TENANT)
    updated = lam.update_function_configuration(FunctionName="saas", MemorySize=256)
    assert updated["TenancyConfig"] == PER_TENANT
    lam.publish_version(FunctionName="saas")
    assert lam.get_function(FunctionName="saas", Qualifier="1")["Configuration"]["TenancyConfig"] == PER_TENANT


def test_each_tenant_gets_its_own_execution_environment(lam: Any, mock: Any) -> None:
    """Module state never crosses tenants: blue counts 1, 2 and green starts again at 1."""
    create(lam, "saas", Code={"ZipFile": COUNTER}, TenancyConfig=PER_TENANT)
    assert invoke(lam, "blue") == {"count": 1, "tenant": "blue"}
    assert invoke(lam, "blue") == {"count": 2, "tenant": "blue"}
    assert invoke(lam, "green") == {"count": 1, "tenant": "green"}
    assert invoke(lam, "blue") == {"count": 3, "tenant": "blue"}
    environments = mock.environments("saas")
    assert [(e.tenant_id, e.version) for e in environments] == [("blue", "$LATEST"), ("green", "$LATEST")]
    assert [e.tenant_id for e in mock.environments("saas", tenant_id="green")] == ["green"]


def test_environments_are_per_tenant_and_version(lam: Any, mock: Any) -> None:
    create(lam, "saas", Code={"ZipFile": COUNTER}, TenancyConfig=PER_TENANT)
    lam.publish_version(FunctionName="saas")
    lam.create_alias(FunctionName="saas", Name="live", FunctionVersion="1")
    assert invoke(lam, "blue", Qualifier="live")["count"] == 1
    assert invoke(lam, "blue")["count"] == 1  # $LATEST is another environment
    assert invoke(lam, "blue", Qualifier="1")["count"] == 2  # the alias ran version 1
    assert sorted((e.tenant_id, e.version) for e in mock.environments("saas")) == [
        ("blue", "$LATEST"),
        ("blue", "1"),
    ]


def test_invocation_records_carry_the_tenant_id(lam: Any, mock: Any) -> None:
    create(lam, "saas", TenancyConfig=PER_TENANT)
    lam.invoke(FunctionName="saas", TenantId="blue")
    lam.invoke(FunctionName="saas", TenantId="green", InvocationType="Event")
    assert [r.tenant_id for r in mock.invocations("saas")] == ["blue", "green"]
    assert mock.count_invocations("saas", tenant_id="green") == 1


def test_tenant_id_reaches_registered_handlers(lam: Any, mock: Any) -> None:
    create(lam, "saas", TenancyConfig=PER_TENANT)
    mock.register_handler("saas", lambda event, context: context.tenant_id)
    response = lam.invoke(FunctionName="saas", TenantId="tenant-a:42")
    assert json.loads(response["Payload"].read()) == "tenant-a:42"


def test_context_tenant_id_is_none_without_tenant_isolation(lam: Any, mock: Any) -> None:
    create(lam, "plain")
    mock.register_handler("plain", lambda event, context: {"tenant": context.tenant_id})
    assert json.loads(lam.invoke(FunctionName="plain")["Payload"].read()) == {"tenant": None}


def test_tenant_isolated_function_invoked_without_tenant_id_is_refused(lam: Any, mock: Any) -> None:
    create(lam, "saas", TenancyConfig=PER_TENANT)
    with pytest.raises(ClientError) as exc:
        lam.invoke(FunctionName="saas")
    assert error_of(exc) == (400, "InvalidParameterValueException", TENANT_MISMATCH)
    assert mock.invocations("saas") == []


def test_tenant_id_on_a_function_without_tenant_isolation_is_refused(lam: Any) -> None:
    create(lam, "plain")
    with pytest.raises(ClientError) as exc:
        lam.invoke(FunctionName="plain", TenantId="blue")
    assert error_of(exc) == (400, "InvalidParameterValueException", TENANT_MISMATCH)


def test_streaming_invoke_carries_the_tenant(lam: Any, mock: Any) -> None:
    create(lam, "saas", Code={"ZipFile": COUNTER}, TenancyConfig=PER_TENANT)
    response = lam.invoke_with_response_stream(FunctionName="saas", TenantId="blue")
    chunks = b"".join(e["PayloadChunk"]["Payload"] for e in response["EventStream"] if "PayloadChunk" in e)
    assert json.loads(chunks) == {"count": 1, "tenant": "blue"}
    with pytest.raises(ClientError) as exc:
        lam.invoke_with_response_stream(FunctionName="saas")
    assert error_of(exc)[1] == "InvalidParameterValueException"


@requires_member("CreateFunctionRequest", "TenancyConfig", since="a late-2025 release")
def test_tenant_id_is_validated_by_its_pattern(raw_lam: Any) -> None:
    create(raw_lam, "saas", TenancyConfig=PER_TENANT)
    with pytest.raises(ClientError) as exc:
        raw_lam.invoke(FunctionName="saas", TenantId="bad#tenant")
    status, code, message = error_of(exc)
    assert (status, code) == (400, "ValidationException")
    assert "at 'tenantId' failed to satisfy constraint" in message


@requires_member("CreateFunctionRequest", "TenancyConfig", since="a late-2025 release")
def test_invalid_tenant_isolation_mode_is_a_validation_error(raw_lam: Any) -> None:
    with pytest.raises(ClientError) as exc:
        create(raw_lam, "saas", TenancyConfig={"TenantIsolationMode": "SHARED"})
    status, code, message = error_of(exc)
    assert (status, code) == (400, "ValidationException")
    assert "Member must satisfy enum value set: [PER_TENANT]" in message
