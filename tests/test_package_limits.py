"""AWS's limits on deployment packages, enforced at CreateFunction/UpdateFunctionCode.

AWS unzips a package when it is uploaded: one that unzips to 262,144,000 bytes or more is refused
with ``InvalidParameterValueException: Unzipped size must be smaller than 262144000 bytes`` (the
wording reported by many real deployments; LocalStack's provider refuses at the same bound), and
one it cannot unzip, a damaged member included, with F-FN-014's message.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import zipfile

import boto3
import pytest
from botocore.exceptions import ClientError
from conftest import REGION, ZIP, create, error_of, make_zip

from mock_lambda_alias import mock_lambda_alias, package
from mock_lambda_alias.runtime import packages

LIMIT = 262_144_000
TOO_LARGE = (400, "InvalidParameterValueException", "Unzipped size must be smaller than 262144000 bytes")
CANNOT_UNZIP = (
    400,
    "InvalidParameterValueException",
    "Could not unzip uploaded file. Please check your file, then try to upload again.",
)


def zeros_zip(total: int) -> bytes:
    """A small zip that unzips to ``total`` bytes of zeros (a zip bomb, for AWS's limit)."""
    buffer = io.BytesIO()
    chunk = bytes(1 << 20)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("index.py", "def handler(event, context):\n    return 1\n")
        remaining = total - archive.getinfo("index.py").file_size
        with archive.open("padding.bin", "w") as stream:
            while remaining > 0:
                stream.write(chunk[: min(remaining, len(chunk))])
                remaining -= len(chunk)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def bomb() -> bytes:
    data = zeros_zip(270_000_000)  # as in the report: a few hundred KB holding 270 MB
    assert len(data) < 2_000_000
    return data


def stored_zip(source: str = "def handler(event, context):\n    return event\n") -> bytes:
    """``index.py`` stored uncompressed, so that changing a byte of its data breaks only its CRC (a
    deployment package from ``package`` is deflated: the same change would break the deflate stream)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("index.py", source)
    return buffer.getvalue()


def corrupted(data: bytes, member: str = "index.py") -> bytes:
    """The archive with one byte of a member's compressed data changed: its CRC no longer matches."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(member)
    raw = bytearray(data)
    name_length = int.from_bytes(raw[info.header_offset + 26 : info.header_offset + 28], "little")
    extra_length = int.from_bytes(raw[info.header_offset + 28 : info.header_offset + 30], "little")
    start = info.header_offset + 30 + name_length + extra_length
    raw[start] ^= 0xFF
    return bytes(raw)


def test_zip_bomb_refused_at_create(lam, bomb):
    with pytest.raises(ClientError) as exc:
        create(lam, Code={"ZipFile": bomb})
    assert error_of(exc) == TOO_LARGE
    with pytest.raises(ClientError):
        lam.get_function(FunctionName="my-function")


def test_zip_bomb_refused_at_update(lam, bomb):
    create(lam)
    with pytest.raises(ClientError) as exc:
        lam.update_function_code(FunctionName="my-function", ZipFile=bomb)
    assert error_of(exc) == TOO_LARGE
    assert lam.get_function(FunctionName="my-function")["Configuration"]["CodeSize"] == len(ZIP)


def test_zip_bomb_refused_from_s3(mock, lam, bomb):
    mock.add_s3_object("bucket", "bomb.zip", bomb)
    with pytest.raises(ClientError) as exc:
        create(lam, Code={"S3Bucket": "bucket", "S3Key": "bomb.zip"})
    assert error_of(exc) == TOO_LARGE


def test_the_limit_itself_is_refused(lam):
    with pytest.raises(ClientError) as exc:
        create(lam, Code={"ZipFile": zeros_zip(LIMIT)})
    assert error_of(exc) == TOO_LARGE


def test_just_under_the_limit_is_accepted(lam):
    data = zeros_zip(LIMIT - 1)
    assert create(lam, Code={"ZipFile": data})["CodeSize"] == len(data)


def test_bad_crc_refused_at_create_F_FN_014(lam):
    data = corrupted(stored_zip("def handler(event, context):\n    return 'a fairly long body ' * 10\n"))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() == "index.py"  # the directory reads fine; the member does not
    with pytest.raises(ClientError) as exc:
        create(lam, Code={"ZipFile": data})
    assert error_of(exc) == CANNOT_UNZIP


def test_bad_crc_refused_at_update_F_FN_014(lam):
    create(lam)
    with pytest.raises(ClientError) as exc:
        lam.update_function_code(FunctionName="my-function", ZipFile=corrupted(stored_zip()))
    assert error_of(exc) == CANNOT_UNZIP


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(ZIP[: len(ZIP) // 2], id="truncated"),
        pytest.param(b"PK\x03\x04" + bytes(40), id="only-a-header"),
        pytest.param(b"", id="empty"),
    ],
)
def test_unreadable_archives_refused_F_FN_014(raw_lam, data):
    with pytest.raises(ClientError) as exc:
        create(raw_lam, Code={"ZipFile": data})
    assert error_of(exc)[1:] == CANNOT_UNZIP[1:]


def test_each_package_is_extracted_once_per_activation(lam):
    source = "import os\ndef handler(event, context):\n    return os.environ['LAMBDA_TASK_ROOT']\n"
    code = make_zip(source)
    create(lam, Code={"ZipFile": code})
    create(lam, name="same-code", Code={"ZipFile": code})
    lam.publish_version(FunctionName="my-function")
    roots = {
        lam.invoke(FunctionName=name, Qualifier=qualifier)["Payload"].read()
        for name, qualifier in (("my-function", "$LATEST"), ("my-function", "1"), ("same-code", "$LATEST"))
    }
    assert len(roots) == 1
    # Packages sit in the process's directory, named "<activation>-task-<n>": this activation
    # extracted one.
    task_root = roots.pop().decode().strip('"')
    activation = os.path.basename(task_root).split("-")[0]
    extracted = [d for d in os.listdir(os.path.dirname(task_root)) if d.startswith(f"{activation}-task-")]
    assert extracted == [os.path.basename(task_root)]


def test_a_removed_process_directory_is_made_again(lam):
    """Something removes the process's directory mid-activation (a cleaner of ``/tmp``, a test's own
    teardown): the next cold start makes it again, and the activation's directories still go."""
    source = (
        "import os, tempfile\n"
        "def handler(event, context):\n"
        "    return [os.environ['LAMBDA_TASK_ROOT'], tempfile.gettempdir()]\n"
    )
    create(lam, Code={"ZipFile": make_zip(source)})
    create(lam, name="before", Code={"ZipFile": make_zip("def handler(event, context):\n    return 1\n")})
    assert lam.invoke(FunctionName="before")["Payload"].read() == b"1"
    gone = packages.extraction_root()
    packages.remove_tree(gone)
    task_root, tmp = json.loads(lam.invoke(FunctionName="my-function")["Payload"].read())
    root = packages.extraction_root()
    assert root != gone and os.path.isdir(root)
    assert os.path.dirname(task_root) == os.path.dirname(tmp) == root
    assert os.path.isfile(os.path.join(task_root, "index.py"))
    lam.delete_function(FunctionName="before")
    create(lam, name="before", Code={"ZipFile": make_zip("def handler(event, context):\n    return 2\n")})
    assert lam.invoke(FunctionName="before")["Payload"].read() == b"2"


def test_an_activation_after_removal_makes_the_directory_again():
    packages.remove_tree(packages.extraction_root())
    with mock_lambda_alias():
        root = packages.extraction_root()
        assert os.path.isdir(root)
    assert os.path.isdir(root)


def test_package_check_is_remembered(lam, monkeypatch):
    code = make_zip("def handler(event, context):\n    return 'remembered'\n")
    create(lam, Code={"ZipFile": code})
    opened: list[str] = []
    original = zipfile.ZipFile.open

    def counting_open(self, name, *args, **kwargs):
        opened.append(getattr(name, "filename", name))
        return original(self, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", counting_open)
    create(lam, name="again", Code={"ZipFile": code})
    lam.update_function_code(FunctionName="my-function", ZipFile=code)
    assert opened == []


def test_extracted_packages_are_read_only(lam):
    source = (
        "import os, stat\n"
        "def handler(event, context):\n"
        "    path = os.path.join(os.environ['LAMBDA_TASK_ROOT'], 'index.py')\n"
        "    return oct(stat.S_IMODE(os.stat(path).st_mode))\n"
    )
    create(lam, Code={"ZipFile": make_zip(source)})
    assert lam.invoke(FunctionName="my-function")["Payload"].read() == b'"0o444"'


def test_packages_directory_is_removed_even_when_read_only():
    """The package (read-only, nested) and the environment's /tmp go when the mock stops.

    The /tmp directory is made when a handler first asks for it: most never do.
    """
    source = (
        "import os, tempfile\n"
        "def handler(event, context):\n"
        "    if event.get('tmp'):\n"
        "        tempfile.gettempdir()\n"
        "    return os.environ['LAMBDA_TASK_ROOT']\n"
    )
    with mock_lambda_alias():
        client = boto3.client("lambda", region_name=REGION)
        create(client, Handler="pkg/deep/mod.handler", Code={"ZipFile": package({"pkg/deep/mod.py": source})})
        root = packages.extraction_root()

        def mine(task_root: str) -> list[str]:
            activation = os.path.basename(task_root).split("-")[0]
            return [os.path.join(root, d) for d in os.listdir(root) if d.startswith(f"{activation}-")]

        task_root = json.loads(client.invoke(FunctionName="my-function")["Payload"].read())
        assert os.path.dirname(task_root) == root
        assert mine(task_root) == [task_root]
        client.invoke(FunctionName="my-function", Payload=b'{"tmp": true}')
        made = mine(task_root)
        assert len(made) == 2
    assert not any(os.path.exists(d) for d in made)


@pytest.mark.parametrize("padding", [0, 1_100_000], ids=["kept-from-the-check", "read-from-the-zip"])
def test_member_names_cannot_leave_the_package_directory(lam, padding):
    """Names are cleaned as zipfile's extractall cleans them: "..", "." and empty parts are dropped.

    Files and directories are read-only, as /var/task is on Lambda. Both ways of extracting are
    checked: a small package is written from the files its check read, a larger one (over 1 MiB
    unzipped) from the zip.
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        if padding:
            archive.writestr("padding.bin", bytes(padding))
        archive.writestr(
            "index.py",
            "import os, stat\n"
            "def handler(event, context):\n"
            "    root = os.environ['LAMBDA_TASK_ROOT']\n"
            "    found = {}\n"
            "    for folder, _, files in os.walk(root):\n"
            "        found[os.path.relpath(folder, root)] = oct(stat.S_IMODE(os.stat(folder).st_mode))\n"
            "        for name in files:\n"
            "            path = os.path.join(folder, name)\n"
            "            found[os.path.relpath(path, root)] = oct(stat.S_IMODE(os.stat(path).st_mode))\n"
            "    return found\n",
        )
        archive.writestr("../escaped.txt", "up")
        archive.writestr("/absolute.txt", "abs")
        archive.writestr("deep/./er/../file.txt", "deep")
        archive.writestr("empty-dir/", "")
    create(lam, Code={"ZipFile": buffer.getvalue()})
    found = json.loads(lam.invoke(FunctionName="my-function")["Payload"].read())
    assert found == {
        ".": "0o555",
        "index.py": "0o444",
        "escaped.txt": "0o444",
        "absolute.txt": "0o444",
        "deep": "0o555",
        "deep/er": "0o555",
        "deep/er/file.txt": "0o444",
        "empty-dir": "0o555",
        **({"padding.bin": "0o444"} if padding else {}),
    }


def _counting_zip_opens(monkeypatch) -> list[str]:
    opened: list[str] = []
    original = zipfile.ZipFile.__init__

    def counting_init(self, file, *args, **kwargs):
        opened.append(type(file).__name__)
        original(self, file, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "__init__", counting_init)
    return opened


FILE_REPORTER = (
    "import hashlib, os\n"
    "def handler(event, context):\n"
    "    root = os.environ['LAMBDA_TASK_ROOT']\n"
    "    return {name: hashlib.sha256(open(os.path.join(root, name), 'rb').read()).hexdigest()\n"
    "            for name in sorted(os.listdir(root))}\n"
)


def test_small_packages_are_written_from_what_their_check_read(lam, monkeypatch):
    """A cold start neither parses nor inflates a small package again: its check kept the files."""
    data = os.urandom(5000)
    create(lam, Code={"ZipFile": package({"index.py": FILE_REPORTER, "data.bin": data})})
    opened = _counting_zip_opens(monkeypatch)
    found = json.loads(lam.invoke(FunctionName="my-function")["Payload"].read())
    assert opened == []
    assert found == {
        "data.bin": hashlib.sha256(data).hexdigest(),
        "index.py": hashlib.sha256(FILE_REPORTER.encode()).hexdigest(),
    }


def test_large_packages_are_extracted_from_the_zip(lam, monkeypatch):
    """Files of packages over 1 MiB unzipped are not kept in memory: the zip is read at the cold start."""
    data = bytes(1_500_000)
    create(lam, Code={"ZipFile": package({"index.py": FILE_REPORTER, "zeros.bin": data})})
    opened = _counting_zip_opens(monkeypatch)
    found = json.loads(lam.invoke(FunctionName="my-function")["Payload"].read())
    assert opened == ["BytesIO"]
    assert found == {
        "index.py": hashlib.sha256(FILE_REPORTER.encode()).hexdigest(),
        "zeros.bin": hashlib.sha256(data).hexdigest(),
    }


def test_kept_files_are_bounded(monkeypatch):
    """Past the budget, the least recently used package's files are forgotten (extraction then
    reads its zip)."""
    monkeypatch.setattr(packages, "_KEPT_TOTAL", 3 * 1000)
    monkeypatch.setattr(packages, "_kept", type(packages._kept)())
    monkeypatch.setattr(packages, "_kept_bytes", 0)
    monkeypatch.setattr(packages, "_checked", type(packages._checked)())
    codes = [package({"data.bin": bytes([n]) * 1000}) for n in range(4)]
    digests = [hashlib.sha256(code).hexdigest() for code in codes]
    for code, digest in zip(codes[:3], digests):
        packages.check_package(code, digest)
    assert packages.kept_members(digests[0]) == ((("data.bin",), False, bytes([0]) * 1000),)
    packages.check_package(codes[3], digests[3])  # over budget: the least recently used goes
    assert packages.kept_members(digests[1]) is None
    assert [packages.kept_members(d) is not None for d in (digests[0], digests[2], digests[3])] == [True] * 3
    assert packages._kept_bytes == 3000


# --- where the process's directory goes -------------------------------------------------------------


def _no_temporary_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("TMPDIR", "TEMP", "TMP"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(tempfile, "tempdir", None)


def test_a_temporary_directory_the_user_chose_is_used(monkeypatch, tmp_path):
    _no_temporary_variables(monkeypatch)
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    assert packages.temporary_parent() == str(tmp_path)
    assert tempfile.tempdir is None  # found without settling tempfile's own directory


def test_a_temporary_variable_that_is_no_directory_is_skipped(monkeypatch, tmp_path):
    """As tempfile skips it: the next variable, then the platform's default."""
    _no_temporary_variables(monkeypatch)
    monkeypatch.setenv("TMPDIR", str(tmp_path / "missing"))
    monkeypatch.setenv("TEMP", str(tmp_path))
    assert packages.temporary_parent() == str(tmp_path)
    monkeypatch.delenv("TEMP")
    if os.name == "posix":
        assert packages.temporary_parent() == "/tmp"
    assert tempfile.tempdir is None


def test_tempfiles_own_directory_wins_when_set(monkeypatch, tmp_path):
    _no_temporary_variables(monkeypatch)
    monkeypatch.setenv("TMPDIR", "/")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    assert packages.temporary_parent() == str(tmp_path)


def test_a_handlers_package_and_tmp_are_in_the_chosen_directory(tmp_path):
    """In a fresh process with ``TMPDIR`` set, the task root and the handler's ``/tmp`` are under it."""
    code = textwrap.dedent(
        """
        import json
        import boto3
        from mock_lambda_alias import mock_lambda_alias, package

        code = package({"index.py": "import os, tempfile\\ndef handler(event, context):\\n"
                                    "    return [os.environ['LAMBDA_TASK_ROOT'], tempfile.gettempdir()]\\n"})
        with mock_lambda_alias():
            lam = boto3.client("lambda", region_name="us-east-1")
            lam.create_function(FunctionName="f", Runtime="python3.12", Role="arn:aws:iam::123456789012:role/r",
                                Handler="index.handler", Code={"ZipFile": code})
            print(lam.invoke(FunctionName="f")["Payload"].read().decode())
        """
    )
    env = dict(os.environ, TMPDIR=str(tmp_path), AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    task_root, tmp = json.loads(done.stdout.splitlines()[-1])
    assert task_root.startswith(str(tmp_path) + os.sep) and tmp.startswith(str(tmp_path) + os.sep)
    assert os.listdir(tmp_path) == []  # removed at exit
