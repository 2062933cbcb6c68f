"""Event sources (moto's S3 and SNS, and ``m.deliver``) reach our functions through the policy.

Source: the seed document on alias-scoped resource policies ("the following AWS CLI command grants
Amazon S3 permissions to invoke the PROD alias ... For this to work correctly, you must use the PROD
alias ARN in the S3 bucket's notification configuration"; a permission on an alias "is valid only
for invoking the helloworld function using the alias ARN"), and AWS's refusal wording for a
service principal (aws-automated-incident-response-and-forensics#13: "User: sns.amazonaws.com is
not authorized to perform: lambda:InvokeFunction on resource: ... because no resource-based policy
allows the lambda:InvokeFunction action").
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from conftest import ACCOUNT, FN_ARN_PREFIX, REGION, create

import mock_lambda_alias

moto = pytest.importorskip("moto")

FN = FN_ARN_PREFIX + "helloworld"
PROD = FN + ":PROD"
BUCKET = "examplebucket"
BUCKET_ARN = f"arn:aws:s3:::{BUCKET}"


@pytest.fixture
def env() -> Iterator[tuple[mock_lambda_alias.LambdaAliasMock, Any]]:
    """moto serving S3 and SNS, our mock serving Lambda; helloworld v1 behind PROD."""
    with moto.mock_aws(), mock_lambda_alias.mock_lambda_alias() as m:
        # With mock_aws active, the execution role must exist in moto's IAM.
        boto3.client("iam", region_name=REGION).create_role(RoleName="lambda-role", AssumeRolePolicyDocument="{}")
        lam = boto3.client("lambda", region_name=REGION)
        create(lam, "helloworld")
        lam.publish_version(FunctionName="helloworld")
        lam.create_alias(FunctionName="helloworld", Name="PROD", FunctionVersion="1")
        yield m, lam
        assert not m.internal_errors, m.internal_errors


def allow(lam: Any, principal: str, source_arn: str, qualifier: str | None = "PROD", sid: str = "1") -> None:
    params: dict[str, Any] = {
        "FunctionName": "helloworld",
        "StatementId": sid,
        "Principal": principal,
        "Action": "lambda:InvokeFunction",
        "SourceArn": source_arn,
        "SourceAccount": ACCOUNT,
    }
    if qualifier is not None:
        params["Qualifier"] = qualifier
    lam.add_permission(**params)


def notify(target_arn: str) -> Any:
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket=BUCKET)
    s3.put_bucket_notification_configuration(
        Bucket=BUCKET,
        NotificationConfiguration={
            "LambdaFunctionConfigurations": [{"LambdaFunctionArn": target_arn, "Events": ["s3:ObjectCreated:*"]}]
        },
    )
    return s3


def denial(service: str, resource: str) -> str:
    return (
        f"User: {service} is not authorized to perform: lambda:InvokeFunction on resource: {resource} "
        "because no resource-based policy allows the lambda:InvokeFunction action"
    )


# -- S3 ------------------------------------------------------------------------------


def test_s3_put_object_invokes_prod_when_prod_allows_s3(env):
    m, lam = env
    allow(lam, "s3.amazonaws.com", BUCKET_ARN)
    notify(PROD).put_object(Bucket=BUCKET, Key="cat.jpg", Body=b"meow")
    (record,) = m.invocations("helloworld")
    assert (record.invoked_qualifier, record.executed_version, record.invocation_type) == ("PROD", "1", "Event")
    assert (record.caller.principal, record.caller.source_arn, record.caller.source_account) == (
        "s3.amazonaws.com",
        BUCKET_ARN,
        ACCOUNT,
    )
    assert record.allowed_by == "1"
    event = json.loads(record.payload)["Records"][0]
    assert (event["eventSource"], event["s3"]["bucket"]["arn"], event["s3"]["object"]["key"]) == (
        "aws:s3",
        BUCKET_ARN,
        "cat.jpg",
    )
    (delivery,) = m.deliveries()
    assert delivery.allowed and delivery.invocation is record and delivery.error is None


def test_s3_refuses_to_notify_prod_when_the_permission_is_on_the_function(env):
    # aws/aws-sdk-js#632, hashicorp/terraform#19756, aws/aws-cdk#18090: S3 validates a Lambda
    # destination when the notification is configured (400 InvalidArgument); the cdk thread's fix is
    # add-permission on the alias (--function-name TestFunc:dev) the notification names.
    m, lam = env
    allow(lam, "s3.amazonaws.com", BUCKET_ARN, qualifier=None, sid="on-function")
    with pytest.raises(ClientError) as excinfo:
        notify(PROD)
    error = excinfo.value.response["Error"]
    assert (excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"], error["Code"], error["Message"]) == (
        400,
        "InvalidArgument",
        "Unable to validate the following destination configurations",
    )
    s3 = boto3.client("s3", region_name=REGION)
    assert "LambdaFunctionConfigurations" not in s3.get_bucket_notification_configuration(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key="a.txt", Body=b"x")
    assert m.deliveries() == [] and m.invocations() == []


@pytest.mark.parametrize(
    ("target", "source_arn"),
    [(PROD, "arn:aws:s3:::some-other-bucket"), (FN + ":1", BUCKET_ARN), (FN_ARN_PREFIX + "nope", BUCKET_ARN)],
    ids=["other-bucket", "version-arn", "missing-function"],
)
def test_s3_refuses_destinations_it_may_not_invoke(env, target, source_arn):
    _, lam = env
    allow(lam, "s3.amazonaws.com", source_arn)
    with pytest.raises(ClientError) as excinfo:
        notify(target)
    assert excinfo.value.response["Error"]["Code"] == "InvalidArgument"


def test_s3_delivery_is_dropped_and_recorded_when_the_permission_moves_to_the_function(env):
    m, lam = env
    allow(lam, "s3.amazonaws.com", BUCKET_ARN)
    s3 = notify(PROD)
    lam.remove_permission(FunctionName="helloworld", Qualifier="PROD", StatementId="1")
    allow(lam, "s3.amazonaws.com", BUCKET_ARN, qualifier=None, sid="on-function")
    s3.put_object(Bucket=BUCKET, Key="a.txt", Body=b"x")
    assert m.invocations() == []
    (delivery,) = m.deliveries(allowed=False)
    assert (delivery.service, delivery.function_arn, delivery.source_arn) == ("s3.amazonaws.com", PROD, BUCKET_ARN)
    assert delivery.error == denial("s3.amazonaws.com", PROD)
    assert f"{FN} (statement 'on-function')" in delivery.reason  # points at where the permission sits


def test_s3_notification_naming_the_function_uses_the_function_policy(env):
    m, lam = env
    allow(lam, "s3.amazonaws.com", BUCKET_ARN, qualifier=None)
    notify(FN).put_object(Bucket=BUCKET, Key="a.txt", Body=b"x")
    (record,) = m.invocations()
    assert (record.invoked_qualifier, record.executed_version) == (None, "$LATEST")


def test_handler_runs_with_the_s3_event_and_alias_arn(env):
    m, lam = env
    seen: list[tuple[str, str]] = []
    m.register_handler(
        "helloworld",
        lambda event, context: seen.append((event["Records"][0]["s3"]["object"]["key"], context.invoked_function_arn)),
    )
    allow(lam, "s3.amazonaws.com", BUCKET_ARN)
    notify(PROD).put_object(Bucket=BUCKET, Key="k", Body=b"x")
    assert seen == [("k", PROD)]


# -- SNS ------------------------------------------------------------------------------


def subscribe(target_arn: str) -> tuple[Any, str]:
    sns = boto3.client("sns", region_name=REGION)
    topic = sns.create_topic(Name="uploads")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=target_arn)
    return sns, topic


def test_sns_publish_invokes_prod_when_prod_allows_sns(env):
    m, lam = env
    sns, topic = subscribe(PROD)
    allow(lam, "sns.amazonaws.com", topic)
    message_id = sns.publish(TopicArn=topic, Message="hello", Subject="greeting")["MessageId"]
    (record,) = m.invocations("helloworld", qualifier="PROD")
    assert record.caller.principal == "sns.amazonaws.com" and record.caller.source_arn == topic
    assert record.allowed_by == "1"
    (event,) = json.loads(record.payload)["Records"]
    assert event["EventSource"] == "aws:sns"
    assert event["EventSubscriptionArn"].startswith(topic + ":")
    assert {k: event["Sns"][k] for k in ("Type", "MessageId", "TopicArn", "Subject", "Message")} == {
        "Type": "Notification",
        "MessageId": message_id,
        "TopicArn": topic,
        "Subject": "greeting",
        "Message": "hello",
    }


def test_sns_delivery_to_prod_is_dropped_when_the_permission_is_on_the_function(env):
    m, lam = env
    sns, topic = subscribe(PROD)
    allow(lam, "sns.amazonaws.com", topic, qualifier=None)
    sns.publish(TopicArn=topic, Message="hello")
    assert m.invocations() == []
    (delivery,) = m.deliveries(service="sns.amazonaws.com")
    assert not delivery.allowed and delivery.error == denial("sns.amazonaws.com", PROD)


def test_sns_filter_policy_still_applies(env):
    m, lam = env
    sns, topic = subscribe(PROD)
    allow(lam, "sns.amazonaws.com", topic)
    (subscription,) = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    sns.set_subscription_attributes(
        SubscriptionArn=subscription["SubscriptionArn"],
        AttributeName="FilterPolicy",
        AttributeValue=json.dumps({"kind": ["image"]}),
    )
    for message, kind in (("skip", "doc"), ("take", "image")):
        attributes = {"kind": {"DataType": "String", "StringValue": kind}}
        sns.publish(TopicArn=topic, Message=message, MessageAttributes=attributes)
    assert [json.loads(r.payload)["Records"][0]["Sns"]["Message"] for r in m.invocations()] == ["take"]


# -- EventBridge ------------------------------------------------------------------------------


def rule_targeting(target_arn: str) -> tuple[Any, str]:
    events = boto3.client("events", region_name=REGION)
    rule = events.put_rule(Name="uploads", EventPattern=json.dumps({"source": ["my.app"]}))["RuleArn"]
    events.put_targets(Rule="uploads", Targets=[{"Id": "fn", "Arn": target_arn}])
    return events, rule


def put_event(events: Any, source: str = "my.app") -> None:
    entry = {"Source": source, "DetailType": "upload", "Detail": json.dumps({"key": "k"})}
    assert events.put_events(Entries=[entry])["FailedEntryCount"] == 0


def test_eventbridge_rule_invokes_prod_when_prod_allows_events(env):
    m, lam = env
    events, rule = rule_targeting(PROD)
    allow(lam, "events.amazonaws.com", rule)
    put_event(events)
    put_event(events, source="someone.else")  # does not match the rule's pattern
    (record,) = m.invocations("helloworld", qualifier="PROD")
    assert (record.caller.principal, record.caller.source_arn, record.allowed_by) == ("events.amazonaws.com", rule, "1")
    event = json.loads(record.payload)
    assert (event["source"], event["detail-type"], event["detail"], event["account"]) == (
        "my.app",
        "upload",
        {"key": "k"},
        ACCOUNT,
    )
    assert "ingestion-time" not in event


def test_eventbridge_delivery_to_prod_is_dropped_when_the_permission_is_on_the_function(env):
    m, lam = env
    events, rule = rule_targeting(PROD)
    allow(lam, "events.amazonaws.com", rule, qualifier=None)
    put_event(events)
    assert m.invocations() == []
    (delivery,) = m.deliveries(service="events.amazonaws.com")
    assert not delivery.allowed and delivery.error == denial("events.amazonaws.com", PROD)


# -- m.deliver (anything moto does not deliver) ----------------------------------------------------


def test_deliver_an_eventbridge_event_through_the_alias_policy(env):
    m, lam = env
    rule = f"arn:aws:events:{REGION}:{ACCOUNT}:rule/nightly"
    allow(lam, "events.amazonaws.com", rule)
    event = {"source": "my.app", "detail-type": "tick", "detail": {}}
    delivery = m.deliver("events.amazonaws.com", PROD, event, source_arn=rule, source_account=ACCOUNT)
    assert delivery.allowed and delivery.statement_id == "1"
    assert delivery.invocation is not None and json.loads(delivery.invocation.payload) == event
    refused = m.deliver("events.amazonaws.com", FN + ":1", event, source_arn=rule, source_account=ACCOUNT)
    assert not refused.allowed and refused.invocation is None
    assert refused.error == denial("events.amazonaws.com", FN + ":1")
    assert [d.allowed for d in m.deliveries()] == [True, False]


def test_deliver_needs_the_source_account_the_statement_names(env):
    m, lam = env
    rule = f"arn:aws:events:{REGION}:{ACCOUNT}:rule/nightly"
    allow(lam, "events.amazonaws.com", rule)
    assert not m.deliver("events.amazonaws.com", PROD, {}, source_arn=rule, source_account="999999999999")
    assert not m.deliver("events.amazonaws.com", PROD, {}, source_arn=rule)


def test_deliver_to_a_missing_function_is_recorded_as_denied(env):
    m, _ = env
    delivery = m.deliver("events.amazonaws.com", FN_ARN_PREFIX + "nope", {})
    assert not delivery.allowed and "does not exist" in delivery.reason


def test_deliver_rejects_a_non_service_principal(env):
    m, _ = env
    with pytest.raises(ValueError, match="service principal"):
        m.deliver("123456789012", PROD, {})


def test_moto_gets_its_own_lambda_delivery_back_after_stop():
    from moto.events.models import Rule
    from moto.s3 import notifications
    from moto.s3.models import FakeBucket
    from moto.sns.models import Subscription

    def current() -> tuple:
        return (
            notifications._invoke_awslambda,
            Subscription.publish,
            FakeBucket.set_notification_configuration,
            Rule.send_to_targets,
        )

    before = current()
    with moto.mock_aws(), mock_lambda_alias.mock_lambda_alias():
        assert all(now is not then for now, then in zip(current(), before))
    assert current() == before
