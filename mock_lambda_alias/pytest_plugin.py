"""The ``mock_lambda_alias`` pytest fixture, for ``pytest_plugins = ["mock_lambda_alias.pytest_plugin"]``.

Installed packages get the fixture without this: the ``pytest11`` entry point names the top-level
``mock_lambda_alias_pytest`` module, which imports nothing of the package until the fixture is used.
"""

from __future__ import annotations

from mock_lambda_alias_pytest import mock_lambda_alias_fixture

__all__ = ["mock_lambda_alias_fixture"]
