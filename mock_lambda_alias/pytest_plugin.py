"""The pytest fixtures, for ``pytest_plugins = ["mock_lambda_alias.pytest_plugin"]``.

Installed packages get the fixture without this: the ``pytest11`` entry point names the top-level
``mock_lambda_alias_pytest`` module, which imports nothing of the package until the fixture is used.
"""

from __future__ import annotations

from mock_lambda_alias_pytest import (
    _mock_lambda_alias_server_process,
    mock_lambda_alias_fixture,
    mock_lambda_alias_server,
)

__all__ = ["_mock_lambda_alias_server_process", "mock_lambda_alias_fixture", "mock_lambda_alias_server"]
