"""Capacity providers (Lambda Managed Instances) and the function versions that run on them."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from conftest import ACCOUNT, FN_ARN_PREFIX, REGION, create, error_of

CP_PREFIX = f"arn:aws:lambda:{REGION}:{ACCOUNT}:capacity-provider:"
VPC = {"SubnetIds": ["subnet-0abc"], "SecurityGroupIds": ["sg-0abc"]}
PERMISSIONS = {"CapacityProviderOperatorRoleArn": f"arn:aws:iam::{ACCOUNT}:role/operator"}


def new_provider(lam, name: str = "cp", **kwargs) -> dict:
    return lam.create_capacity_provider(
        CapacityProviderName=name, VpcConfig=VPC, PermissionsConfig=PERMISSIONS, **kwargs
    )


def on_provider(name: str = "cp") -> dict:
    return {"LambdaManagedInstancesCapacityProviderConfig": {"CapacityProviderArn": CP_PREFIX + name}}


def test_create_answers_pending_then_active(lam):
    response = new_provider(
        lam,
        InstanceRequirements={"Architectures": ["arm64"]},
        CapacityProviderScalingConfig={"MaxVCpuCount": 64, "ScalingMode": "Auto"},
    )
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 202
    provider = response["CapacityProvider"]
    assert provider["CapacityProviderArn"] == CP_PREFIX + "cp"
    assert provider["State"] == "Pending"
    assert provider["VpcConfig"] == VPC
    assert provider["PermissionsConfig"] == PERMISSIONS
    assert provider["InstanceRequirements"] == {"Architectures": ["arm64"]}
    assert provider["CapacityProviderScalingConfig"] == {"MaxVCpuCount": 64, "ScalingMode": "Auto"}
    got = lam.get_capacity_provider(CapacityProviderName="cp")["CapacityProvider"]
    assert got["State"] == "Active"
    assert {k: v for k, v in got.items() if k != "State"} == {k: v for k, v in provider.items() if k != "State"}


def test_get_by_arn(lam):
    new_provider(lam)
    got = lam.get_capacity_provider(CapacityProviderName=CP_PREFIX + "cp")
    assert got["CapacityProvider"]["CapacityProviderArn"] == CP_PREFIX + "cp"


def test_duplicate_name(lam):
    new_provider(lam)
    with pytest.raises(ClientError) as exc:
        new_provider(lam)
    assert error_of(exc)[:2] == (409, "ResourceConflictException")


@pytest.mark.parametrize(
    "operation",
    [
        "get_capacity_provider",
        "update_capacity_provider",
        "delete_capacity_provider",
        "list_function_versions_by_capacity_provider",
    ],
)
def test_unknown_provider(lam, operation):
    """AWS's wording, recorded for TagResource on a missing provider (test_tag_exceptions[capacity_provider])."""
    with pytest.raises(ClientError) as exc:
        getattr(lam, operation)(CapacityProviderName="nope")
    assert error_of(exc) == (404, "ResourceNotFoundException", f"Capacity provider not found: {CP_PREFIX}nope")
    assert exc.value.response["Type"] == "User"


def test_update_changes_scaling(lam):
    new_provider(lam)
    response = lam.update_capacity_provider(
        CapacityProviderName="cp", CapacityProviderScalingConfig={"MaxVCpuCount": 8, "ScalingMode": "Auto"}
    )
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert response["CapacityProvider"]["CapacityProviderScalingConfig"] == {"MaxVCpuCount": 8, "ScalingMode": "Auto"}
    assert response["CapacityProvider"]["VpcConfig"] == VPC
    got = lam.get_capacity_provider(CapacityProviderName="cp")["CapacityProvider"]
    assert got["CapacityProviderScalingConfig"] == {"MaxVCpuCount": 8, "ScalingMode": "Auto"}


def test_delete_answers_deleting_and_removes(lam):
    new_provider(lam)
    response = lam.delete_capacity_provider(CapacityProviderName="cp")
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert response["CapacityProvider"]["State"] == "Deleting"
    with pytest.raises(ClientError) as exc:
        lam.get_capacity_provider(CapacityProviderName="cp")
    assert error_of(exc)[:2] == (404, "ResourceNotFoundException")


def in_use(count: int, name: str = "cp") -> str:
    """AWS's text, quoted from a real CloudFormation failure in serverless/serverless
    docs/sf/providers/aws/guide/managed-instances.md ("The capacity provider is currently in use by 1
    functions. To delete this capacity provider, first remove its association with
    arn:aws:lambda:REGION:ACCOUNT:capacity-provider:..."); terraform-provider-aws
    internal/service/lambda/capacity_provider.go retries the ResourceConflictException on the second
    sentence. Counting functions rather than versions is our reading: no recording tells them apart."""
    return (
        f"The capacity provider is currently in use by {count} functions. To delete this capacity provider, "
        f"first remove its association with {CP_PREFIX}{name}."
    )


def test_provider_in_use_cannot_be_deleted(lam):
    new_provider(lam)
    create(lam, CapacityProviderConfig=on_provider())
    lam.publish_version(FunctionName="my-function")  # $LATEST and version 1: one function
    with pytest.raises(ClientError) as exc:
        lam.delete_capacity_provider(CapacityProviderName="cp")
    assert error_of(exc) == (409, "ResourceConflictException", in_use(1))
    create(lam, "second", CapacityProviderConfig=on_provider())
    with pytest.raises(ClientError) as exc:
        lam.delete_capacity_provider(CapacityProviderName="cp")
    assert error_of(exc) == (409, "ResourceConflictException", in_use(2))
    lam.delete_function(FunctionName="second")
    lam.delete_function(FunctionName="my-function")
    create(lam)  # the same name, not on the provider
    assert lam.delete_capacity_provider(CapacityProviderName="cp")["CapacityProvider"]["State"] == "Deleting"


def test_list_pages_and_filters_by_state(lam):
    for name in ("c", "a", "b"):
        new_provider(lam, name)
    first = lam.list_capacity_providers(MaxItems=2)
    assert [p["CapacityProviderArn"] for p in first["CapacityProviders"]] == [CP_PREFIX + "a", CP_PREFIX + "b"]
    second = lam.list_capacity_providers(MaxItems=2, Marker=first["NextMarker"])
    assert [p["CapacityProviderArn"] for p in second["CapacityProviders"]] == [CP_PREFIX + "c"]
    assert "NextMarker" not in second
    assert len(lam.list_capacity_providers(State="Active")["CapacityProviders"]) == 3
    assert lam.list_capacity_providers(State="Pending")["CapacityProviders"] == []


def test_function_on_a_provider(lam):
    new_provider(lam)
    config = create(lam, CapacityProviderConfig=on_provider())
    managed = config["CapacityProviderConfig"]["LambdaManagedInstancesCapacityProviderConfig"]
    assert managed["CapacityProviderArn"] == CP_PREFIX + "cp"
    got = lam.get_function_configuration(FunctionName="my-function")
    assert got["CapacityProviderConfig"] == config["CapacityProviderConfig"]


def test_function_on_an_unknown_provider(lam):
    with pytest.raises(ClientError) as exc:
        create(lam, CapacityProviderConfig=on_provider("nope"))
    assert error_of(exc) == (404, "ResourceNotFoundException", f"Capacity provider not found: {CP_PREFIX}nope")


def test_update_function_configuration_moves_to_a_provider(lam):
    new_provider(lam)
    create(lam)
    response = lam.update_function_configuration(FunctionName="my-function", CapacityProviderConfig=on_provider())
    assert response["CapacityProviderConfig"]["LambdaManagedInstancesCapacityProviderConfig"][
        "CapacityProviderArn"
    ] == (CP_PREFIX + "cp")


def test_list_function_versions_by_provider(lam):
    new_provider(lam)
    new_provider(lam, "other")
    create(lam, CapacityProviderConfig=on_provider())
    lam.publish_version(FunctionName="my-function")
    create(lam, "elsewhere", CapacityProviderConfig=on_provider("other"))
    lam.publish_version(FunctionName="elsewhere")
    response = lam.list_function_versions_by_capacity_provider(CapacityProviderName="cp")
    assert response["CapacityProviderArn"] == CP_PREFIX + "cp"
    assert response["FunctionVersions"] == [{"FunctionArn": FN_ARN_PREFIX + "my-function:1", "State": "Active"}]


def test_tags_on_providers(lam):
    new_provider(lam, Tags={"team": "a"})
    arn = CP_PREFIX + "cp"
    assert lam.list_tags(Resource=arn)["Tags"] == {"team": "a"}
    lam.tag_resource(Resource=arn, Tags={"env": "prod"})
    assert lam.list_tags(Resource=arn)["Tags"] == {"team": "a", "env": "prod"}


def test_tag_missing_provider(lam):
    """Recorded: test_tag_exceptions[capacity_provider] / not_found_exception_tag."""
    with pytest.raises(ClientError) as exc:
        lam.tag_resource(Resource=CP_PREFIX + "nope", Tags={"a": "b"})
    assert error_of(exc) == (404, "ResourceNotFoundException", f"Capacity provider not found: {CP_PREFIX}nope")
