"""The handle's control and inspection API: what a test (or the server's control endpoints) reads
and steers beside AWS's API.

:class:`Controls` owns one activation's :class:`~.store.Store` and who its callers are. The switch
(:class:`~mock_lambda_alias.switch.LambdaAliasMock`) adds activation to it; the HTTP server uses it
as it is. Each control takes the store lock around the state it reads or writes, and builds the
(account, region, function) key the invocation state is indexed by.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from .. import runtime
from . import identity
from .evaluation import Caller, Decision, evaluate, resolve
from .invocations import DEFAULT_MAX_RECORDS, EnvironmentInfo, Fault, FunctionKey, Invocation
from .model import Function
from .store import DEFAULT_ACCOUNT_ID, DEFAULT_REGION, LambdaBackend, Store

FAULT_KINDS = ("error", "throttle")


def check_account(account_id: Any) -> str:
    if not (isinstance(account_id, str) and len(account_id) == 12 and account_id.isdigit()):
        raise ValueError(f"account_id must be a 12-digit string, got {account_id!r}")
    return account_id


def check_isolation(isolation: str) -> str:
    if isolation not in runtime.ISOLATION_MODES:
        modes = ", ".join(map(repr, runtime.ISOLATION_MODES))
        raise ValueError(f"isolation must be one of {modes}, got {isolation!r}")
    return isolation


class Controls:
    """State of a mock of AWS Lambda, and the controls tests use beside AWS's API."""

    def __init__(
        self,
        *,
        account_id: str = DEFAULT_ACCOUNT_ID,
        region: str = DEFAULT_REGION,
        seed: Optional[int] = None,
        isolation: str = "in-process",
        max_invocation_records: Optional[int] = DEFAULT_MAX_RECORDS,
    ) -> None:
        check_account(account_id)
        check_isolation(isolation)
        if max_invocation_records is not None and (
            not isinstance(max_invocation_records, int) or max_invocation_records < 0
        ):
            raise ValueError(f"max_invocation_records must be None or an int >= 0, got {max_invocation_records!r}")
        #: How Python handlers run: "in-process" (threads of this process) or "process" (worker processes).
        self.isolation = isolation
        #: How many invocation records are kept, the oldest dropped first (None: no limit).
        self.max_invocation_records = max_invocation_records
        self.account_id = account_id
        #: The region used when a request's region cannot be told (it normally can).
        self.region = region
        #: Seed of alias routing and fault injection: the same seed gives the same choices.
        self.seed = seed
        self.store = self.new_store()
        #: Exceptions our own code raised while answering (each answered as a 500): should stay empty.
        self.internal_errors: list[tuple[str, BaseException]] = []
        #: Access key ID -> (account, principal ARN or None for the account root).
        self._access_keys: dict[str, tuple[str, Optional[str]]] = {}
        self._identities: dict[Optional[str], identity.Identity] = {}
        self._strict = False

    def new_store(self) -> Store:
        return Store(self.account_id, self.seed, self.isolation, self.max_invocation_records)

    def _function_key(self, function_name: str, account_id: Optional[str], region: Optional[str]) -> FunctionKey:
        return (account_id or self.account_id, region or self.region, function_name)

    # -- resources --------------------------------------------------------------

    def backend(self, account_id: Optional[str] = None, region: Optional[str] = None) -> LambdaBackend:
        """The state of one account and region (default: this mock's account and region)."""
        return self.store.backend(account_id or self.account_id, region or self.region)

    def functions(self, account_id: Optional[str] = None, region: Optional[str] = None) -> dict[str, Function]:
        """Functions by name, with their versions, aliases and tags, as Python objects."""
        with self.store.lock:
            return dict(self.backend(account_id, region).functions)

    def get_function(self, name: str, account_id: Optional[str] = None, region: Optional[str] = None) -> Function:
        try:
            return self.functions(account_id, region)[name]
        except KeyError:
            raise KeyError(
                f"no function {name!r} in account {account_id or self.account_id}, region {region or self.region}"
            ) from None

    def add_s3_object(
        self, bucket: str, key: str, data: bytes, account_id: Optional[str] = None, region: Optional[str] = None
    ) -> None:
        """Make ``Code={"S3Bucket": bucket, "S3Key": key}`` deploy these zip bytes."""
        with self.store.lock:
            self.backend(account_id, region).s3_objects[(bucket, key)] = bytes(data)

    def reset(self) -> None:
        """Forget every resource, as a new activation would."""
        self.store.reset()

    # -- policies and callers -------------------------------------------------

    def is_invoke_allowed(
        self,
        principal: str,
        arn: str,
        *,
        source_arn: Optional[str] = None,
        source_account: Optional[str] = None,
        principal_org_id: Optional[str] = None,
        event_source_token: Optional[str] = None,
        action: str = "lambda:InvokeFunction",
        function_url_auth_type: Optional[str] = None,
        invoked_via_function_url: bool = False,
    ) -> Decision:
        """Would AWS let ``principal`` invoke ``arn`` (function, version or alias ARN, or name)?

        Evaluates the resource-based policy of exactly the invoked qualifier, as AWS does: a
        permission on an alias does not cover the function's ARN, and the other way round. The
        result is truthy when allowed; ``reason`` names the statement or explains the denial.
        """
        account_id, region, name, qualifier = resolve(arn, self.account_id, self.region)
        caller = Caller(
            principal,
            action,
            source_arn,
            source_account,
            principal_org_id,
            event_source_token,
            function_url_auth_type,
            invoked_via_function_url,
        )
        with self.store.lock:
            function = self.backend(account_id, region).functions.get(name)
            if function is None:
                return Decision(False, None, f"function {name} does not exist in {account_id}/{region}")
            return evaluate(function, qualifier, caller)

    def set_account_for_access_key(self, access_key_id: str, account_id: str, principal: Optional[str] = None) -> None:
        """Make requests signed with ``access_key_id`` come from ``account_id``.

        ``principal`` is the caller's ARN as policies see it (default: the account root), e.g.
        ``"arn:aws:sts::222222222222:assumed-role/deployer/ci"``. Without any configuration, a
        12-digit access key ID is that account, and moto's assumed-role credentials are the role's.
        """
        self._access_keys[access_key_id] = (check_account(account_id), principal)
        self._identities.clear()

    def set_strict_policies(self, enabled: bool = True) -> None:
        """Judge same-account principals other than the activation's own identity by resource policies.

        Off by default: within its account a caller is trusted, as if its IAM policies allowed it.
        """
        self._strict = enabled
        self._identities.clear()

    def identity_for(self, access_key_id: Optional[str]) -> identity.Identity:
        """Who a request signed with ``access_key_id`` comes from (cached per activation)."""
        found = self._identities.get(access_key_id)
        if found is None:
            found = identity.resolve(access_key_id, self.account_id, self._access_keys, self._strict)
            self._identities[access_key_id] = found
        return found

    # -- steering invocations ---------------------------------------------------

    def set_seed(self, seed: Optional[int]) -> None:
        """Reseed alias routing and fault injection (None: unpredictable)."""
        self.seed = seed
        with self.store.lock:
            self.store.seed = seed
            self.store.invoke.reseed(seed)

    def route_next(
        self,
        function_name: str,
        alias: str,
        *versions: str,
        account_id: Optional[str] = None,
        region: Optional[str] = None,
    ) -> None:
        """Force the next invocations of ``alias``: ``m.route_next("fn", "PROD", "2", "2", "2")``."""
        key = self._function_key(function_name, account_id, region)
        with self.store.lock:
            self.store.invoke.route_next(key, alias, tuple(str(v) for v in versions))

    def register_handler(
        self,
        function_name: str,
        handler: Callable[[Any, Any], Any],
        *,
        version: Optional[str] = None,
        account_id: Optional[str] = None,
        region: Optional[str] = None,
    ) -> None:
        """Run ``handler(event, context)`` for the function (or one version) instead of its code."""
        key = self._function_key(function_name, account_id, region)
        with self.store.lock:
            self.store.invoke.register_handler(key, None if version is None else str(version), handler)
        self.store.invoke.sandbox.clear()

    def set_isolation(
        self,
        function_name: str,
        isolation: str,
        *,
        version: Optional[str] = None,
        account_id: Optional[str] = None,
        region: Optional[str] = None,
    ) -> None:
        """Run one function's (or one version's) handler "in-process" or in a worker "process"."""
        check_isolation(isolation)
        key = self._function_key(function_name, account_id, region)
        with self.store.lock:
            self.store.invoke.set_isolation(key, None if version is None else str(version), isolation)

    def inject_fault(
        self,
        function_name: str,
        version: str,
        *,
        kind: str = "error",
        rate: float = 1.0,
        error_type: str = "Exception",
        message: str = "Injected fault",
        account_id: Optional[str] = None,
        region: Optional[str] = None,
    ) -> None:
        """Make a version fail: ``kind="error"`` (FunctionError Unhandled) or ``"throttle"`` (429).

        ``rate`` is the share of invocations that fail (seeded like routing).
        """
        if kind not in FAULT_KINDS:
            raise ValueError(f"kind must be 'error' or 'throttle', got {kind!r}")
        if not 0.0 <= rate <= 1.0:
            raise ValueError(f"rate must be between 0 and 1, got {rate!r}")
        key = self._function_key(function_name, account_id, region)
        with self.store.lock:
            self.store.invoke.inject_fault(key, str(version), Fault(kind, rate, error_type, message))

    def clear_faults(self) -> None:
        with self.store.lock:
            self.store.invoke.clear_faults()

    def set_default_response(self, value: Any) -> None:
        """What functions whose code cannot run here return (default: they echo the event).

        The value must be JSON-serialisable; to run Python code instead, use ``register_handler``.
        """
        with self.store.lock:
            self.store.invoke.default_response = value

    # -- records ----------------------------------------------------------------

    def invocations(
        self,
        function_name: Optional[str] = None,
        *,
        qualifier: Optional[str] = None,
        executed_version: Optional[str] = None,
        invocation_type: Optional[str] = None,
        tenant_id: Optional[str] = None,
    ) -> list[Invocation]:
        """Recorded invocations, oldest first, filtered by what is given."""
        with self.store.lock:
            return self.store.invoke.invocations(function_name, qualifier, executed_version, invocation_type, tenant_id)

    def count_invocations(self, function_name: Optional[str] = None, **filters: Any) -> int:
        """How many invocations match: ``m.count_invocations("fn", qualifier="PROD", executed_version="2")``."""
        return len(self.invocations(function_name, **filters))

    def environments(
        self,
        function_name: Optional[str] = None,
        *,
        tenant_id: Optional[str] = None,
        version: Optional[str] = None,
    ) -> list[EnvironmentInfo]:
        """Warm execution environments, oldest first: with tenant isolation, one per tenant and version.

        ``m.environments("fn", tenant_id="blue")`` proves which environments served tenant blue.
        """
        with self.store.lock:
            infos = self.store.invoke.environment_infos()
        return [
            e
            for e in infos
            if (function_name is None or e.function_name == function_name)
            and (tenant_id is None or e.tenant_id == tenant_id)
            and (version is None or e.version == version)
        ]

    def deliveries(self, *, service: Optional[str] = None, allowed: Optional[bool] = None) -> list[Any]:
        """Events services delivered or tried to deliver, oldest first (moto's S3 and SNS included)."""
        with self.store.lock:
            records = list(self.store.deliveries)
        return [
            d
            for d in records
            if (service is None or d.service == service) and (allowed is None or d.allowed == allowed)
        ]
