"""The ``mock_lambda_alias`` and ``mock_lambda_alias_server`` pytest fixtures (``pytest11`` entry point).

A top-level module, outside the package, on purpose: pytest imports every installed plugin in
every worker of every run, and importing anything inside ``mock_lambda_alias`` would import the
package (and botocore with it). Here nothing is imported until a test asks for the fixture, so a
run that never uses it pays nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from mock_lambda_alias.server.app import Endpoint, LambdaServer
    from mock_lambda_alias.switch import LambdaAliasMock


@pytest.fixture(name="mock_lambda_alias")
def mock_lambda_alias_fixture() -> Iterator[LambdaAliasMock]:
    """An active mock for the test, empty at the start and stopped afterwards."""
    from mock_lambda_alias.switch import LambdaAliasMock

    with LambdaAliasMock() as mock:
        yield mock


@pytest.fixture(scope="session")
def _mock_lambda_alias_server_process() -> Iterator[LambdaServer]:
    """One server per test session (per xdist worker), on a free port, in a background thread."""
    from mock_lambda_alias.server.app import LambdaServer

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
    from mock_lambda_alias.server.app import Endpoint

    server = _mock_lambda_alias_server_process
    server.reset()
    try:
        yield Endpoint(server)
    finally:
        server.reset()
