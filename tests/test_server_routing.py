"""Routing HTTP requests to operations from botocore's model: templates, greedy labels, querystrings."""

from __future__ import annotations

import re

import botocore.session
import pytest

from mock_lambda_alias import mock_lambda_alias
from mock_lambda_alias.server.routing import Router, lambda_router
from mock_lambda_alias.wire.signing import caller_of


def _render(template: str, value: str) -> tuple[str, str]:
    path, _, query = template.partition("?")
    return re.sub(r"\{[^}]+\}", value, path), query


@pytest.mark.parametrize("value", ["my-function", "arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Af%3A1"])
def test_every_lambda_operation_routes_back_to_itself(value):
    router = lambda_router()
    assert len(router.routes) == len(router.service_model.operation_names)
    for route in router.routes:
        path, query = _render(route.operation.http["requestUri"], value)
        matched = router.match(route.method, path, query)
        assert matched is not None and matched.name == route.operation.name, route.operation.http


@pytest.mark.parametrize(
    ("method", "path", "query", "operation"),
    [
        # Same method and path; the static querystring of the template tells them apart.
        ("GET", "/2019-09-30/functions/f/provisioned-concurrency", "List=ALL", "ListProvisionedConcurrencyConfigs"),
        ("GET", "/2019-09-30/functions/f/provisioned-concurrency", "Qualifier=1", "GetProvisionedConcurrencyConfig"),
        ("GET", "/2018-10-31/layers", "find=LayerVersion&Arn=x", "GetLayerVersionByArn"),
        ("GET", "/2018-10-31/layers", "", "ListLayers"),
        ("GET", "/2018-10-31/layers", "find=Something", "ListLayers"),
        # Trailing slashes as botocore writes them, and without.
        ("POST", "/2015-03-31/functions/f/aliases", "", "CreateAlias"),
        ("POST", "/2015-03-31/functions/f/aliases/", "", "CreateAlias"),
        ("GET", "/2015-03-31/functions/", "", "ListFunctions"),
        ("GET", "/2015-03-31/functions/f", "", "GetFunction"),
        ("GET", "/2015-03-31/functions/f/configuration", "Qualifier=PROD", "GetFunctionConfiguration"),
        ("PUT", "/2015-03-31/functions/f/aliases/PROD", "", "UpdateAlias"),
        ("DELETE", "/2015-03-31/functions/f/policy/sid", "Qualifier=PROD", "RemovePermission"),
    ],
)
def test_lambda_routes(method, path, query, operation):
    matched = lambda_router().match(method, path, query)
    assert matched is not None and matched.name == operation


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/"),
        ("DELETE", "/2015-03-31/functions"),
        ("GET", "/2015-03-31/functions/f/aliases/a/extra"),
        ("GET", "/prefix/2015-03-31/functions"),
        ("GET", "/2015-03-31/functions//aliases"),
    ],
)
def test_no_route(method, path):
    assert lambda_router().match(method, path, "") is None


def test_the_router_is_generic_greedy_labels_and_valueless_query_keys():
    """S3's model has greedy ``{Key+}`` labels and operations told apart by a bare ``?tagging``."""
    s3 = Router(botocore.session.get_session().get_service_model("s3"))
    assert s3.match("GET", "/bucket/a/b/c.txt", "").name == "GetObject"
    assert s3.match("GET", "/bucket/a/b/c.txt", "tagging").name == "GetObjectTagging"
    assert s3.match("GET", "/bucket", "list-type=2").name == "ListObjectsV2"
    assert s3.match("GET", "/bucket", "").name == "ListObjects"


def test_path_known_with_another_method():
    router = lambda_router()
    assert router.path_known("/2015-03-31/functions")
    assert not router.path_known("/nothing")


AUTH = (
    "AWS4-HMAC-SHA256 Credential={key}/20251102/{region}/lambda/aws4_request, "
    "SignedHeaders=host;x-amz-date, Signature=abc"
)


def test_caller_from_authorization_header():
    caller = caller_of({"Authorization": AUTH.format(key="AKIDEXAMPLE", region="eu-west-3")}, "")
    assert (caller.access_key, caller.region) == ("AKIDEXAMPLE", "eu-west-3")


def test_caller_from_presigned_query():
    query = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20251102%2Fap-south-1%2Flambda%2Faws4_request"
    caller = caller_of({}, query)
    assert (caller.access_key, caller.region) == ("AKID", "ap-south-1")


def test_unsigned_caller():
    caller = caller_of({}, "")
    assert (caller.access_key, caller.region) == (None, None)
    assert caller_of({"Authorization": "Bearer token"}, "").region is None


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        (None, "123456789012"),
        ("testing", "123456789012"),
        ("000000000000", "000000000000"),
        ("999999999999", "999999999999"),
        ("1234567890123", "123456789012"),  # 13 digits: not an account id
        ("AKIAMAPPED", "555555555555"),
    ],
)
def test_account_for_access_key(key, expected):
    m = mock_lambda_alias(account_id="123456789012")
    m.set_account_for_access_key("AKIAMAPPED", "555555555555")
    assert m.identity_for(key).account_id == expected


def test_codec_reads_labels_from_the_end_of_the_path():
    """Labels are read from the end of the path: an endpoint may add a prefix, botocore a slash.

    Lambda's templates (one label per segment) are matched segment by segment; a greedy
    ``{Key+}`` (S3's) spans segments. A path that does not end with the template yields no labels.
    """
    from mock_lambda_alias.wire.protocol import OperationCodec, RequestParts

    session = botocore.session.get_session()
    get_alias = OperationCodec(session.get_service_model("lambda").operation_model("GetAlias"))
    for url in (
        "https://host/2015-03-31/functions/my%3Afn/aliases/live",
        "https://host/prefix/2015-03-31/functions/my%3Afn/aliases/live/",
    ):
        assert get_alias.parse_request(RequestParts(url, {}, b"")) == {"FunctionName": "my:fn", "Name": "live"}
    for url in ("https://host/2015-03-31/functions/my-fn/aliases/", "https://host/2015-03-31/functions/f/versions/1"):
        assert get_alias.parse_request(RequestParts(url, {}, b"")) == {}
    get_object = OperationCodec(session.get_service_model("s3").operation_model("GetObject"))
    params = get_object.parse_request(RequestParts("https://host/bucket/a/b/c%20d.txt?x-id=GetObject", {}, b""))
    assert (params["Bucket"], params["Key"]) == ("bucket", "a/b/c d.txt")
