"""Resource-based policies, one per qualifier: AddPermission, GetPolicy, RemovePermission, and the
whole-policy operations Get/Put/DeleteResourcePolicy.

AWS keeps a separate policy for the function (``$LATEST``), each published version and each
alias; a statement added on ``my-fn:PROD`` lives only in PROD's policy. Adding or removing a
statement gives that qualifier a new RevisionId, and GetPolicy reports the RevisionId of the
policy's last change (recorded against AWS: "function revision is the same as policy revision").
PutResourcePolicy replaces the policy of the ARN it names, statements added with AddPermission
included, as AWS documents ("the new policy overwrites those permissions").
"""

from __future__ import annotations

import json
import re
from typing import Any, Optional

from .. import arns
from ..errors import (
    REVISION_MISMATCH,
    InvalidParameterValue,
    PolicyLengthExceeded,
    PreconditionFailed,
    ResourceConflict,
    ResourceNotFound,
)
from .addressing import split_name
from .call import Call
from .model import ALIAS_NAME, LATEST, Function, new_revision, policy_key

POLICY_SIZE_LIMIT = 20480
_ACCOUNT = re.compile(r"\d{12}")
_IAM_ARN = re.compile(r"arn:aws[a-zA-Z-]*:iam::")
_NO_SUCH_POLICY = "The resource you requested does not exist."
_POLICY_REVISION_MISMATCH = (
    "The Revision Id provided does not match the latest Revision Id. Call the GetPolicy API to retrieve the "
    "latest Revision Id"
)


_EMPTY_POLICY_SIZE = len('{"Version":"2012-10-17","Id":"default","Statement":[]}')


class Policy:
    """The statements of one qualifier's policy, in the order they were added."""

    __slots__ = ("header", "revision_id", "sizes", "statements")

    def __init__(
        self,
        statements: Optional[list[dict[str, Any]]] = None,
        revision_id: str = "",
        sizes: Optional[list[int]] = None,
        header: Optional[dict[str, Any]] = None,
    ) -> None:
        self.statements: list[dict[str, Any]] = statements if statements is not None else []
        self.revision_id = revision_id
        #: Compact JSON length of each statement, so the policy's size is known without re-encoding it.
        self.sizes: list[int] = sizes if sizes is not None else []
        #: The members besides ``Statement``; AddPermission writes these, PutResourcePolicy may set others.
        self.header: dict[str, Any] = header if header is not None else {"Version": "2012-10-17", "Id": "default"}

    def size_with(self, extra: int) -> int:
        """The size of the policy document with one more statement of ``extra`` characters."""
        return _EMPTY_POLICY_SIZE + sum(self.sizes) + extra + len(self.sizes)

    def document(self) -> dict[str, Any]:
        return {**self.header, "Statement": self.statements}


def principal_element(principal: str, partition: str) -> Any:
    """The ``Principal`` element AWS writes for an AddPermission ``Principal`` value."""
    if principal == "*":
        return "*"
    if principal.endswith(".amazonaws.com") or principal.endswith(".amazon.com"):
        return {"Service": principal}
    if _ACCOUNT.fullmatch(principal):
        return {"AWS": f"arn:{partition}:iam::{principal}:root"}
    if _IAM_ARN.match(principal):
        return {"AWS": principal}
    raise InvalidParameterValue("The provided principal was invalid. Please check the principal and try again.")


def build_statement(req: dict, resource: str, partition: str) -> dict[str, Any]:
    """The statement AWS writes for an AddPermission request (key order as AWS returns it)."""
    statement: dict[str, Any] = {
        "Sid": req["StatementId"],
        "Effect": "Allow",
        "Principal": principal_element(req["Principal"], partition),
        "Action": req["Action"],
        "Resource": resource,
    }
    equals: dict[str, str] = {}
    if req.get("SourceAccount"):
        equals["AWS:SourceAccount"] = req["SourceAccount"]
    if req.get("FunctionUrlAuthType"):
        equals["lambda:FunctionUrlAuthType"] = req["FunctionUrlAuthType"]
    if req.get("PrincipalOrgID"):
        equals["aws:PrincipalOrgID"] = req["PrincipalOrgID"]
    if req.get("EventSourceToken"):
        equals["lambda:EventSourceToken"] = req["EventSourceToken"]
    condition: dict[str, Any] = {}
    if equals:
        condition["StringEquals"] = equals
    if req.get("SourceArn"):
        condition["ArnLike"] = {"AWS:SourceArn": req["SourceArn"]}
    if req.get("InvokedViaFunctionUrl"):
        condition["Bool"] = {"lambda:InvokedViaFunctionUrl": "true"}
    if condition:
        statement["Condition"] = condition
    return statement


def compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


# ---------------------------------------------------------------------------
# qualifier resolution and revisions
# ---------------------------------------------------------------------------


def check_qualifier_exists(function: Function, qualifier: Optional[str]) -> None:
    if qualifier is None or qualifier == LATEST:
        return
    if qualifier.isdigit():
        if qualifier not in function.versions:
            raise ResourceNotFound(f"Function not found: {function.arn}:{qualifier}")
    elif ALIAS_NAME.fullmatch(qualifier):
        if qualifier not in function.aliases:
            raise ResourceNotFound(f"Cannot find alias arn: {function.arn}:{qualifier}")
    else:
        raise ResourceNotFound(f"Function not found: {function.arn}:{qualifier}")


def qualifier_revision(function: Function, key: Optional[str]) -> str:
    if key is None:
        return function.latest.revision_id
    if key in function.aliases:
        return function.aliases[key].revision_id
    return function.versions[key].revision_id


def bump_revision(function: Function, key: Optional[str]) -> str:
    """A policy change is a change of its qualifier: it gets a new RevisionId."""
    revision = new_revision()
    if key is None:
        function.latest.revision_id = revision
    elif key in function.aliases:
        function.aliases[key].revision_id = revision
    else:
        function.versions[key].revision_id = revision
    return revision


def current_policy_revision(function: Function, key: Optional[str]) -> str:
    policy = function.policies.get(key)
    return policy.revision_id if policy is not None else qualifier_revision(function, key)


# ---------------------------------------------------------------------------
# operations
# ---------------------------------------------------------------------------


def add_permission(call: Call, req: dict) -> dict:
    call, name, qualifier = split_name(call, req["FunctionName"], req.get("Qualifier"))
    if qualifier == LATEST:
        raise InvalidParameterValue("We currently do not support adding policies for $LATEST.")
    function = call.backend.functions.get(name)
    if function is None:
        raise ResourceNotFound(f"Function not found: {arns.function_arn(call.region, call.account_id, name)}")
    check_qualifier_exists(function, qualifier)
    key = policy_key(qualifier)
    given = req.get("RevisionId")
    if given is not None and given != current_policy_revision(function, key):
        raise PreconditionFailed(_POLICY_REVISION_MISMATCH)
    policy = function.policies.get(key) or Policy()
    sid = req["StatementId"]
    if any(s.get("Sid") == sid for s in policy.statements):
        raise ResourceConflict(
            f"The statement id ({sid}) provided already exists. Please provide a new statement id, or remove the "
            "existing statement."
        )
    resource = function.arn if key is None else f"{function.arn}:{key}"
    statement = build_statement(req, resource, function.arn.split(":")[1])
    encoded = compact(statement)
    size = policy.size_with(len(encoded))
    if size > POLICY_SIZE_LIMIT:
        raise PolicyLengthExceeded(f"The final policy size ({size}) is bigger than the limit ({POLICY_SIZE_LIMIT}).")
    policy.statements.append(statement)
    policy.sizes.append(len(encoded))
    policy.revision_id = bump_revision(function, key)
    function.policies[key] = policy
    return {"Statement": encoded}


def get_policy(call: Call, req: dict) -> dict:
    call, name, qualifier = split_name(call, req["FunctionName"], req.get("Qualifier"))
    function = call.backend.functions.get(name)
    policy = function.policies.get(policy_key(qualifier)) if function is not None else None
    if policy is None:
        raise ResourceNotFound(_NO_SUCH_POLICY)
    return {"Policy": compact(policy.document()), "RevisionId": policy.revision_id}


def remove_permission(call: Call, req: dict) -> dict:
    call, name, qualifier = split_name(call, req["FunctionName"], req.get("Qualifier"))
    function = call.backend.functions.get(name)
    if function is None:
        raise ResourceNotFound(f"No policy found for: {arns.function_arn(call.region, call.account_id, name)}")
    check_qualifier_exists(function, qualifier)
    key = policy_key(qualifier)
    policy = function.policies.get(key)
    if policy is None:
        raise ResourceNotFound("No policy is associated with the given resource.")
    sid = req["StatementId"]
    statement = next((s for s in policy.statements if s.get("Sid") == sid), None)
    if statement is None:
        raise ResourceNotFound(f"Statement {sid} is not found in resource policy.")
    given = req.get("RevisionId")
    if given is not None and given != policy.revision_id:
        raise PreconditionFailed(REVISION_MISMATCH)
    index = policy.statements.index(statement)
    del policy.statements[index]
    del policy.sizes[index]
    revision = bump_revision(function, key)
    if policy.statements:
        policy.revision_id = revision
    else:
        del function.policies[key]
    return {}


# ---------------------------------------------------------------------------
# whole policies by resource ARN
# ---------------------------------------------------------------------------


def _policy_target(call: Call, resource_arn: str) -> tuple[Function, Optional[str]]:
    """The function and policy key a ResourceArn (a function ARN, qualified or not) names."""
    if ":function:" not in resource_arn:
        # A runtime ARN (``...:runtime/...``): the mock keeps no runtime resources.
        raise ResourceNotFound(_NO_SUCH_POLICY)
    call, name, qualifier = split_name(call, resource_arn)
    function = call.backend.functions.get(name)
    if function is None:
        raise ResourceNotFound(f"Function not found: {arns.function_arn(call.region, call.account_id, name)}")
    check_qualifier_exists(function, qualifier)
    return function, policy_key(qualifier)


def _statements_of(text: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(header, statements) of a policy document; anything but a JSON object with statements is refused."""
    try:
        document = json.loads(text)
    except ValueError:
        document = None
    statements = document.get("Statement") if isinstance(document, dict) else None
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list) or not all(isinstance(s, dict) for s in statements):
        # The status and code are AWS's (modeled); the wording is ours, not recorded.
        raise InvalidParameterValue("The policy is not a valid JSON policy document with a Statement list.")
    assert isinstance(document, dict)
    return {k: v for k, v in document.items() if k != "Statement"}, statements


def get_resource_policy(call: Call, req: dict) -> dict:
    function, key = _policy_target(call, req["ResourceArn"])
    policy = function.policies.get(key)
    if policy is None:
        raise ResourceNotFound(_NO_SUCH_POLICY)
    return {"Policy": compact(policy.document()), "RevisionId": policy.revision_id}


def put_resource_policy(call: Call, req: dict) -> dict:
    function, key = _policy_target(call, req["ResourceArn"])
    header, statements = _statements_of(req["Policy"])
    given = req.get("RevisionId")
    if given is not None and given != current_policy_revision(function, key):
        raise PreconditionFailed(_POLICY_REVISION_MISMATCH)
    policy = Policy(statements=statements, header=header, sizes=[len(compact(s)) for s in statements])
    size = len(compact(policy.document()))
    if size > POLICY_SIZE_LIMIT:
        raise PolicyLengthExceeded(f"The final policy size ({size}) is bigger than the limit ({POLICY_SIZE_LIMIT}).")
    policy.revision_id = bump_revision(function, key)
    function.policies[key] = policy
    return {"Policy": compact(policy.document()), "RevisionId": policy.revision_id}


def delete_resource_policy(call: Call, req: dict) -> dict:
    function, key = _policy_target(call, req["ResourceArn"])
    policy = function.policies.get(key)
    if policy is None:
        raise ResourceNotFound("No policy is associated with the given resource.")
    given = req.get("RevisionId")
    if given is not None and given != policy.revision_id:
        raise PreconditionFailed(_POLICY_REVISION_MISMATCH)
    del function.policies[key]
    bump_revision(function, key)
    return {}
