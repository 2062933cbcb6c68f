"""Suite-wide checks: every Lambda response the mock produces is shaped as AWS's would be.

An ``after-call.lambda`` handler, installed for every botocore session, validates each successful
response against the operation's output shape (as botocore's Stubber does) and each error code
against the operation's modeled errors plus ``ValidationException``. A violation fails the test
at the call that produced it. Our own internal errors (answered as 500) fail it too.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import Any, Optional

import boto3
import botocore
import botocore.session
import pytest
from botocore import handlers as botocore_handlers
from botocore.exceptions import ParamValidationError
from botocore.validate import ParamValidator

import mock_lambda_alias
from mock_lambda_alias import package, switch

ACCOUNT = "123456789012"
REGION = "us-east-1"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/lambda-role"
FN_ARN_PREFIX = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:"

#: Error codes AWS may send for any operation although no operation models them. IAM authorizes
#: every request before Lambda sees it, so any operation can answer 403 AccessDeniedException.
ALWAYS_ALLOWED_ERRORS = {"ValidationException", "AccessDeniedException"}
#: Operations AWS answers with an empty body although the model marks output members required.
#: GetFunctionCodeSigningConfig of a function without a config: 200 and ``{}`` (recorded in LocalStack's
#: AWS snapshot test_code_signing_not_found_excs / get_function_csc_fnwithoutcsc).
RECORDED_EMPTY_BODIES = {"GetFunctionCodeSigningConfig"}
#: Error codes AWS sends for an operation although botocore's model omits them there: a role of
#: another account (F-MA-019) or a layer of another account that grants nothing (403).
UNMODELED_ERRORS = {
    "CreateFunction": {"AccessDeniedException"},
    "UpdateFunctionConfiguration": {"AccessDeniedException"},
    "GetLayerVersion": {"AccessDeniedException"},
    "GetLayerVersionByArn": {"AccessDeniedException"},
}

#: Error codes AWS sends that newer botocore models list for an operation but botocore 1.31's omit.
LATER_MODELED_ERRORS = {
    "DeleteLayerVersion": {"InvalidParameterValueException"},  # F-LY-011
}

checked_calls: list[str] = []


class ShapeViolation(AssertionError):
    pass


def _check_response(http_response: Any = None, parsed: Any = None, model: Any = None, **_: Any) -> None:
    if switch.innermost() is not None:
        check_response(http_response, parsed, model)


def check_response(http_response: Any = None, parsed: Any = None, model: Any = None, **_: Any) -> None:
    """The checks, for clients of the HTTP server too (tests/test_server.py registers it per client)."""
    if model is None or parsed is None:
        return
    status = http_response.status_code if http_response is not None else 200
    checked_calls.append(model.name)
    if status >= 300:
        code = parsed.get("Error", {}).get("Code")
        if code == "ServiceException" and "internal error" in parsed["Error"].get("Message", ""):
            raise ShapeViolation(f"{model.name}: mock internal error: {parsed['Error']['Message']}")
        allowed = {shape.name for shape in model.error_shapes} | ALWAYS_ALLOWED_ERRORS
        allowed |= UNMODELED_ERRORS.get(model.name, set()) | LATER_MODELED_ERRORS.get(model.name, set())
        if code == "UnknownOperationException" and "does not implement" in parsed["Error"]["Message"]:
            return
        if code not in allowed:
            raise ShapeViolation(f"{model.name} answered error {code}, which AWS does not send: {sorted(allowed)}")
        return
    if model.output_shape is None:
        return
    members = model.output_shape.members
    body = {
        k: v
        for k, v in parsed.items()
        if k != "ResponseMetadata" and not members.get(k, model.output_shape).serialization.get("eventstream")
    }
    if not body and model.name in RECORDED_EMPTY_BODIES:
        return
    report = ParamValidator().validate(body, model.output_shape)
    if report.has_errors():
        raise ShapeViolation(f"{model.name} response does not match its output shape:\n{report.generate_report()}")
    unknown = set(body) - set(model.output_shape.members)
    if unknown:
        raise ShapeViolation(f"{model.name} response has members AWS does not model: {sorted(unknown)}")


def _install_checker() -> None:
    entry = ("after-call.lambda", _check_response)
    if entry not in botocore_handlers.BUILTIN_HANDLERS:
        botocore_handlers.BUILTIN_HANDLERS.append(entry)
    if boto3.DEFAULT_SESSION is not None:
        boto3.DEFAULT_SESSION._session.register("after-call.lambda", _check_response, unique_id="tests.shape-check")


_install_checker()


def make_zip(source: str = "def handler(event, context):\n    return event\n", name: str = "index.py") -> bytes:
    """A package of one file, ``index.py`` by default (the handler ``index.handler`` of :func:`create`)."""
    return package({name: source})


ZIP = make_zip()


@pytest.fixture
def mock() -> Iterator[mock_lambda_alias.LambdaAliasMock]:
    with mock_lambda_alias.mock_lambda_alias() as m:
        yield m
        assert not m.internal_errors, m.internal_errors
        # Scheduled work (retries, deliveries, durable replays) that raised is only recorded.
        assert not m.store.scheduler.errors, m.store.scheduler.errors


@pytest.fixture
def lam(mock: mock_lambda_alias.LambdaAliasMock) -> Any:
    return boto3.client("lambda", region_name=REGION)


@pytest.fixture
def raw_lam(mock: mock_lambda_alias.LambdaAliasMock) -> Any:
    """A client that skips botocore's own parameter validation, so the mock's is what answers."""
    from botocore.config import Config

    return boto3.client("lambda", region_name=REGION, config=Config(parameter_validation=False))


def create(client: Any, name: str = "my-function", **kwargs: Any) -> dict:
    params: dict[str, Any] = {
        "FunctionName": name,
        "Runtime": "python3.12",
        "Role": ROLE,
        "Handler": "index.handler",
        "Code": {"ZipFile": ZIP},
    }
    params.update(kwargs)
    return client.create_function(**params)


def error_of(excinfo: Any) -> tuple[int, str, str]:
    """(HTTP status, error code, message) of a caught ClientError."""
    response = excinfo.value.response
    return (
        response["ResponseMetadata"]["HTTPStatusCode"],
        response["Error"]["Code"],
        response["Error"]["Message"],
    )


class SocketGuard:
    """Records every attempt to open a network connection (and refuses it): a mock must make none."""

    def __init__(self) -> None:
        self.attempts: list[str] = []

    def refuse(self, what: str, target: Any) -> None:
        self.attempts.append(f"{what} {target!r}")
        raise OSError(f"mock_lambda_alias tests: network access attempted: {what} {target!r}")


@pytest.fixture
def socket_guard(monkeypatch: pytest.MonkeyPatch) -> SocketGuard:
    import socket

    guard = SocketGuard()
    # Clients made outside a mock look for credentials; give them some, as a developer's machine
    # would have (real-looking ones: what would reach AWS if anything leaked).
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAREALLOOKING00000")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "would-reach-real-aws")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setattr(socket.socket, "connect", lambda sock, address: guard.refuse("connect", address))
    monkeypatch.setattr(socket.socket, "connect_ex", lambda sock, address: guard.refuse("connect_ex", address))
    monkeypatch.setattr(
        socket, "create_connection", lambda address, *a, **k: guard.refuse("create_connection", address)
    )
    monkeypatch.setattr(socket, "getaddrinfo", lambda host, *a, **k: guard.refuse("getaddrinfo", host))
    return guard


# -- what the installed botocore models ----------------------------------------------------------
# AWS answers the same whatever botocore the caller runs, and so does the mock. But an older
# botocore cannot call an operation or send a member its model lacks (the client has no such method,
# or raises ParamValidationError before any request), and its parser drops response members it does
# not model. Tests that read such a response member are marked ``requires_member``; a test that
# fails on an older botocore only because the client cannot make its call is reported as skipped,
# naming what is missing (see pytest_runtest_makereport below).

#: The newest botocore the suite was checked against; older ones may lack operations and members.
NEWEST_CHECKED_BOTOCORE = (1, 44, 8)


def botocore_version() -> tuple[int, ...]:
    return tuple(int(part) for part in botocore.__version__.split(".")[:3])


@functools.cache
def _lambda_model() -> Any:
    return botocore.session.get_session().get_service_model("lambda")


def botocore_models(shape: str, member: Optional[str] = None) -> bool:
    """Whether the installed botocore's Lambda model has ``shape`` (and its ``member``)."""
    model = _lambda_model()
    if shape not in model.shape_names:
        return False
    return member is None or member in model.shape_for(shape).members


def requires_member(shape: str, member: str, since: str) -> pytest.MarkDecorator:
    """Skip where botocore cannot send or parse ``shape.member`` (it was added in botocore ``since``)."""
    return pytest.mark.skipif(
        not botocore_models(shape, member),
        reason=f"botocore {botocore.__version__} does not model {shape}.{member} (added in botocore {since})",
    )


def requires_operation(operation: str, since: str) -> pytest.MarkDecorator:
    """Skip where botocore has no ``operation`` at all (it was added in botocore ``since``)."""
    return pytest.mark.skipif(
        operation not in _lambda_model().operation_names,
        reason=f"botocore {botocore.__version__} does not model the {operation} operation (added in botocore {since})",
    )


def _not_modeled(error: BaseException) -> Optional[str]:
    """Why ``error`` is only the installed (older) botocore being unable to make a call; else None."""
    if botocore_version() >= NEWEST_CHECKED_BOTOCORE:
        return None
    if isinstance(error, AttributeError):
        match = re.fullmatch(r"'Lambda' object has no attribute '(\w+)'", str(error))
        if match is not None:
            from mock_lambda_alias import implemented_operations

            missing = set(implemented_operations()) - set(_lambda_model().operation_names)
            for operation in missing:
                if botocore.xform_name(operation) == match.group(1):
                    return f"botocore {botocore.__version__} does not model the {operation} operation"
    if isinstance(error, ParamValidationError):
        match = re.search(r'Unknown parameter in ([\w.\[\]]+): "(\w+)"', str(error))
        if match is not None:
            where = "" if match.group(1) == "input" else f"{match.group(1)}."
            return f"botocore {botocore.__version__} does not model the request member {where}{match.group(2)}"
    return None


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if report.failed and call.excinfo is not None:
        reason = _not_modeled(call.excinfo.value)
        if reason is not None:
            report.outcome = "skipped"
            report.longrepr = (str(item.path), (item.location[1] or 0) + 1, f"Skipped: {reason}")
