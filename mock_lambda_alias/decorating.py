"""Decorating: how one mock object wraps functions, coroutines, generators and test classes.

A plain ``with mock:`` around a call is right only for functions that run their body when called.
Generators, async generators, coroutines and ``@contextmanager`` helpers run it later, so each gets
a wrapper of its own kind; test classes get a fresh mock per test (or one per class when the class
sets up shared state once). :class:`Decorating` is the switch's mixin for all of this; it needs
the switch's ``start()``/``stop()``, ``with`` support and ``_fresh()``.
"""

from __future__ import annotations

import functools
import inspect
from typing import Any, Callable, TypeVar, overload

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")


def _call_optional(function: Callable[..., Any], instance: Any, argument: Any) -> None:
    """Call a setup/teardown hook with the optional argument pytest gives it, if it takes one."""
    code = getattr(function, "__code__", None)
    if code is not None and code.co_argcount > 1:
        function(instance, argument)
    else:
        function(instance)


def _per_test(method: Callable[..., Any], factory: Callable[[], Decorating]) -> Callable[..., Any]:
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

    def __init__(self, mock: Decorating, inner: Any) -> None:
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


class Decorating:
    """The decorator half of the switch (see the module docstring)."""

    def start(self) -> Any:  # pragma: no cover - provided by the switch
        raise NotImplementedError

    def stop(self) -> None:  # pragma: no cover - provided by the switch
        raise NotImplementedError

    def __enter__(self) -> Any:  # pragma: no cover - provided by the switch
        raise NotImplementedError

    def __exit__(self, *exc: object) -> None:  # pragma: no cover - provided by the switch
        raise NotImplementedError

    def _fresh(self) -> Decorating:  # pragma: no cover - provided by the switch
        raise NotImplementedError

    @overload
    def __call__(self, target: type[T]) -> type[T]: ...

    @overload
    def __call__(self, target: F) -> F: ...

    def __call__(self, target: Any) -> Any:
        if inspect.isclass(target):
            return decorate_class(target, self._fresh)
        if not callable(target):
            raise TypeError(f"mock_lambda_alias decorates functions, coroutines and classes, not {target!r}")
        return self._decorate_callable(target)

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


def decorate_class(cls: type[T], factory: Callable[[], Decorating]) -> type[T]:
    """Each test of the class runs in a fresh mock, its per-test setup and teardown included.

    A class that sets up shared state once (``setUpClass`` / ``setup_class``) gets one mock
    for the whole class instead, started before that setup and stopped after the class's
    teardown: the state it creates is what every test sees.
    """
    import unittest  # only classes need it

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
        _wrap_setup_class(cls, factory)
        return cls
    _wrap_setup_method(cls, factory)
    for name, attribute in list(vars(cls).items()):
        if name.startswith("test") and callable(attribute):
            setattr(cls, name, _per_test(attribute, factory))
    return cls


def _wrap_setup_class(cls: type, factory: Callable[[], Decorating]) -> None:
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


def _wrap_setup_method(cls: type, factory: Callable[[], Decorating]) -> None:
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
