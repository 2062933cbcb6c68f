"""The ``mock_lambda_alias`` pytest fixture, registered through the ``pytest11`` entry point.

Importable without pytest being used: it only defines a fixture function.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .switch import LambdaAliasMock


@pytest.fixture(name="mock_lambda_alias")
def mock_lambda_alias_fixture() -> Iterator[LambdaAliasMock]:
    """An active mock for the test, empty at the start and stopped afterwards."""
    with LambdaAliasMock() as mock:
        yield mock
