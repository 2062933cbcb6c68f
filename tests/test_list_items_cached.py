"""List pages reuse each version's and alias's rendered item; every write must show in the next list.

ListVersionsByFunction and ListAliases keep each published version's / alias's item between
calls (so a page of 1,000 items is not rebuilt every time). These tests change versions and
aliases through every operation that can change what a list shows, listing before each change
(so the item is kept), and check that the next list agrees item for item with the single-item
reads GetFunctionConfiguration / GetAlias.
"""

from __future__ import annotations

import json
from typing import Any, Callable

import pytest
from conftest import ROLE, create, make_zip

from mock_lambda_alias.backend.model import LIST_OMITS

FN = "my-function"


def versions_listed(lam: Any) -> dict[str, dict]:
    pages = lam.get_paginator("list_versions_by_function").paginate(FunctionName=FN, MaxItems=3)
    return {v["Version"]: v for page in pages for v in page["Versions"]}


def aliases_listed(lam: Any) -> dict[str, dict]:
    pages = lam.get_paginator("list_aliases").paginate(FunctionName=FN, MaxItems=2)
    return {a["Name"]: a for page in pages for a in page["Aliases"]}


def assert_lists_agree_with_reads(lam: Any) -> None:
    for version, item in versions_listed(lam).items():
        single = lam.get_function_configuration(FunctionName=FN, Qualifier=version)
        single.pop("ResponseMetadata")
        for key in LIST_OMITS:
            single.pop(key, None)
        assert item == single, version
    for name, item in aliases_listed(lam).items():
        single = lam.get_alias(FunctionName=FN, Name=name)
        single.pop("ResponseMetadata")
        assert item == single, name


def _setup(lam: Any) -> None:
    create(lam)
    lam.publish_version(FunctionName=FN)
    lam.update_function_configuration(FunctionName=FN, Description="second")
    lam.publish_version(FunctionName=FN)
    lam.update_function_configuration(FunctionName=FN, Description="third")
    lam.publish_version(FunctionName=FN)
    lam.update_function_configuration(FunctionName=FN, Description="fourth")
    lam.publish_version(FunctionName=FN)
    lam.create_alias(FunctionName=FN, Name="live", FunctionVersion="1")
    lam.create_alias(FunctionName=FN, Name="beta", FunctionVersion="2", Description="b")
    lam.create_alias(FunctionName=FN, Name="gamma", FunctionVersion="$LATEST")


def _policy(qualifier: str) -> str:
    arn = f"arn:aws:lambda:us-east-1:123456789012:function:{FN}:{qualifier}"
    statement = {"Sid": "p", "Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"}}
    return json.dumps(
        {"Version": "2012-10-17", "Statement": [{**statement, "Action": "lambda:InvokeFunction", "Resource": arn}]}
    )


WRITES: dict[str, Callable[[Any], Any]] = {
    "UpdateAlias version": lambda lam: lam.update_alias(FunctionName=FN, Name="live", FunctionVersion="2"),
    "UpdateAlias routing": lambda lam: lam.update_alias(
        FunctionName=FN, Name="live", RoutingConfig={"AdditionalVersionWeights": {"3": 0.25}}
    ),
    "UpdateAlias description": lambda lam: lam.update_alias(FunctionName=FN, Name="beta", Description="new"),
    "UpdateAlias nothing (new RevisionId)": lambda lam: lam.update_alias(FunctionName=FN, Name="beta"),
    "AddPermission on an alias": lambda lam: lam.add_permission(
        FunctionName=FN,
        Qualifier="live",
        StatementId="s",
        Action="lambda:InvokeFunction",
        Principal="sns.amazonaws.com",
    ),
    "AddPermission on a version": lambda lam: lam.add_permission(
        FunctionName=FN, Qualifier="2", StatementId="s", Action="lambda:InvokeFunction", Principal="sns.amazonaws.com"
    ),
    "AddPermission on $LATEST": lambda lam: lam.add_permission(
        FunctionName=FN, StatementId="s", Action="lambda:InvokeFunction", Principal="sns.amazonaws.com"
    ),
    "PutResourcePolicy on a version": lambda lam: lam.put_resource_policy(
        ResourceArn=f"arn:aws:lambda:us-east-1:123456789012:function:{FN}:3", Policy=_policy("3")
    ),
    "UpdateFunctionConfiguration": lambda lam: lam.update_function_configuration(FunctionName=FN, Timeout=30),
    "UpdateFunctionCode": lambda lam: lam.update_function_code(FunctionName=FN, ZipFile=make_zip("x = 2\n")),
    "UpdateFunctionCode and publish": lambda lam: lam.update_function_code(
        FunctionName=FN, ZipFile=make_zip("x = 3\n"), Publish=True
    ),
    "PublishVersion after a change": lambda lam: (
        lam.update_function_configuration(FunctionName=FN, MemorySize=256),
        lam.publish_version(FunctionName=FN, Description="fourth"),
    ),
    "DeleteAlias": lambda lam: lam.delete_alias(FunctionName=FN, Name="gamma"),
    "CreateAlias": lambda lam: lam.create_alias(FunctionName=FN, Name="added", FunctionVersion="3"),
    "DeleteFunction of a version": lambda lam: lam.delete_function(FunctionName=FN, Qualifier="4"),
}


@pytest.mark.parametrize("write", list(WRITES))
def test_a_write_shows_in_the_next_list(lam, write):
    _setup(lam)
    assert_lists_agree_with_reads(lam)  # every item is now kept
    before_versions, before_aliases = versions_listed(lam), aliases_listed(lam)
    WRITES[write](lam)
    assert_lists_agree_with_reads(lam)
    assert (versions_listed(lam), aliases_listed(lam)) != (before_versions, before_aliases)


def test_permission_on_a_version_changes_its_listed_revision(lam):
    _setup(lam)
    listed = versions_listed(lam)["2"]["RevisionId"]
    WRITES["AddPermission on a version"](lam)
    now = versions_listed(lam)["2"]["RevisionId"]
    assert now != listed
    assert now == lam.get_function_configuration(FunctionName=FN, Qualifier="2")["RevisionId"]


def test_every_write_in_sequence_keeps_lists_and_reads_in_step(lam):
    _setup(lam)
    for name, write in WRITES.items():
        versions_listed(lam), aliases_listed(lam)
        write(lam)
        assert_lists_agree_with_reads(lam), name


def test_alias_update_shows_in_list_filtered_by_version(lam):
    _setup(lam)
    assert [a["Name"] for a in lam.list_aliases(FunctionName=FN, FunctionVersion="1")["Aliases"]] == ["live"]
    lam.update_alias(FunctionName=FN, Name="live", FunctionVersion="3")
    assert lam.list_aliases(FunctionName=FN, FunctionVersion="1")["Aliases"] == []
    listed = lam.list_aliases(FunctionName=FN, FunctionVersion="3")["Aliases"]
    assert [(a["Name"], a["FunctionVersion"]) for a in listed] == [("live", "3")]


def test_role_in_listed_versions_is_the_published_one(lam):
    _setup(lam)
    versions_listed(lam)
    lam.update_function_configuration(FunctionName=FN, Role=ROLE + "-other")
    listed = versions_listed(lam)
    assert listed["1"]["Role"] == ROLE
    assert listed["$LATEST"]["Role"] == ROLE + "-other"


def test_a_page_with_latest_first_is_written_from_the_kept_texts(lam):
    """$LATEST heads every ListVersionsByFunction page and is rendered anew; the published versions
    after it still answer from their kept JSON text, and the bytes equal a plain encoding."""
    from mock_lambda_alias.backend import rendered

    kept = rendered.Rendered({"Version": "1", "Description": 'ü "q"'})
    page = {"Versions": [{"Version": "$LATEST"}, kept, kept], "NextMarker": None}
    assert rendered.dumps(page) == json.dumps(page, separators=(",", ":")).encode()
    marked = rendered.Rendered({"Version": "2"})
    marked._json = '{"kept":true}'  # what the kept text is used for: not encoded again
    page = {"Versions": [{"Version": "$LATEST"}, marked, marked], "NextMarker": None}
    assert rendered.dumps(page) == b'{"Versions":[{"Version":"$LATEST"},{"kept":true},{"kept":true}],"NextMarker":null}'
    other = rendered.Rendered({"Version": "3"})
    page["Versions"][2] = other  # the same first item, another second: not the kept run
    assert (
        rendered.dumps(page) == b'{"Versions":[{"Version":"$LATEST"},{"kept":true},{"Version":"3"}],"NextMarker":null}'
    )

    _setup(lam)
    versions_listed(lam)
    assert_lists_agree_with_reads(lam)


def test_lists_mixing_kept_and_fresh_items_encode_as_json_does():
    from mock_lambda_alias.backend import rendered

    kept = rendered.Rendered({"Version": "1"})
    for items in ([kept, {"Version": "$LATEST"}], [{"a": 1}, kept, {"b": 2}, kept], [kept], [{"a": 1}, kept]):
        page = {"Functions": items, "NextMarker": "m"}
        assert rendered.dumps(page) == json.dumps(page, separators=(",", ":")).encode()


def test_a_repeated_large_page_parses_to_fresh_equal_results(lam, mock):
    """A large unchanged page is the same body again: every call still gets its own parsed
    result, so changing one response changes no later one."""
    create(lam)
    lam.publish_version(FunctionName=FN)
    lam.update_function_configuration(FunctionName=FN, Description="second")
    lam.publish_version(FunctionName=FN)
    for i in range(300):
        lam.create_alias(
            FunctionName=FN,
            Name=f"alias-{i:04d}",
            FunctionVersion="1",
            Description="d" * 100,
            RoutingConfig={"AdditionalVersionWeights": {"2": 0.5}},
        )
    first = lam.list_aliases(FunctionName=FN, MaxItems=10000)
    first["Aliases"][0]["RoutingConfig"]["AdditionalVersionWeights"]["2"] = 0.9
    first["Aliases"].pop()
    second = lam.list_aliases(FunctionName=FN, MaxItems=10000)
    assert len(second["Aliases"]) == 300
    assert second["Aliases"][0]["RoutingConfig"] == {"AdditionalVersionWeights": {"2": 0.5}}
    lam.update_alias(FunctionName=FN, Name="alias-0000", Description="changed")
    third = lam.list_aliases(FunctionName=FN, MaxItems=10000)
    assert third["Aliases"][0]["Description"] == "changed"
    assert [a["Name"] for a in third["Aliases"]] == [a["Name"] for a in second["Aliases"]]
