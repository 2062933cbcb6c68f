"""Every Python example in README.md and docs/ runs, so an example that stops working fails the suite.

The convention, per markdown file: its fenced blocks marked ```` ```python ```` (or ```` ```py ````) are
joined in order into one module, each block at the lines it has in the markdown file (the other lines
left blank, so a traceback's line numbers are the page's), written to a temporary directory as a test
module and run by pytest in a subprocess. Module-level code runs on import, and every
``def test_...(mock_lambda_alias)`` runs with the package's ``mock_lambda_alias`` fixture, as in a
user's project. A file passes when pytest exits 0, or 5 (nothing to collect: the module imported
fine). Blocks in any other language (``bash``, ``text``, ``json``, ``toml``, ``yaml``, ``pycon``, ...)
are shown, never run. A page whose examples need an optional package or a newer botocore says so in
a comment, ``<!-- requires: module=NAME lambda-operation=NAME -->``, and is skipped where either is
missing.

The subprocess gets this environment without anything that could reach AWS: no AWS_* variable
of the caller (profiles, keys, endpoints, region), fake credentials, no config or credentials file,
and no instance metadata. As on a new user's machine, no region is configured.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Optional

import botocore
import botocore.session
import pytest

ROOT = Path(__file__).resolve().parent.parent
README_LIMIT = 10 * 1024
RUN_LANGUAGES = {"python", "py"}
TIMEOUT = 600

_OPENING = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^`]*?)[ \t]*$")


def markdown_files() -> list[Path]:
    files = [ROOT / "README.md"]
    docs = ROOT / "docs"
    if docs.is_dir():
        files += sorted(docs.rglob("*.md"))
    return [path for path in files if path.is_file()]


def _language(info: str) -> str:
    """The language of a fence's info string: ``python``, ``python title="x.py"``, ``{.python ...}``."""
    words = info.strip().lstrip("{").split()
    return words[0].lstrip(".").lower() if words else ""


def python_blocks(text: str) -> list[tuple[int, list[str]]]:
    """The ``python`` blocks of a markdown text: (0-based index of the block's first line, its lines).

    A fence closes at a line of at least as many of the same character and nothing else, so a
    ```` ```python ```` shown inside a ```` ````markdown ```` block is not a block of its own. Lines
    are dedented by the opening fence's indentation (blocks inside lists and admonitions).
    """
    blocks: list[tuple[int, list[str]]] = []
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        opening = _OPENING.match(lines[index])
        if opening is None:
            index += 1
            continue
        fence, indent = opening.group("fence"), len(opening.group("indent").expandtabs())
        closing = re.compile(rf"^[ \t]*{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$")
        body: list[str] = []
        index += 1
        while index < len(lines) and closing.match(lines[index]) is None:
            line = lines[index].expandtabs()
            body.append(line[min(indent, len(line) - len(line.lstrip(" "))) :])
            index += 1
        if _language(opening.group("info")) in RUN_LANGUAGES:
            blocks.append((index - len(body), body))
        index += 1
    return blocks


def module_source(text: str) -> Optional[str]:
    """The test module of a markdown text: its python blocks at their own line numbers; None if none."""
    blocks = python_blocks(text)
    if not blocks:
        return None
    lines: list[str] = []
    for start, body in blocks:
        lines += [""] * (start - len(lines))
        lines += body
    return "\n".join(lines) + "\n"


def module_name(relative: str) -> str:
    return "test_" + re.sub(r"\W+", "_", relative.rsplit(".", 1)[0]).strip("_").lower() + ".py"


def offline_environment(home: Path) -> dict[str, str]:
    """This process's environment, with AWS reachable by nothing in it."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}
    empty = home / "empty-aws-file"
    empty.write_text("")
    env.update(
        {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_CONFIG_FILE": str(empty),
            "AWS_SHARED_CREDENTIALS_FILE": str(empty),
            "AWS_EC2_METADATA_DISABLED": "true",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
    )
    env.pop("PYTEST_ADDOPTS", None)
    env.pop("PYTEST_XDIST_WORKER", None)
    return env


def run_module(source: str, name: str, workdir: Path) -> subprocess.CompletedProcess:
    (workdir / name).write_text(source, encoding="utf-8")
    # An ini file of its own, so the project's pytest settings (testpaths, addopts) stay out of it.
    (workdir / "pytest.ini").write_text("[pytest]\n")
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-c", "pytest.ini", name]
    return subprocess.run(
        command,
        cwd=workdir,
        env=offline_environment(workdir),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=TIMEOUT,
    )


_REQUIRES = re.compile(r"<!--\s*requires:(?P<needs>[^>]*?)-->")


def missing_requirement(text: str) -> Optional[str]:
    """What a page's ``<!-- requires: module=NAME lambda-operation=NAME -->`` line needs and this
    environment lacks (a page whose examples need an optional package or a newer botocore)."""
    match = _REQUIRES.search(text)
    for need in match.group("needs").split() if match else []:
        kind, _, name = need.partition("=")
        if kind == "module" and importlib.util.find_spec(name) is None:
            return f"the module {name} is not installed"
        operations = botocore.session.get_session().get_service_model("lambda").operation_names
        if kind == "lambda-operation" and name not in operations:
            return f"botocore {botocore.__version__} does not model the Lambda operation {name}"
    return None


@pytest.mark.parametrize("path", markdown_files(), ids=lambda path: path.relative_to(ROOT).as_posix())
def test_python_examples_run(path: Path, tmp_path: Path) -> None:
    relative = path.relative_to(ROOT).as_posix()
    text = path.read_text(encoding="utf-8")
    source = module_source(text)
    if source is None:
        pytest.skip(f"{relative} has no python blocks")
    missing = missing_requirement(text)
    if missing:
        pytest.skip(f"{relative} needs what this environment lacks: {missing}")
    result = run_module(source, module_name(relative), tmp_path)
    if result.returncode not in (0, 5):
        pytest.fail(
            f"the python blocks of {relative} failed (pytest exit status {result.returncode}; line numbers "
            f"are {relative}'s):\n{result.stdout}",
            pytrace=False,
        )


def test_readme_is_at_most_10_kib() -> None:
    size = (ROOT / "README.md").stat().st_size
    assert size <= README_LIMIT, f"README.md is {size:,} bytes, over {README_LIMIT:,}: move details to docs/"


def test_readme_links_lead_to_files() -> None:
    """mkdocs --strict checks the links of docs/; the README's relative links are checked here."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)\s]+)\)", text)
    relative = [target.split("#", 1)[0] for target in targets if "://" not in target and not target.startswith("#")]
    assert relative, "the README links into the docs"
    missing = [target for target in relative if not (ROOT / target).exists()]
    assert missing == [], f"README.md links to files that do not exist: {missing}"


def test_blocks_are_found_as_markdown_reads_them() -> None:
    text = "\n".join(
        [
            "# Title",  # 0
            "```python",  # 1
            "a = 1",  # 2
            "```",  # 3
            "````markdown",  # 4
            "```python",  # 5
            "not_run()",  # 6
            "```",  # 7
            "````",  # 8
            "- item",  # 9
            "    ```py",  # 10
            "    if a:",  # 11
            "        b = 2",  # 12
            "    ```",  # 13
            '```python title="x.py"',  # 14
            "c = 3",  # 15
            "```",  # 16
            "```bash",  # 17
            "pip install x",  # 18
            "```",  # 19
        ]
    )
    assert python_blocks(text) == [(2, ["a = 1"]), (11, ["if a:", "    b = 2"]), (15, ["c = 3"])]
    source = module_source(text)
    assert source is not None
    assert source.splitlines()[2] == "a = 1" and source.splitlines()[15] == "c = 3"
    compile(source, "page.md", "exec")
    assert module_source("text only\n```bash\nls\n```\n") is None
    assert module_name("docs/how-to/pytest.md") == "test_docs_how_to_pytest.py"


def test_a_page_may_require_a_module_and_an_operation() -> None:
    assert missing_requirement("<!-- requires: module=json lambda-operation=Invoke -->\n# Page") is None
    assert missing_requirement("# No requirement") is None
    assert missing_requirement("<!-- requires: module=no_such_module_here -->") == (
        "the module no_such_module_here is not installed"
    )
    assert "does not model the Lambda operation NoSuchOperation" in str(
        missing_requirement("<!-- requires: lambda-operation=NoSuchOperation -->")
    )
