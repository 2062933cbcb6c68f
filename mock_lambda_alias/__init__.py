"""mock_lambda_alias: a fast, faithful in-process mock of AWS Lambda versions, aliases, routing
and resource policies, for testing boto3 code with no AWS account and no network.

Importing the package installs botocore event handlers that stay dormant until a mock is
activated with ``@mock_lambda_alias``, ``with mock_lambda_alias():``, ``start()``/``stop()`` or
the ``mock_lambda_alias`` pytest fixture.
"""

from __future__ import annotations

from . import hook
from ._version import __version__
from .backend.store import DEFAULT_ACCOUNT_ID, DEFAULT_REGION
from .errors import LambdaError
from .evaluation import Decision
from .switch import LambdaAliasMock, active_mock, mock_lambda_alias

__all__ = [
    "DEFAULT_ACCOUNT_ID",
    "DEFAULT_REGION",
    "Decision",
    "LambdaAliasMock",
    "LambdaError",
    "__version__",
    "active_mock",
    "implemented_operations",
    "mock_lambda_alias",
    "register_session",
]


def register_session(session: object) -> None:
    """Intercept clients of a boto3 or botocore session created before this package was imported."""
    inner = getattr(session, "_session", session)
    hook.register_on(inner)


def implemented_operations() -> list[str]:
    """The Lambda operations the mock answers; every other one gets a clear error naming it."""
    from .backend.registry import implemented_operations as _implemented

    return _implemented()


hook.install()
