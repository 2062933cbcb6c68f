"""Who is calling: the account and principal behind the credentials that signed a request.

AWS decides where a request lands (which account's functions it sees) and what a resource-based
policy is matched against from the caller's credentials. The mock answers unsigned requests, so it
reads the access key ID the client *would* have signed with and maps it, in this order:

1. an access key configured on the handle (``m.set_account_for_access_key(...)``);
2. an access key ID of exactly twelve digits is that account (LocalStack's convention);
3. with moto in the same process, the temporary credentials of a role assumed through moto's STS
   (``sts.assume_role``) and the access keys of moto's IAM users (moto's backends are read
   directly, never through a request);
4. anything else (no credentials, moto's or our fake ones) is the activation's own account.

Event sources are callers too: a delivery from S3 or SNS is a service principal with the
``SourceArn``/``SourceAccount`` of the bucket or topic. This module imports nothing from the
backend, so every layer may use it.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any, Optional

ROOT = "arn:aws:iam::{}:root"


@dataclass(frozen=True)
class Identity:
    """A caller, as policies see it."""

    #: The account the credentials belong to (for a service: the source account, if any).
    account_id: str
    #: The principal ARN (``arn:aws:iam::A:root``, an assumed-role or user ARN) or a service
    #: principal such as ``s3.amazonaws.com``.
    principal: str
    #: The access key ID the request carried, when it carried one.
    access_key_id: Optional[str] = None
    #: For service deliveries: the resource that caused the event (bucket, topic, rule ARN).
    source_arn: Optional[str] = None
    #: For service deliveries: the account that owns the source resource.
    source_account: Optional[str] = None
    #: Same-account calls by this identity are judged by resource-based policies (strict mode).
    strict: bool = False


def root(account_id: str) -> Identity:
    """The activation's own identity: the account root of the default account."""
    return Identity(account_id, ROOT.format(account_id))


def service(principal: str, source_arn: Optional[str] = None, source_account: Optional[str] = None) -> Identity:
    """An AWS service delivering an event on behalf of ``source_arn``."""
    return Identity(source_account or "", principal, None, source_arn, source_account)


def _from_moto(access_key_id: str) -> Optional[tuple[str, str]]:
    """(account, principal ARN) of moto-issued credentials, if moto is loaded and issued them."""
    sts = sys.modules.get("moto.sts.models")
    if sts is not None:
        for per_account in list(sts.sts_backends.values()):
            for backend in list(per_account.values()):
                role: Any = backend.get_assumed_role_from_access_key(access_key_id)
                if role is not None:
                    return role.account_id, role.arn
    iam = sys.modules.get("moto.iam.models")
    if iam is not None:
        for per_account in list(iam.iam_backends.values()):
            for backend in list(per_account.values()):
                user: Any = backend.get_user_from_access_key_id(access_key_id)
                if user is not None:
                    return user.account_id, user.arn
    return None


def resolve(
    access_key_id: Optional[str],
    default_account: str,
    configured: dict[str, tuple[str, Optional[str]]],
    strict: bool = False,
) -> Identity:
    """The identity behind ``access_key_id`` (see the module docstring for the order).

    ``configured`` maps access key IDs to (account, principal ARN or None for the account root).
    With ``strict``, every identity other than the default account's root is marked strict.
    """
    if not access_key_id:
        return root(default_account)
    entry = configured.get(access_key_id)
    if entry is not None:
        account, principal = entry
        principal = principal or ROOT.format(account)
    elif len(access_key_id) == 12 and access_key_id.isdigit():
        account, principal = access_key_id, ROOT.format(access_key_id)
    else:
        found = _from_moto(access_key_id)
        if found is None:
            return root(default_account)
        account, principal = found
    own = account == default_account and principal == ROOT.format(account)
    return Identity(account, principal, access_key_id, strict=strict and not own)
