"""The ``mock_lambda_alias`` pytest fixture, registered through the ``pytest11`` entry point.

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
    from mock_lambda_alias.switch import LambdaAliasMock


@pytest.fixture(name="mock_lambda_alias")
def mock_lambda_alias_fixture() -> Iterator[LambdaAliasMock]:
    """An active mock for the test, empty at the start and stopped afterwards."""
    from mock_lambda_alias.switch import LambdaAliasMock

    with LambdaAliasMock() as mock:
        yield mock
