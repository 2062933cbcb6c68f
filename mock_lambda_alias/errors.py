"""AWS error classes the backend raises and the wire layer writes as ``x-amzn-errortype`` responses.

Each class carries AWS's error code, HTTP status and the exact message, so business rules read as
``raise ResourceNotFound(f"Function not found: {arn}")`` and the caller gets a real ``ClientError``.
Mistakes in *our* API (a test misusing the handle) raise ordinary Python exceptions instead.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar


class LambdaError(Exception):
    """An error AWS Lambda would send: code, HTTP status, message and the ``Type`` field."""

    code: ClassVar[str] = "ServiceException"
    status: ClassVar[int] = 500
    #: ``User`` for caller mistakes, ``Service`` for AWS-side failures, as Lambda writes it.
    error_type: ClassVar[str | None] = "User"

    def __init__(self, message: str, *, typed: bool = True, **extra: str) -> None:
        super().__init__(message)
        self.message = message
        if not typed:  # a few AWS answers carry no ``Type`` field
            self.error_type = None
        #: Additional modeled error members (e.g. ``Reason`` of TooManyRequestsException).
        self.extra = extra

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"


class ValidationError(LambdaError):
    """Constraint violations AWS reports before any business rule runs."""

    code = "ValidationException"
    status = 400
    error_type = None


class InvalidParameterValue(LambdaError):
    code = "InvalidParameterValueException"
    status = 400


class UnsupportedMember(InvalidParameterValue):
    """A request member the mock does not emulate yet: refused by name, never accepted and ignored.

    Silently dropping a member would let a test pass while the code under test is wrong; a clear
    refusal tells the user what the mock cannot vouch for.
    """

    def __init__(self, member: str, why: str = "") -> None:
        super().__init__(f"mock_lambda_alias does not support {member} yet" + (f" ({why})" if why else "") + ".")
        self.member = member


class AccessDenied(LambdaError):
    """403 for calls IAM or a resource-based policy refuses.

    botocore's model lists ``AccessDeniedException`` for none of the operations that AWS answers
    with it (CreateFunction with a role or layer of another account, F-MA-019); botocore still
    turns it into a ``ClientError`` with this code.
    """

    code = "AccessDeniedException"
    status = 403

    @classmethod
    def no_policy(cls, principal: str, action: str, resource: str, kind: str = "resource-based") -> AccessDenied:
        """IAM's wording; ``kind`` is ``resource-based`` across accounts, ``identity-based`` within one."""
        return cls(
            f"User: {principal} is not authorized to perform: {action} on resource: {resource} "
            f"because no {kind} policy allows the {action} action"
        )


class InvalidRequestContent(LambdaError):
    code = "InvalidRequestContentException"
    status = 400


class ResourceNotFound(LambdaError):
    code = "ResourceNotFoundException"
    status = 404


class CodeSigningConfigNotFound(LambdaError):
    code = "CodeSigningConfigNotFoundException"
    status = 404

    @classmethod
    def for_arn(cls, arn: str) -> CodeSigningConfigNotFound:
        """A configuration named in a function request that does not exist (recorded wording)."""
        return cls(
            "The code signing configuration cannot be found. Check that the provided configuration is not "
            f"deleted: {arn}."
        )


class ResourceConflict(LambdaError):
    code = "ResourceConflictException"
    status = 409


class PreconditionFailed(LambdaError):
    code = "PreconditionFailedException"
    status = 412


class PolicyLengthExceeded(LambdaError):
    code = "PolicyLengthExceededException"
    status = 400


class RequestTooLarge(LambdaError):
    code = "RequestTooLargeException"
    status = 413


class TooManyRequests(LambdaError):
    code = "TooManyRequestsException"
    status = 429


class ServiceError(LambdaError):
    code = "ServiceException"
    status = 500
    error_type = "Service"


class NotImplementedOperation(LambdaError):
    """An operation the mock does not implement yet: a clear answer instead of the network.

    AWS answers unknown routes with ``UnknownOperationException``; we keep that code so callers
    see a ``ClientError`` that names the operation rather than a hang or a real request.
    """

    code = "UnknownOperationException"
    status = 501
    error_type = None

    def __init__(self, operation: str) -> None:
        super().__init__(
            f"mock_lambda_alias does not implement the Lambda operation {operation} yet. "
            "See the operations table in the documentation (docs/reference/operations.md)."
        )


REVISION_MISMATCH = (
    "The Revision Id provided does not match the latest Revision Id. "
    "Call the GetFunction/GetAlias API to retrieve the latest Revision Id"
)


def java_repr(value: Any) -> str:
    """Render a value as AWS's Java services print it inside validation messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isfinite(value) and value == int(value) and abs(value) < 1e7:
            return f"{value:.1f}"
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(java_repr(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{java_repr(k)}={java_repr(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (bytes, bytearray)):
        return f"java.nio.HeapByteBuffer[pos=0 lim={len(value)} cap={len(value)}]"
    return str(value)


class RecursiveInvocation(LambdaError):
    """Recursive loop detection stopped the invocation (botocore's ``RecursiveInvocationException``)."""

    code = "RecursiveInvocationException"
    status = 400


#: What a stopped synchronous invocation is told. AWS's exact text is not recorded; this is the
#: exception's description in the Lambda API model.
RECURSIVE_LOOP_MESSAGE = (
    "Lambda has detected your function being invoked in a recursive loop with other AWS resources "
    "and stopped your function's invocation."
)


class DurableExecutionAlreadyStarted(LambdaError):
    """A durable execution name reused with another input (409, as the Lambda API model has it)."""

    code = "DurableExecutionAlreadyStartedException"
    status = 409


class CallbackTimeout(LambdaError):
    """A callback answered after it timed out (botocore's ``CallbackTimeoutException``)."""

    code = "CallbackTimeoutException"
    status = 400
