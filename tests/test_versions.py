"""PublishVersion, ListVersionsByFunction, qualified reads and version deletion."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from conftest import ACCOUNT, FN_ARN_PREFIX, create, error_of, make_zip

FN_ARN = FN_ARN_PREFIX + "my-function"
REVISION_MESSAGE = (
    "The Revision Id provided does not match the latest Revision Id. "
    "Call the GetFunction/GetAlias API to retrieve the latest Revision Id"
)


def change_code(lam, marker: str) -> None:
    lam.update_function_code(FunctionName="my-function", ZipFile=make_zip(f"x = {marker!r}\n"))


def test_first_publish_F_VA_001(lam):
    create(lam)
    response = lam.publish_version(FunctionName="my-function", Description="first")
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert response["Version"] == "1"
    assert response["FunctionArn"] == FN_ARN + ":1"
    assert response["FunctionName"] == "my-function"
    assert response["Description"] == "first"


def test_numbers_grow_after_changes_F_VA_002(lam):
    create(lam)
    assert lam.publish_version(FunctionName="my-function")["Version"] == "1"
    change_code(lam, "two")
    second = lam.publish_version(FunctionName="my-function")
    assert (second["Version"], second["FunctionArn"]) == ("2", FN_ARN + ":2")
    lam.update_function_configuration(FunctionName="my-function", Timeout=9)
    assert lam.publish_version(FunctionName="my-function")["Version"] == "3"


def test_publish_without_change_returns_latest_version_F_VA_003(lam):
    create(lam)
    first = lam.publish_version(FunctionName="my-function", Description="one")
    again = lam.publish_version(FunctionName="my-function", Description="ignored")
    assert again["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert (again["Version"], again["RevisionId"], again["Description"]) == ("1", first["RevisionId"], "one")
    versions = lam.list_versions_by_function(FunctionName="my-function")["Versions"]
    assert [v["Version"] for v in versions] == ["$LATEST", "1"]


def test_published_version_is_frozen_F_VA_005(lam):
    create(lam, Description="before")
    first = lam.publish_version(FunctionName="my-function")
    lam.update_function_configuration(FunctionName="my-function", Description="after")
    config = lam.get_function(FunctionName="my-function", Qualifier="1")["Configuration"]
    assert config["Description"] == "before"
    assert config["RevisionId"] == first["RevisionId"]
    assert (config["FunctionArn"], config["Version"]) == (FN_ARN + ":1", "1")


def test_list_versions_order_and_arns_F_VA_006(lam):
    create(lam)
    lam.publish_version(FunctionName="my-function")
    change_code(lam, "b")
    lam.publish_version(FunctionName="my-function")
    response = lam.list_versions_by_function(FunctionName="my-function")
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert [(v["Version"], v["FunctionArn"]) for v in response["Versions"]] == [
        ("$LATEST", FN_ARN + ":$LATEST"),
        ("1", FN_ARN + ":1"),
        ("2", FN_ARN + ":2"),
    ]


def test_publish_with_wrong_sha_F_VA_008(lam):
    created = create(lam)
    with pytest.raises(ClientError) as exc:
        lam.publish_version(FunctionName="my-function", CodeSha256="wrong")
    assert error_of(exc) == (
        400,
        "InvalidParameterValueException",
        f"CodeSHA256 (wrong) is different from current CodeSHA256 in $LATEST ({created['CodeSha256']}). "
        "Please try again with the CodeSHA256 in $LATEST.",
    )
    response = lam.publish_version(FunctionName="my-function", CodeSha256=created["CodeSha256"])
    assert (response["ResponseMetadata"]["HTTPStatusCode"], response["Version"]) == (201, "1")


def test_publish_with_wrong_revision_F_VA_009(lam):
    create(lam)
    with pytest.raises(ClientError) as exc:
        lam.publish_version(FunctionName="my-function", RevisionId="wrong")
    assert error_of(exc) == (412, "PreconditionFailedException", REVISION_MESSAGE)
    current = lam.get_function(FunctionName="my-function")["Configuration"]["RevisionId"]
    assert lam.publish_version(FunctionName="my-function", RevisionId=current)["Version"] == "1"


def test_publish_on_create_F_VA_011(lam):
    created = create(lam, Publish=True)
    assert (created["Version"], created["FunctionArn"], created["State"]) == ("1", FN_ARN, "Pending")
    config = lam.get_function(FunctionName="my-function", Qualifier="1")["Configuration"]
    assert config["FunctionArn"] == FN_ARN + ":1"
    versions = lam.list_versions_by_function(FunctionName="my-function")["Versions"]
    assert [v["Version"] for v in versions] == ["$LATEST", "1"]
    assert lam.publish_version(FunctionName="my-function")["Version"] == "1"


def test_publish_on_code_update(lam):
    create(lam)
    response = lam.update_function_code(FunctionName="my-function", ZipFile=make_zip("y = 1\n"), Publish=True)
    # As for CreateFunction(Publish=True): the new version's number with the unqualified ARN.
    assert (response["Version"], response["FunctionArn"]) == ("1", FN_ARN)
    assert (
        lam.get_function(FunctionName="my-function", Qualifier="1")["Configuration"]["CodeSize"] == response["CodeSize"]
    )


def test_publish_missing_function(lam):
    with pytest.raises(ClientError) as exc:
        lam.publish_version(FunctionName="my-function")
    assert error_of(exc) == (404, "ResourceNotFoundException", f"Function not found: {FN_ARN}")


def test_list_versions_paging_F_VA_014(lam):
    create(lam)
    for n in range(5):
        change_code(lam, n)
        lam.publish_version(FunctionName="my-function")
    page = lam.list_versions_by_function(FunctionName="my-function", MaxItems=2)
    seen = [v["Version"] for v in page["Versions"]]
    assert len(seen) == 2 and isinstance(page["NextMarker"], str)
    while "NextMarker" in page:
        page = lam.list_versions_by_function(FunctionName="my-function", MaxItems=2, Marker=page["NextMarker"])
        seen += [v["Version"] for v in page["Versions"]]
    assert seen == ["$LATEST", "1", "2", "3", "4", "5"]
    paginator = lam.get_paginator("list_versions_by_function")
    pages = paginator.paginate(FunctionName="my-function", PaginationConfig={"PageSize": 1})
    assert [v["Version"] for p in pages for v in p["Versions"]] == seen


def test_list_versions_missing_function_F_VA_062(lam):
    with pytest.raises(ClientError) as exc:
        lam.list_versions_by_function(FunctionName="my-function")
    assert error_of(exc)[:2] == (404, "ResourceNotFoundException")


def test_delete_version_only_F_VA_020(lam):
    create(lam)
    lam.publish_version(FunctionName="my-function")
    change_code(lam, "b")
    lam.publish_version(FunctionName="my-function")
    response = lam.delete_function(FunctionName="my-function", Qualifier="1")
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as exc:
        lam.get_function(FunctionName="my-function", Qualifier="1")
    assert error_of(exc) == (404, "ResourceNotFoundException", f"Function not found: {FN_ARN}:1")
    versions = lam.list_versions_by_function(FunctionName="my-function")["Versions"]
    assert [v["Version"] for v in versions] == ["$LATEST", "2"]


def test_version_numbers_never_reused(lam):
    create(lam)
    lam.publish_version(FunctionName="my-function")
    change_code(lam, "b")
    lam.publish_version(FunctionName="my-function")
    lam.delete_function(FunctionName="my-function", Qualifier="2")
    change_code(lam, "c")
    assert lam.publish_version(FunctionName="my-function")["Version"] == "3"


def test_delete_function_removes_versions_and_aliases_F_VA_021(lam):
    create(lam)
    lam.publish_version(FunctionName="my-function")
    lam.create_alias(FunctionName="my-function", Name="live", FunctionVersion="1")
    assert lam.delete_function(FunctionName="my-function")["ResponseMetadata"]["HTTPStatusCode"] == 204
    create(lam)
    assert [v["Version"] for v in lam.list_versions_by_function(FunctionName="my-function")["Versions"]] == ["$LATEST"]
    assert lam.list_aliases(FunctionName="my-function")["Aliases"] == []


def test_delete_version_referenced_by_alias_F_VA_025(lam):
    create(lam)
    lam.publish_version(FunctionName="my-function")
    lam.create_alias(FunctionName="my-function", Name="live", FunctionVersion="1")
    with pytest.raises(ClientError) as exc:
        lam.delete_function(FunctionName="my-function", Qualifier="1")
    assert error_of(exc) == (
        409,
        "ResourceConflictException",
        "Unable to delete version because the following aliases reference it: [live]",
    )
    assert lam.get_function(FunctionName="my-function", Qualifier="1")["Configuration"]["Version"] == "1"


def test_qualifier_mismatch_both_ways_F_VA_026(lam):
    create(lam)
    lam.publish_version(FunctionName="my-function")
    for name, qualifier in ((FN_ARN + ":1", "$LATEST"), (FN_ARN + ":$LATEST", "1")):
        for call in (lam.get_function, lam.get_function_configuration, lam.delete_function):
            with pytest.raises(ClientError) as exc:
                call(FunctionName=name, Qualifier=qualifier)
            assert error_of(exc) == (
                400,
                "InvalidParameterValueException",
                "The derived qualifier from the function name does not match the specified qualifier.",
            )


def test_missing_qualified_targets_F_VA_027(lam):
    with pytest.raises(ClientError) as exc:
        lam.get_function(FunctionName=FN_ARN + ":$LATEST", Qualifier="$LATEST")
    assert error_of(exc) == (404, "ResourceNotFoundException", f"Function not found: {FN_ARN}:$LATEST")
    create(lam)
    for call in (lam.get_function, lam.get_function_configuration):
        with pytest.raises(ClientError) as exc:
            call(FunctionName="my-function", Qualifier="1221")
        assert error_of(exc) == (404, "ResourceNotFoundException", f"Function not found: {FN_ARN}:1221")


@pytest.mark.parametrize("name", ["my-function:1", FN_ARN + ":1", f"{ACCOUNT}:function:my-function:1"])
def test_qualifier_in_name_F_VA_029(lam, name):
    create(lam)
    lam.publish_version(FunctionName="my-function")
    config = lam.get_function(FunctionName=name)["Configuration"]
    assert (config["FunctionArn"], config["Version"]) == (FN_ARN + ":1", "1")


def test_delete_version_by_qualified_name(lam):
    create(lam)
    lam.publish_version(FunctionName="my-function")
    lam.delete_function(FunctionName="my-function:1")
    versions = lam.list_versions_by_function(FunctionName="my-function")["Versions"]
    assert [v["Version"] for v in versions] == ["$LATEST"]


def test_revision_ids_are_uuids_F_VA_015(lam):
    import re

    create(lam)
    version = lam.publish_version(FunctionName="my-function")
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", version["RevisionId"])


def test_list_functions_all_versions(lam):
    create(lam)
    lam.publish_version(FunctionName="my-function")
    functions = lam.list_functions(FunctionVersion="ALL")["Functions"]
    assert [(f["Version"], f["FunctionArn"]) for f in functions] == [
        ("$LATEST", FN_ARN + ":$LATEST"),
        ("1", FN_ARN + ":1"),
    ]
    assert [f["Version"] for f in lam.list_functions()["Functions"]] == ["$LATEST"]


def test_deleting_a_missing_version_is_idempotent(lam):
    """Recorded against AWS: DeleteFunction on a version that does not exist answers 204."""
    create(lam)
    for _ in range(2):
        response = lam.delete_function(FunctionName="my-function", Qualifier="1233")
        assert response["ResponseMetadata"]["HTTPStatusCode"] == 204
    lam.delete_function(FunctionName="my-function")
    with pytest.raises(ClientError) as exc:
        lam.delete_function(FunctionName="my-function", Qualifier="1233")
    assert error_of(exc) == (404, "ResourceNotFoundException", f"Function not found: {FN_ARN}")


def test_deleting_an_alias_through_delete_function_is_refused(lam):
    create(lam)
    lam.publish_version(FunctionName="my-function")
    lam.create_alias(FunctionName="my-function", Name="live", FunctionVersion="1")
    with pytest.raises(ClientError) as exc:
        lam.delete_function(FunctionName="my-function", Qualifier="live")
    assert error_of(exc) == (400, "InvalidParameterValueException", "Deletion of aliases is not currently supported.")


def test_delete_with_lowercase_latest_qualifier(lam):
    """Recorded against AWS: "$latest" is not an alias name; DeleteFunction looks the function up."""
    with pytest.raises(ClientError) as exc:
        lam.delete_function(FunctionName=FN_ARN, Qualifier="$latest")
    assert error_of(exc) == (404, "ResourceNotFoundException", f"Function not found: {FN_ARN}")
