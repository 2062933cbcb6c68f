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
import sys
import threading
from typing import TYPE_CHECKING, Any, Callable, Optional, TypeVar, overload

from . import interception
from .backend.store import DEFAULT_ACCOUNT_ID, DEFAULT_MAX_RECORDS, DEFAULT_REGION, Store
from .interception.import_hooks import AfterImport

if TYPE_CHECKING:
    from botocore.awsrequest import AWSPreparedRequest, AWSResponse
    from botocore.model import OperationModel

    # The backend, the runtime and event delivery load with the first activation (or the first
    # call that needs them), not with ``from mock_lambda_alias import mock_lambda_alias``.
    from . import delivery
    from .backend.invoke import EnvironmentInfo, Invocation
    from .backend.model import Function
    from .backend.store import LambdaBackend
    from .evaluation import Decision
    from .identity import Identity

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")

FAKE_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_SECURITY_TOKEN": "testing",
}

_env_lock = threading.Lock()
#: Active mocks, innermost last: a tuple, replaced whole under ``_env_lock``, so one read of it is
#: always a consistent stack (see :func:`innermost`).
ACTIVE: tuple[LambdaAliasMock, ...] = ()
#: Whether an activation of this process has prepared it for running handlers (see _prepare_process).
_prepared = False
_saved_env: dict[str, Optional[str]] = {}


def _prepare_process() -> None:
    """Load the wire layer and the backend, and prepare the process for running handlers: with
    the activation rather than in some operation's first call.

    All once per process, but the process's directory is checked again at each activation
    (something may have removed it). The process's first activation prepares it in a thread of
    its own while the backend loads (see :func:`~.runtime.prepare_in_thread`).
    """
    global _prepared
    from . import runtime

    prepared = None if _prepared else runtime.prepare_in_thread()
    from . import aws_constraints, responder  # noqa: F401
    from .backend import registry

    registry.load_all()
    aws_constraints.compile_common_patterns()
    if prepared is None:
        runtime.packages.extraction_root(check=True)
    else:
        prepared()
        _prepared = True


def innermost() -> Optional[LambdaAliasMock]:
    """The innermost active mock (the last one started, in whichever thread), or None: race-free."""
    active = ACTIVE
    return active[-1] if active else None


def _answerer() -> Callable[[OperationModel, AWSPreparedRequest], Optional[AWSResponse]]:
    """What the interception calls for each Lambda request: the innermost mock answers, if any."""
    from .responder import respond

    def answer(operation_model: OperationModel, request: AWSPreparedRequest) -> Optional[AWSResponse]:
        mock = innermost()
        return None if mock is None else respond(mock, operation_model, request)

    return answer


def _moto_stubber() -> tuple[Any, ...]:
    """moto's ``before-send`` stubber, when moto is loaded: it must never see a Lambda request."""
    models = sys.modules.get("moto.core.models")
    stubber = getattr(models, "botocore_stubber", None)
    return () if stubber is None else (stubber,)


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


def _call_optional(function: Callable[..., Any], instance: Any, argument: Any) -> None:
    """Call a setup/teardown hook with the optional argument pytest gives it, if it takes one."""
    code = getattr(function, "__code__", None)
    if code is not None and code.co_argcount > 1:
        function(instance, argument)
    else:
        function(instance)


def _per_test(method: Callable[..., Any], factory: Callable[[], LambdaAliasMock]) -> Callable[..., Any]:
    """A test method that runs in the mock its ``setup_method`` started, or else in a fresh one."""
    decorated = factory()._decorate_callable(method)
    if inspect.iscoroutinefunction(method) or inspect.isgeneratorfunction(method):
        return decorated

    @functools.wraps(method)
    def run(test: Any, *args: Any, **kwargs: Any) -> Any:
        if test.__dict__.get("_mock_lambda_alias_test_mock") is not None:
            return method(test, *args, **kwargs)
        return decorated(test, *args, **kwargs)

    return run


class _ActivatingContextManager:
    """A ``@contextmanager`` helper's context manager, run inside an activation of the mock."""

    def __init__(self, mock: LambdaAliasMock, inner: Any) -> None:
        self._mock = mock
        self._inner = inner

    def __enter__(self) -> Any:
        self._mock.start()
        try:
            return self._inner.__enter__()
        except BaseException:
            self._mock.stop()
            raise

    def __exit__(self, *exc: Any) -> Any:
        try:
            return self._inner.__exit__(*exc)
        finally:
            self._mock.stop()

    async def __aenter__(self) -> Any:
        self._mock.start()
        try:
            return await self._inner.__aenter__()
        except BaseException:
            self._mock.stop()
            raise

    async def __aexit__(self, *exc: Any) -> Any:
        try:
            return await self._inner.__aexit__(*exc)
        finally:
            self._mock.stop()


class LambdaAliasMock:
    """One mock of AWS Lambda. Use it as a decorator, ``with`` block, or start()/stop()."""

    def __init__(
        self,
        *,
        account_id: str = DEFAULT_ACCOUNT_ID,
        region: str = DEFAULT_REGION,
        seed: Optional[int] = None,
        isolation: str = "in-process",
        max_invocation_records: Optional[int] = DEFAULT_MAX_RECORDS,
    ) -> None:
        if not (isinstance(account_id, str) and len(account_id) == 12 and account_id.isdigit()):
            raise ValueError(f"account_id must be a 12-digit string, got {account_id!r}")
        _check_isolation(isolation)
        if max_invocation_records is not None and (
            not isinstance(max_invocation_records, int) or max_invocation_records < 0
        ):
            raise ValueError(f"max_invocation_records must be None or an int >= 0, got {max_invocation_records!r}")
        #: How Python handlers run: "in-process" (threads of this process) or "process" (worker processes).
        self.isolation = isolation
        #: How many invocation records are kept, the oldest dropped first (None: no limit).
        self.max_invocation_records = max_invocation_records
        self.account_id = account_id
        #: The region used when a request's region cannot be told (it normally can).
        self.region = region
        #: Seed of alias routing and fault injection: the same seed gives the same choices.
        self.seed = seed
        self.store = self._new_store()
        #: Exceptions our own code raised while answering (each answered as a 500): should stay empty.
        self.internal_errors: list[tuple[str, BaseException]] = []
        #: Access key ID -> (account, principal ARN or None for the account root).
        self._access_keys: dict[str, tuple[str, Optional[str]]] = {}
        self._identities: dict[Optional[str], Identity] = {}
        self._strict = False
        self._depth = 0
        self._url_server: Any = None
        self._url_hook: Optional[AfterImport] = None

    # -- switching ------------------------------------------------------------

    def start(self) -> LambdaAliasMock:
        """Activate; the first start of an activation begins from empty state."""
        global ACTIVE
        with _env_lock:
            if self._depth == 0:
                self.store = self._new_store()
                self.store.url_listener = self._serve_urls
                self.internal_errors = []
                self._identities.clear()
            if not ACTIVE:
                _prepare_process()  # before anything is engaged: a failure leaves nothing behind
                from . import delivery

                _enter_env()
                interception.engage(_answerer(), suspended=_moto_stubber)
                delivery.patch_moto()
            self._depth += 1
            ACTIVE = (*ACTIVE, self)
        return self

    def stop(self) -> None:
        """Deactivate; after the last stop no Lambda call is answered by this mock."""
        global ACTIVE
        with _env_lock:
            if self._depth == 0 or self not in ACTIVE:
                raise RuntimeError("mock_lambda_alias.stop() called without a matching start()")
            self._depth -= 1
            # Remove the innermost registration of this mock (activations may be stopped out of order).
            for index in range(len(ACTIVE) - 1, -1, -1):
                if ACTIVE[index] is self:
                    ACTIVE = ACTIVE[:index] + ACTIVE[index + 1 :]
                    break
            if not ACTIVE:
                from . import delivery

                interception.disengage()
                _leave_env()
                delivery.unpatch_moto()
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

    def _new_store(self) -> Store:
        return Store(self.account_id, self.seed, self.isolation, self.max_invocation_records)

    def _serve_urls(self) -> None:
        """Answer function URLs through ``responses`` from the first URL of the activation on.

        ``responses`` patches ``requests``: it is started once ``requests`` is imported (at once
        when it already is), so a test that never imports ``requests`` never pays for either.
        """
        if self._url_hook is None and self._url_server is None:
            waiting = AfterImport("requests", self._start_url_server)
            self._url_hook = waiting if waiting.pending else None

    def _start_url_server(self) -> None:
        from .function_urls import UrlServer

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
        return LambdaAliasMock(
            account_id=self.account_id,
            region=self.region,
            seed=self.seed,
            isolation=self.isolation,
            max_invocation_records=self.max_invocation_records,
        )

    def _decorate_callable(self, func: F) -> F:
        """Keep the mock active while the body of ``func`` runs, whatever kind of callable it is.

        A plain ``with self:`` around the call is right only for functions that run their body
        when called. Generators, async generators, coroutines and ``@contextmanager`` helpers run
        it later (on iteration, await or ``with``), when such a wrapper would already have
        stopped the mock — so each gets a wrapper of its own kind, and a plain function whose
        result turns out to be one of those (a lazily built generator, a ``@contextmanager``
        applied below us) gets that result wrapped.
        """
        if inspect.isasyncgenfunction(func):

            @functools.wraps(func)
            def async_generator_wrapper(*args: Any, **kwargs: Any) -> Any:
                return self._activate_async_generator(func(*args, **kwargs))

            return async_generator_wrapper  # type: ignore[return-value]
        if inspect.isgeneratorfunction(func):

            @functools.wraps(func)
            def generator_wrapper(*args: Any, **kwargs: Any) -> Any:
                with self:
                    return (yield from func(*args, **kwargs))

            return generator_wrapper  # type: ignore[return-value]
        if inspect.iscoroutinefunction(func):

            @functools.wraps(func)
            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                with self:
                    return await func(*args, **kwargs)

            return async_wrapper  # type: ignore[return-value]

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self:
                result = func(*args, **kwargs)
            return self._activate_lazy(result)

        return wrapper  # type: ignore[return-value]

    def _activate_lazy(self, result: Any) -> Any:
        """Wrap a result whose code runs later so that it runs inside a (fresh) activation."""
        import contextlib
        import types

        if isinstance(result, types.GeneratorType):
            return self._activate_generator(result)
        if isinstance(result, types.AsyncGeneratorType):
            return self._activate_async_generator(result)
        if isinstance(result, types.CoroutineType):
            return self._activate_coroutine(result)
        if isinstance(result, contextlib._GeneratorContextManagerBase):  # type: ignore[attr-defined]
            return _ActivatingContextManager(self, result)
        return result

    def _activate_generator(self, generator: Any) -> Any:
        with self:
            return (yield from generator)

    async def _activate_coroutine(self, coroutine: Any) -> Any:
        with self:
            return await coroutine

    async def _activate_async_generator(self, agen: Any) -> Any:
        """Delegate to ``agen`` (sent values, thrown exceptions, close) with the mock active."""
        with self:
            try:
                value = await agen.__anext__()
            except StopAsyncIteration:
                return
            while True:
                try:
                    sent = yield value
                except GeneratorExit:
                    await agen.aclose()
                    raise
                except BaseException as exc:
                    try:
                        value = await agen.athrow(exc)
                    except StopAsyncIteration:
                        return
                else:
                    try:
                        value = await agen.asend(sent)
                    except StopAsyncIteration:
                        return

    def _decorate_class(self, cls: type[T]) -> type[T]:
        """Each test of the class runs in a fresh mock, its per-test setup and teardown included.

        A class that sets up shared state once (``setUpClass`` / ``setup_class``) gets one mock
        for the whole class instead, started before that setup and stopped after the class's
        teardown: the state it creates is what every test sees.
        """
        import unittest  # only classes need it; keeps ``import mock_lambda_alias`` cheap

        factory = self._fresh
        if issubclass(cls, unittest.TestCase):
            if cls.setUpClass.__func__ is not unittest.TestCase.setUpClass.__func__:  # type: ignore[attr-defined]
                original_setup_class = cls.setUpClass.__func__  # type: ignore[attr-defined]

                def setUpClass(klass: Any) -> None:
                    mock = factory().start()
                    klass.addClassCleanup(mock.stop)
                    original_setup_class(klass)

                cls.setUpClass = classmethod(setUpClass)  # type: ignore[assignment,method-assign]
                return cls
            # Start before setUp and stop after tearDown (cleanups run after tearDown, and also
            # when setUp fails), so each test gets a fresh mock around its whole lifecycle.
            original_setup = cls.setUp

            @functools.wraps(original_setup)
            def setUp(test: Any) -> None:
                mock = factory().start()
                test.addCleanup(mock.stop)
                original_setup(test)

            cls.setUp = setUp  # type: ignore[method-assign]
            return cls
        if getattr(cls, "setup_class", None) is not None:
            self._wrap_setup_class(cls, factory)
            return cls
        self._wrap_setup_method(cls, factory)
        for name, attribute in list(vars(cls).items()):
            if name.startswith("test") and callable(attribute):
                setattr(cls, name, _per_test(attribute, factory))
        return cls

    @staticmethod
    def _wrap_setup_class(cls: type, factory: Callable[[], LambdaAliasMock]) -> None:
        original_setup = cls.setup_class.__func__  # type: ignore[attr-defined]
        original_teardown = getattr(cls, "teardown_class", None)
        teardown_func = getattr(original_teardown, "__func__", None)

        def setup_class(klass: Any) -> None:
            mock = factory().start()
            klass._mock_lambda_alias_class_mock = mock
            try:
                original_setup(klass)
            except BaseException:
                del klass._mock_lambda_alias_class_mock
                mock.stop()
                raise

        def teardown_class(klass: Any) -> None:
            try:
                if teardown_func is not None:
                    teardown_func(klass)
            finally:
                mock = klass.__dict__.get("_mock_lambda_alias_class_mock")
                if mock is not None:
                    del klass._mock_lambda_alias_class_mock
                    mock.stop()

        cls.setup_class = classmethod(setup_class)  # type: ignore[attr-defined]
        cls.teardown_class = classmethod(teardown_class)  # type: ignore[attr-defined]

    @staticmethod
    def _wrap_setup_method(cls: type, factory: Callable[[], LambdaAliasMock]) -> None:
        """pytest's ``setup_method`` / ``teardown_method`` run inside the test's own mock."""
        original_setup = getattr(cls, "setup_method", None)
        original_teardown = getattr(cls, "teardown_method", None)
        if original_setup is None and original_teardown is None:
            return

        def setup_method(test: Any, method: Any = None) -> None:
            mock = factory().start()
            test._mock_lambda_alias_test_mock = mock
            try:
                if original_setup is not None:
                    _call_optional(original_setup, test, method)
            except BaseException:
                del test._mock_lambda_alias_test_mock
                mock.stop()
                raise

        def teardown_method(test: Any, method: Any = None) -> None:
            try:
                if original_teardown is not None:
                    _call_optional(original_teardown, test, method)
            finally:
                mock = test.__dict__.pop("_mock_lambda_alias_test_mock", None)
                if mock is not None:
                    mock.stop()

        cls.setup_method = setup_method  # type: ignore[attr-defined]
        cls.teardown_method = teardown_method  # type: ignore[attr-defined]

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
        from .evaluation import Caller, Decision, evaluate, resolve

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
        self.store.invoke.sandbox.clear()

    def set_isolation(
        self,
        function_name: str,
        isolation: str,
        *,
        version: Optional[str] = None,
        account_id: Optional[str] = None,
        region: Optional[str] = None,
    ) -> None:
        """Run one function's (or one version's) handler "in-process" or in a worker "process"."""
        _check_isolation(isolation)
        key = (*self._key(function_name, account_id, region), None if version is None else str(version))
        with self.store.lock:
            self.store.invoke.isolation_overrides[key] = isolation

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

    # -- callers and event sources --------------------------------------------

    def set_account_for_access_key(self, access_key_id: str, account_id: str, principal: Optional[str] = None) -> None:
        """Make requests signed with ``access_key_id`` come from ``account_id``.

        ``principal`` is the caller's ARN as policies see it (default: the account root), e.g.
        ``"arn:aws:sts::222222222222:assumed-role/deployer/ci"``. Without any configuration, a
        12-digit access key ID is that account, and moto's assumed-role credentials are the role's.
        """
        if not (isinstance(account_id, str) and len(account_id) == 12 and account_id.isdigit()):
            raise ValueError(f"account_id must be a 12-digit string, got {account_id!r}")
        self._access_keys[access_key_id] = (account_id, principal)
        self._identities.clear()

    def set_strict_policies(self, enabled: bool = True) -> None:
        """Judge same-account principals other than the activation's own identity by resource policies.

        Off by default: within its account a caller is trusted, as if its IAM policies allowed it.
        """
        self._strict = enabled
        self._identities.clear()

    def identity_for(self, access_key_id: Optional[str]) -> Identity:
        """Who a request signed with ``access_key_id`` comes from (cached per activation)."""
        found = self._identities.get(access_key_id)
        if found is None:
            from . import identity

            found = identity.resolve(access_key_id, self.account_id, self._access_keys, self._strict)
            self._identities[access_key_id] = found
        return found

    def deliver(
        self,
        service: str,
        function_arn: str,
        event: Any,
        *,
        source_arn: Optional[str] = None,
        source_account: Optional[str] = None,
    ) -> delivery.Delivery:
        """Deliver ``event`` as ``service`` (``"events.amazonaws.com"``) would: through the policy.

        The delivery is judged by the resource-based policy of exactly ``function_arn``'s
        qualifier; when allowed it runs as an asynchronous invocation, otherwise it is dropped.
        Either way it is recorded (see :meth:`deliveries`) and returned.
        """
        from . import delivery

        return delivery.deliver(self, service, function_arn, event, source_arn, source_account)

    def deliveries(self, *, service: Optional[str] = None, allowed: Optional[bool] = None) -> list[delivery.Delivery]:
        """Events services delivered or tried to deliver, oldest first (moto's S3 and SNS included)."""
        with self.store.lock:
            records = list(self.store.deliveries)
        return [
            d
            for d in records
            if (service is None or d.service == service) and (allowed is None or d.allowed == allowed)
        ]

    def reset(self) -> None:
        """Forget every resource, as a new activation would."""
        self.store.reset()

    def __repr__(self) -> str:
        state = "active" if self.active else "inactive"
        return f"<mock_lambda_alias account={self.account_id} {state}>"


def _check_isolation(isolation: str) -> None:
    from .runtime import ISOLATION_MODES

    if isolation not in ISOLATION_MODES:
        raise ValueError(f"isolation must be one of {', '.join(map(repr, ISOLATION_MODES))}, got {isolation!r}")


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
) -> LambdaAliasMock: ...


def mock_lambda_alias(
    func: Any = None,
    *,
    account_id: str = DEFAULT_ACCOUNT_ID,
    region: str = DEFAULT_REGION,
    seed: Optional[int] = None,
    isolation: str = "in-process",
    max_invocation_records: Optional[int] = DEFAULT_MAX_RECORDS,
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
    )
    if func is None:
        return mock
    return mock(func)


def active_mock() -> LambdaAliasMock:
    """The innermost active mock, e.g. inside a function decorated with ``@mock_lambda_alias``."""
    mock = innermost()
    if mock is None:
        raise RuntimeError("no mock_lambda_alias is active")
    return mock
