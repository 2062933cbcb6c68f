"""Function URL configs per qualifier, and HTTP requests to the URLs through ``requests``."""

from __future__ import annotations

import json
import re

import boto3
import pytest
import requests
from botocore.exceptions import ClientError
from conftest import FN_ARN_PREFIX, botocore_models, create, error_of, make_zip, requires_member

FN_ARN = FN_ARN_PREFIX + "my-function"
OTHER_ACCOUNT = "222222222222"
QUALIFIER_PATTERN = r"((?!^\d+$)^[0-9a-zA-Z-_]+$)"
URL = re.compile(r"^https://[a-z2-7]{26}0[a-z2-7]{5}\.lambda-url\.us-east-1\.on\.aws/$")
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")

REPORTER = (
    "import json\n"
    "def handler(event, context):\n"
    "    return {'version': context.function_version, 'path': event['rawPath'], 'method': "
    "event['requestContext']['http']['method'], 'query': event.get('queryStringParameters'), "
    "'body': event.get('body'), 'account': event['requestContext']['accountId']}\n"
)


@pytest.fixture
def aliased(lam):
    create(lam, Code={"ZipFile": make_zip(REPORTER)})
    lam.publish_version(FunctionName="my-function")
    lam.create_alias(FunctionName="my-function", Name="live", FunctionVersion="1")
    return lam


#: botocore 1.31 cannot send AddPermission's InvokedViaFunctionUrl; there a plain lambda:InvokeFunction
#: statement for "*" (which AWS accepts too) grants the second action of a public URL.
VIA_URL = {"InvokedViaFunctionUrl": True} if botocore_models("AddPermissionRequest", "InvokedViaFunctionUrl") else {}
needs_via_url = requires_member("AddPermissionRequest", "InvokedViaFunctionUrl", since="a late-2025 release")


def allow_url(lam, qualifier=None, statement="public-url"):
    kwargs = {"Qualifier": qualifier} if qualifier else {}
    lam.add_permission(
        FunctionName="my-function",
        StatementId=statement,
        Action="lambda:InvokeFunctionUrl",
        Principal="*",
        FunctionUrlAuthType="NONE",
        **kwargs,
    )


def allow_invoke(lam, qualifier=None, statement="public-url-invoke", **extra):
    kwargs = {"Qualifier": qualifier} if qualifier else {}
    lam.add_permission(
        FunctionName="my-function",
        StatementId=statement,
        Action="lambda:InvokeFunction",
        Principal="*",
        **kwargs,
        **extra,
    )


def allow_public(lam, qualifier=None):
    """Both statements AWS requires for a URL with AuthType NONE, as its guide grants them."""
    allow_url(lam, qualifier)
    allow_invoke(lam, qualifier, **VIA_URL)


# --- configs -----------------------------------------------------------------------------------------


def test_create_and_get_alias_url_F_PI_090(aliased):
    created = aliased.create_function_url_config(FunctionName="my-function", Qualifier="live", AuthType="NONE")
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    body = {k: v for k, v in created.items() if k != "ResponseMetadata"}
    assert set(body) == {"FunctionUrl", "FunctionArn", "AuthType", "CreationTime"}
    assert body["FunctionArn"] == FN_ARN + ":live"
    assert URL.match(body["FunctionUrl"]) and ISO.match(body["CreationTime"])
    fetched = aliased.get_function_url_config(FunctionName="my-function", Qualifier="live")
    assert fetched["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert fetched["FunctionArn"] == FN_ARN + ":live"
    assert fetched["InvokeMode"] == "BUFFERED"
    assert ISO.match(fetched["LastModifiedTime"])


def test_alias_and_function_urls_are_separate_F_PI_091(aliased):
    plain = aliased.create_function_url_config(FunctionName="my-function", AuthType="NONE")
    alias = aliased.create_function_url_config(FunctionName="my-function", Qualifier="live", AuthType="NONE")
    assert plain["FunctionUrl"] != alias["FunctionUrl"]
    assert plain["FunctionArn"] == FN_ARN
    listed = aliased.list_function_url_configs(FunctionName="my-function")["FunctionUrlConfigs"]
    assert [c["FunctionArn"] for c in listed] == [FN_ARN, FN_ARN + ":live"]
    deleted = aliased.delete_function_url_config(FunctionName="my-function")
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as exc:
        aliased.get_function_url_config(FunctionName="my-function")
    assert error_of(exc) == (404, "ResourceNotFoundException", "The resource you requested does not exist.")
    assert aliased.get_function_url_config(FunctionName="my-function", Qualifier="live")["AuthType"] == "NONE"


@pytest.mark.parametrize("qualifier", ["1", "$LATEST"])
@pytest.mark.parametrize(
    "operation",
    [
        "create_function_url_config",
        "get_function_url_config",
        "update_function_url_config",
        "delete_function_url_config",
    ],
)
def test_versions_and_latest_are_refused_F_PI_092(aliased, operation, qualifier):
    kwargs = {"AuthType": "NONE"} if operation.startswith(("create", "update")) else {}
    with pytest.raises(ClientError) as exc:
        getattr(aliased, operation)(FunctionName="my-function", Qualifier=qualifier, **kwargs)
    assert error_of(exc) == (
        400,
        "ValidationException",
        f"1 validation error detected: Value '{qualifier}' at 'qualifier' failed to satisfy constraint: "
        f"Member must satisfy regular expression pattern: {QUALIFIER_PATTERN}",
    )


@pytest.mark.parametrize(
    "operation", ["create_function_url_config", "get_function_url_config", "update_function_url_config"]
)
def test_name_qualifier_mismatch_F_PI_094(aliased, operation):
    kwargs = {"AuthType": "NONE"} if operation.startswith(("create", "update")) else {}
    with pytest.raises(ClientError) as exc:
        getattr(aliased, operation)(FunctionName="my-function:live-doesnotmatch", Qualifier="live", **kwargs)
    assert error_of(exc) == (
        400,
        "InvalidParameterValueException",
        "The derived qualifier from the function name does not match the specified qualifier.",
    )


def test_duplicate_url_F_PI_095(aliased):
    aliased.create_function_url_config(FunctionName="my-function", AuthType="NONE")
    with pytest.raises(ClientError) as exc:
        aliased.create_function_url_config(FunctionName="my-function", AuthType="NONE")
    assert error_of(exc) == (
        409,
        "ResourceConflictException",
        f"Failed to create function url config for [functionArn = {FN_ARN}]. Error message:  "
        "FunctionUrlConfig exists for this Lambda function",
    )


def test_missing_function_F_PI_096(lam):
    for call in (
        lambda: lam.list_function_url_configs(FunctionName="my-function"),
        lambda: lam.create_function_url_config(FunctionName="my-function", AuthType="NONE"),
        lambda: lam.update_function_url_config(FunctionName="my-function", AuthType="NONE"),
    ):
        with pytest.raises(ClientError) as exc:
            call()
        assert error_of(exc) == (404, "ResourceNotFoundException", "Function does not exist")
    for call in (
        lambda: lam.get_function_url_config(FunctionName="my-function"),
        lambda: lam.delete_function_url_config(FunctionName="my-function"),
    ):
        with pytest.raises(ClientError) as exc:
            call()
        assert error_of(exc) == (404, "ResourceNotFoundException", "The resource you requested does not exist.")


def test_missing_alias(aliased):
    with pytest.raises(ClientError) as exc:
        aliased.create_function_url_config(FunctionName="my-function", Qualifier="nope", AuthType="NONE")
    assert error_of(exc) == (404, "ResourceNotFoundException", "Function does not exist")


def test_update_url_config(aliased):
    aliased.create_function_url_config(FunctionName="my-function", AuthType="NONE")
    updated = aliased.update_function_url_config(FunctionName="my-function", AuthType="AWS_IAM")
    body = {k: v for k, v in updated.items() if k != "ResponseMetadata"}
    assert set(body) == {"FunctionUrl", "FunctionArn", "AuthType", "CreationTime", "LastModifiedTime"}
    assert body["AuthType"] == "AWS_IAM"
    cors = {"AllowOrigins": ["https://example.com"], "AllowMethods": ["GET"]}
    assert aliased.update_function_url_config(FunctionName="my-function", Cors=cors)["Cors"] == cors


def test_list_empty_and_paged(aliased):
    assert aliased.list_function_url_configs(FunctionName="my-function")["FunctionUrlConfigs"] == []
    aliased.create_function_url_config(FunctionName="my-function", AuthType="NONE")
    aliased.create_function_url_config(FunctionName="my-function", Qualifier="live", AuthType="NONE")
    page = aliased.list_function_url_configs(FunctionName="my-function", MaxItems=1)
    assert len(page["FunctionUrlConfigs"]) == 1
    rest = aliased.list_function_url_configs(FunctionName="my-function", Marker=page["NextMarker"])
    assert [c["FunctionArn"] for c in rest["FunctionUrlConfigs"]] == [FN_ARN + ":live"]


def test_deleting_alias_deletes_its_url(aliased):
    url = aliased.create_function_url_config(FunctionName="my-function", Qualifier="live", AuthType="NONE")
    aliased.delete_alias(FunctionName="my-function", Name="live")
    aliased.create_alias(FunctionName="my-function", Name="live", FunctionVersion="1")
    with pytest.raises(ClientError):
        aliased.get_function_url_config(FunctionName="my-function", Qualifier="live")
    assert requests.get(url["FunctionUrl"]).status_code == 403


# --- serving -------------------------------------------------------------------------------------------


def test_public_url_needs_permission(aliased):
    url = aliased.create_function_url_config(FunctionName="my-function", Qualifier="live", AuthType="NONE")
    response = requests.get(url["FunctionUrl"])
    assert response.status_code == 403
    assert response.json() == {
        "Message": "Forbidden. For troubleshooting Function URL authorization issues, see: "
        "https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html"
    }
    allow_public(aliased)  # on the function, not the alias: still forbidden through the alias URL
    assert requests.get(url["FunctionUrl"]).status_code == 403
    allow_public(aliased, "live")
    assert requests.get(url["FunctionUrl"]).status_code == 200


FORBIDDEN = {
    "Message": "Forbidden. For troubleshooting Function URL authorization issues, see: "
    "https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html"
}


@pytest.mark.parametrize(
    "grants, status",
    [
        pytest.param((), 403, id="nothing"),
        pytest.param(("url",), 403, id="only-InvokeFunctionUrl"),
        pytest.param(("invoke",), 403, id="only-InvokeFunction"),
        pytest.param(("invoke-via-url",), 403, id="only-InvokeFunction-via-url", marks=needs_via_url),
        pytest.param(("url", "invoke"), 200, id="both"),
        pytest.param(("url", "invoke-via-url"), 200, id="both-via-url", marks=needs_via_url),
    ],
)
def test_public_url_needs_both_actions(aliased, grants, status):
    url = aliased.create_function_url_config(FunctionName="my-function", Qualifier="live", AuthType="NONE")
    if "url" in grants:
        allow_url(aliased, "live")
    if "invoke" in grants:
        allow_invoke(aliased, "live")
    if "invoke-via-url" in grants:
        allow_invoke(aliased, "live", InvokedViaFunctionUrl=True)
    response = requests.get(url["FunctionUrl"] + "x")
    assert response.status_code == status
    if status == 403:
        assert response.json() == FORBIDDEN
        assert response.headers["x-amzn-ErrorType"] == "AccessDeniedException"
    else:
        assert response.json() == {
            "version": "1",
            "path": "/x",
            "method": "GET",
            "query": None,
            "body": None,
            "account": "anonymous",
        }


def test_invoke_permission_on_the_function_does_not_open_the_alias_url(aliased):
    url = aliased.create_function_url_config(FunctionName="my-function", Qualifier="live", AuthType="NONE")
    allow_url(aliased, "live")
    allow_invoke(aliased, **VIA_URL)  # on the function, not the alias
    assert requests.get(url["FunctionUrl"]).status_code == 403
    allow_invoke(aliased, "live", **VIA_URL)
    assert requests.get(url["FunctionUrl"]).status_code == 200


@pytest.mark.parametrize(
    "extra, api_allowed",
    [
        pytest.param({"InvokedViaFunctionUrl": True}, False, id="via-url-only", marks=needs_via_url),
        pytest.param({}, True, id="plain"),
    ],
)
def test_invoked_via_function_url_statement_covers_only_urls(mock, aliased, extra, api_allowed):
    url = aliased.create_function_url_config(FunctionName="my-function", Qualifier="live", AuthType="NONE")
    allow_url(aliased, "live")
    allow_invoke(aliased, "live", **extra)
    assert requests.get(url["FunctionUrl"]).status_code == 200

    other = boto3.client(
        "lambda", region_name="us-east-1", aws_access_key_id=OTHER_ACCOUNT, aws_secret_access_key="secret"
    )
    if api_allowed:
        assert other.invoke(FunctionName=FN_ARN + ":live", Payload=b"{}")["StatusCode"] == 200
    else:
        with pytest.raises(ClientError) as exc:
            other.invoke(FunctionName=FN_ARN + ":live", Payload=b"{}")
        assert error_of(exc) == (
            403,
            "AccessDeniedException",
            f"User: arn:aws:iam::{OTHER_ACCOUNT}:root is not authorized to perform: lambda:InvokeFunction "
            f"on resource: {FN_ARN}:live because no resource-based policy allows the lambda:InvokeFunction action",
        )
    decision = mock.is_invoke_allowed("*", FN_ARN + ":live")
    assert (bool(decision), decision.statement_id) == (api_allowed, "public-url-invoke" if api_allowed else None)
    via_url = mock.is_invoke_allowed("*", FN_ARN + ":live", invoked_via_function_url=True)
    assert (bool(via_url), via_url.statement_id) == (True, "public-url-invoke")


def test_url_runs_through_alias(mock, aliased):
    url = aliased.create_function_url_config(FunctionName="my-function", Qualifier="live", AuthType="NONE")
    allow_public(aliased, "live")
    response = requests.post(
        url["FunctionUrl"] + "orders/7?a=1&a=2&b=3", data="hello", headers={"Content-Type": "text/plain"}
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.json() == {
        "version": "1",
        "path": "/orders/7",
        "method": "POST",
        "query": {"a": "1,2", "b": "3"},
        "body": "hello",
        "account": "anonymous",
    }
    (record,) = mock.invocations("my-function", qualifier="live")
    assert record.executed_version == "1"
    assert record.request_id == response.headers["x-amzn-RequestId"]


def test_url_get_event_has_no_body_or_query(aliased):
    url = aliased.create_function_url_config(FunctionName="my-function", AuthType="NONE")
    allow_public(aliased)
    result = requests.get(url["FunctionUrl"]).json()
    assert (result["query"], result["body"], result["version"]) == (None, None, "$LATEST")


@pytest.mark.parametrize(
    "returned, status, body",
    [
        ("{'hello': 'world'}", 200, b'{"hello":"world"}'),
        ("{'statusCode': 201, 'body': 'created', 'headers': {'X-Custom': 'yes'}}", 201, b"created"),
        ("['hello', 3, True]", 200, b'["hello",3,true]'),
        ("'hello'", 200, b"hello"),
        ("3", 200, b"3"),
    ],
)
def test_url_response_mapping(lam, returned, status, body):
    create(lam, Code={"ZipFile": make_zip(f"def handler(event, context):\n    return {returned}\n")})
    url = lam.create_function_url_config(FunctionName="my-function", AuthType="NONE")
    allow_public(lam)
    response = requests.get(url["FunctionUrl"])
    assert (response.status_code, response.content) == (status, body)
    if status == 201:
        assert response.headers["X-Custom"] == "yes"


def test_url_function_error_is_502(lam):
    create(lam, Code={"ZipFile": make_zip("def handler(event, context):\n    raise ValueError('x')\n")})
    url = lam.create_function_url_config(FunctionName="my-function", AuthType="NONE")
    allow_public(lam)
    response = requests.get(url["FunctionUrl"])
    assert (response.status_code, response.text) == (502, "Internal Server Error")


def test_unknown_url_is_403(aliased):
    aliased.create_function_url_config(FunctionName="my-function", AuthType="NONE")
    response = requests.get("https://aaaaaaaaaaaaaaaaaaaaaaaaaa0aaaaa.lambda-url.us-east-1.on.aws/")
    assert response.status_code == 403
    assert response.content == b'{"Message":null}'
    assert response.headers["x-amzn-ErrorType"] == "AccessDeniedException"


def test_iam_url_needs_a_signature(aliased):
    url = aliased.create_function_url_config(FunctionName="my-function", AuthType="AWS_IAM")
    assert requests.get(url["FunctionUrl"]).status_code == 403
    signed = requests.get(url["FunctionUrl"], headers={"Authorization": "AWS4-HMAC-SHA256 Credential=x"})
    assert signed.status_code == 200
    assert signed.json()["account"] == "123456789012"


def test_url_serving_starts_with_first_url_and_stops_with_the_mock():
    import boto3
    from requests.adapters import HTTPAdapter

    import mock_lambda_alias

    original = HTTPAdapter.send
    with mock_lambda_alias.mock_lambda_alias():
        client = boto3.client("lambda", region_name="us-east-1")
        create(client)
        assert HTTPAdapter.send is original  # nothing patched until a URL exists
        client.create_function_url_config(FunctionName="my-function", AuthType="NONE")
        assert HTTPAdapter.send is not original
    assert HTTPAdapter.send is original


def test_invoking_url_with_json(aliased):
    url = aliased.create_function_url_config(FunctionName="my-function", AuthType="NONE")
    allow_public(aliased)
    result = requests.put(url["FunctionUrl"], json={"k": "v"}).json()
    assert json.loads(result["body"]) == {"k": "v"}
