"""TagResource, UntagResource, ListTags: tags live on the function, never on a qualifier."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from conftest import FN_ARN_PREFIX, create, error_of, requires_member

FN_ARN = FN_ARN_PREFIX + "my-function"


def test_tag_lifecycle_merges_and_overwrites_F_FN_040(lam):
    create(lam)
    response = lam.tag_resource(Resource=FN_ARN, Tags={"A": "a"})
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 204
    lam.tag_resource(Resource=FN_ARN, Tags={"B": "b", "C": "c"})
    lam.tag_resource(Resource=FN_ARN, Tags={"C": "new", "D": "d"})
    listed = lam.list_tags(Resource=FN_ARN)
    assert listed["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert listed["Tags"] == {"A": "a", "B": "b", "C": "new", "D": "d"}


def test_untag_ignores_absent_keys_F_FN_041(lam):
    create(lam)
    assert lam.list_tags(Resource=FN_ARN)["Tags"] == {}
    response = lam.untag_resource(Resource=FN_ARN, TagKeys=["absent"])
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 204
    lam.tag_resource(Resource=FN_ARN, Tags={"A": "a", "B": "b"})
    lam.untag_resource(Resource=FN_ARN, TagKeys=["A", "absent"])
    assert lam.list_tags(Resource=FN_ARN)["Tags"] == {"B": "b"}


@pytest.mark.parametrize("qualifier", ["1", "$LATEST", "v1"])
def test_tags_on_qualified_arn_refused_F_FN_042(lam, qualifier):
    create(lam)
    with pytest.raises(ClientError) as exc:
        lam.tag_resource(Resource=f"{FN_ARN}:{qualifier}", Tags={"A": "a"})
    assert error_of(exc) == (
        400,
        "InvalidParameterValueException",
        "Tags on function aliases and versions are not supported. Please specify a function ARN.",
    )


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.tag_resource(Resource=FN_ARN, Tags={"A": "a"}),
        lambda c: c.untag_resource(Resource=FN_ARN, TagKeys=["A"]),
        lambda c: c.list_tags(Resource=FN_ARN),
    ],
    ids=["tag", "untag", "list"],
)
def test_tags_on_missing_function_F_FN_044(lam, call):
    with pytest.raises(ClientError) as exc:
        call(lam)
    assert error_of(exc) == (404, "ResourceNotFoundException", f"Function not found: {FN_ARN}")


def test_tags_after_delete_F_FN_044(lam):
    create(lam, Tags={"A": "a"})
    lam.delete_function(FunctionName="my-function")
    with pytest.raises(ClientError) as exc:
        lam.list_tags(Resource=FN_ARN)
    assert error_of(exc)[:2] == (404, "ResourceNotFoundException")


def test_tag_limit_F_FN_046(lam):
    create(lam)
    with pytest.raises(ClientError) as exc:
        lam.tag_resource(Resource=FN_ARN, Tags={f"k{i}": "v" for i in range(51)})
    assert error_of(exc) == (400, "InvalidParameterValueException", "Number of tags exceeds resource tag limit.")
    response = lam.tag_resource(Resource=FN_ARN, Tags={f"k{i}": "v" for i in range(50)})
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as exc:
        lam.tag_resource(Resource=FN_ARN, Tags={"one-more": "v"})
    assert error_of(exc) == (400, "InvalidParameterValueException", "Number of tags exceeds resource tag limit.")
    lam.tag_resource(Resource=FN_ARN, Tags={"k0": "overwritten"})  # overwriting is not adding
    assert len(lam.list_tags(Resource=FN_ARN)["Tags"]) == 50


def test_get_function_tags_follow_tagging_F_FN_048(lam):
    create(lam)
    lam.tag_resource(Resource=FN_ARN, Tags={"A": "a"})
    assert lam.get_function(FunctionName="my-function")["Tags"] == {"A": "a"}
    lam.tag_resource(Resource=FN_ARN, Tags={"A": "b"})
    assert lam.get_function(FunctionName="my-function")["Tags"] == {"A": "b"}
    lam.untag_resource(Resource=FN_ARN, TagKeys=["A"])
    assert "Tags" not in lam.get_function(FunctionName="my-function")


def test_invalid_resource_arn(raw_lam):
    with pytest.raises(ClientError) as exc:
        raw_lam.list_tags(Resource="not-an-arn")
    status, code, message = error_of(exc)
    assert (status, code) == (400, "ValidationException")
    assert message.startswith(
        "1 validation error detected: Value 'not-an-arn' at 'resource' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*):lambda:"
    )


def test_tag_with_no_tags(lam):
    create(lam)
    with pytest.raises(ClientError) as exc:
        lam.tag_resource(Resource=FN_ARN, Tags={})
    assert error_of(exc) == (
        400,
        "InvalidParameterValueException",
        "An error occurred and the request cannot be processed.",
    )


def test_untag_with_no_keys(lam):
    create(lam)
    with pytest.raises(ClientError) as exc:
        lam.untag_resource(Resource=FN_ARN, TagKeys=[])
    assert error_of(exc) == (
        400,
        "ValidationException",
        "1 validation error detected: Value null at 'tagKeys' failed to satisfy constraint: Member must not be null",
    )


def test_tag_non_lambda_arn(lam):
    with pytest.raises(ClientError) as exc:
        lam.tag_resource(Resource="arn:aws:something", Tags={"A": "a"})
    assert error_of(exc) == (
        400,
        "ValidationException",
        "1 validation error detected: Value 'arn:aws:something' at 'resource' failed to satisfy constraint: "
        r"Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*):lambda:(eusc-)?[a-z]{2}((-gov)|"
        r"(-iso([a-z]?)))?-[a-z]+-\d{1}:\d{12}:(function:[a-zA-Z0-9-_]+(:(\$LATEST|[a-zA-Z0-9-_]+))?|"
        r"layer:([a-zA-Z0-9-_]+)|code-signing-config:csc-[a-z0-9]{17}|event-source-mapping:[0-9a-fA-F]{8}-"
        r"[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|capacity-provider:[a-zA-Z0-9-_]+)",
    )


@requires_member("CreateEventSourceMappingRequest", "Tags", since="1.35.23")
def test_event_source_mapping_tags(lam):
    create(lam)
    mapping = lam.create_event_source_mapping(
        FunctionName="my-function", EventSourceArn="arn:aws:sqs:us-east-1:123456789012:q", Tags={"team": "a"}
    )
    arn = mapping["EventSourceMappingArn"]
    assert lam.list_tags(Resource=arn)["Tags"] == {"team": "a"}
    lam.tag_resource(Resource=arn, Tags={"env": "prod"})
    lam.untag_resource(Resource=arn, TagKeys=["team"])
    assert lam.list_tags(Resource=arn)["Tags"] == {"env": "prod"}
    missing = arn.rsplit(":", 1)[0] + ":00000000-0000-0000-0000-000000000000"
    for call in (
        lambda: lam.tag_resource(Resource=missing, Tags={"a": "b"}),
        lambda: lam.untag_resource(Resource=missing, TagKeys=["a"]),
        lambda: lam.list_tags(Resource=missing),
    ):
        with pytest.raises(ClientError) as exc:
            call()
        assert error_of(exc) == (404, "ResourceNotFoundException", f"Event source mapping not found: {missing}")


def test_function_tags_are_isolated_from_the_tag_list_returned(lam):
    create(lam)
    tags = lam.list_tags(Resource=FN_ARN)["Tags"]
    tags["x"] = "y"
    assert lam.list_tags(Resource=FN_ARN)["Tags"] == {}
