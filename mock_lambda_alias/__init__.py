"""mock_lambda_alias: a fast, faithful in-process mock of AWS Lambda versions, aliases, routing
and resource policies, for testing boto3 code with no AWS account and no network.

Importing the package changes nothing in botocore: only while a mock is active (``@mock_lambda_alias``,
``with mock_lambda_alias():``, ``start()``/``stop()`` or the ``mock_lambda_alias`` pytest fixture)
are Lambda requests answered, in ``before-send`` after botocore built and signed them (see
:mod:`mock_lambda_alias.interception`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._version import __version__

if TYPE_CHECKING:
    from .backend.evaluation import Decision
    from .backend.lookup import NotFound
    from .backend.store import DEFAULT_ACCOUNT_ID, DEFAULT_REGION
    from .errors import LambdaError
    from .switch import LambdaAliasMock, active_mock, mock_lambda_alias
    from .zips import layer_package, package

#: Public names and the module each lives in. They are imported on first access (PEP 562), so that
#: ``import mock_lambda_alias`` loads nothing but this module until a test reaches for the mock.
_LAZY = {
    "DEFAULT_ACCOUNT_ID": "backend.store",
    "DEFAULT_REGION": "backend.store",
    "LambdaError": "errors",
    "NotFound": "backend.lookup",
    "Decision": "backend.evaluation",
    "LambdaAliasMock": "switch",
    "active_mock": "switch",
    "mock_lambda_alias": "switch",
    "package": "zips",
    "layer_package": "zips",
}

__all__ = [
    "DEFAULT_ACCOUNT_ID",
    "DEFAULT_REGION",
    "Decision",
    "LambdaAliasMock",
    "LambdaError",
    "NotFound",
    "__version__",
    "active_mock",
    "implemented_operations",
    "layer_package",
    "mock_lambda_alias",
    "package",
    "register_session",
]


def register_session(session: object) -> None:
    """Kept for compatibility; no longer needed: every client of every session is intercepted."""
    del session


def implemented_operations() -> list[str]:
    """The Lambda operations the mock answers; every other one gets a clear error naming it."""
    from .backend.registry import implemented_operations as _implemented

    return _implemented()


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
