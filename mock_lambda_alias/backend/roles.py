"""The checks AWS makes on a function's execution role (CreateFunction, UpdateFunctionConfiguration).

AWS refuses a role of another account (F-MA-019), and a role that does not exist or that Lambda
cannot assume. The mock has no IAM of its own, so the second check is made only when moto's
``mock_aws`` is active: then moto's IAM is the test's IAM and is read directly, as
:mod:`.deployment` reads moto's S3 (no request is made).
"""

from __future__ import annotations

import sys
from typing import Optional

from ..errors import AccessDenied, InvalidParameterValue
from .call import Call

CROSS_ACCOUNT = "Cross-account pass role is not allowed."
CANNOT_ASSUME = "The role defined for the function cannot be assumed by Lambda."


def _moto_role_exists(account_id: str, partition: str, role_arn: str) -> Optional[bool]:
    """Whether moto's IAM has the role while ``mock_aws`` is active; None when moto is not active."""
    if "moto" not in sys.modules:
        return None
    try:
        from moto.core.models import botocore_stubber
        from moto.iam.models import iam_backends

        if not botocore_stubber.enabled:
            return None
        roles = iam_backends[account_id][partition].roles.values()
        return any(role.arn == role_arn for role in roles)
    except Exception:  # another moto layout: behave as if moto were not there
        return None


def check_role(call: Call, role_arn: str) -> None:
    """Raise AWS's error for a role this function cannot be given (the wire layer checked its form)."""
    parts = role_arn.split(":")
    account = parts[4]
    if account != call.account_id:
        # AWS answers 403 AccessDeniedException although botocore models it for neither operation.
        raise AccessDenied(CROSS_ACCOUNT)
    if _moto_role_exists(account, parts[1] or "aws", role_arn) is False:
        raise InvalidParameterValue(CANNOT_ASSUME)
