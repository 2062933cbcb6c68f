"""Deployment packages: AWS's limits at create/update time, and extraction for running them.

AWS refuses a package at CreateFunction/UpdateFunctionCode when it cannot unzip it (a bad CRC
too) or when it unzips to 262,144,000 bytes or more; the check reads every member once, and its
verdict is remembered per digest, so the same code is never checked twice in a process. The files
a small package's check read are kept (within a budget), so extracting it needs no zip.
Extraction happens on a version's first invoke, once per package and activation, into a
directory of the activation that :meth:`Packages.close` removes (at ``stop()``). The files are
made read-only, as ``/var/task`` is on Lambda (which keeps out writers that are not root).
"""

from __future__ import annotations

import atexit
import contextlib
import io
import itertools
import os
import shutil
import stat
import tempfile
import threading
import zipfile
import zlib
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from typing import Any, NamedTuple, Optional

#: AWS's limit on a function's unzipped code (and layers): it must be smaller than this.
UNZIPPED_LIMIT = 262_144_000
UNZIP_FAILED = "Could not unzip uploaded file. Please check your file, then try to upload again."
TOO_LARGE = f"Unzipped size must be smaller than {UNZIPPED_LIMIT} bytes"


class PackageRejected(ValueError):
    """AWS would refuse this package; the message is AWS's ``InvalidParameterValueException`` text."""


_checked: OrderedDict[str, int] = OrderedDict()
_checked_lock = threading.Lock()
_CHECKED_MAX = 512

#: A package's files as its check read them: (cleaned path parts, is a directory, content).
Member = tuple[tuple[str, ...], bool, bytes]

#: The files of small packages as their check read them, by digest, so that extraction at a cold
#: start neither parses the zip nor inflates it again; packages up to ``_KEPT_PACKAGE`` bytes
#: unzipped, the oldest forgotten beyond ``_KEPT_TOTAL`` bytes in all.
_kept: OrderedDict[str, tuple[Member, ...]] = OrderedDict()
_kept_bytes = 0
_KEPT_PACKAGE = 1 << 20
_KEPT_TOTAL = 32 << 20


def _clean_parts(name: str) -> tuple[str, ...]:
    """A member's path as ``ZipFile.extractall`` cleans it: empty, ``.`` and ``..`` parts dropped,
    so nothing lands outside the target."""
    return tuple(part for part in name.split("/") if part not in ("", ".", ".."))


def check_package(data: bytes, digest: str) -> int:
    """The unzipped size of a package AWS would accept; raises :class:`PackageRejected` otherwise.

    The declared sizes are summed before anything is decompressed (a zip bomb is refused at no
    cost); then every member is read once, which verifies its CRC. A member cannot unzip to more
    than its declared size without failing that check, so the declared sum is the true size.
    A small package's files are kept as read, for its extraction.
    """
    with _checked_lock:
        size = _checked.get(digest)
        if size is not None:
            _checked.move_to_end(digest)
            return size
    members: Optional[list[Member]] = None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            size = sum(member.file_size for member in infos)
            if size >= UNZIPPED_LIMIT:
                raise PackageRejected(TOO_LARGE)
            if size <= _KEPT_PACKAGE:
                members = [(_clean_parts(info.filename), info.is_dir(), archive.read(info)) for info in infos]
            else:
                for info in infos:
                    with archive.open(info) as stream:
                        while stream.read(1 << 20):
                            pass
    except PackageRejected:
        raise
    except (zipfile.BadZipFile, zlib.error, ValueError, OSError, EOFError, RuntimeError, NotImplementedError):
        raise PackageRejected(UNZIP_FAILED) from None
    with _checked_lock:
        _checked[digest] = size
        while len(_checked) > _CHECKED_MAX:
            _checked.popitem(last=False)
        if members is not None:
            _keep(digest, tuple(m for m in members if m[0]))
    return size


def _keep(digest: str, members: tuple[Member, ...]) -> None:
    global _kept_bytes
    if digest in _kept:
        return
    _kept[digest] = members
    _kept_bytes += sum(len(content) for _, _, content in members)
    while _kept_bytes > _KEPT_TOTAL and _kept:
        _, dropped = _kept.popitem(last=False)
        _kept_bytes -= sum(len(content) for _, _, content in dropped)


def kept_members(digest: str) -> Optional[tuple[Member, ...]]:
    """The files of a checked package, when they were small enough to keep."""
    with _checked_lock:
        members = _kept.get(digest)
        if members is not None:
            _kept.move_to_end(digest)
        return members


_root: Optional[str] = None
_root_lock = threading.Lock()


def extraction_root(check: bool = False) -> str:
    """The process's directory for extracted packages and environments' ``/tmp`` directories.

    Made by the process's first activation in :func:`temporary_parent` and removed at exit; each
    activation's directories in it are removed when it stops. With ``check`` (each activation, and
    a directory that could not be made in it), it is made again when something removed it.
    """
    global _root
    with _root_lock:
        if _root is None or (check and not os.path.isdir(_root)):
            _root = tempfile.mkdtemp(prefix="mock_lambda_alias-", dir=temporary_parent())
            atexit.register(remove_tree, _root)
        return _root


_TEMP_VARIABLES = ("TMPDIR", "TEMP", "TMP")


def temporary_parent() -> str:
    """The directory ``tempfile`` would use, found without settling ``tempfile.tempdir``.

    ``tempfile`` computes its directory once, on its first use, and keeps it in
    ``tempfile.tempdir``: asking it (``gettempdir()``, ``mkdtemp()`` without ``dir``) would set
    that for the test process. So: ``tempfile.tempdir`` when something set it, else the first of
    ``TMPDIR``, ``TEMP`` and ``TMP`` that names a directory, else ``/tmp`` on POSIX. Elsewhere
    (Windows) it is :func:`_tempfile_own_choice`.
    """
    chosen = tempfile.tempdir
    if chosen is not None:
        return os.fsdecode(chosen)
    for name in _TEMP_VARIABLES:
        value = os.environ.get(name)
        if value and os.path.isdir(value):
            return value
    if os.name == "posix" and os.path.isdir("/tmp"):
        return "/tmp"
    return _tempfile_own_choice()


#: ``tempfile.gettempdir`` as this module found it (while handlers run, the module's attribute
#: answers each handler's thread its environment's ``/tmp``).
_gettempdir = tempfile.gettempdir


def _tempfile_own_choice() -> str:
    """``tempfile``'s own directory, where the platform's default is not simply ``/tmp``.

    This settles ``tempfile.tempdir`` as any first ``tempfile`` call would, and nothing is put
    back: assigning ``tempfile.tempdir`` ourselves would be a change of our own. Only Windows
    (and a POSIX system without ``/tmp``) takes this path.
    """
    return _gettempdir()


#: Numbers the activations' directories: each activation's names start with its own number.
_activations = itertools.count(1)


def remove_tree(path: str) -> None:
    """Remove a tree even when its directories were made read-only."""
    for directory, _subdirs, _files in os.walk(path):
        try:
            os.chmod(directory, stat.S_IRWXU)
        except OSError:
            pass
    shutil.rmtree(path, ignore_errors=True)


def _make_read_only(path: str) -> None:
    for directory, _subdirs, files in os.walk(path, topdown=False):
        for name in files:
            os.chmod(os.path.join(directory, name), 0o444)
        os.chmod(directory, 0o555)


#: Members larger than this are copied in chunks rather than read whole.
_WHOLE_MEMBER = 1 << 20


class TopLevel(NamedTuple):
    """The names at the top of an unzipped package: what finding its handler module needs."""

    files: frozenset[str]
    directories: frozenset[str]
    #: The content of the top-level ``.py`` files as written (those of up to ``_WHOLE_MEMBER``
    #: bytes): a handler's module is compiled from it without reading the file back.
    sources: dict[str, bytes]


def _archive_members(data: bytes, stack: contextlib.ExitStack) -> Iterator[tuple[tuple[str, ...], bool, Any]]:
    """The members of an archive not kept from its check: content as bytes, or (archive, info)
    for a member too large to read whole."""
    archive = stack.enter_context(zipfile.ZipFile(io.BytesIO(data)))
    for info in archive.infolist():
        parts = _clean_parts(info.filename)
        if parts:
            small = info.file_size <= _WHOLE_MEMBER
            yield parts, info.is_dir(), (archive.read(info) if small and not info.is_dir() else (archive, info))


def _unzip_read_only(archives: Sequence[tuple[str, bytes]], target: str) -> Optional[TopLevel]:
    """Unzip the archives (digest, data) in order into ``target`` and make the tree read-only.

    Member names are cleaned as ``ZipFile.extractall`` cleans them (see :func:`_clean_parts`); a
    later archive's file replaces an earlier one's. A package whose files its check kept is
    written from them, without parsing or inflating the zip again. Files are created read-only
    and the directories made are known, so nothing is walked or changed afterwards but the
    directories' modes: a cold start's package costs a few system calls per file. Returns the
    names at the top of the tree. Elsewhere than POSIX, ``extractall`` and a walk, and None.
    """
    if os.sep != "/" or os.altsep:
        for _, data in archives:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                archive.extractall(target)
        _make_read_only(target)
        return None
    top_files: set[str] = set()
    top_directories: set[str] = set()
    sources: dict[str, bytes] = {}
    directories = {target}
    for digest, data in archives:
        with contextlib.ExitStack() as stack:
            kept = kept_members(digest)
            for parts, is_dir, content in kept if kept is not None else _archive_members(data, stack):
                path = os.path.join(target, *parts)
                if len(parts) > 1 or is_dir:
                    top_directories.add(parts[0])
                else:
                    top_files.add(parts[0])
                folder = path if is_dir else os.path.dirname(path)
                if folder not in directories:
                    os.makedirs(folder, exist_ok=True)
                    while folder not in directories:
                        directories.add(folder)
                        folder = os.path.dirname(folder)
                if not is_dir:
                    _write_read_only(content, path)
                    if len(parts) == 1 and parts[0].endswith(".py"):
                        if isinstance(content, bytes):
                            sources[parts[0]] = content
                        else:
                            sources.pop(parts[0], None)
    for directory in sorted(directories, key=len, reverse=True):  # the deepest first
        os.chmod(directory, 0o555)
    return TopLevel(frozenset(top_files), frozenset(top_directories), sources)


def _write_read_only(content: Any, path: str) -> None:
    """Write a file of mode 0444: ``content`` is bytes, or (archive, info) to copy in chunks."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags, 0o444)
    except FileExistsError:  # the same file in an earlier archive (or twice in one): the later wins
        os.unlink(path)
        fd = os.open(path, flags, 0o444)
    if isinstance(content, bytes):  # written as it is, without a file object around the descriptor
        try:
            view = memoryview(content)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)
        return
    with open(fd, "wb") as out:
        archive, info = content
        with archive.open(info) as source:
            shutil.copyfileobj(source, out)


class Packages:
    """The extracted packages of one activation: one directory per distinct package."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        #: This activation's number in its directories' names, given when it makes the first one.
        self._number: Optional[int] = None
        #: Every directory this activation made (in the process's directory), removed with it.
        self._dirs: list[str] = []
        self._paths: dict[str, str] = {}
        self._top_levels: dict[str, TopLevel] = {}
        self._extracting: dict[str, threading.Lock] = {}
        self.closed = False

    def path(self, digest: str, data: bytes) -> str:
        """The directory holding the package; extracted on first use, never twice."""
        return self._extracted(digest, [(digest, data)], "task-")

    def top_level(self, path: str) -> Optional[TopLevel]:
        """The names at the top of a package this activation unzipped at ``path`` (None: unknown)."""
        with self._lock:
            return self._top_levels.get(path)

    def layers_path(self, layers: Sequence[tuple[str, bytes]]) -> str:
        """One directory holding the layers unzipped in order, as Lambda fills ``/opt``.

        A file of a later layer replaces the same file of an earlier one. Made once per list.
        """
        key = "layers:" + ",".join(digest for digest, _ in layers)
        return self._extracted(key, list(layers), "opt-")

    def new_directory(self, prefix: str) -> str:
        """A new empty directory of this activation, removed with it (an environment's ``/tmp``).

        The process's directory is private (mkdtemp's mode 0700) and its names are ours alone, so
        each activation names its directories ``<activation>-<prefix><n>``. Once the activation is
        closed, a directory named by ``tempfile`` in the process's directory (removed with the
        environment, or at exit).
        """
        path = self._directory(prefix)
        if path is not None:
            return path
        return tempfile.mkdtemp(prefix=f"mock-lambda-{prefix}", dir=extraction_root(check=True))

    def _directory(self, prefix: str) -> Optional[str]:
        """A new directory of the activation; None once it is closed."""
        root = extraction_root()
        with self._lock:
            if self.closed:
                return None
            if self._number is None:
                self._number = next(_activations)
            index = len(self._dirs)
            name = f"{self._number}-{prefix}{index + 1}"
            path = os.path.join(root, name)
            self._dirs.append(path)
        try:
            os.mkdir(path, 0o700)
        except FileNotFoundError:  # the process's directory was removed (a cleaner of /tmp): made again
            path = os.path.join(extraction_root(check=True), name)
            os.mkdir(path, 0o700)
            with self._lock:
                if self.closed:
                    os.rmdir(path)
                    return None
                self._dirs[index] = path  # the directory that was never made is not listed
        return path

    def _extracted(self, key: str, archives: list[tuple[str, bytes]], prefix: str) -> str:
        with self._lock:
            found = self._paths.get(key)
            if found is not None:
                return found
            if self.closed:
                raise RuntimeError("the mock was stopped; its packages are gone")
            guard = self._extracting.setdefault(key, threading.Lock())
        with guard:  # another thread may be extracting the same archives: wait for it
            with self._lock:
                found = self._paths.get(key)
                if found is not None:
                    return found
            target = self._directory(prefix)
            if target is None:
                raise RuntimeError("the mock was stopped; its packages are gone")
            top_level = _unzip_read_only(archives, target)
            with self._lock:
                self._paths[key] = target
                if top_level is not None:
                    self._top_levels[target] = top_level
                self._extracting.pop(key, None)
            return target

    def close(self) -> None:
        """Remove every directory of this activation (handlers still running lose their files)."""
        with self._lock:
            self.closed = True
            directories, self._dirs = self._dirs, []
            self._paths.clear()
            self._top_levels.clear()
        for directory in directories:
            remove_tree(directory)
