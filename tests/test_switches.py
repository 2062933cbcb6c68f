"""The switch in all its forms: decorator (function, coroutine, class), with, async with,
start()/stop(), the pytest fixture; nesting, fresh state per activation, restoration."""

from __future__ import annotations

import asyncio
import inspect
import os
import unittest

import boto3
import pytest
from botocore.exceptions import NoCredentialsError
from conftest import REGION, create

import mock_lambda_alias as package
from mock_lambda_alias import LambdaAliasMock, active_mock, mock_lambda_alias, switch


def names(client) -> list[str]:
    return [f["FunctionName"] for f in client.list_functions()["Functions"]]


@mock_lambda_alias
def decorated_plain(x: int) -> tuple[int, list[str]]:
    client = boto3.client("lambda", region_name=REGION)
    create(client)
    return x, names(client)


def test_bare_decorator_on_function():
    assert decorated_plain(7) == (7, ["my-function"])
    assert decorated_plain(8) == (8, ["my-function"])  # a second call starts empty again
    assert not switch.ACTIVE


@mock_lambda_alias(account_id="111111111111")
def decorated_with_options() -> str:
    client = boto3.client("lambda", region_name=REGION)
    return create(client, Role="arn:aws:iam::111111111111:role/r")["FunctionArn"]


def test_called_decorator_with_options():
    assert decorated_with_options() == "arn:aws:lambda:us-east-1:111111111111:function:my-function"


def test_decorator_keeps_signature_and_name():
    def target(a: int, b: str = "x") -> str:
        """Doc."""
        return b * a

    wrapped = mock_lambda_alias(target)
    assert wrapped.__name__ == "target"
    assert wrapped.__doc__ == "Doc."
    assert inspect.signature(wrapped) == inspect.signature(target)
    assert wrapped(2, "ab") == "abab"


@mock_lambda_alias
async def decorated_coroutine() -> list[str]:
    await asyncio.sleep(0)
    client = boto3.client("lambda", region_name=REGION)
    create(client)
    return names(client)


def test_decorator_on_coroutine():
    assert inspect.iscoroutinefunction(decorated_coroutine)
    assert asyncio.run(decorated_coroutine()) == ["my-function"]
    assert not switch.ACTIVE


def test_async_with():
    async def main() -> list[str]:
        async with mock_lambda_alias() as m:
            assert isinstance(m, LambdaAliasMock)
            client = boto3.client("lambda", region_name=REGION)
            create(client)
            return names(client)

    assert asyncio.run(main()) == ["my-function"]


@mock_lambda_alias
class TestDecoratedTestCase(unittest.TestCase):
    """setUp and tearDown run inside the mock; every test starts from empty state."""

    def setUp(self) -> None:
        self.client = boto3.client("lambda", region_name=REGION)
        create(self.client, name="from-setup")

    def tearDown(self) -> None:
        assert names(self.client) == sorted(names(self.client))
        self.client.delete_function(FunctionName="from-setup")

    def test_one(self) -> None:
        create(self.client, name="one")
        self.assertEqual(names(self.client), ["from-setup", "one"])

    def test_two(self) -> None:
        self.assertEqual(names(self.client), ["from-setup"])


@mock_lambda_alias
class TestDecoratedPlainClass:
    def test_a(self) -> None:
        client = boto3.client("lambda", region_name=REGION)
        create(client)
        assert names(client) == ["my-function"]

    def test_b(self) -> None:
        assert names(boto3.client("lambda", region_name=REGION)) == []

    def helper_not_a_test(self) -> bool:
        return bool(switch.ACTIVE)


def test_class_decorator_wraps_only_tests():
    assert TestDecoratedPlainClass().helper_not_a_test() is False


class TestStartStopInUnittest(unittest.TestCase):
    def setUp(self) -> None:
        self.mock = mock_lambda_alias()
        self.mock.start()
        self.addCleanup(self.mock.stop)

    def test_calls_are_answered(self) -> None:
        client = boto3.client("lambda", region_name=REGION)
        create(client)
        self.assertEqual(list(self.mock.functions()), ["my-function"])


def test_context_manager_and_inspection():
    with mock_lambda_alias() as m:
        client = boto3.client("lambda", region_name=REGION)
        create(client, Description="hello")
        function = m.get_function("my-function")
        assert function.latest.config["Description"] == "hello"
        assert function.arn.endswith(":function:my-function")
        assert active_mock() is m
        with pytest.raises(KeyError, match="no function 'nope'"):
            m.get_function("nope")


def test_stop_without_start_raises():
    with pytest.raises(RuntimeError, match="without a matching start"):
        mock_lambda_alias().stop()


def test_stop_twice_raises():
    m = mock_lambda_alias()
    m.start()
    m.stop()
    with pytest.raises(RuntimeError):
        m.stop()


def test_each_activation_starts_empty():
    m = mock_lambda_alias()
    with m:
        create(boto3.client("lambda", region_name=REGION))
    with m:
        assert names(boto3.client("lambda", region_name=REGION)) == []


def test_nesting_innermost_answers_and_outer_resumes():
    with mock_lambda_alias():
        client = boto3.client("lambda", region_name=REGION)
        create(client, name="outer")
        with mock_lambda_alias():
            assert names(client) == []
            create(client, name="inner")
        assert names(client) == ["outer"]
    assert not switch.ACTIVE


def test_exception_inside_still_stops():
    with pytest.raises(ZeroDivisionError), mock_lambda_alias():
        raise ZeroDivisionError
    assert not switch.ACTIVE


def test_decorated_function_exception_still_stops():
    @mock_lambda_alias
    def boom() -> None:
        raise ValueError("x")

    with pytest.raises(ValueError):
        boom()
    assert not switch.ACTIVE


def test_pytest_fixture(mock_lambda_alias):
    assert isinstance(mock_lambda_alias, LambdaAliasMock)
    assert mock_lambda_alias.active
    create(boto3.client("lambda", region_name=REGION))
    assert list(mock_lambda_alias.functions()) == ["my-function"]


def test_account_id_must_be_twelve_digits():
    with pytest.raises(ValueError, match="12-digit"):
        mock_lambda_alias(account_id="123")


def test_credentials_are_faked_and_restored(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "real-key")
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    with mock_lambda_alias():
        assert os.environ["AWS_ACCESS_KEY_ID"] == "testing"
        assert os.environ["AWS_SESSION_TOKEN"] == "testing"
    assert os.environ["AWS_ACCESS_KEY_ID"] == "real-key"
    assert "AWS_SESSION_TOKEN" not in os.environ


def test_credentials_the_test_sets_while_active_are_kept(monkeypatch):
    """The fake credentials are put back at the last stop only where they are still the mock's: a
    value the test set meanwhile is the test's."""
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "before")
    with mock_lambda_alias():
        os.environ["AWS_ACCESS_KEY_ID"] = "set-by-the-test"
        os.environ["AWS_SESSION_TOKEN"] = "token-of-the-test"
    assert os.environ["AWS_ACCESS_KEY_ID"] == "set-by-the-test"
    assert os.environ["AWS_SESSION_TOKEN"] == "token-of-the-test"


def test_activation_provides_credentials_and_region(monkeypatch, tmp_path):
    for key in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_DEFAULT_REGION",
        "AWS_REGION",
    ):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    before = boto3.session.Session().client("lambda", region_name=REGION)  # no credentials at all
    with mock_lambda_alias():
        # Lambda requests are signed as for AWS: a client made with no credentials cannot sign.
        with pytest.raises(NoCredentialsError):
            create(before)
        session_client = boto3.session.Session().client("lambda")  # credentials and region while active
        create(session_client)
        assert names(session_client) == ["my-function"]
    assert "AWS_DEFAULT_REGION" not in os.environ


def test_api_exports():
    assert "mock_lambda_alias" in package.__all__
    assert "CreateFunction" in package.implemented_operations()


def _fresh_process(code: str) -> str:
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_first_activation_makes_the_process_directory_and_leaves_no_thread():
    """The process's first activation makes its directory, without settling ``tempfile``'s, and leaves
    no thread behind."""
    code = (
        "import os, threading\n"
        "from mock_lambda_alias import mock_lambda_alias\n"
        "m = mock_lambda_alias().start()\n"
        "from mock_lambda_alias.runtime import packages\n"
        "assert packages._root is not None and os.path.isdir(packages._root)\n"
        "import tempfile\n"
        "assert tempfile.tempdir is None\n"
        "assert threading.enumerate() == [threading.main_thread()], threading.enumerate()\n"
        "m.stop()\n"
        "print('ok')\n"
    )
    assert _fresh_process(code) == "ok"


def test_an_activation_that_cannot_prepare_the_process_leaves_nothing_engaged():
    """A first activation that cannot make the process's directory raises its error and leaves no
    interception, no fake credentials and no active mock behind; the next activation works."""
    code = (
        "import os, boto3\n"
        "from mock_lambda_alias import interception, mock_lambda_alias, switch\n"
        "from mock_lambda_alias.runtime import packages\n"
        "real = packages.extraction_root\n"
        "def refuse(check=False):\n"
        "    raise PermissionError(13, 'Permission denied', '/tmp')\n"
        "packages.extraction_root = refuse\n"
        "m = mock_lambda_alias()\n"
        "before = dict(os.environ)\n"
        "try:\n"
        "    m.start()\n"
        "except PermissionError as exc:\n"
        "    print('refused', exc.errno)\n"
        "assert not switch.ACTIVE and not interception.engaged() and not m.active\n"
        "assert dict(os.environ) == before\n"
        "packages.extraction_root = real\n"
        "with mock_lambda_alias():\n"
        "    client = boto3.client('lambda', region_name='us-east-1')\n"
        "    print(client.list_functions()['Functions'])\n"
    )
    assert _fresh_process(code).splitlines() == ["refused 13", "[]"]
