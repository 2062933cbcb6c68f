"""``m.is_invoke_allowed``: principal forms x qualifier scoping x conditions, table-driven."""

from __future__ import annotations

import pytest
from conftest import ACCOUNT, FN_ARN_PREFIX, create

FN = FN_ARN_PREFIX + "my-function"
PROD = FN + ":PROD"
V1 = FN + ":1"
BUCKET_A = "arn:aws:s3:::bucket-a"
BUCKET_B = "arn:aws:s3:::bucket-b"
RULE = f"arn:aws:events:us-east-1:{ACCOUNT}:rule/nightly"
OTHER = "210987654321"


@pytest.fixture
def wired(mock, lam):
    create(lam)
    lam.publish_version(FunctionName="my-function")
    lam.create_alias(FunctionName="my-function", Name="PROD", FunctionVersion="1")

    def add(sid, principal, **kwargs):
        lam.add_permission(
            FunctionName="my-function", StatementId=sid, Action="lambda:InvokeFunction", Principal=principal, **kwargs
        )

    add("s3-fn", "s3.amazonaws.com", SourceArn=BUCKET_A)
    add("s3-prod", "s3.amazonaws.com", SourceArn="arn:aws:s3:::bucket-*", SourceAccount=ACCOUNT, Qualifier="PROD")
    add("cross-account", OTHER, Qualifier="PROD")
    add("events-v1", "events.amazonaws.com", SourceArn=RULE, Qualifier="1")
    add("org", "*", PrincipalOrgID="o-abcdefghij")
    add("role", f"arn:aws:iam::{OTHER}:role/deployer", Qualifier="PROD")
    lam.add_permission(
        FunctionName="my-function",
        StatementId="url",
        Action="lambda:InvokeFunctionUrl",
        Principal="*",
        FunctionUrlAuthType="NONE",
        Qualifier="PROD",
    )
    return mock


CASES = [
    # service principal, function-level permission: only the unqualified ARN (and :$LATEST)
    ("s3.amazonaws.com", FN, {"source_arn": BUCKET_A}, True, "s3-fn"),
    ("s3.amazonaws.com", FN + ":$LATEST", {"source_arn": BUCKET_A}, True, "s3-fn"),
    ("s3.amazonaws.com", PROD, {"source_arn": BUCKET_A}, False, None),
    ("s3.amazonaws.com", V1, {"source_arn": BUCKET_A}, False, None),
    ("s3.amazonaws.com", FN, {"source_arn": BUCKET_B}, False, None),
    ("s3.amazonaws.com", FN, {}, False, None),
    # alias permission with wildcard SourceArn and SourceAccount
    ("s3.amazonaws.com", PROD, {"source_arn": BUCKET_B, "source_account": ACCOUNT}, True, "s3-prod"),
    ("s3.amazonaws.com", PROD, {"source_arn": BUCKET_B, "source_account": OTHER}, False, None),
    ("s3.amazonaws.com", PROD, {"source_arn": "arn:aws:s3:::other", "source_account": ACCOUNT}, False, None),
    ("s3.amazonaws.com", FN, {"source_arn": BUCKET_B, "source_account": ACCOUNT}, False, None),
    ("sns.amazonaws.com", PROD, {"source_arn": BUCKET_B, "source_account": ACCOUNT}, False, None),
    # account principal: any identity of that account, through the alias only
    (OTHER, PROD, {}, True, "cross-account"),
    (f"arn:aws:iam::{OTHER}:user/alice", PROD, {}, True, "cross-account"),
    (f"arn:aws:sts::{OTHER}:assumed-role/x/session", PROD, {}, True, "cross-account"),
    (OTHER, FN, {}, False, None),
    ("111122223333", PROD, {}, False, None),
    # version permission
    ("events.amazonaws.com", V1, {"source_arn": RULE}, True, "events-v1"),
    ("events.amazonaws.com", PROD, {"source_arn": RULE}, False, None),
    # wildcard principal with an organization condition
    (f"arn:aws:iam::{OTHER}:user/bob", FN, {"principal_org_id": "o-abcdefghij"}, True, "org"),
    (f"arn:aws:iam::{OTHER}:user/bob", FN, {"principal_org_id": "o-zzzzzzzzzz"}, False, None),
    (f"arn:aws:iam::{OTHER}:user/bob", FN, {}, False, None),
    # action: an InvokeFunctionUrl permission does not allow InvokeFunction, and the other way round
    ("anyone", PROD, {"action": "lambda:InvokeFunctionUrl", "function_url_auth_type": "NONE"}, True, "url"),
    ("anyone", PROD, {"action": "lambda:InvokeFunctionUrl", "function_url_auth_type": "AWS_IAM"}, False, None),
    ("anyone", PROD, {}, False, None),
]


@pytest.mark.parametrize("principal, arn, context, allowed, sid", CASES)
def test_is_invoke_allowed(wired, principal, arn, context, allowed, sid):
    decision = wired.is_invoke_allowed(principal, arn, **context)
    assert bool(decision) is allowed, decision.reason
    assert decision.statement_id == sid
    if allowed:
        assert decision.reason.startswith(f"allowed by statement '{sid}'")
    else:
        assert decision.reason


def test_denial_points_at_permission_on_another_qualifier(wired):
    decision = wired.is_invoke_allowed("s3.amazonaws.com", PROD, source_arn=BUCKET_A)
    assert not decision
    assert "a permission applies only to the ARN it was added to" in decision.reason
    assert f"{FN} (statement 's3-fn')" in decision.reason


def test_exact_iam_arn_principal(wired):
    assert wired.is_invoke_allowed(f"arn:aws:iam::{OTHER}:role/deployer", PROD).statement_id in {
        "cross-account",
        "role",
    }


def test_missing_function(mock):
    with pytest.raises(
        ValueError, match=f"^no function 'my-function' in account {ACCOUNT}, region us-east-1; functions: none$"
    ):
        mock.is_invoke_allowed("s3.amazonaws.com", FN)


def test_no_policy_at_all(mock, lam):
    create(lam)
    decision = mock.is_invoke_allowed("s3.amazonaws.com", "my-function")
    assert not decision
    assert decision.reason == f"denied: {FN} has no resource-based policy"
