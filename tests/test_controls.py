"""The handle's controls and inspection: one rule for where they look, and refusals naming what exists.

Every method that names or lists functions finds what any client created, whatever its account and
region, unless narrowed by ``account_id=`` / ``region=``; a control naming a function, alias,
version or qualifier that does not exist, or a forced route AWS could never take, raises
``ValueError`` naming what exists. The server's control endpoints answer the same mistakes with a
404 or a 400, and act where the (signed) caller is.
"""

from __future__ import annotations

import inspect
import json
import pathlib
import re
from collections.abc import Iterator
from typing import Any, Callable, Optional

import boto3
import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from conftest import ACCOUNT, FN_ARN_PREFIX, REGION, create

from mock_lambda_alias import LambdaAliasMock, mock_lambda_alias
from mock_lambda_alias.backend.controls import NotFound
from mock_lambda_alias.server.app import LambdaServer

OTHER = "210987654321"
OTHER_REGION = "eu-west-1"
#: An access key the server maps to OTHER (``--access-key KEY=ACCOUNT``).
OTHER_KEY = "AKIAOTHERACCOUNTKEY1"
OTHER_ROLE = f"arn:aws:iam::{OTHER}:role/lambda-role"
THEIRS = f"arn:aws:lambda:{OTHER_REGION}:{OTHER}:function:theirs"
ALL_QUALIFIERS = "aliases: CANARY, DEV, PROD; versions: $LATEST, 1, 2, 3"
NO_NOPE = "no function 'nope' in any account/region; functions: my-function, theirs"
REFERENCE = pathlib.Path(__file__).resolve().parent.parent / "docs" / "reference" / "controls.md"


def other_client(endpoint_url: Optional[str] = None, key: str = OTHER) -> Any:
    """A client of account OTHER in eu-west-1 (a 12-digit access key is that account)."""
    return boto3.client(
        "lambda",
        region_name=OTHER_REGION,
        endpoint_url=endpoint_url,
        aws_access_key_id=key,
        aws_secret_access_key="secret",
    )


def publish(client: Any, name: str, count: int) -> None:
    for number in range(1, count + 1):
        client.update_function_configuration(FunctionName=name, Description=f"v{number}")
        client.publish_version(FunctionName=name)


def build_world(lam: Any, other: Any) -> None:
    """my-function (default account, us-east-1): versions 1-3, PROD -> 1, CANARY -> 1 + 2, DEV -> $LATEST;
    theirs (OTHER, eu-west-1): versions 1-2, LIVE -> 1 + 2."""
    create(lam)
    publish(lam, "my-function", 3)
    lam.create_alias(FunctionName="my-function", Name="PROD", FunctionVersion="1")
    canary = {"AdditionalVersionWeights": {"2": 0.25}}
    lam.create_alias(FunctionName="my-function", Name="CANARY", FunctionVersion="1", RoutingConfig=canary)
    lam.create_alias(FunctionName="my-function", Name="DEV", FunctionVersion="$LATEST")
    create(other, "theirs", Role=OTHER_ROLE)
    publish(other, "theirs", 2)
    live = {"AdditionalVersionWeights": {"2": 0.5}}
    other.create_alias(FunctionName="theirs", Name="LIVE", FunctionVersion="1", RoutingConfig=live)


@pytest.fixture
def world(mock: LambdaAliasMock, lam: Any) -> Any:
    other = other_client()
    build_world(lam, other)
    return other


def executed(client: Any, name: str, times: int = 1) -> list[str]:
    return [client.invoke(FunctionName=name)["ExecutedVersion"] for _ in range(times)]


# -- one rule for where inspection looks ------------------------------------------------------------


def test_inspection_finds_a_function_created_in_another_region_by_another_account(mock, world):
    assert list(mock.functions()) == ["my-function", "theirs"]
    theirs = mock.get_function("theirs")
    assert (theirs.account_id, theirs.region, theirs.arn) == (OTHER, OTHER_REGION, THEIRS)
    assert list(mock.functions(account_id=OTHER)) == list(mock.functions(region=OTHER_REGION)) == ["theirs"]
    assert list(mock.functions(ACCOUNT, REGION)) == ["my-function"]
    assert mock.get_function("theirs", OTHER, OTHER_REGION) is theirs


@pytest.mark.parametrize(
    "method",
    [
        "functions",
        "get_function",
        "invocations",
        "environments",
        "deliveries",
        "is_invoke_allowed",
        "route_next",
        "register_handler",
        "set_isolation",
        "inject_fault",
    ],
)
def test_every_method_naming_functions_is_narrowed_by_the_same_arguments(method):
    parameters = inspect.signature(getattr(LambdaAliasMock, method)).parameters
    narrowing = {
        name: (p.default, p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY))
        for name, p in parameters.items()
        if name in ("account_id", "region")
    }
    assert narrowing == {"account_id": (None, True), "region": (None, True)}


def test_records_and_environments_of_every_place_narrowed_alike(mock, lam, world):
    lam.invoke(FunctionName="my-function")
    world.invoke(FunctionName="theirs")
    mock.deliver("events.amazonaws.com", FN_ARN_PREFIX + "my-function", {})
    mock.deliver("events.amazonaws.com", THEIRS, {})
    assert [r.function_name for r in mock.invocations()] == ["my-function", "theirs"]
    assert [r.function_name for r in mock.invocations(region=OTHER_REGION)] == ["theirs"]
    assert mock.count_invocations(account_id=OTHER) == 1
    assert mock.count_invocations("theirs", qualifier="LIVE", account_id=OTHER) == 0
    assert [e.function_name for e in mock.environments()] == ["my-function", "theirs"]
    assert [(e.account_id, e.region) for e in mock.environments(account_id=OTHER)] == [(OTHER, OTHER_REGION)]
    assert [d.function_arn for d in mock.deliveries(region=OTHER_REGION)] == [THEIRS]
    assert [d.function_arn for d in mock.deliveries(account_id=ACCOUNT)] == [FN_ARN_PREFIX + "my-function"]


def test_controls_act_where_the_function_is(mock, world):
    mock.route_next("theirs", "LIVE", "2", "1")
    assert [world.invoke(FunctionName="theirs:LIVE")["ExecutedVersion"] for _ in range(2)] == ["2", "1"]
    mock.register_handler("theirs", lambda event, context: context.invoked_function_arn, version="1")
    assert json.loads(world.invoke(FunctionName="theirs", Qualifier="1")["Payload"].read()) == THEIRS + ":1"
    mock.inject_fault("theirs", "2", message="v2 is broken")
    assert world.invoke(FunctionName="theirs", Qualifier="2")["FunctionError"] == "Unhandled"
    assert mock.is_invoke_allowed(OTHER, "theirs").reason == f"denied: {THEIRS} has no resource-based policy"


def test_a_name_in_several_places_must_be_narrowed(mock, lam, world):
    create(world, "my-function", Role=OTHER_ROLE)
    message = (
        f"function 'my-function' exists in {ACCOUNT}/{REGION}, {OTHER}/{OTHER_REGION} (account/region); "
        "narrow with account_id= and/or region="
    )
    refused: list[Callable[[], Any]] = [
        mock.functions,
        lambda: mock.get_function("my-function"),
        lambda: mock.inject_fault("my-function", "$LATEST"),
    ]
    for call in refused:
        with pytest.raises(ValueError) as caught:
            call()
        assert str(caught.value) == message
    assert mock.get_function("my-function", region=OTHER_REGION).account_id == OTHER
    assert list(mock.functions(account_id=OTHER)) == ["theirs", "my-function"]
    mock.inject_fault("my-function", "$LATEST", account_id=OTHER)
    assert world.invoke(FunctionName="my-function")["FunctionError"] == "Unhandled"
    assert "FunctionError" not in lam.invoke(FunctionName="my-function")
    # Records carry their place: a name filters them in every place, as any filter does.
    assert [r.account_id for r in mock.invocations("my-function")] == [OTHER, ACCOUNT]


def test_an_unknown_function_is_a_key_error_as_before(mock, world):
    with pytest.raises(KeyError) as caught:
        mock.get_function("nope")
    assert str(caught.value) == NO_NOPE


def test_records_of_a_deleted_function_stay_readable(mock, lam):
    create(lam, "gone")
    lam.invoke(FunctionName="gone", Qualifier="$LATEST")
    lam.delete_function(FunctionName="gone")
    assert mock.count_invocations("gone", qualifier="$LATEST", executed_version="$LATEST") == 1
    assert mock.count_invocations("gone", invocation_type="Event") == 0


def test_a_forced_route_to_a_version_the_alias_runs(mock, lam, world):
    mock.route_next("my-function", "CANARY", "2", "1", 2)
    mock.route_next("my-function", "PROD", "1")
    mock.route_next("my-function", "DEV", "$LATEST")
    assert executed(lam, "my-function:CANARY", 3) == ["2", "1", "2"]
    assert executed(lam, "my-function:PROD") + executed(lam, "my-function:DEV") == ["1", "$LATEST"]


# -- controls refuse what cannot be ---------------------------------------------------------------


def _handler(event: Any, context: Any) -> Any:
    return event


REFUSALS: list[tuple[str, Callable[[LambdaAliasMock], Any], type[Exception], str]] = [
    ("route to an unknown function", lambda m: m.route_next("nope", "PROD", "1"), NotFound, NO_NOPE),
    (
        "route through an unknown alias",
        lambda m: m.route_next("my-function", "PRDO", "1"),
        NotFound,
        f"function 'my-function' has no alias 'PRDO'; {ALL_QUALIFIERS}",
    ),
    (
        "route through a version",
        lambda m: m.route_next("my-function", "2", "2"),
        NotFound,
        f"function 'my-function' has no alias '2' ('2' is a version); {ALL_QUALIFIERS}",
    ),
    (
        "route past an alias without routing",
        lambda m: m.route_next("my-function", "PROD", "2"),
        ValueError,
        "alias 'PROD' of function 'my-function' has no routing configuration: it can run only version 1, not '2'",
    ),
    (
        "route to $LATEST through a version alias",
        lambda m: m.route_next("my-function", "PROD", "$LATEST"),
        ValueError,
        "alias 'PROD' of function 'my-function' has no routing configuration: it can run only version 1, not '$LATEST'",
    ),
    (
        "route to a version the alias does not weigh",
        lambda m: m.route_next("my-function", "CANARY", "2", "3"),
        ValueError,
        "alias 'CANARY' of function 'my-function' can route only to versions 1, 2, not '3'",
    ),
    (
        "route to a version that does not exist",
        lambda m: m.route_next("my-function", "CANARY", "9"),
        NotFound,
        "function 'my-function' has no version '9'; alias 'CANARY' of function 'my-function' can route only to 1, 2",
    ),
    (
        "route nothing",
        lambda m: m.route_next("my-function", "PROD"),
        ValueError,
        "route_next needs at least one version: route_next('my-function', 'PROD', '2')",
    ),
    ("fault an unknown function", lambda m: m.inject_fault("nope", "1"), NotFound, NO_NOPE),
    (
        "fault an unknown version",
        lambda m: m.inject_fault("my-function", "7"),
        NotFound,
        f"function 'my-function' has no version '7'; {ALL_QUALIFIERS}",
    ),
    (
        "fault an alias",
        lambda m: m.inject_fault("my-function", "PROD"),
        NotFound,
        f"function 'my-function' has no version 'PROD' ('PROD' is an alias); {ALL_QUALIFIERS}",
    ),
    (
        "fault a function of another region",
        lambda m: m.inject_fault("theirs", "1", region=REGION),
        NotFound,
        f"no function 'theirs' in region {REGION} (any account); functions: my-function; "
        f"'theirs' exists in {OTHER}/{OTHER_REGION} (account/region)",
    ),
    ("handle a typo", lambda m: m.register_handler("typo", _handler), NotFound, NO_NOPE.replace("nope", "typo")),
    (
        "handle an unknown version",
        lambda m: m.register_handler("theirs", _handler, version="3"),
        NotFound,
        "function 'theirs' has no version '3'; aliases: LIVE; versions: $LATEST, 1, 2",
    ),
    (
        "handle with no callable",
        lambda m: m.register_handler("my-function", "index.handler"),  # type: ignore[arg-type]
        TypeError,
        "handler must be a callable (event, context) -> result, got 'index.handler'",
    ),
    ("isolate an unknown function", lambda m: m.set_isolation("nope", "process"), NotFound, NO_NOPE),
    (
        "isolate an alias",
        lambda m: m.set_isolation("theirs", "process", version="LIVE"),
        NotFound,
        "function 'theirs' has no version 'LIVE' ('LIVE' is an alias); aliases: LIVE; versions: $LATEST, 1, 2",
    ),
    (
        "isolate in an account that has no such function",
        lambda m: m.set_isolation("my-function", "process", account_id=OTHER),
        NotFound,
        f"no function 'my-function' in account {OTHER} (any region); functions: theirs; "
        f"'my-function' exists in {ACCOUNT}/{REGION} (account/region)",
    ),
    ("ask about an unknown function", lambda m: m.is_invoke_allowed("s3.amazonaws.com", "nope"), NotFound, NO_NOPE),
    (
        "ask about an unknown qualifier",
        lambda m: m.is_invoke_allowed("s3.amazonaws.com", FN_ARN_PREFIX + "my-function:PRDO"),
        NotFound,
        f"function 'my-function' has no alias or version 'PRDO'; {ALL_QUALIFIERS}",
    ),
    (
        "ask about an ARN of another account than named",
        lambda m: m.is_invoke_allowed("s3.amazonaws.com", THEIRS, account_id=ACCOUNT),
        ValueError,
        f"'{THEIRS}' names account_id {OTHER}, but account_id='{ACCOUNT}' was given",
    ),
    ("get an unknown function", lambda m: m.get_function("nope"), NotFound, NO_NOPE),
    ("read records of an unknown function", lambda m: m.invocations("nope"), NotFound, NO_NOPE),
    (
        "count records of an unknown qualifier",
        lambda m: m.count_invocations("my-function", qualifier="PRDO"),
        NotFound,
        f"function 'my-function' has no alias or version 'PRDO'; {ALL_QUALIFIERS}",
    ),
    (
        "count records of an alias as executed version",
        lambda m: m.count_invocations("theirs", executed_version="LIVE"),
        NotFound,
        "function 'theirs' has no version 'LIVE'; versions: $LATEST, 1, 2",
    ),
    (
        "read records of a qualifier no function has",
        lambda m: m.invocations(qualifier="BETA"),
        NotFound,
        "no function in any account/region has an alias or version 'BETA'; "
        "aliases: CANARY, DEV, LIVE, PROD; versions: $LATEST, 1, 2, 3",
    ),
    (
        "read records of an unknown invocation type",
        lambda m: m.invocations(invocation_type="event"),
        ValueError,
        "invocation_type must be one of RequestResponse, Event, DryRun, got 'event'",
    ),
    ("list environments of an unknown function", lambda m: m.environments("nope"), NotFound, NO_NOPE),
    (
        "list environments of an unknown version",
        lambda m: m.environments("theirs", version="5"),
        NotFound,
        "function 'theirs' has no version '5'; versions: $LATEST, 1, 2",
    ),
    (
        "read deliveries of a service by a short name",
        lambda m: m.deliveries(service="s3"),
        ValueError,
        "service must be a service principal such as 's3.amazonaws.com', got 's3'",
    ),
    (
        "narrow to a malformed account",
        lambda m: m.functions(account_id="1234"),
        ValueError,
        "account_id must be a 12-digit string, got '1234'",
    ),
]


@pytest.mark.parametrize(("mistake", "call", "error", "message"), REFUSALS, ids=[r[0] for r in REFUSALS])
def test_controls_refuse_what_cannot_be(mock, world, mistake, call, error, message):
    with pytest.raises(error) as caught:
        call(mock)
    assert str(caught.value) == message
    assert isinstance(caught.value, ValueError) or error is TypeError


def test_a_refused_route_queues_nothing(mock, lam, world):
    mock.set_seed(3)
    unforced = executed(lam, "my-function:CANARY", 8)
    mock.set_seed(3)
    with pytest.raises(ValueError):
        mock.route_next("my-function", "CANARY", "2", "3")
    assert executed(lam, "my-function:CANARY", 8) == unforced


# -- the server's control endpoints -----------------------------------------------------------------


@pytest.fixture(scope="module")
def server() -> Iterator[LambdaServer]:
    with LambdaServer("127.0.0.1", 0, access_keys={OTHER_KEY: OTHER}, log_requests=False) as running:
        yield running


@pytest.fixture
def served(server: LambdaServer) -> Iterator[tuple[Any, Any]]:
    """The world of the in-process tests, on the server: (default client, OTHER's client)."""
    server.reset()
    lam = boto3.client(
        "lambda", region_name=REGION, endpoint_url=server.url, aws_access_key_id="testing", aws_secret_access_key="x"
    )
    other = other_client(server.url, OTHER_KEY)
    build_world(lam, other)
    yield lam, other
    assert server.mock.internal_errors == []


def control(
    server: LambdaServer,
    method: str,
    name: str,
    body: Any = None,
    signer: Optional[tuple[str, str]] = None,
    **params: str,
) -> requests.Response:
    """A control request, unsigned (as plain curl sends it) or signed with SigV4 by (access key, region)."""
    url = f"{server.url}/_mock_lambda_alias/{name}"
    request = AWSRequest(method, url, data=b"" if body is None else json.dumps(body).encode(), params=params)
    if signer is not None:
        SigV4Auth(Credentials(signer[0], "secret"), "lambda", signer[1]).add_auth(request)
    prepared = request.prepare()
    return requests.request(method, prepared.url, headers=dict(prepared.headers), data=prepared.body, timeout=30)


SERVER_REFUSALS = [
    ("POST", "route-next", {"function_name": "nope", "alias": "PROD", "versions": ["1"]}, {}, 404, NO_NOPE),
    (
        "POST",
        "route-next",
        {"function_name": "my-function", "alias": "PRDO", "versions": ["1"]},
        {},
        404,
        f"function 'my-function' has no alias 'PRDO'; {ALL_QUALIFIERS}",
    ),
    (
        "POST",
        "route-next",
        {"function_name": "my-function", "alias": "PROD", "versions": ["2"]},
        {},
        400,
        "alias 'PROD' of function 'my-function' has no routing configuration: it can run only version 1, not '2'",
    ),
    (
        "POST",
        "route-next",
        {"function_name": "theirs", "alias": "LIVE", "versions": ["2"], "account_id": "12"},
        {},
        400,
        "account_id must be a 12-digit string, got '12'",
    ),
    (
        "POST",
        "faults",
        {"function_name": "theirs", "version": "3"},
        {},
        404,
        "function 'theirs' has no version '3'; aliases: LIVE; versions: $LATEST, 1, 2",
    ),
    (
        "POST",
        "faults",
        {"function_name": "theirs", "version": "1", "region": REGION},
        {},
        404,
        f"no function 'theirs' in region {REGION} (any account); functions: my-function; "
        f"'theirs' exists in {OTHER}/{OTHER_REGION} (account/region)",
    ),
    ("GET", "invocations", None, {"function_name": "nope"}, 404, NO_NOPE),
    (
        "GET",
        "routing",
        None,
        {"qualifier": "PRDO"},
        404,
        "no function in any account/region has an alias or version 'PRDO'; "
        "aliases: CANARY, DEV, LIVE, PROD; versions: $LATEST, 1, 2, 3",
    ),
    ("POST", "is-invoke-allowed", {"principal": "s3.amazonaws.com", "arn": "nope"}, {}, 404, NO_NOPE),
]


@pytest.mark.parametrize(("method", "name", "body", "params", "status", "message"), SERVER_REFUSALS)
def test_server_controls_answer_404_and_400_naming_what_exists(
    server, served, method, name, body, params, status, message
):
    response = control(server, method, name, body, **params)
    assert (response.status_code, response.json()) == (status, {"message": message})


def test_unsigned_control_requests_find_functions_anywhere(server, served):
    other = served[1]
    forced = control(server, "POST", "route-next", {"function_name": "theirs", "alias": "LIVE", "versions": ["2"]})
    assert forced.json() == {"queued": ["2"]}
    assert other.invoke(FunctionName="theirs:LIVE")["ExecutedVersion"] == "2"
    records = control(server, "GET", "invocations", region=OTHER_REGION).json()["invocations"]
    assert [(r["function_name"], r["account_id"], r["executed_version"]) for r in records] == [("theirs", OTHER, "2")]


def test_signed_control_requests_act_in_the_callers_account_and_region(server, served):
    other = served[1]
    create(other, "my-function", Role=OTHER_ROLE)
    publish(other, "my-function", 2)
    routing = {"AdditionalVersionWeights": {"2": 0.5}}
    other.create_alias(FunctionName="my-function", Name="LIVE", FunctionVersion="1", RoutingConfig=routing)
    body = {"function_name": "my-function", "alias": "LIVE", "versions": ["2"]}
    unsigned = control(server, "POST", "route-next", body)
    assert (unsigned.status_code, unsigned.json()["message"]) == (
        400,
        f"function 'my-function' exists in {ACCOUNT}/{REGION}, {OTHER}/{OTHER_REGION} (account/region); "
        "narrow with account_id= and/or region=",
    )
    assert control(server, "POST", "route-next", body, signer=(OTHER_KEY, OTHER_REGION)).status_code == 200
    assert control(server, "POST", "route-next", {**body, "account_id": OTHER}).status_code == 200
    assert executed(other, "my-function:LIVE", 2) == ["2", "2"]
    own = control(server, "POST", "route-next", body, signer=("testing", REGION))
    assert (own.status_code, own.json()["message"]) == (
        404,
        f"function 'my-function' has no alias 'LIVE'; {ALL_QUALIFIERS}",
    )
    records = control(server, "GET", "invocations", signer=(OTHER_KEY, OTHER_REGION)).json()["invocations"]
    assert [(r["function_name"], r["region"]) for r in records] == [("my-function", OTHER_REGION)] * 2


def test_a_signed_caller_may_ask_about_another_accounts_arn(server, served):
    body = {"principal": OTHER, "arn": FN_ARN_PREFIX + "my-function:PROD"}
    answer = control(server, "POST", "is-invoke-allowed", body, signer=(OTHER_KEY, OTHER_REGION)).json()
    assert answer == {
        "allowed": False,
        "statement_id": None,
        "reason": f"denied: {FN_ARN_PREFIX}my-function:PROD has no resource-based policy",
    }


# -- the reference page ---------------------------------------------------------------------------


def _shown(name: str) -> str:
    """A public member as the reference table shows it: ``name(arguments)`` without annotations."""
    member = inspect.getattr_static(LambdaAliasMock, name)
    if isinstance(member, property):
        return name
    signature = inspect.signature(getattr(LambdaAliasMock, name))
    parameters = [p.replace(annotation=p.empty) for p in signature.parameters.values() if p.name != "self"]
    return name + str(signature.replace(parameters=parameters, return_annotation=signature.empty))


def test_the_reference_table_shows_every_public_method_as_it_is():
    methods = REFERENCE.read_text().split("\n## Methods\n", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `([^`]+)` \|", methods, re.MULTILINE)
    public = [name for name in dir(LambdaAliasMock) if not name.startswith("_") and callable_or_property(name)]
    assert sorted(rows) == sorted(_shown(name) for name in public)


def callable_or_property(name: str) -> bool:
    member = inspect.getattr_static(LambdaAliasMock, name)
    return isinstance(member, property) or callable(member)


def test_records_and_deliveries_keep_the_newest_up_to_the_limit():
    with mock_lambda_alias(max_invocation_records=2) as m:
        lam = boto3.client("lambda", region_name=REGION)
        create(lam, "my-function")
        lam.add_permission(
            FunctionName="my-function",
            StatementId="events",
            Action="lambda:InvokeFunction",
            Principal="events.amazonaws.com",
        )
        for n in range(3):
            m.deliver("events.amazonaws.com", FN_ARN_PREFIX + "my-function", {"n": n})
        assert [json.loads(r.payload)["n"] for r in m.invocations()] == [1, 2]
        assert [d.event["n"] for d in m.deliveries()] == [1, 2]
