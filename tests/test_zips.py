"""``package`` and ``layer_package``: deployment packages built from source text, a mapping of files
or a directory, deployed and run through boto3 and the mock."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import time
import zipfile
from typing import Any

import pytest
from conftest import create

from mock_lambda_alias import layer_package, package

ECHO = "def handler(event, context):\n    return event\n"


def names(data: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.namelist()


def invoke(lam: Any, payload: Any = None, name: str = "my-function") -> Any:
    response = lam.invoke(FunctionName=name, Payload=json.dumps(payload or {}))
    assert "FunctionError" not in response, response["Payload"].read()
    return json.loads(response["Payload"].read())


def sha256_of(data: bytes) -> str:
    """The digest as AWS reports CodeSha256: base64 of the SHA-256 of the uploaded bytes."""
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


# ---------------------------------------------------------------------------
# what a package holds, and the function it makes runs
# ---------------------------------------------------------------------------


def test_a_source_text_is_lambda_function_py(lam):
    code = package("def handler(event, context):\n    return {'got': event}\n")
    assert names(code) == ["lambda_function.py"]
    create(lam, Handler="lambda_function.handler", Code={"ZipFile": code})
    assert invoke(lam, {"k": 1}) == {"got": {"k": 1}}


def test_a_mapping_of_nested_names_text_bytes_and_paths(lam, tmp_path):
    config = tmp_path / "config.json"
    config.write_text('{"stage": "prod"}')
    code = package(
        {
            "app/main.py": (
                "import json, os\n"
                "from app import util\n"
                "def handler(event, context):\n"
                "    root = os.environ['LAMBDA_TASK_ROOT']\n"
                "    with open(os.path.join(root, 'app', 'data.bin'), 'rb') as f:\n"
                "        data = list(f.read())\n"
                "    with open(os.path.join(root, 'conf', 'config.json')) as f:\n"
                "        config = json.load(f)\n"
                "    return {'util': util.VALUE, 'data': data, 'config': config}\n"
            ),
            "app/__init__.py": "",
            "app/util.py": "VALUE = 'from util'\n",
            "app/data.bin": bytes([0, 255, 10]),
            "conf/config.json": config,
        }
    )
    assert names(code) == ["app/__init__.py", "app/data.bin", "app/main.py", "app/util.py", "conf/config.json"]
    create(lam, Handler="app/main.handler", Code={"ZipFile": code})
    assert invoke(lam) == {"util": "from util", "data": [0, 255, 10], "config": {"stage": "prod"}}


def test_text_is_stored_as_utf8(lam):
    code = package({"index.py": "def handler(event, context):\n    return 'héllo ✓'\n"})
    create(lam, Code={"ZipFile": code})
    assert invoke(lam) == "héllo ✓"


def test_a_directory_packs_its_tree(lam, tmp_path):
    (tmp_path / "lib" / "deep").mkdir(parents=True)
    (tmp_path / "empty").mkdir()
    (tmp_path / "index.py").write_text(
        "from lib import helper\nfrom lib.deep import leaf\n"
        "def handler(event, context):\n    return [helper.VALUE, leaf.VALUE]\n"
    )
    (tmp_path / "lib" / "helper.py").write_text("VALUE = 'helper'\n")
    (tmp_path / "lib" / "deep" / "leaf.py").write_text("VALUE = 'leaf'\n")
    code = package(tmp_path)
    # Files only, named relative to the directory, whatever their depth; an empty directory adds nothing.
    assert names(code) == ["index.py", "lib/deep/leaf.py", "lib/helper.py"]
    create(lam, Code={"ZipFile": code})
    assert invoke(lam) == ["helper", "leaf"]


# ---------------------------------------------------------------------------
# the same files give the same bytes, hence the same CodeSha256
# ---------------------------------------------------------------------------


def at(monkeypatch: pytest.MonkeyPatch, when: float, build: Any) -> bytes:
    """``build()`` with the clock at ``when``: a package must not record the time it was built."""
    with monkeypatch.context() as patched:
        patched.setattr(time, "time", lambda: when)
        return build()


@pytest.mark.parametrize(
    "build",
    [
        pytest.param(lambda: package(ECHO), id="source-text"),
        pytest.param(lambda: package({"b.py": "B = 1\n", "a/x.py": b"X = 2\n", "index.py": ECHO}), id="mapping"),
    ],
)
def test_the_same_input_gives_the_same_bytes_and_code_sha256(lam, monkeypatch, build):
    first, again = at(monkeypatch, 400_000_000.0, build), at(monkeypatch, 1_700_000_000.0, build)
    assert first == again
    created = [
        create(lam, name=name, Handler="lambda_function.handler", Code={"ZipFile": code})
        for name, code in (("first", first), ("again", again))
    ]
    assert created[0]["CodeSha256"] == created[1]["CodeSha256"] == sha256_of(first)
    assert created[0]["CodeSize"] == len(first)


def test_the_order_of_a_mapping_does_not_change_the_bytes():
    files = {"index.py": ECHO, "lib/a.py": "A = 1\n", "lib/b.py": b"B = 2\n"}
    assert package(files) == package(dict(reversed(list(files.items()))))


def test_a_directory_and_the_same_mapping_give_the_same_bytes(tmp_path):
    (tmp_path / "lib").mkdir()
    (tmp_path / "index.py").write_text(ECHO)
    (tmp_path / "lib" / "a.py").write_bytes(b"A = 1\n")
    assert package(tmp_path) == package({"index.py": ECHO, "lib/a.py": b"A = 1\n"})


def test_rebuilding_unchanged_code_publishes_no_new_version(lam):
    """Deploy scripts rebuild the package on every run: unchanged code keeps its CodeSha256, so
    PublishVersion returns the existing version rather than a new one."""
    create(lam, Code={"ZipFile": package({"index.py": ECHO})})
    assert lam.publish_version(FunctionName="my-function")["Version"] == "1"
    updated = lam.update_function_code(FunctionName="my-function", ZipFile=package({"index.py": ECHO}))
    assert lam.publish_version(FunctionName="my-function", CodeSha256=updated["CodeSha256"])["Version"] == "1"


# ---------------------------------------------------------------------------
# layers
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "folder"),
    [
        pytest.param({}, "python", id="python"),
        pytest.param(
            {"prefix": "python/lib/python3.12/site-packages"}, "python/lib/python3.12/site-packages", id="site-packages"
        ),
        pytest.param({"prefix": "/python/"}, "python", id="slashes-stripped"),
    ],
)
def test_a_layer_package_puts_its_files_where_functions_import_them(lam, kwargs, folder):
    files = {"shared/__init__.py": "", "shared/greeting.py": "WORDS = 'from the layer'\n"}
    layer_code = layer_package(files, **kwargs)
    assert names(layer_code) == [f"{folder}/shared/__init__.py", f"{folder}/shared/greeting.py"]
    layer = lam.publish_layer_version(LayerName="shared", Content={"ZipFile": layer_code})
    again = lam.publish_layer_version(LayerName="shared", Content={"ZipFile": layer_package(files, **kwargs)})
    assert layer["Content"]["CodeSha256"] == again["Content"]["CodeSha256"] == sha256_of(layer_code)
    handler = "from shared import greeting\ndef handler(event, context):\n    return greeting.WORDS\n"
    create(
        lam, Handler="lambda_function.handler", Code={"ZipFile": package(handler)}, Layers=[layer["LayerVersionArn"]]
    )
    assert invoke(lam) == "from the layer"


def test_a_layer_from_a_source_text_or_a_directory(tmp_path):
    (tmp_path / "tools").mkdir()
    (tmp_path / "tools" / "fmt.py").write_text("X = 1\n")
    assert names(layer_package("X = 1\n")) == ["python/lambda_function.py"]
    assert names(layer_package(tmp_path)) == ["python/tools/fmt.py"]
    assert names(layer_package(tmp_path, prefix="")) == ["tools/fmt.py"]


# ---------------------------------------------------------------------------
# mistakes
# ---------------------------------------------------------------------------

BUILDERS = [pytest.param(package, id="package"), pytest.param(layer_package, id="layer_package")]


@pytest.mark.parametrize("builder", BUILDERS)
@pytest.mark.parametrize(
    ("source", "message"),
    [
        (b"def handler(e, c): pass", "a package is built from a str, a mapping or a directory path, not bytes"),
        (None, "a package is built from a str, a mapping or a directory path, not NoneType"),
        (["index.py"], "a package is built from a str, a mapping or a directory path, not list"),
        ({"index.py": 1}, "a file's content is str, bytes or a path, not int"),
        ({"index.py": None}, "a file's content is str, bytes or a path, not NoneType"),
        ({"index.py": bytearray(b"x")}, "a file's content is str, bytes or a path, not bytearray"),
    ],
    ids=["bytes", "none", "list", "int-content", "none-content", "bytearray-content"],
)
def test_wrong_types_raise_type_error(builder, source, message):
    with pytest.raises(TypeError) as raised:
        builder(source)
    assert str(raised.value) == message


@pytest.mark.parametrize("builder", BUILDERS)
@pytest.mark.parametrize("name", ["", "/", "///", "pkg/", "../escaped.py", "a/../b.py", "a//b.py", "./a.py"])
def test_an_archive_name_that_is_no_relative_file_path_raises_value_error(builder, name):
    with pytest.raises(ValueError) as raised:
        builder({name: ECHO})
    assert str(raised.value) == (
        f"an archive name must be a relative file path with no empty, '.' or '..' parts, not {name!r}"
    )


@pytest.mark.parametrize("builder", BUILDERS)
def test_an_archive_name_that_is_not_a_string_raises_type_error(builder):
    with pytest.raises(TypeError) as raised:
        builder({1: ECHO})
    assert str(raised.value) == "an archive name is a str, not int"


@pytest.mark.parametrize("builder", BUILDERS)
def test_two_names_for_one_file_raise_value_error(builder):
    with pytest.raises(ValueError) as raised:
        builder({"a.py": ECHO, "/a.py": ECHO})
    assert str(raised.value) == "'/a.py' names the same file as another entry: 'a.py'"


def test_the_bytes_do_not_depend_on_the_platform(monkeypatch):
    linux = package("x = 1\n")
    monkeypatch.setattr(zipfile.sys, "platform", "win32")
    assert package("x = 1\n") == linux


@pytest.mark.parametrize("builder", BUILDERS)
@pytest.mark.parametrize("which", ["a-file", "missing"])
def test_a_path_that_is_not_a_directory_raises_value_error(builder, which, tmp_path):
    path = tmp_path / "index.py"
    if which == "a-file":
        path.write_text(ECHO)
    with pytest.raises(ValueError) as raised:
        builder(path)
    assert str(raised.value) == f"{path} is not a directory: pass a mapping to package single files"
