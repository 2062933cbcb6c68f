"""Authorizing callers from other accounts against a function's resource-based policies.

Within its own account a caller is trusted (the mock models no identity-based IAM policies).
From another account, AWS lets a request through only when the resource-based policy of exactly
the addressed ARN — the function (and ``$LATEST``), one version, or one alias — allows the
caller's principal for the operation's IAM action; otherwise IAM answers 403
``AccessDeniedException`` before Lambda looks at anything, so even a missing function reads as a
denial. Strict mode applies the same rule to same-account principals other than the activation's
own identity.

This module sits beside the data model (:func:`model.split_name` calls it for every request that
addresses another account); it imports no operation module.
"""

from __future__ import annotations

from typing import Optional

from .. import arns
from ..errors import AccessDenied
from .call import Call
from .evaluation import Caller, evaluate

#: IAM actions whose names differ from the operation's.
IAM_ACTIONS = {
    "Invoke": "lambda:InvokeFunction",
    "InvokeWithResponseStream": "lambda:InvokeFunction",
}

#: Operations AWS refuses across accounts even when a policy grants them (reported against AWS in
#: awsdocs/aws-lambda-developer-guide#139: the guide says "any API action that operates on an
#: existing function" may be granted, but these are not honoured).
NEVER_CROSS_ACCOUNT = frozenset({"AddPermission", "RemovePermission", "UpdateFunctionConfiguration"})


def iam_action(operation: str) -> str:
    return IAM_ACTIONS.get(operation) or f"lambda:{operation}"


def authorize(call: Call, name: str, qualifier: Optional[str]) -> Optional[str]:
    """The Sid of the statement that lets ``call.caller`` in, or raise ``AccessDeniedException``.

    ``call`` already addresses the function's account.
    """
    caller = call.caller
    assert caller is not None
    action = iam_action(call.operation)
    cross_account = caller.account_id != call.account_id
    function = call.backend.functions.get(name)
    if function is not None and not (cross_account and call.operation in NEVER_CROSS_ACCOUNT):
        decision = evaluate(
            function, qualifier, Caller(caller.principal, action, caller.source_arn, caller.source_account)
        )
        if decision:
            return decision.statement_id
    resource = arns.function_arn(call.region, call.account_id, name, qualifier)
    kind = "resource-based" if cross_account else "identity-based"
    raise AccessDenied.no_policy(caller.principal, action, resource, kind)
