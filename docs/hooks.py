"""MkDocs hooks (``hooks:`` in mkdocs.yml): pages generated from the code at build time.

``<!-- operations-table -->`` in a page becomes the table of every operation in botocore's Lambda
service model (the installed botocore's), whether the mock implements it, and its HTTP method and
path, so the table never drifts from the code; ``<!-- benchmark-results -->`` becomes the latest
benchmark report. Sphinx roles in docstrings (``:meth:`x```) are shown
as code on the Python API page.
"""

from __future__ import annotations

import pathlib
import re
from typing import Any

PLACEHOLDER = "<!-- operations-table -->"
#: Replaced by the report of the latest ``benchmarks/bench.py --all`` (``benchmarks/results.md``).
RESULTS_PLACEHOLDER = "<!-- benchmark-results -->"
RESULTS = pathlib.Path(__file__).resolve().parent.parent / "benchmarks" / "results.md"
#: A Sphinx role in a docstring, as Markdown renders it: ``:meth:`name``` -> ``:meth:<code>name</code>``.
_ROLE = re.compile(r":(?:py:)?(?:attr|class|data|exc|func|meth|mod|obj):<code>(~?)([^<]*)</code>")


def operations_table() -> str:
    import botocore
    import botocore.session

    import mock_lambda_alias

    model = botocore.session.get_session().get_service_model("lambda")
    implemented = set(mock_lambda_alias.implemented_operations())
    names = sorted(set(model.operation_names) | implemented)
    rows = [
        "| Operation | boto3 method | Mocked | HTTP request |",
        "| --- | --- | :---: | --- |",
    ]
    for name in names:
        mocked = "yes" if name in implemented else "no"
        if name in model.operation_names:
            operation = model.operation_model(name)
            request = f"`{operation.http['method']} {operation.http['requestUri']}`"
            deprecated = " (deprecated)" if operation.deprecated else ""
        else:  # implemented, but this botocore is too old to model it
            request, deprecated = f"not in botocore {botocore.__version__}'s model", ""
        rows.append(f"| {name}{deprecated} | `{botocore.xform_name(name)}` | {mocked} | {request} |")
    summary = (
        f"The mock implements **{len(implemented & set(model.operation_names))} of the "
        f"{len(model.operation_names)} operations** in the Lambda model of botocore {botocore.__version__} "
        f"(the one this page was built with)."
    )
    return summary + "\n\n" + "\n".join(rows) + "\n"


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    if PLACEHOLDER in markdown:
        markdown = markdown.replace(PLACEHOLDER, operations_table())
    if RESULTS_PLACEHOLDER in markdown:
        markdown = markdown.replace(RESULTS_PLACEHOLDER, benchmark_results())
    return markdown


def benchmark_results() -> str:
    """The report's body (its fenced block), without the file's own title and introduction."""
    text = RESULTS.read_text(encoding="utf-8")
    return text[text.index("```") :]


def on_page_content(html: str, page: Any, config: Any, files: Any) -> str:
    """The docstrings are written for Sphinx as well: show ``:meth:`name``` as the name in code."""
    return _ROLE.sub(_role_as_code, html)


def _role_as_code(match: re.Match) -> str:
    short, target = match.groups()
    return f"<code>{target.rsplit('.', 1)[-1] if short else target}</code>"
