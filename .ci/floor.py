"""Print pip constraints that pin every declared minimum: the oldest combination we support.

Reads ``pyproject.toml``: each runtime dependency ``name>=X`` becomes ``name==X``, and so does
``awscli`` from the test extras, because each awscli release pins one botocore release exactly and
must match the botocore floor (pinning it also spares pip a long search through awscli releases).
Other test tools are left to pip, which picks releases that still run on the oldest Python.
Run with Python 3.11 or newer (tomllib).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import tomllib

PINNED_TEST_TOOLS = {"awscli"}


def floors(pyproject: Path) -> list[str]:
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    wanted = list(project["dependencies"])
    test_tools = project["optional-dependencies"]["test"]
    wanted += [r for r in test_tools if re.split(r"[<>=!~;\[ ]", r)[0] in PINNED_TEST_TOOLS]
    pins = []
    for requirement in wanted:
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)\s*>=\s*([0-9][0-9.]*)", requirement.split(";")[0].strip())
        if match is None:
            raise SystemExit(f"floor.py: cannot read a minimum version from {requirement!r}")
        pins.append(f"{match.group(1)}=={match.group(2)}")
    return pins


if __name__ == "__main__":
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent
    print("\n".join(floors(root / "pyproject.toml")))
