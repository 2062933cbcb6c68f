"""AWS's patterns are Java regular expressions: every one of them is enforced, without ``regex``.

Python's ``re`` compiles all but the tag patterns, ``([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)``, whose Unicode
category classes it lacks; those are matched character by character (Unicode letters, separators
and numbers, plus the listed characters), as Java does.
"""

from __future__ import annotations

import subprocess
import sys

import botocore.session
import pytest
from conftest import FN_ARN_PREFIX, create, error_of

from mock_lambda_alias.wire import constraints as aws_constraints
from mock_lambda_alias.wire.constraints import UnicodeClassPattern, compile_java_pattern

TAG_PATTERN = r"([\p{L}\p{Z}\p{N}_.:/=+\-@]*)"
FN_ARN = FN_ARN_PREFIX + "my-function"


def _model_patterns() -> set[str]:
    model = botocore.session.get_session().get_service_model("lambda")
    found = {model.shape_for(name).metadata.get("pattern") for name in model.shape_names}
    found |= {shape.get("pattern") for shape in aws_constraints.AWS_SHAPES.values()}
    return {p for p in found if p}


def test_every_pattern_of_the_model_is_enforced():
    assert [p for p in sorted(_model_patterns()) if compile_java_pattern(p) is None] == []


@pytest.mark.parametrize(
    ("value", "matches"),
    [
        ("", True),
        ("team", True),
        ("ключ é 7 ٣ Ω", True),  # letters and numbers of any script, a space separator
        ("a_b.c:d/e=f+g-h@i", True),
        ("tab\there", False),  # a control character, not a separator
        ("a*b", False),
        ("smile 🙂", False),  # a symbol (So)
    ],
)
def test_the_tag_pattern_matches_unicode_categories(value, matches):
    assert bool(compile_java_pattern(TAG_PATTERN).fullmatch(value)) is matches


@pytest.mark.parametrize(
    "pattern",
    [r"[\p{L}a-z]*", r"[^\p{L}]*", r"[\p{L}\d]*", r"[\p{L}]*x", r"(\p{L}+)"],
)
def test_shapes_the_matcher_does_not_know_are_not_guessed(pattern):
    assert UnicodeClassPattern.parse(pattern) is None


def test_tags_in_any_script_are_accepted_and_others_refused(lam):
    create(lam)
    lam.tag_resource(Resource=FN_ARN, Tags={"ключ é 7": "Ωmega + - @ = . _ : /"})
    assert lam.list_tags(Resource=FN_ARN)["Tags"] == {"ключ é 7": "Ωmega + - @ = . _ : /"}
    with pytest.raises(lam.exceptions.ClientError) as excinfo:
        lam.tag_resource(Resource=FN_ARN, Tags={"a*b": "x"})
    assert error_of(excinfo) == (
        400,
        "ValidationException",
        "1 validation error detected: Value '{a*b=x}' at 'tags' failed to satisfy constraint: Map keys must "
        "satisfy constraint: [Member must have length less than or equal to 128, Member must have length "
        r"greater than or equal to 1, Member must satisfy regular expression pattern: ([\p{L}\p{Z}\p{N}_.:/=+\-@]*)]",
    )


def test_validating_tags_imports_no_regular_expression_package():
    code = (
        "import sys, boto3\n"
        "from mock_lambda_alias import mock_lambda_alias\n"
        "with mock_lambda_alias():\n"
        "    lam = boto3.client('lambda', region_name='us-east-1', aws_access_key_id='k', aws_secret_access_key='s')\n"
        "    try:\n"
        "        lam.tag_resource(Resource='arn:aws:lambda:us-east-1:123456789012:function:f', Tags={'a*b': 'x'})\n"
        "    except lam.exceptions.ClientError as error:\n"
        "        print(error.response['Error']['Code'], 'regex' in sys.modules)\n"
    )
    output = subprocess.check_output([sys.executable, "-c", code], text=True)
    assert output.split() == ["ValidationException", "False"]
