"""Who may invoke what: evaluating a function's resource-based policies as AWS scopes them.

A permission applies to exactly the ARN it was added to. Invoking ``my-fn:PROD`` is judged by
PROD's policy alone; the function's own policy governs the unqualified ARN and ``:$LATEST``; a
version's policy governs that version's ARN. This is where event wiring breaks in production
("S3 may invoke the function, but the notification targets the alias"), so the answer says which
statement matched, or why none did, and points at statements that sit on another qualifier.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from typing import Any, Optional

from .. import arns
from .model import LATEST, Function, policy_key

_IAM_ACCOUNT = re.compile(r"arn:aws[a-zA-Z-]*:(?:iam|sts)::(\d{12}):")
_ROLE = re.compile(r"arn:(aws[a-zA-Z-]*):iam::(\d{12}):role/(?:.*/)?([^/]+)")
_ASSUMED_ROLE = re.compile(r"arn:(aws[a-zA-Z-]*):sts::(\d{12}):assumed-role/([^/]+)/[^/]+")


def _is_session_of(role_arn: str, principal: str) -> bool:
    """A role ARN in a policy covers the sessions of that role (``sts::A:assumed-role/name/...``)."""
    role, session = _ROLE.fullmatch(role_arn), _ASSUMED_ROLE.fullmatch(principal)
    return role is not None and session is not None and role.groups() == session.groups()


@dataclass(frozen=True)
class Caller:
    """The request context a policy is evaluated against."""

    principal: str
    action: str = "lambda:InvokeFunction"
    source_arn: Optional[str] = None
    source_account: Optional[str] = None
    principal_org_id: Optional[str] = None
    event_source_token: Optional[str] = None
    function_url_auth_type: Optional[str] = None
    invoked_via_function_url: bool = False


@dataclass(frozen=True)
class Decision:
    """The verdict: truthy when allowed, with the matching statement or the reasons none matched."""

    allowed: bool
    statement_id: Optional[str]
    reason: str

    def __bool__(self) -> bool:
        return self.allowed


_ROOT = re.compile(r"arn:aws[a-zA-Z-]*:iam::(\d{12}):root")


def _values(element: Any) -> list[Any]:
    """IAM allows a single value or a list wherever a value goes (policies set with PutResourcePolicy)."""
    return list(element) if isinstance(element, list) else [element]


def _aws_principal_matches(allowed: str, caller: Caller) -> bool:
    root = _ROOT.fullmatch(allowed)
    if root is None:
        return allowed == caller.principal or _is_session_of(allowed, caller.principal)
    caller_account = caller.principal if caller.principal.isdigit() else None
    match = _IAM_ACCOUNT.match(caller.principal)
    if match is not None:
        caller_account = match.group(1)
    return caller_account == root.group(1)


def _principal_matches(element: Any, caller: Caller) -> Optional[str]:
    """None when the statement's principal covers the caller, else why not."""
    if element == "*":
        return None
    if isinstance(element, dict):
        if "Service" in element:
            services = _values(element["Service"])
            if caller.principal in services:
                return None
            return f"principal is service {', '.join(map(str, services))}, not {caller.principal}"
        if "AWS" in element:
            allowed = _values(element["AWS"])
            if any(a == "*" or _aws_principal_matches(str(a), caller) for a in allowed):
                return None
            root = _ROOT.fullmatch(str(allowed[0])) if len(allowed) == 1 else None
            if root is not None:
                return f"principal is account {root.group(1)}, not {caller.principal}"
            return f"principal is {', '.join(map(str, allowed))}, not {caller.principal}"
    return f"principal {element!r} does not cover {caller.principal}"


def _action_matches(action: Any, wanted: str) -> bool:
    wanted = wanted.lower()
    return any(str(a).lower() in ("*", "lambda:*", wanted) for a in _values(action))


def _condition_failures(condition: dict[str, dict[str, Any]], caller: Caller) -> list[str]:
    failures: list[str] = []
    given = {
        "aws:sourcearn": caller.source_arn,
        "aws:sourceaccount": caller.source_account,
        "aws:principalorgid": caller.principal_org_id,
        "lambda:eventsourcetoken": caller.event_source_token,
        "lambda:functionurlauthtype": caller.function_url_auth_type,
        "lambda:invokedviafunctionurl": "true" if caller.invoked_via_function_url else "false",
    }
    for operator, entries in condition.items():
        for key, expected in entries.items():
            actual = given.get(key.lower())
            options = [str(e) for e in _values(expected)]
            shown = options[0] if len(options) == 1 else options
            if actual is None:
                failures.append(f"condition {operator} {key} needs a value, and none was given")
            elif operator == "ArnLike":
                if not any(fnmatch.fnmatchcase(actual, e) for e in options):
                    failures.append(f"{key} {actual} is not like {shown}")
            elif operator in ("StringEquals", "Bool"):
                if actual not in options:
                    failures.append(f"{key} {actual} is not {shown}")
            else:
                failures.append(f"condition operator {operator} is not evaluated by the mock")
    return failures


def _statement_failures(statement: dict[str, Any], caller: Caller) -> list[str]:
    failures: list[str] = []
    if statement.get("Effect") != "Allow":
        failures.append("effect is not Allow")
    if not _action_matches(statement.get("Action", ""), caller.action):
        failures.append(f"action is {statement.get('Action')}, not {caller.action}")
    principal = _principal_matches(statement.get("Principal"), caller)
    if principal is not None:
        failures.append(principal)
    failures += _condition_failures(statement.get("Condition", {}), caller)
    return failures


def evaluate(function: Function, qualifier: Optional[str], caller: Caller) -> Decision:
    """AWS's verdict on ``caller`` invoking ``function`` through ``qualifier``'s ARN."""
    target = function.arn if qualifier in (None,) else f"{function.arn}:{qualifier}"
    if qualifier not in (None, LATEST) and qualifier not in function.versions and qualifier not in function.aliases:
        return Decision(False, None, f"{target} does not exist")
    key = policy_key(qualifier)
    policy = function.policies.get(key)
    reasons: list[str] = []
    for statement in policy.statements if policy is not None else []:
        failures = _statement_failures(statement, caller)
        if not failures:
            sid = statement.get("Sid")
            return Decision(True, sid, f"allowed by statement {sid!r} on {target}")
        reasons.append(f"statement {statement.get('Sid')!r}: " + "; ".join(failures))
    if policy is None:
        reasons.append(f"{target} has no resource-based policy")
    elsewhere = [
        f"{function.arn}{'' if other is None else ':' + other} (statement {s.get('Sid')!r})"
        for other, other_policy in function.policies.items()
        if other != key
        for s in other_policy.statements
        if not _statement_failures(s, caller)
    ]
    if elsewhere:
        reasons.append(
            "a permission applies only to the ARN it was added to; these would allow it: " + ", ".join(elsewhere)
        )
    return Decision(False, None, "denied: " + "; ".join(reasons))


def resolve(arn_or_name: str, account_id: str, region: str) -> tuple[str, str, str, Optional[str]]:
    """(account, region, function name, qualifier) named by an ARN or a plain name."""
    ref = arns.parse_function_name(arn_or_name)
    if ref is None:
        raise ValueError(f"not a Lambda function name or ARN: {arn_or_name!r}")
    return ref.account or account_id, ref.region or region, ref.name, ref.qualifier
