"""The package answers as AWS does whatever botocore it runs on, and reports its own version.

AWS's validation messages come from the service, so the pattern a ``ValidationException`` quotes
is AWS's current one even when the caller's botocore ships an older model (botocore 1.31 still
has function-name patterns without the ``eusc-`` prefix, and models ``DeleteFunction``'s
``FunctionName`` with a shape that allows no dots). ``aws_constraints`` keeps that table; these
tests check it answers the same on every botocore, and that it still matches the newest model.
"""

from __future__ import annotations

import importlib.metadata

import botocore
import botocore.session
import pytest
from botocore.exceptions import ClientError
from conftest import NEWEST_CHECKED_BOTOCORE, botocore_version, create, error_of

import mock_lambda_alias
from mock_lambda_alias.wire import constraints as aws_constraints


def _comparable(shape: botocore.model.Shape, constraints: dict) -> dict:
    out = {k: v for k, v in constraints.items() if k in ("min", "max", "pattern", "enum")}
    if shape.type_name in ("string", "blob", "list", "map") and out.get("min") == 0:
        del out["min"]  # a minimum length of 0 constrains nothing
    return out


def test_version_is_the_installed_distribution_version():
    assert mock_lambda_alias.__version__ == importlib.metadata.version("mock-lambda-alias")


def test_dotted_name_accepted_where_aws_allows_it(lam):
    """AWS checks DeleteFunction's name against NamespacedFunctionName (dots allowed); botocore 1.31's
    model uses FunctionName there, which forbids them. A missing function is the answer on every botocore."""
    with pytest.raises(ClientError) as exc:
        lam.delete_function(FunctionName="my.function")
    assert error_of(exc) == (
        404,
        "ResourceNotFoundException",
        "Function not found: arn:aws:lambda:us-east-1:123456789012:function:my.function",
    )


def test_pattern_quoted_is_aws_current_one(lam):
    """F-VA-031: the pattern in the message carries AWS's eusc- partition prefix on every botocore."""
    create(lam)
    with pytest.raises(ClientError) as exc:
        lam.get_function(FunctionName="my-function!")
    status, code, message = error_of(exc)
    assert (status, code) == (400, "ValidationException")
    assert "((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:)?" in message
    assert message.endswith(r"(:(\$LATEST(\.PUBLISHED)?|[a-zA-Z0-9-_]+))?")


def test_tags_resource_parsed_from_either_uri_label(lam):
    """botocore 1.31 names ListTags' URI label {ARN}, newer ones {Resource}: both reach the backend."""
    arn = create(lam)["FunctionArn"]
    lam.tag_resource(Resource=arn, Tags={"team": "a"})
    assert lam.list_tags(Resource=arn)["Tags"] == {"team": "a"}


@pytest.mark.skipif(
    botocore_version() < NEWEST_CHECKED_BOTOCORE,  # the release aws_constraints.AWS_SHAPES was taken from
    reason=f"botocore {botocore.__version__} is older than the model the table was taken from",
)
def test_table_matches_the_installed_model():
    """When this fails, AWS changed a constraint after the table was taken: update AWS_SHAPES."""
    model = botocore.session.get_session().get_service_model("lambda")
    stale = {}
    for name, constraints in aws_constraints.AWS_SHAPES.items():
        if name in model.shape_names:
            shape = model.shape_for(name)
            installed = _comparable(shape, shape.metadata)
            if installed != _comparable(shape, constraints):
                stale[name] = installed
    for (structure, member), name in aws_constraints.MEMBER_SHAPES.items():
        if structure in model.shape_names and member in model.shape_for(structure).members:
            installed_name = model.shape_for(structure).members[member].name
            if installed_name != name:
                stale[f"{structure}.{member}"] = installed_name
    assert stale == {}
