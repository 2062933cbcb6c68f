"""The switch: one object that is a decorator, a (async) context manager and start()/stop().

Activations nest: the innermost active mock answers, and each activation starts from empty
state. Fake credentials (and a default region, when none is configured) are put into the
environment while any mock is active, so that clients can sign their requests as they would for
AWS; afterwards each variable is put back unless the test changed it meanwhile.
"""

from __future__ import annotations

import configparser
import functools
import os
import sys
import threading
from typing import Any, Callable, Optional, TypeVar, overload

from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.model import OperationModel

from . import interception
from .backend.controls import Controls
from .backend.invocations import DEFAULT_MAX_RECORDS
from .backend.store import DEFAULT_ACCOUNT_ID, DEFAULT_REGION
from .decorating import Decorating
from .integrations import cloudwatch, deliveries, destinations
from .integrations.event_sources import hooks as event_source_hooks
from .integrations.event_sources.controls import EventSourceControls
from .interception.import_hooks import AfterImport
from .runtime import packages
from .wire import constraints
from .wire.dispatch import respond

F = TypeVar("F", bound=Callable[..., Any])

FAKE_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_SECURITY_TOKEN": "testing",
}

_switch_lock = threading.Lock()
#: Active mocks, innermost last: a tuple, replaced whole under ``_switch_lock``, so that one read of
#: it is always a whole stack (see :func:`innermost`).
ACTIVE: tuple[LambdaAliasMock, ...] = ()
#: (variable, value before the first activation, value we set) for each variable we set.
_saved_env: list[tuple[str, Optional[str], str]] = []
#: Waiting for moto's modules that were not loaded when the first mock started.
_moto_hooks: list[AfterImport] = []


def _prepare_process() -> None:
    """Compile the patterns most requests are checked against with the first activation, not in
    some operation's first call, and make the process's directory for running handlers."""
    constraints.compile_common_patterns()
    packages.extraction_root(check=True)


def region_configured() -> bool:
    """Whether clients made now find a region without us: in the environment, or for the active
    profile in the AWS config file (as botocore looks them up). Such a region is never overridden."""
    if os.environ.get("AWS_DEFAULT_REGION") or os.environ.get("AWS_REGION"):
        return True
    path = os.path.expanduser(os.environ.get("AWS_CONFIG_FILE") or os.path.join("~", ".aws", "config"))
    profile = os.environ.get("AWS_PROFILE") or os.environ.get("AWS_DEFAULT_PROFILE") or "default"
    try:
        stamp = os.stat(path).st_mtime_ns
    except OSError:
        return False
    return _profile_has_region(path, stamp, profile)


@functools.lru_cache(maxsize=8)
def _profile_has_region(path: str, stamp: int, profile: str) -> bool:
    """Read once per version of the file (``stamp``): activations are frequent, edits are not."""
    del stamp
    parser = configparser.RawConfigParser()
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError):
        return False  # botocore could not read it either
    sections = ("default", "profile default") if profile == "default" else (f"profile {profile}",)
    return any(parser.has_section(name) and parser.get(name, "region", fallback="").strip() for name in sections)


def _enter_env() -> None:
    _saved_env.clear()
    wanted = dict(FAKE_ENV)
    if not region_configured():
        wanted["AWS_DEFAULT_REGION"] = DEFAULT_REGION
    for key, value in wanted.items():
        _saved_env.append((key, os.environ.get(key), value))
        os.environ[key] = value


def _leave_env() -> None:
    """Put back what we set, where it is still what we set (a value the test set meanwhile stays)."""
    for key, before, ours in _saved_env:
        if os.environ.get(key) != ours:
            continue
        if before is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = before
    _saved_env.clear()


def _patch_moto() -> None:
    """Stand in for moto where it meets Lambda (its deliveries to functions, the send paths event
    source mappings read, SQS messages sent by handlers), now and in each of its modules imported
    later while a mock is active. Engaged in this order, put back in the reverse one."""
    engaged = (
        (deliveries.PATCHES.engage(innermost), deliveries.PATCHES.patch_module),
        (destinations.patch_moto(), destinations.patch_module),
        (event_source_hooks.PATCHES.engage(innermost), event_source_hooks.PATCHES.patch_module),
    )
    for waiting, patch_module in engaged:
        for name in waiting:
            hook = AfterImport(name, functools.partial(patch_module, name))
            if hook.pending:
                _moto_hooks.append(hook)


def _unpatch_moto() -> None:
    for hook in _moto_hooks:
        hook.cancel()
    _moto_hooks.clear()
    event_source_hooks.PATCHES.disengage()
    destinations.unpatch_moto()
    deliveries.PATCHES.disengage()
    cloudwatch.unpatch()


def innermost() -> Optional[LambdaAliasMock]:
    """The innermost active mock (the last one started, in whichever thread), or None: race-free."""
    active = ACTIVE
    return active[-1] if active else None


def _answer(operation_model: OperationModel, request: AWSPreparedRequest) -> Optional[AWSResponse]:
    """What the interception calls for each Lambda request: the innermost mock answers, if any (a
    call racing with the last stop() goes where it would without us)."""
    mock = innermost()
    return None if mock is None else respond(mock, operation_model, request)


def _moto_stubber() -> tuple[Any, ...]:
    """moto's ``before-send`` stubber, when moto is loaded: it must never see a Lambda request."""
    models = sys.modules.get("moto.core.models")
    stubber = getattr(models, "botocore_stubber", None)
    return () if stubber is None else (stubber,)


class LambdaAliasMock(Decorating, Controls, EventSourceControls):
    """One mock of AWS Lambda. Use it as a decorator, ``with`` block, or start()/stop()."""

    #: How many activations of this mock are running (``start()`` without its ``stop()`` yet).
    _depth = 0
    #: What serves this activation's function URLs through ``responses``, once there are any.
    _url_server: Any = None
    _url_hook: Optional[AfterImport] = None

    # -- switching ------------------------------------------------------------

    def start(self) -> LambdaAliasMock:
        """Activate; the first start of an activation begins from empty state."""
        global ACTIVE
        with _switch_lock:
            if self._depth == 0:
                self.store = self.new_store()
                self.store.url_listener = self._serve_urls
                self.store.mapping_listener = functools.partial(event_source_hooks.mapping_changed, self.store)
                self.store.telemetry_sink = cloudwatch.MotoSink(self.store)
                self.internal_errors = []
                self._identities.clear()
            if not ACTIVE:
                _prepare_process()  # before anything is engaged: a failure leaves nothing behind
                _enter_env()
                interception.engage(_answer, suspended=_moto_stubber)
                _patch_moto()
            self._depth += 1
            ACTIVE = (*ACTIVE, self)
        return self

    def stop(self) -> None:
        """Deactivate; after the last stop no Lambda call is answered by this mock."""
        global ACTIVE
        with _switch_lock:
            if self._depth == 0 or self not in ACTIVE:
                raise RuntimeError("mock_lambda_alias.stop() called without a matching start()")
            self._depth -= 1
            # Remove the innermost registration of this mock (activations may be stopped out of order).
            for index in range(len(ACTIVE) - 1, -1, -1):
                if ACTIVE[index] is self:
                    ACTIVE = ACTIVE[:index] + ACTIVE[index + 1 :]
                    break
            if not ACTIVE:
                interception.disengage()
                _leave_env()
                _unpatch_moto()
            if self._depth == 0:
                if self._url_hook is not None:
                    self._url_hook.cancel()
                    self._url_hook = None
                if self._url_server is not None:
                    self._url_server.stop()
                    self._url_server = None
            ended = self.store if self._depth == 0 else None
        if ended is not None:
            ended.close()  # worker processes and extracted packages end with the activation

    def _serve_urls(self) -> None:
        """Answer function URLs through ``responses`` from the first URL of the activation on.

        ``responses`` patches ``requests``: it is started once ``requests`` is imported (at once
        when it already is), so a test that never imports ``requests`` never has it patched.
        """
        if self._url_hook is None and self._url_server is None:
            waiting = AfterImport("requests", self._start_url_server)
            self._url_hook = waiting if waiting.pending else None

    def _start_url_server(self) -> None:
        from .integrations.function_urls import UrlServer

        self._url_hook = None
        if self._depth > 0 and self._url_server is None:
            self._url_server = UrlServer(self)
            self._url_server.start()

    @property
    def active(self) -> bool:
        return self._depth > 0

    def __enter__(self) -> LambdaAliasMock:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    async def __aenter__(self) -> LambdaAliasMock:
        return self.start()

    async def __aexit__(self, *exc: object) -> None:
        self.stop()

    def _fresh(self) -> LambdaAliasMock:
        return LambdaAliasMock(
            account_id=self.account_id,
            region=self.region,
            seed=self.seed,
            isolation=self.isolation,
            max_invocation_records=self.max_invocation_records,
            delivery=self._delivery,
        )

    # -- event sources ----------------------------------------------------------

    def deliver(
        self,
        service: str,
        function_arn: str,
        event: Any,
        *,
        source_arn: Optional[str] = None,
        source_account: Optional[str] = None,
    ) -> deliveries.Delivery:
        """Deliver ``event`` as ``service`` (``"events.amazonaws.com"``) would: through the policy.

        The delivery is judged by the resource-based policy of exactly ``function_arn``'s
        qualifier; when allowed it runs as an asynchronous invocation, otherwise it is dropped.
        Either way it is recorded (see :meth:`deliveries`) and returned.
        """
        return deliveries.deliver(self, service, function_arn, event, source_arn, source_account)

    def __repr__(self) -> str:
        state = "active" if self.active else "inactive"
        return f"<mock_lambda_alias account={self.account_id} {state}>"


@overload
def mock_lambda_alias(func: F) -> F: ...


@overload
def mock_lambda_alias(
    func: None = None,
    *,
    account_id: str = DEFAULT_ACCOUNT_ID,
    region: str = DEFAULT_REGION,
    seed: Optional[int] = None,
    isolation: str = "in-process",
    max_invocation_records: Optional[int] = DEFAULT_MAX_RECORDS,
    delivery: str = "immediate",
) -> LambdaAliasMock: ...


def mock_lambda_alias(
    func: Any = None,
    *,
    account_id: str = DEFAULT_ACCOUNT_ID,
    region: str = DEFAULT_REGION,
    seed: Optional[int] = None,
    isolation: str = "in-process",
    max_invocation_records: Optional[int] = DEFAULT_MAX_RECORDS,
    delivery: str = "immediate",
) -> Any:
    """Mock AWS Lambda for boto3: ``@mock_lambda_alias``, ``@mock_lambda_alias(...)``,
    ``with mock_lambda_alias() as m:`` or ``m = mock_lambda_alias(); m.start(); ...; m.stop()``.
    """
    mock = LambdaAliasMock(
        account_id=account_id,
        region=region,
        seed=seed,
        isolation=isolation,
        max_invocation_records=max_invocation_records,
        delivery=delivery,
    )
    if func is None:
        return mock
    return mock(func)


def active_mock() -> LambdaAliasMock:
    """The innermost active mock, e.g. inside a function decorated with ``@mock_lambda_alias``."""
    found = innermost()
    if found is None:
        raise RuntimeError("no mock_lambda_alias is active")
    return found
