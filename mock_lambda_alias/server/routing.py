"""From an HTTP method and URI to the Lambda operation it calls, read off botocore's service model.

Every operation's ``http.requestUri`` is compiled once into a matcher: literal segments, ``{Label}``
(one path segment) and ``{Label+}`` (greedy: the rest of the path, slashes included), plus the
static querystring some operations carry in their template (``?List=ALL`` tells
ListProvisionedConcurrencyConfigs from GetProvisionedConcurrencyConfig on the same path). A request
is routed to the operation whose method and path match, preferring the template with the most
static query keys present and then the most literal characters — the rules AWS's own routers
follow — so no operation is ever described by hand and new operations in botocore's model are
routed the day botocore ships them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Optional
from urllib.parse import parse_qsl

from botocore.model import OperationModel


@dataclass(frozen=True)
class Route:
    """One operation's request line, compiled from its ``requestUri`` template."""

    operation: OperationModel
    method: str
    path: re.Pattern[str]
    #: (key, value) pairs the template's querystring requires; an empty value requires the key only.
    static_query: tuple[tuple[str, str], ...]
    #: Literal characters of the path template: the more, the more specific the route.
    literal_length: int

    def accepts_query(self, query: dict[str, str]) -> bool:
        return all(key in query and (not value or query[key] == value) for key, value in self.static_query)


def compile_route(operation: OperationModel) -> Route:
    http = operation.http
    template, _, static = http.get("requestUri", "/").partition("?")
    pattern = ""
    literal = 0
    for part in re.split(r"(\{[^}]+\})", template):
        if part.startswith("{") and part.endswith("}"):
            label = part[1:-1]
            pattern += "(.+)" if label.endswith("+") else "([^/]+)"
        else:
            pattern += re.escape(part)
            literal += len(part)
    # AWS routes "/x" and "/x/" alike.
    regex = re.compile("^" + pattern.rstrip("/") + "/?$")
    return Route(
        operation,
        http.get("method", "POST").upper(),
        regex,
        tuple(parse_qsl(static, keep_blank_values=True)),
        literal,
    )


class Router:
    """All operations of one service model, matched by method, path and querystring."""

    def __init__(self, service_model: Any) -> None:
        self.service_model = service_model
        self.routes = [compile_route(service_model.operation_model(name)) for name in service_model.operation_names]
        # Most specific first: more static query keys, then more literal characters.
        self.routes.sort(key=lambda r: (-len(r.static_query), -r.literal_length))

    def match(self, method: str, path: str, query: str) -> Optional[OperationModel]:
        """The operation this request calls, or None when no template fits method and path."""
        params = dict(parse_qsl(query, keep_blank_values=True)) if query else {}
        method = method.upper()
        for route in self.routes:
            if route.method == method and route.path.match(path) and route.accepts_query(params):
                return route.operation
        return None

    def path_known(self, path: str) -> bool:
        """Whether some operation has this path (with another method): for a clearer message."""
        return any(route.path.match(path) for route in self.routes)


_ROUTER: Optional[Router] = None


def lambda_router() -> Router:
    """The router of botocore's Lambda model, built once per process."""
    global _ROUTER
    if _ROUTER is None:
        import botocore.session

        _ROUTER = Router(botocore.session.get_session().get_service_model("lambda"))
    return _ROUTER
