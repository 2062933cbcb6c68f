"""The ``mock_lambda_alias`` and ``mock_lambda_alias_server`` pytest fixtures (``pytest11`` entry point).

Importable without pytest being used: it only defines fixture functions. The server fixture imports
the server package only when a test asks for it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from .switch import LambdaAliasMock

if TYPE_CHECKING:
    from .server.app import Endpoint, LambdaServer


@pytest.fixture(name="mock_lambda_alias")
def mock_lambda_alias_fixture() -> Iterator[LambdaAliasMock]:
    """An active mock for the test, empty at the start and stopped afterwards."""
    with LambdaAliasMock() as mock:
        yield mock


@pytest.fixture(scope="session")
def _mock_lambda_alias_server_process() -> Iterator[LambdaServer]:
    """One server per test session (per xdist worker), on a free port, in a background thread."""
    from .server.app import LambdaServer

    server = LambdaServer("127.0.0.1", 0, log_requests=False).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def mock_lambda_alias_server(_mock_lambda_alias_server_process: LambdaServer) -> Iterator[Endpoint]:
    """The endpoint URL of a running server (``endpoint_url=...``), empty at the start of the test.

    The value is a ``str`` that also has ``.mock`` (the server's handle: ``register_handler``,
    ``invocations``, ...) and ``.function_url(url)`` (a function URL's address on the server).
    """
    from .server.app import Endpoint

    server = _mock_lambda_alias_server_process
    server.reset()
    try:
        yield Endpoint(server)
    finally:
        server.reset()
