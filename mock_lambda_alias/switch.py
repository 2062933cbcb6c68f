"""The switch: one object that is a decorator, a (async) context manager and start()/stop().

Activations nest: the innermost active mock answers, and each activation starts from empty
state. Fake credentials (and a default region, when none is configured) are put into the
environment while any mock is active and restored exactly afterwards. Activation never resets
boto3's default session, so the first client of a test costs no more than any other.
"""

from __future__ import annotations

import functools
import inspect
import os
import threading
from typing import Any, Callable, Optional, TypeVar, overload

from . import hook
from .backend.invoke import EnvironmentInfo, Invocation
from .backend.model import Function
from .backend.store import DEFAULT_ACCOUNT_ID, DEFAULT_REGION, LambdaBackend, Store
from .evaluation import Decision

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")

FAKE_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_SECURITY_TOKEN": "testing",
}

_env_lock = threading.Lock()
_saved_env: dict[str, Optional[str]] = {}


def _enter_env() -> None:
    _saved_env.clear()
    for key, value in FAKE_ENV.items():
        _saved_env[key] = os.environ.get(key)
        os.environ[key] = value
    if not os.environ.get("AWS_DEFAULT_REGION") and not os.environ.get("AWS_REGION"):
        _saved_env["AWS_DEFAULT_REGION"] = None
        os.environ["AWS_DEFAULT_REGION"] = DEFAULT_REGION


def _leave_env() -> None:
    for key, value in _saved_env.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    _saved_env.clear()


class LambdaAliasMock:
    """One mock of AWS Lambda. Use it as a decorator, ``with`` block, or start()/stop()."""

    def __init__(
        self, *, account_id: str = DEFAULT_ACCOUNT_ID, region: str = DEFAULT_REGION, seed: Optional[int] = None
    ) -> None:
        if not (isinstance(account_id, str) and len(account_id) == 12 and account_id.isdigit()):
            raise ValueError(f"account_id must be a 12-digit string, got {account_id!r}")
        self.account_id = account_id
        #: The region used when a request's region cannot be told (it normally can).
        self.region = region
        #: Seed of alias routing and fault injection: the same seed gives the same choices.
        self.seed = seed
        self.store = Store(account_id, seed)
        #: Exceptions our own code raised while answering (each answered as a 500): should stay empty.
        self.internal_errors: list[tuple[str, BaseException]] = []
        self._depth = 0
        self._url_server: Any = None

    # -- switching ------------------------------------------------------------

    def start(self) -> LambdaAliasMock:
        """Activate; the first start of an activation begins from empty state."""
        with _env_lock:
            if self._depth == 0:
                self.store = Store(self.account_id, self.seed)
                self.store.url_listener = self._serve_urls
                self.internal_errors = []
            self._depth += 1
            if not hook.ACTIVE:
                _enter_env()
            hook.ACTIVE.append(self)
        return self

    def stop(self) -> None:
        """Deactivate; after the last stop no Lambda call is answered by this mock."""
        with _env_lock:
            if self._depth == 0 or self not in hook.ACTIVE:
                raise RuntimeError("mock_lambda_alias.stop() called without a matching start()")
            self._depth -= 1
            # Remove the innermost registration of this mock (activations may be stopped out of order).
            for index in range(len(hook.ACTIVE) - 1, -1, -1):
                if hook.ACTIVE[index] is self:
                    del hook.ACTIVE[index]
                    break
            if not hook.ACTIVE:
                _leave_env()
            if self._depth == 0 and self._url_server is not None:
                self._url_server.stop()
                self._url_server = None

    def _serve_urls(self) -> None:
        """Start answering function URLs through ``responses`` (first URL of the activation)."""
        if self._url_server is None:
            from .function_urls import UrlServer

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

    # -- decorating -----------------------------------------------------------

    @overload
    def __call__(self, target: type[T]) -> type[T]: ...

    @overload
    def __call__(self, target: F) -> F: ...

    def __call__(self, target: Any) -> Any:
        if inspect.isclass(target):
            return self._decorate_class(target)
        if not callable(target):
            raise TypeError(f"mock_lambda_alias decorates functions, coroutines and classes, not {target!r}")
        return self._decorate_callable(target)

    def _fresh(self) -> LambdaAliasMock:
        return LambdaAliasMock(account_id=self.account_id, region=self.region, seed=self.seed)

    def _decorate_callable(self, func: F) -> F:
        if inspect.iscoroutinefunction(func):

            @functools.wraps(func)
            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                with self:
                    return await func(*args, **kwargs)

            return async_wrapper  # type: ignore[return-value]

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self:
                return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    def _decorate_class(self, cls: type[T]) -> type[T]:
        import unittest  # only classes need it; keeps ``import mock_lambda_alias`` cheap

        if issubclass(cls, unittest.TestCase):
            # Start before setUp and stop after tearDown (cleanups run after tearDown, and also
            # when setUp fails), so each test gets a fresh mock around its whole lifecycle.
            original_setup = cls.setUp
            factory = self._fresh

            @functools.wraps(original_setup)
            def setUp(test: Any) -> None:
                mock = factory().start()
                test.addCleanup(mock.stop)
                original_setup(test)

            cls.setUp = setUp  # type: ignore[method-assign]
            return cls
        for name, attribute in list(vars(cls).items()):
            if name.startswith("test") and callable(attribute):
                setattr(cls, name, self._fresh()._decorate_callable(attribute))
        return cls

    # -- inspection -----------------------------------------------------------

    def backend(self, account_id: Optional[str] = None, region: Optional[str] = None) -> LambdaBackend:
        """The state of one account and region (default: this mock's account and region)."""
        return self.store.backend(account_id or self.account_id, region or self.region)

    def functions(self, account_id: Optional[str] = None, region: Optional[str] = None) -> dict[str, Function]:
        """Functions by name, with their versions, aliases and tags, as Python objects."""
        with self.store.lock:
            return dict(self.backend(account_id, region).functions)

    def get_function(self, name: str, account_id: Optional[str] = None, region: Optional[str] = None) -> Function:
        try:
            return self.functions(account_id, region)[name]
        except KeyError:
            raise KeyError(
                f"no function {name!r} in account {account_id or self.account_id}, region {region or self.region}"
            ) from None

    def add_s3_object(
        self, bucket: str, key: str, data: bytes, account_id: Optional[str] = None, region: Optional[str] = None
    ) -> None:
        """Make ``Code={"S3Bucket": bucket, "S3Key": key}`` deploy these zip bytes."""
        with self.store.lock:
            self.backend(account_id, region).s3_objects[(bucket, key)] = bytes(data)

    def is_invoke_allowed(
        self,
        principal: str,
        arn: str,
        *,
        source_arn: Optional[str] = None,
        source_account: Optional[str] = None,
        principal_org_id: Optional[str] = None,
        event_source_token: Optional[str] = None,
        action: str = "lambda:InvokeFunction",
        function_url_auth_type: Optional[str] = None,
        invoked_via_function_url: bool = False,
    ) -> Decision:
        """Would AWS let ``principal`` invoke ``arn`` (function, version or alias ARN, or name)?

        Evaluates the resource-based policy of exactly the invoked qualifier, as AWS does: a
        permission on an alias does not cover the function's ARN, and the other way round. The
        result is truthy when allowed; ``reason`` names the statement or explains the denial.
        """
        from .evaluation import Caller, evaluate, resolve

        account_id, region, name, qualifier = resolve(arn, self.account_id, self.region)
        caller = Caller(
            principal,
            action,
            source_arn,
            source_account,
            principal_org_id,
            event_source_token,
            function_url_auth_type,
            invoked_via_function_url,
        )
        with self.store.lock:
            function = self.backend(account_id, region).functions.get(name)
            if function is None:
                return Decision(False, None, f"function {name} does not exist in {account_id}/{region}")
            return evaluate(function, qualifier, caller)

    # -- invocations ----------------------------------------------------------

    def _key(self, function_name: str, account_id: Optional[str], region: Optional[str]) -> tuple[str, str, str]:
        return (account_id or self.account_id, region or self.region, function_name)

    def set_seed(self, seed: Optional[int]) -> None:
        """Reseed alias routing and fault injection (None: unpredictable)."""
        self.seed = seed
        with self.store.lock:
            self.store._seed = seed
            self.store.invoke.reseed(seed)

    def route_next(
        self,
        function_name: str,
        alias: str,
        *versions: str,
        account_id: Optional[str] = None,
        region: Optional[str] = None,
    ) -> None:
        """Force the next invocations of ``alias``: ``m.route_next("fn", "PROD", "2", "2", "2")``."""
        from collections import deque

        key = (*self._key(function_name, account_id, region), alias)
        with self.store.lock:
            self.store.invoke.forced.setdefault(key, deque()).extend(str(v) for v in versions)

    def register_handler(
        self,
        function_name: str,
        handler: Callable[[Any, Any], Any],
        *,
        version: Optional[str] = None,
        account_id: Optional[str] = None,
        region: Optional[str] = None,
    ) -> None:
        """Run ``handler(event, context)`` for the function (or one version) instead of its code."""
        key = (*self._key(function_name, account_id, region), version)
        with self.store.lock:
            self.store.invoke.handlers[key] = handler
            self.store.invoke.environments.clear()

    def inject_fault(
        self,
        function_name: str,
        version: str,
        *,
        kind: str = "error",
        rate: float = 1.0,
        error_type: str = "Exception",
        message: str = "Injected fault",
        account_id: Optional[str] = None,
        region: Optional[str] = None,
    ) -> None:
        """Make a version fail: ``kind="error"`` (FunctionError Unhandled) or ``"throttle"`` (429).

        ``rate`` is the share of invocations that fail (seeded like routing).
        """
        from .backend.invoke import Fault

        if kind not in ("error", "throttle"):
            raise ValueError(f"kind must be 'error' or 'throttle', got {kind!r}")
        if not 0.0 <= rate <= 1.0:
            raise ValueError(f"rate must be between 0 and 1, got {rate!r}")
        key = (*self._key(function_name, account_id, region), str(version))
        with self.store.lock:
            self.store.invoke.faults[key] = Fault(kind, rate, error_type, message)

    def clear_faults(self) -> None:
        with self.store.lock:
            self.store.invoke.faults.clear()

    def set_default_response(self, value: Any) -> None:
        """What functions whose code cannot run here return (default: they echo the event).

        The value must be JSON-serialisable; to run Python code instead, use ``register_handler``.
        """
        with self.store.lock:
            self.store.invoke.default_response = value

    def invocations(
        self,
        function_name: Optional[str] = None,
        *,
        qualifier: Optional[str] = None,
        executed_version: Optional[str] = None,
        invocation_type: Optional[str] = None,
        tenant_id: Optional[str] = None,
    ) -> list[Invocation]:
        """Recorded invocations, oldest first, filtered by what is given."""
        with self.store.lock:
            records = list(self.store.invoke.records)
        return [
            r
            for r in records
            if (function_name is None or r.function_name == function_name)
            and (qualifier is None or r.invoked_qualifier == qualifier)
            and (executed_version is None or r.executed_version == executed_version)
            and (invocation_type is None or r.invocation_type == invocation_type)
            and (tenant_id is None or r.tenant_id == tenant_id)
        ]

    def environments(
        self,
        function_name: Optional[str] = None,
        *,
        tenant_id: Optional[str] = None,
        version: Optional[str] = None,
    ) -> list[EnvironmentInfo]:
        """Warm execution environments, oldest first: with tenant isolation, one per tenant and version.

        ``m.environments("fn", tenant_id="blue")`` proves which environments served tenant blue.
        """
        with self.store.lock:
            infos = self.store.invoke.environment_infos()
        return [
            e
            for e in infos
            if (function_name is None or e.function_name == function_name)
            and (tenant_id is None or e.tenant_id == tenant_id)
            and (version is None or e.version == version)
        ]

    def count_invocations(self, function_name: Optional[str] = None, **filters: Any) -> int:
        """How many invocations match: ``m.count_invocations("fn", qualifier="PROD", executed_version="2")``."""
        return len(self.invocations(function_name, **filters))

    def reset(self) -> None:
        """Forget every resource, as a new activation would."""
        self.store.reset()

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
) -> LambdaAliasMock: ...


def mock_lambda_alias(
    func: Any = None,
    *,
    account_id: str = DEFAULT_ACCOUNT_ID,
    region: str = DEFAULT_REGION,
    seed: Optional[int] = None,
) -> Any:
    """Mock AWS Lambda for boto3: ``@mock_lambda_alias``, ``@mock_lambda_alias(...)``,
    ``with mock_lambda_alias() as m:`` or ``m = mock_lambda_alias(); m.start(); ...; m.stop()``.
    """
    mock = LambdaAliasMock(account_id=account_id, region=region, seed=seed)
    if func is None:
        return mock
    return mock(func)


def active_mock() -> LambdaAliasMock:
    """The innermost active mock, e.g. inside a function decorated with ``@mock_lambda_alias``."""
    if not hook.ACTIVE:
        raise RuntimeError("no mock_lambda_alias is active")
    return hook.ACTIVE[-1]
