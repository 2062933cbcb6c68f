"""Event sources delivering to our functions, through the invoked qualifier's resource policy.

On AWS, S3, SNS or EventBridge invoke a function as a service principal (``s3.amazonaws.com``)
on behalf of a source (the bucket, topic or rule: ``SourceArn``, owned by ``SourceAccount``).
Lambda lets the delivery in only when the resource-based policy of exactly the ARN the
notification names — function, version or alias — allows that principal under those conditions.
When none does, the event is dropped silently: the classic broken wiring is a permission added to
the function while the bucket notifies the ``PROD`` alias. Here each delivery is kept as a
:class:`Delivery` (allowed or not, which statement, why), and an allowed one runs as an
asynchronous (``Event``) invocation recorded with the service as its caller.

With moto serving S3 and SNS in the same process, their notifications reach us: while a mock is
active, the two places where moto hands an event to its own Lambda backend
(``moto.s3.notifications._invoke_awslambda`` and ``moto.sns.models.Subscription.publish`` for
``lambda`` subscriptions) are patched to deliver here (also when moto, or one of its services, is
first imported after the mock started), and restored when the last mock stops. S3
also checks a Lambda destination's policy when the notification is configured, as AWS does
(``FakeBucket.set_notification_configuration``): a bucket notifying ``PROD`` while the permission
sits on the function is refused with ``InvalidArgument`` at configuration time; a permission
removed later makes deliveries drop silently. moto's EventBridge does not invoke Lambda targets;
while a mock is active, a rule's Lambda targets receive matching events through their policies
(``moto.events.models.Rule.send_to_targets``). For anything else ``m.deliver(...)`` delivers an
event the same way.
"""

from __future__ import annotations

import copy
import datetime
import json
from dataclasses import dataclass
from typing import Any, Callable, Optional

from ..backend import identity
from ..backend.call import Call
from ..backend.controls import Controls
from ..backend.evaluation import Caller, Decision, evaluate, resolve
from ..backend.ids import new_uuid
from ..backend.invocations import Invocation
from ..backend.invoke import invoke
from ..errors import AccessDenied, LambdaError
from .moto_patches import MotoPatches, Patch

ACTION = "lambda:InvokeFunction"


@dataclass(frozen=True)
class Delivery:
    """One event a service tried to deliver to a function, version or alias."""

    #: The service principal, e.g. ``s3.amazonaws.com``.
    service: str
    #: The ARN the notification, subscription or target names (qualifier included).
    function_arn: str
    source_arn: Optional[str]
    source_account: Optional[str]
    event: Any
    #: Whether the invoked ARN's resource-based policy let the service in.
    allowed: bool
    #: The Sid of the statement that allowed it.
    statement_id: Optional[str]
    #: Why: the statement that matched, or why none did (and which other qualifier would allow it).
    reason: str
    #: AWS's refusal (what the service would log) when denied; the invocation error otherwise.
    error: Optional[str] = None
    #: The first attempt of the asynchronous invocation it caused, when allowed and already run
    #: (its retries and destination: ``m.async_events(...)``).
    invocation: Optional[Invocation] = None

    def __bool__(self) -> bool:
        return self.allowed


def deliver(
    mock: Controls,
    service: str,
    function_arn: str,
    event: Any,
    source_arn: Optional[str] = None,
    source_account: Optional[str] = None,
) -> Delivery:
    """Deliver ``event`` from ``service`` to ``function_arn`` as AWS would, and record it."""
    if not service.endswith(".amazonaws.com"):
        raise ValueError(f"service must be a service principal such as 's3.amazonaws.com', got {service!r}")
    account_id, region, name, qualifier = resolve(function_arn, mock.account_id, mock.region)
    store = mock.store
    caller = identity.service(service, source_arn, source_account)
    with store.lock:
        function = store.backend(account_id, region).functions.get(name)
        if function is None:
            decision = Decision(False, None, f"function {name} does not exist in {account_id}/{region}")
        else:
            decision = evaluate(function, qualifier, Caller(service, ACTION, source_arn, source_account))
        record = dict(
            service=service,
            function_arn=function_arn,
            source_arn=source_arn,
            source_account=source_account,
            event=event,
            allowed=decision.allowed,
            statement_id=decision.statement_id,
            reason=decision.reason,
        )
        if not decision:
            denied = AccessDenied.no_policy(service, ACTION, function_arn)
            delivery = Delivery(**record, error=denied.message)
            store.deliveries.append(delivery)
            return delivery
        request_id = new_uuid()
        call = Call(store, account_id, region, request_id, caller, "Invoke", decision.statement_id)
        request: dict[str, Any] = {"FunctionName": name, "InvocationType": "Event"}
        if qualifier is not None:
            request["Qualifier"] = qualifier
        request["Payload"] = json.dumps(event).encode()
        error: Optional[str] = None
        try:
            invoke(call, request)  # queued: its attempts, retries and destinations are scheduled work
        except LambdaError as exc:  # refused before queueing (e.g. an event over the size limit)
            error = f"{exc.code}: {exc.message}"
    # Not a call through our interception: run the queued work as the end of one would.
    store.scheduler.settle()
    with store.lock:
        invocation = next((r for r in store.invoke.records if r.request_id == request_id), None)
        delivery = Delivery(**record, error=error, invocation=invocation)
        store.deliveries.append(delivery)
    return delivery


def sns_event(subscription_arn: str, topic_arn: str, message: str, message_id: str, **extra: Any) -> dict:
    """The event Lambda receives from an SNS subscription (one record per message)."""
    timestamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    sns: dict[str, Any] = {
        "Type": "Notification",
        "MessageId": message_id,
        "TopicArn": topic_arn,
        "Subject": extra.get("subject"),
        "Message": message,
        "Timestamp": timestamp,
        "SignatureVersion": "1",
        "Signature": "EXAMPLE",
        "SigningCertUrl": "EXAMPLE",
        "UnsubscribeUrl": "EXAMPLE",
        "MessageAttributes": extra.get("message_attributes") or {},
    }
    return {
        "Records": [
            {"EventSource": "aws:sns", "EventVersion": "1.0", "EventSubscriptionArn": subscription_arn, "Sns": sns}
        ]
    }


# -- moto's notifications -------------------------------------------------------


def _s3_invoke(original: Callable[..., Any]) -> Callable[..., Any]:
    """Stands in for ``moto.s3.notifications._invoke_awslambda`` while a mock is active."""

    def invoke_awslambda(account_id: str, event_body: Any, fn_arn: str, region_name: str) -> None:
        mock = PATCHES.active()
        if mock is None:
            return original(account_id, event_body, fn_arn, region_name)
        bucket_arn = event_body["Records"][0]["s3"]["bucket"]["arn"]
        deliver(mock, "s3.amazonaws.com", fn_arn, event_body, bucket_arn, account_id)
        return None

    return invoke_awslambda


#: S3's answer when a notification names a function S3 may not invoke (400 ``InvalidArgument``).
S3_UNVALIDATED = "Unable to validate the following destination configurations"


def _s3_set_notifications(original: Callable[..., Any]) -> Callable[..., Any]:
    """Stands in for moto's ``FakeBucket.set_notification_configuration`` while a mock is active.

    S3 checks, when a notification is configured, that each Lambda destination's policy lets
    ``s3.amazonaws.com`` invoke it for this bucket and account, and refuses the whole configuration
    otherwise: the wiring error surfaces at deploy time, as on AWS.
    """

    def set_notification_configuration(bucket: Any, notification_config: Any) -> Any:
        mock = PATCHES.active()
        if mock is not None and notification_config:
            for entry in notification_config.get("CloudFunctionConfiguration") or []:
                arn = entry.get("CloudFunction", "")
                if not _allowed(mock, "s3.amazonaws.com", arn, f"arn:aws:s3:::{bucket.name}", bucket.account_id):
                    from moto.s3.exceptions import S3ClientError

                    raise S3ClientError("InvalidArgument", S3_UNVALIDATED)
        return original(bucket, notification_config)

    return set_notification_configuration


def _allowed(mock: Controls, service: str, arn: str, source_arn: str, source_account: str) -> bool:
    try:
        account_id, region, name, qualifier = resolve(arn, mock.account_id, mock.region)
    except ValueError:
        return False
    with mock.store.lock:
        function = mock.store.backend(account_id, region).functions.get(name)
        caller = Caller(service, ACTION, source_arn, source_account)
        return function is not None and bool(evaluate(function, qualifier, caller))


def _sns_publish(original: Callable[..., Any]) -> Callable[..., Any]:
    """Stands in for ``moto.sns.models.Subscription.publish`` while a mock is active."""

    def publish(subscription: Any, message: str, message_id: str, *args: Any, **kwargs: Any) -> Any:
        return _publish(original, subscription, message, message_id, *args, **kwargs)

    return publish


def _publish(
    original: Callable[..., Any], subscription: Any, message: str, message_id: str, *args: Any, **kwargs: Any
) -> Any:
    mock = PATCHES.active()
    if mock is None or subscription.protocol != "lambda":
        return original(subscription, message, message_id, *args, **kwargs)
    names = ("subject", "message_attributes", "group_id", "deduplication_id", "message_structure")
    options = dict(zip(names, args), **kwargs)
    matcher = getattr(subscription, "_filter_policy_matcher", None)
    if matcher is not None and not matcher.matches(options.get("message_attributes"), message):
        return None
    if options.get("message_structure") == "json":
        message = subscription._parse_message_structure(message, "lambda")
    event = sns_event(subscription.arn, subscription.topic_arn, message, message_id, **options)
    deliver(
        mock,
        "sns.amazonaws.com",
        subscription.endpoint,
        event,
        subscription.topic_arn,
        subscription.account_id,
    )
    return None


def _events_send_to_targets(original: Callable[..., Any]) -> Callable[..., Any]:
    """Stands in for moto's ``events.models.Rule.send_to_targets`` while a mock is active.

    moto's EventBridge does not invoke Lambda targets; here a matching event reaches each Lambda
    target through its policy (``events.amazonaws.com``, ``SourceArn`` = the rule), and moto keeps
    serving the rule's other targets.
    """

    def send_to_targets(rule: Any, original_event: Any, transform_input: bool = True) -> Any:
        return _send_to_targets(original, rule, original_event, transform_input)

    return send_to_targets


def _send_to_targets(original: Callable[..., Any], rule: Any, original_event: Any, transform_input: bool) -> Any:
    ours = [t for t in rule.targets if t.get("Arn", "").split(":")[2:3] == ["lambda"]]
    mock = PATCHES.active()
    if mock is None or not ours:
        return original(rule, original_event, transform_input)
    if rule.event_pattern.matches_event(original_event):
        from moto.events.models import EventTemplateParser

        for target in ours:
            event = copy.deepcopy(original_event)
            transformer = target.get("InputTransformer")
            if transform_input and transformer:
                event = EventTemplateParser.parse(
                    input_template=transformer.get("InputTemplate"),
                    input_paths_map=transformer.get("InputPathsMap", {}),
                    event=original_event,
                )
            if isinstance(event, dict):
                event.pop("ingestion-time", None)  # moto's bookkeeping; AWS's targets never see it
                if isinstance(event.get("time"), (int, float)):
                    moment = datetime.datetime.fromtimestamp(event["time"], datetime.timezone.utc)
                    event["time"] = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
            deliver(mock, "events.amazonaws.com", target["Arn"], event, rule.arn, rule.account_id)
    targets = rule.targets
    rule.targets = [t for t in targets if t not in ours]
    try:
        return original(rule, original_event, transform_input)
    finally:
        rule.targets = targets


#: What stands in for moto while a mock is active.
PATCHES = MotoPatches(
    Patch("moto.s3.notifications", "", "_invoke_awslambda", _s3_invoke),
    Patch("moto.s3.models", "FakeBucket", "set_notification_configuration", _s3_set_notifications),
    Patch("moto.sns.models", "Subscription", "publish", _sns_publish),
    Patch("moto.events.models", "Rule", "send_to_targets", _events_send_to_targets),
)
