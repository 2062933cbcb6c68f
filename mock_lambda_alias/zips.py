"""Deployment packages for tests: the zip bytes ``CreateFunction``, ``UpdateFunctionCode`` and
``PublishLayerVersion`` take, built from source text or files.

Every test of Lambda code needs one, so the helper lives here rather than in each test file. The
archives are deterministic (fixed timestamps and permissions, names in sorted order): the same
files give the same bytes, hence the same ``CodeSha256`` on every run, as AWS reports for the same
upload.
"""

from __future__ import annotations

import io
import os
import pathlib
import zipfile
from collections.abc import Mapping
from typing import Union

__all__ = ["DEFAULT_FILENAME", "layer_package", "package"]

#: The file a bare source text is stored under; the handler is then ``lambda_function.<name>``,
#: as in the Lambda console's default Python function.
DEFAULT_FILENAME = "lambda_function.py"

#: A file's content: text (stored as UTF-8), bytes, or a path on disk to copy.
Content = Union[str, bytes, "os.PathLike[str]"]
#: What a package is built from: one source text, a mapping of archive names to contents, or a
#: directory whose whole tree is packed.
Source = Union[str, Mapping[str, Content], "os.PathLike[str]"]

_EPOCH = (1980, 1, 1, 0, 0, 0)
_FILE_MODE = 0o100644 << 16


def package(source: Source) -> bytes:
    """A function's deployment package (zip bytes).

    ``source`` is one of:

    - a string: the source of ``lambda_function.py`` (handler ``lambda_function.<function>``);
    - a mapping of names inside the archive (``"app.py"``, ``"pkg/util.py"``) to text, bytes or a
      path on disk;
    - a path to a directory: every file under it, named relative to it.

    >>> import zipfile, io
    >>> zipfile.ZipFile(io.BytesIO(package({"app.py": "def handler(e, c): return e"}))).namelist()
    ['app.py']
    """
    return _zip(_files(source))


def layer_package(source: Source, *, prefix: str = "python") -> bytes:
    """A layer's package: the same sources as :func:`package`, each under ``python/`` (the folder
    Lambda's Python runtimes add to ``sys.path`` from ``/opt``), or under ``prefix``.

    >>> import zipfile, io
    >>> zipfile.ZipFile(io.BytesIO(layer_package({"shared.py": "X = 1"}))).namelist()
    ['python/shared.py']
    """
    files = _files(source)
    base = prefix.strip("/")
    return _zip({f"{base}/{name}" if base else name: data for name, data in files.items()})


def _files(source: Source) -> dict[str, bytes]:
    if isinstance(source, str):
        return {DEFAULT_FILENAME: source.encode("utf-8")}
    if isinstance(source, Mapping):
        files: dict[str, bytes] = {}
        for name, content in source.items():
            key = _archive_name(name)
            if key in files:
                raise ValueError(f"{name!r} names the same file as another entry: {key!r}")
            files[key] = _read(content)
        return files
    if isinstance(source, os.PathLike):
        root = pathlib.Path(source)
        if not root.is_dir():
            raise ValueError(f"{root} is not a directory: pass a mapping to package single files")
        return {path.relative_to(root).as_posix(): path.read_bytes() for path in root.rglob("*") if path.is_file()}
    raise TypeError(f"a package is built from a str, a mapping or a directory path, not {type(source).__name__}")


def _archive_name(name: object) -> str:
    """A file's name inside the archive: relative, with no ``..`` and not a folder."""
    if not isinstance(name, str):
        raise TypeError(f"an archive name is a str, not {type(name).__name__}")
    parts = name.strip("/").split("/")
    if not name.strip("/") or name.endswith("/") or any(part in ("", ".", "..") for part in parts):
        raise ValueError(f"an archive name must be a relative file path with no empty, '.' or '..' parts, not {name!r}")
    return "/".join(parts)


def _read(content: Content) -> bytes:
    if isinstance(content, str):
        return content.encode("utf-8")
    if isinstance(content, bytes):
        return content
    if isinstance(content, os.PathLike):
        return pathlib.Path(content).read_bytes()
    raise TypeError(f"a file's content is str, bytes or a path, not {type(content).__name__}")


def _zip(files: Mapping[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=_EPOCH)
            info.external_attr = _FILE_MODE
            info.create_system = 3  # Unix, on every platform: the same files give the same bytes
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, files[name])
    return buffer.getvalue()
