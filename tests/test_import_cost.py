"""What importing costs: the pytest plugin and ``import mock_lambda_alias`` load no backend module.

pytest imports every installed plugin in every worker of every run, also in runs that never use
the fixture; ``import mock_lambda_alias`` runs in every test module that uses it. Both must leave
the backend (data model, operations, runtime) unloaded until a mock is first used. Checked in a
fresh interpreter by inspecting ``sys.modules``, not by timing.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest


def _modules_after(code: str) -> list[str]:
    probe = code + "\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))\n"
    output = subprocess.check_output([sys.executable, "-c", probe], text=True)
    return json.loads(output.splitlines()[-1])


def test_importing_the_plugin_imports_nothing_of_the_package():
    loaded = _modules_after("import pytest\nimport mock_lambda_alias_pytest")
    assert [m for m in loaded if m.startswith("mock_lambda_alias.") or m == "mock_lambda_alias"] == []
    assert "botocore" not in loaded


def test_the_plugin_is_the_registered_pytest11_entry_point():
    from importlib.metadata import entry_points

    found = entry_points()
    group = found.select(group="pytest11") if hasattr(found, "select") else found.get("pytest11", [])
    assert {ep.name: ep.value for ep in group}.get("mock_lambda_alias") == "mock_lambda_alias_pytest"


def test_importing_the_package_loads_no_backend_module():
    loaded = _modules_after("import boto3\nimport mock_lambda_alias")
    ours = [m for m in loaded if m.startswith("mock_lambda_alias")]
    assert [m for m in ours if m.startswith("mock_lambda_alias.backend")] == []
    assert "mock_lambda_alias.switch" not in ours


def test_public_names_load_on_first_use():
    code = "import mock_lambda_alias\nassert callable(mock_lambda_alias.mock_lambda_alias)\n"
    loaded = _modules_after(code)
    assert "mock_lambda_alias.switch" in loaded


@pytest.mark.parametrize(
    "name", ["mock_lambda_alias", "LambdaAliasMock", "active_mock", "Decision", "LambdaError", "DEFAULT_REGION"]
)
def test_every_public_name_resolves(name):
    import mock_lambda_alias

    assert name in mock_lambda_alias.__all__
    assert getattr(mock_lambda_alias, name) is not None
    assert name in dir(mock_lambda_alias)


def test_an_unknown_name_is_an_attribute_error():
    import mock_lambda_alias

    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        mock_lambda_alias.nope  # noqa: B018


def test_the_fixture_in_a_run_of_its_own(tmp_path):
    """A pytest run whose only plugin use is the fixture: the mock is active inside the test."""
    (tmp_path / "test_probe.py").write_text(
        "import boto3\n"
        "def test_probe(mock_lambda_alias):\n"
        "    client = boto3.client('lambda', region_name='us-east-1')\n"
        "    assert client.list_functions()['Functions'] == []\n"
        "    assert mock_lambda_alias.active\n"
    )
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout[-2000:]


def test_the_first_activation_loads_the_backend_so_first_calls_import_nothing():
    """Loading is once per process, with the first activation: no operation's first call imports."""
    code = (
        "import sys\n"
        "import boto3\n"
        "from mock_lambda_alias import mock_lambda_alias\n"
        "with mock_lambda_alias():\n"
        "    activated = set(sys.modules)\n"
        "    client = boto3.client('lambda', region_name='us-east-1')\n"
        "    client.get_account_settings()\n"
        "    client.list_layers()\n"
        "    client.list_functions()\n"
        "    client.list_code_signing_configs()\n"
        "    print(sorted(m for m in set(sys.modules) - activated if m.startswith('mock_lambda_alias')))\n"
    )
    output = subprocess.check_output([sys.executable, "-c", code], text=True)
    assert output.splitlines()[-1] == "[]"
    from mock_lambda_alias.backend import registry

    started = "import boto3\nfrom mock_lambda_alias import mock_lambda_alias\nmock_lambda_alias().start()"
    loaded = _modules_after(started)
    families = {handler.__module__ for handler in registry.HANDLERS.values()}
    assert families <= set(loaded)


_URL_BEFORE_REQUESTS = """
import json, sys
import boto3
from mock_lambda_alias import mock_lambda_alias, package

code = package({"index.py": "def handler(event, context):\\n    return {'statusCode': 200, 'body': 'hi'}\\n"})
seen = {}
with mock_lambda_alias():
    lam = boto3.client("lambda", region_name="us-east-1", aws_access_key_id="k", aws_secret_access_key="s")
    lam.create_function(FunctionName="f", Runtime="python3.12", Role="arn:aws:iam::123456789012:role/r",
                        Handler="index.handler", Code={"ZipFile": code})
    lam.add_permission(FunctionName="f", StatementId="url", Action="lambda:InvokeFunctionUrl",
                       Principal="*", FunctionUrlAuthType="NONE")
    members = lam.meta.service_model.operation_model("AddPermission").input_shape.members
    via_url = {"InvokedViaFunctionUrl": True} if "InvokedViaFunctionUrl" in members else {}
    lam.add_permission(FunctionName="f", StatementId="url-invoke", Action="lambda:InvokeFunction",
                       Principal="*", **via_url)
    url = lam.create_function_url_config(FunctionName="f", AuthType="NONE")["FunctionUrl"]
    seen["loaded_before"] = [m for m in ("requests", "responses") if m in sys.modules]
    import requests
    answer = requests.get(url, timeout=5)
    seen["answer"] = [answer.status_code, answer.text]
seen["hooks_left"] = [type(f).__name__ for f in sys.meta_path if type(f).__module__.startswith("mock_lambda_alias")]
print(json.dumps(seen))
"""


def test_function_urls_load_requests_only_when_the_code_under_test_does():
    """A URL created before ``import requests`` is answered once requests is imported.

    ``responses`` (and ``requests``, ``urllib3``) cost more to import than a whole first call: they
    load when the code under test imports ``requests``, and nothing of ours stays in
    ``sys.meta_path`` after the activation.
    """
    output = subprocess.check_output([sys.executable, "-c", _URL_BEFORE_REQUESTS], text=True)
    seen = json.loads(output.splitlines()[-1])
    assert seen == {"loaded_before": [], "answer": [200, "hi"], "hooks_left": []}


def test_a_url_never_requested_leaves_no_import_hook_behind():
    code = _URL_BEFORE_REQUESTS.split('    seen["loaded_before"]')[0] + (
        "    pending = sorted(f.name for f in sys.meta_path if type(f).__name__ == 'AfterImport')\n"
        "left = [type(f).__name__ for f in sys.meta_path if type(f).__module__.startswith('mock_lambda_alias')]\n"
        "print(json.dumps([pending, left, 'requests' in sys.modules]))\n"
    )
    output = subprocess.check_output([sys.executable, "-c", code], text=True)
    # Waiting while active: requests (URLs), aiobotocore (its clients), moto's services (deliveries in
    # and out: notifications, event source mappings' sources, destinations; SQS is waited for by both).
    waiting = [
        "aiobotocore.client",
        "moto.dynamodb.models.table",
        "moto.events.models",
        "moto.kinesis.models",
        "moto.s3.models",
        "moto.s3.notifications",
        "moto.sns.models",
        "moto.sqs.models",
        "moto.sqs.models",
    ]
    assert json.loads(output.splitlines()[-1]) == [sorted([*waiting, "requests"]), [], False]
