"""CreateAlias, GetAlias, UpdateAlias, DeleteAlias, ListAliases and alias routing."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from conftest import FN_ARN_PREFIX, create, error_of, make_zip

FN_ARN = FN_ARN_PREFIX + "my-function"
REVISION_MESSAGE = (
    "The Revision Id provided does not match the latest Revision Id. "
    "Call the GetFunction/GetAlias API to retrieve the latest Revision Id"
)


@pytest.fixture
def two_versions(lam):
    create(lam)
    lam.publish_version(FunctionName="my-function")
    lam.update_function_code(FunctionName="my-function", ZipFile=make_zip("v = 2\n"))
    lam.publish_version(FunctionName="my-function")
    return lam


def test_create_alias_F_VA_040(two_versions):
    lam = two_versions
    response = lam.create_alias(FunctionName="my-function", Name="live", FunctionVersion="1")
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 201
    body = {k: v for k, v in response.items() if k != "ResponseMetadata"}
    assert set(body) == {"AliasArn", "Name", "FunctionVersion", "Description", "RevisionId"}
    assert body["AliasArn"] == FN_ARN + ":live"
    assert (body["Name"], body["FunctionVersion"], body["Description"]) == ("live", "1", "")


def test_get_alias_matches_create_F_VA_041(two_versions):
    lam = two_versions
    created = lam.create_alias(FunctionName="my-function", Name="live", FunctionVersion="1", Description="d")
    fetched = lam.get_alias(FunctionName="my-function", Name="live")
    assert fetched["ResponseMetadata"]["HTTPStatusCode"] == 200
    created.pop("ResponseMetadata")
    fetched.pop("ResponseMetadata")
    assert fetched == created


def test_routing_config_round_trip_F_VA_042(two_versions):
    lam = two_versions
    routing = {"AdditionalVersionWeights": {"2": 0.2}}
    created = lam.create_alias(FunctionName="my-function", Name="live", FunctionVersion="1", RoutingConfig=routing)
    assert created["RoutingConfig"] == routing
    assert lam.get_alias(FunctionName="my-function", Name="live")["RoutingConfig"] == routing
    assert lam.list_aliases(FunctionName="my-function")["Aliases"][0]["RoutingConfig"] == routing


def test_empty_routing_config_is_omitted_F_VA_043(two_versions):
    created = two_versions.create_alias(
        FunctionName="my-function", Name="live", FunctionVersion="1", RoutingConfig={"AdditionalVersionWeights": {}}
    )
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert "RoutingConfig" not in created


def test_duplicate_alias_F_VA_044(two_versions):
    lam = two_versions
    lam.create_alias(FunctionName="my-function", Name="live", FunctionVersion="1")
    with pytest.raises(ClientError) as exc:
        lam.create_alias(FunctionName="my-function", Name="live", FunctionVersion="2")
    assert error_of(exc) == (409, "ResourceConflictException", f"Alias already exists: {FN_ARN}:live")


def test_missing_alias_F_VA_045(two_versions):
    with pytest.raises(ClientError) as exc:
        two_versions.get_alias(FunctionName="my-function", Name="nope")
    assert error_of(exc) == (404, "ResourceNotFoundException", f"Cannot find alias arn: {FN_ARN}:nope")


def test_delete_alias_F_VA_048(two_versions):
    lam = two_versions
    lam.create_alias(FunctionName="my-function", Name="live", FunctionVersion="1")
    response = lam.delete_alias(FunctionName="my-function", Name="live")
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert lam.list_aliases(FunctionName="my-function")["Aliases"] == []
    with pytest.raises(ClientError) as exc:
        lam.get_alias(FunctionName="my-function", Name="live")
    assert error_of(exc) == (404, "ResourceNotFoundException", f"Cannot find alias arn: {FN_ARN}:live")
    # DeleteAlias models no ResourceNotFoundException: deleting again is a quiet 204.
    again = lam.delete_alias(FunctionName="my-function", Name="live")
    assert again["ResponseMetadata"]["HTTPStatusCode"] == 204


def test_update_alias_always_new_revision_F_VA_049(two_versions):
    lam = two_versions
    created = lam.create_alias(FunctionName="my-function", Name="live", FunctionVersion="1", Description="keep")
    updated = lam.update_alias(FunctionName="my-function", Name="live")
    assert updated["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert updated["RevisionId"] != created["RevisionId"]
    assert (updated["FunctionVersion"], updated["Description"]) == ("1", "keep")
    again = lam.update_alias(FunctionName="my-function", Name="live", FunctionVersion="2")
    assert again["RevisionId"] not in (created["RevisionId"], updated["RevisionId"])
    assert again["FunctionVersion"] == "2"


def test_update_with_empty_weights_clears_routing_F_VA_050(two_versions):
    lam = two_versions
    lam.create_alias(
        FunctionName="my-function",
        Name="live",
        FunctionVersion="1",
        RoutingConfig={"AdditionalVersionWeights": {"2": 0.5}},
    )
    response = lam.update_alias(FunctionName="my-function", Name="live", RoutingConfig={"AdditionalVersionWeights": {}})
    assert "RoutingConfig" not in response
    assert "RoutingConfig" not in lam.get_alias(FunctionName="my-function", Name="live")
    assert "RoutingConfig" not in lam.list_aliases(FunctionName="my-function")["Aliases"][0]


def test_update_alias_stale_revision_F_VA_051(two_versions):
    lam = two_versions
    created = lam.create_alias(FunctionName="my-function", Name="live", FunctionVersion="1")
    with pytest.raises(ClientError) as exc:
        lam.update_alias(FunctionName="my-function", Name="live", FunctionVersion="2", RevisionId="stale")
    assert error_of(exc) == (412, "PreconditionFailedException", REVISION_MESSAGE)
    ok = lam.update_alias(
        FunctionName="my-function", Name="live", FunctionVersion="2", RevisionId=created["RevisionId"]
    )
    assert ok["RevisionId"] != created["RevisionId"]
    with pytest.raises(ClientError) as exc:  # the old revision is stale now
        lam.update_alias(FunctionName="my-function", Name="live", RevisionId=created["RevisionId"])
    assert error_of(exc)[:2] == (412, "PreconditionFailedException")


def test_list_aliases_and_version_filter_F_VA_053(two_versions):
    lam = two_versions
    lam.create_alias(FunctionName="my-function", Name="a", FunctionVersion="1")
    lam.create_alias(
        FunctionName="my-function",
        Name="b",
        FunctionVersion="2",
        RoutingConfig={"AdditionalVersionWeights": {"1": 0.5}},
    )
    lam.create_alias(FunctionName="my-function", Name="c", FunctionVersion="1")
    lam.create_alias(FunctionName="my-function", Name="d", FunctionVersion="$LATEST")
    listed = lam.list_aliases(FunctionName="my-function")
    assert listed["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert [a["Name"] for a in listed["Aliases"]] == ["a", "b", "c", "d"]
    only_one = lam.list_aliases(FunctionName="my-function", FunctionVersion="1")["Aliases"]
    assert [a["Name"] for a in only_one] == ["a", "c"]
    pages = lam.get_paginator("list_aliases").paginate(FunctionName="my-function", PaginationConfig={"PageSize": 1})
    assert [a["Name"] for p in pages for a in p["Aliases"]] == ["a", "b", "c", "d"]


def test_list_aliases_markers_F_VA_054(two_versions):
    lam = two_versions
    for name in ("a", "b", "c"):
        lam.create_alias(FunctionName="my-function", Name=name, FunctionVersion="1")
    page = lam.list_aliases(FunctionName="my-function", MaxItems=1)
    names = [a["Name"] for a in page["Aliases"]]
    assert names == ["a"] and "NextMarker" in page
    while "NextMarker" in page:
        page = lam.list_aliases(FunctionName="my-function", MaxItems=1, Marker=page["NextMarker"])
        names += [a["Name"] for a in page["Aliases"]]
    assert names == ["a", "b", "c"]


def test_alias_name_starting_with_digits_F_VA_055(two_versions):
    response = two_versions.create_alias(FunctionName="my-function", Name="2024-01-02", FunctionVersion="1")
    assert response["AliasArn"] == FN_ARN + ":2024-01-02"
    assert two_versions.get_alias(FunctionName="my-function", Name="2024-01-02")["Name"] == "2024-01-02"


def test_numeric_alias_name_F_VA_056(two_versions):
    with pytest.raises(ClientError) as exc:
        two_versions.create_alias(FunctionName="my-function", Name="2024", FunctionVersion="1")
    assert error_of(exc) == (
        400,
        "ValidationException",
        "1 validation error detected: Value '2024' at 'name' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)",
    )


def test_alias_to_latest_F_VA_058(two_versions):
    response = two_versions.create_alias(FunctionName="my-function", Name="dev", FunctionVersion="$LATEST")
    assert (response["ResponseMetadata"]["HTTPStatusCode"], response["FunctionVersion"]) == (201, "$LATEST")


def test_alias_to_missing_version_F_VA_059(two_versions):
    with pytest.raises(ClientError) as exc:
        two_versions.create_alias(FunctionName="my-function", Name="live", FunctionVersion="10")
    assert error_of(exc) == (404, "ResourceNotFoundException", f"Function not found: {FN_ARN}:10")


def test_alias_to_alias_is_invalid_F_VA_061(two_versions):
    lam = two_versions
    lam.create_alias(FunctionName="my-function", Name="live", FunctionVersion="1")
    with pytest.raises(ClientError) as exc:
        lam.create_alias(FunctionName="my-function", Name="other", FunctionVersion="live")
    status, code, message = error_of(exc)
    assert (status, code) == (400, "ValidationException")
    assert message == (
        "1 validation error detected: Value 'live' at 'functionVersion' failed to satisfy constraint: "
        r"Member must satisfy regular expression pattern: (\$LATEST(\.PUBLISHED)?|[0-9]+)"
    )


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.get_alias(FunctionName="nofn", Name="live"),
        lambda c: c.update_alias(FunctionName="nofn", Name="live"),
        lambda c: c.list_aliases(FunctionName="nofn"),
        lambda c: c.list_versions_by_function(FunctionName="nofn"),
        lambda c: c.create_alias(FunctionName="nofn", Name="live", FunctionVersion="1"),
    ],
    ids=["get", "update", "list", "versions", "create"],
)
def test_alias_operations_on_missing_function_F_VA_062(lam, call):
    with pytest.raises(ClientError) as exc:
        call(lam)
    assert error_of(exc)[:2] == (404, "ResourceNotFoundException")


def test_more_than_one_weight_F_VA_070(two_versions):
    lam = two_versions
    lam.update_function_code(FunctionName="my-function", ZipFile=make_zip("v = 3\n"))
    lam.publish_version(FunctionName="my-function")
    with pytest.raises(ClientError) as exc:
        lam.create_alias(
            FunctionName="my-function",
            Name="live",
            FunctionVersion="1",
            RoutingConfig={"AdditionalVersionWeights": {"2": 0.1, "3": 0.1}},
        )
    assert error_of(exc) == (
        400,
        "InvalidParameterValueException",
        "Number of items in AdditionalVersionWeights cannot be greater than 1",
    )


@pytest.mark.parametrize("weight, shown", [(2, "2.0"), (-1, "-1.0"), (1.5, "1.5"), (1.0, "1.0")])
def test_weight_out_of_range_F_VA_071(raw_lam, weight, shown):
    create(raw_lam)
    raw_lam.publish_version(FunctionName="my-function")
    with pytest.raises(ClientError) as exc:
        raw_lam.create_alias(
            FunctionName="my-function",
            Name="live",
            FunctionVersion="1",
            RoutingConfig={"AdditionalVersionWeights": {"2": weight}},
        )
    assert error_of(exc) == (
        400,
        "ValidationException",
        f"1 validation error detected: Value '{{2={shown}}}' at 'routingConfig.additionalVersionWeights' failed to "
        "satisfy constraint: Map value must satisfy constraint: [Member must have value less than or equal to 1.0, "
        "Member must have value greater than or equal to 0.0, Member must not be null]",
    )


def test_routing_to_own_version_F_VA_073(two_versions):
    with pytest.raises(ClientError) as exc:
        two_versions.create_alias(
            FunctionName="my-function",
            Name="live",
            FunctionVersion="1",
            RoutingConfig={"AdditionalVersionWeights": {"1": 0.5}},
        )
    assert error_of(exc) == (
        400,
        "InvalidParameterValueException",
        "Invalid function version 1. Function version 1 is already included in routing configuration.",
    )


def test_routing_to_missing_version_F_VA_074(two_versions):
    with pytest.raises(ClientError) as exc:
        two_versions.create_alias(
            FunctionName="my-function",
            Name="live",
            FunctionVersion="1",
            RoutingConfig={"AdditionalVersionWeights": {"10": 0.5}},
        )
    assert error_of(exc) == (404, "ResourceNotFoundException", f"Function not found: {FN_ARN}:10")


def test_routing_to_latest_is_refused(two_versions):
    with pytest.raises(ClientError) as exc:
        two_versions.create_alias(
            FunctionName="my-function",
            Name="live",
            FunctionVersion="1",
            RoutingConfig={"AdditionalVersionWeights": {"$LATEST": 0.5}},
        )
    status, code, message = error_of(exc)
    assert (status, code) == (400, "ValidationException")
    assert message == (
        "1 validation error detected: Value '{$LATEST=0.5}' at 'routingConfig.additionalVersionWeights' failed to "
        "satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 1024, "
        "Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: "
        "[0-9]+]"
    )


def test_alias_on_latest_cannot_route(two_versions):
    """Recorded against AWS: this error carries ``message`` but no ``Type``."""
    with pytest.raises(ClientError) as exc:
        two_versions.create_alias(
            FunctionName="my-function",
            Name="live",
            FunctionVersion="$LATEST",
            RoutingConfig={"AdditionalVersionWeights": {"1": 0.5}},
        )
    assert error_of(exc) == (
        400,
        "InvalidParameterValueException",
        "$LATEST is not supported for an alias pointing to more than 1 version",
    )
    assert "Type" not in exc.value.response
    assert exc.value.response["message"] == "$LATEST is not supported for an alias pointing to more than 1 version"


def test_routing_needs_same_role_F_VA_076(two_versions):
    lam = two_versions
    lam.update_function_configuration(FunctionName="my-function", Role="arn:aws:iam::123456789012:role/other")
    lam.publish_version(FunctionName="my-function")
    with pytest.raises(ClientError) as exc:
        lam.create_alias(
            FunctionName="my-function",
            Name="live",
            FunctionVersion="1",
            RoutingConfig={"AdditionalVersionWeights": {"3": 0.5}},
        )
    assert error_of(exc) == (
        400,
        "InvalidParameterValueException",
        "Specified versions must be associated with the same execution role",
    )


def test_canary_promotion_F_VA_077(two_versions):
    lam = two_versions
    lam.create_alias(FunctionName="my-function", Name="live", FunctionVersion="1")
    shifted = lam.update_alias(
        FunctionName="my-function", Name="live", RoutingConfig={"AdditionalVersionWeights": {"2": 0.1}}
    )
    assert shifted["FunctionVersion"] == "1"
    assert shifted["RoutingConfig"] == {"AdditionalVersionWeights": {"2": 0.1}}
    promoted = lam.update_alias(
        FunctionName="my-function", Name="live", FunctionVersion="2", RoutingConfig={"AdditionalVersionWeights": {}}
    )
    assert promoted["FunctionVersion"] == "2"
    assert "RoutingConfig" not in promoted
    assert lam.get_function(FunctionName="my-function", Qualifier="live")["Configuration"]["Version"] == "2"


def test_get_function_through_alias_F_PI_100(two_versions):
    lam = two_versions
    lam.create_alias(FunctionName="my-function", Name="live", FunctionVersion="1")
    for kwargs in ({"FunctionName": "my-function", "Qualifier": "live"}, {"FunctionName": FN_ARN + ":live"}):
        config = lam.get_function(**kwargs)["Configuration"]
        assert (config["FunctionArn"], config["Version"]) == (FN_ARN + ":live", "1")


def test_get_function_missing_alias_F_PI_101(two_versions):
    for kwargs in (
        {"FunctionName": "my-function", "Qualifier": "aliasdoesnotexist"},
        {"FunctionName": FN_ARN + ":aliasdoesnotexist"},
    ):
        with pytest.raises(ClientError) as exc:
            two_versions.get_function(**kwargs)
        assert error_of(exc) == (404, "ResourceNotFoundException", f"Function not found: {FN_ARN}:aliasdoesnotexist")


def test_get_function_version_mismatch_F_PI_104(two_versions):
    with pytest.raises(ClientError) as exc:
        two_versions.get_function_configuration(FunctionName=FN_ARN + ":1", Qualifier="$LATEST")
    assert error_of(exc) == (
        400,
        "InvalidParameterValueException",
        "The derived qualifier from the function name does not match the specified qualifier.",
    )


def test_update_alias_keeps_routing_when_not_given(two_versions):
    lam = two_versions
    lam.create_alias(
        FunctionName="my-function",
        Name="live",
        FunctionVersion="1",
        RoutingConfig={"AdditionalVersionWeights": {"2": 0.3}},
    )
    response = lam.update_alias(FunctionName="my-function", Name="live", Description="x")
    assert response["RoutingConfig"] == {"AdditionalVersionWeights": {"2": 0.3}}


def test_delete_version_used_in_routing_is_refused(two_versions):
    lam = two_versions
    lam.create_alias(
        FunctionName="my-function",
        Name="live",
        FunctionVersion="1",
        RoutingConfig={"AdditionalVersionWeights": {"2": 0.3}},
    )
    with pytest.raises(ClientError) as exc:
        lam.delete_function(FunctionName="my-function", Qualifier="2")
    assert error_of(exc) == (
        409,
        "ResourceConflictException",
        "Unable to delete version because the following aliases reference it: [live]",
    )


def test_inspection_of_aliases(mock, two_versions):
    two_versions.create_alias(
        FunctionName="my-function",
        Name="live",
        FunctionVersion="1",
        RoutingConfig={"AdditionalVersionWeights": {"2": 0.25}},
    )
    function = mock.get_function("my-function")
    assert sorted(function.versions) == ["1", "2"]
    alias = function.aliases["live"]
    assert (alias.function_version, alias.routing) == ("1", {"2": 0.25})


def test_routing_needs_same_dead_letter_config(two_versions):
    lam = two_versions
    lam.update_function_configuration(
        FunctionName="my-function", DeadLetterConfig={"TargetArn": "arn:aws:sqs:us-east-1:123456789012:dlq"}
    )
    lam.publish_version(FunctionName="my-function")
    with pytest.raises(ClientError) as exc:
        lam.create_alias(
            FunctionName="my-function",
            Name="live",
            FunctionVersion="1",
            RoutingConfig={"AdditionalVersionWeights": {"3": 0.5}},
        )
    assert error_of(exc) == (
        400,
        "InvalidParameterValueException",
        "Specified versions must be associated with the same dead letter queue config",
    )


def test_update_missing_alias_says_alias_not_found(two_versions):
    with pytest.raises(ClientError) as exc:
        two_versions.update_alias(FunctionName="my-function", Name="non-existent", FunctionVersion="1")
    assert error_of(exc) == (404, "ResourceNotFoundException", f"Alias not found: {FN_ARN}:non-existent")


def test_create_alias_on_missing_function_names_target_version(lam):
    with pytest.raises(ClientError) as exc:
        lam.create_alias(FunctionName="my-function", Name="live", FunctionVersion="1")
    assert error_of(exc) == (404, "ResourceNotFoundException", f"Function not found: {FN_ARN}:1")


def test_get_alias_on_missing_function(lam):
    with pytest.raises(ClientError) as exc:
        lam.get_alias(FunctionName="my-function", Name="live")
    assert error_of(exc) == (404, "ResourceNotFoundException", f"Function not found: {FN_ARN}")
