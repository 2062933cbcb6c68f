"""Server mode: the same wire layer and backend over HTTP, plus control endpoints.

Layout: :mod:`.routing` (method + URI -> operation, from botocore's model), :mod:`.adapter` (HTTP
bytes -> the ``AWSPreparedRequest`` the shared dispatcher takes; the caller's account and region
from SigV4), :mod:`.control` (``/_mock_lambda_alias/...``), :mod:`.app` (the threading HTTP server)
and :mod:`.cli` (``mock-lambda-alias serve``). Imported only when used: ``import mock_lambda_alias``
never loads it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .app import LambdaServer

__all__ = ["LambdaServer"]


def __getattr__(name: str) -> Any:
    if name == "LambdaServer":
        from .app import LambdaServer

        return LambdaServer
    raise AttributeError(name)
