"""The handle's control and inspection API: what a test (or the server's control endpoints) reads
and steers beside AWS's API.

:class:`Controls` owns one activation's :class:`~.store.Store` and who its callers are. The switch
(:class:`~mock_lambda_alias.switch.LambdaAliasMock`) adds activation to it; the HTTP server uses it
as it is. Each control takes the store lock around the state it reads or writes.

**Where controls look.** Every method that names or lists functions finds what any client created,
whatever its account and region, unless narrowed by the same two keyword arguments, ``account_id=``
and ``region=`` (None: every account, every region). A function name found in several places of
that scope must be narrowed; a name found nowhere is refused. Only :meth:`Controls.backend` and
:meth:`Controls.add_s3_object` address one place, by default this mock's account and region.

**Controls refuse what cannot be.** A control naming a function, alias, version or qualifier that
does not exist raises :class:`NotFound` (a ``ValueError``) naming what exists; a control asking
for what AWS could never do (a forced route to a version the alias cannot route to) raises
``ValueError``. An inspection filter that matches nothing is checked the same way, so that a typo
never reads as "never invoked".
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from .. import arns, runtime
from . import identity, lookup
from .async_controls import AsyncControls
from .clock import check_mode
from .durable.controls import DurableControls
from .evaluation import Caller, Decision, evaluate
from .invocations import DEFAULT_MAX_RECORDS, EnvironmentInfo, Fault, FunctionKey, Invocation
from .lookup import NotFound, Scope
from .model import Function
from .store import DEFAULT_ACCOUNT_ID, DEFAULT_REGION, LambdaBackend, Store
from .telemetry import TelemetryControls
from .timing import TimeControls

__all__ = ["FAULT_KINDS", "INVOCATION_TYPES", "Controls", "NotFound", "Scope", "check_account", "check_isolation"]

FAULT_KINDS = ("error", "throttle")
INVOCATION_TYPES = ("RequestResponse", "Event", "DryRun")


def check_account(account_id: Any) -> str:
    if not (isinstance(account_id, str) and len(account_id) == 12 and account_id.isdigit()):
        raise ValueError(f"account_id must be a 12-digit string, got {account_id!r}")
    return account_id


def check_isolation(isolation: str) -> str:
    if isolation not in runtime.ISOLATION_MODES:
        modes = ", ".join(map(repr, runtime.ISOLATION_MODES))
        raise ValueError(f"isolation must be one of {modes}, got {isolation!r}")
    return isolation


def _key(function: Function) -> FunctionKey:
    return (function.account_id, function.region, function.name)


class Controls(TimeControls, TelemetryControls, AsyncControls, DurableControls):
    """State of a mock of AWS Lambda, and the controls tests use beside AWS's API.

    Methods that name or list functions look in every account and region unless narrowed by
    ``account_id=`` / ``region=``; mistakes raise ``ValueError`` naming what exists (see the
    module's docstring).
    """

    def __init__(
        self,
        *,
        account_id: str = DEFAULT_ACCOUNT_ID,
        region: str = DEFAULT_REGION,
        seed: Optional[int] = None,
        isolation: str = "in-process",
        max_invocation_records: Optional[int] = DEFAULT_MAX_RECORDS,
        delivery: str = "immediate",
    ) -> None:
        check_account(account_id)
        check_mode(delivery)
        check_isolation(isolation)
        if max_invocation_records is not None and (
            not isinstance(max_invocation_records, int) or max_invocation_records < 0
        ):
            raise ValueError(f"max_invocation_records must be None or an int >= 0, got {max_invocation_records!r}")
        #: How Python handlers run: "in-process" (threads of this process) or "process" (worker processes).
        self.isolation = isolation
        #: How many invocation records are kept, the oldest dropped first (None: no limit).
        self.max_invocation_records = max_invocation_records
        #: How scheduled work (async retries, event deliveries, durable wake-ups) runs at start.
        self._delivery = delivery
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
        return Store(self.account_id, self.seed, self.isolation, self.max_invocation_records, self._delivery)

    # -- where controls look (callers hold the store lock) -----------------------

    @staticmethod
    def _scope(account_id: Optional[str], region: Optional[str]) -> Scope:
        return Scope(None if account_id is None else check_account(account_id), region)

    def _find(self, name: str, account_id: Optional[str], region: Optional[str]) -> Function:
        return lookup.find(self.store.backends(), name, self._scope(account_id, region))

    # -- resources --------------------------------------------------------------

    def backend(self, account_id: Optional[str] = None, region: Optional[str] = None) -> LambdaBackend:
        """The state of one account and region (default: this mock's account and region).

        The one inspection method that addresses a single place rather than finding functions
        wherever they are: it gives that place's state, empty if nothing was created there.
        """
        return self.store.backend(account_id or self.account_id, region or self.region)

    def functions(self, account_id: Optional[str] = None, region: Optional[str] = None) -> dict[str, Function]:
        """Functions by name, with their versions, aliases and tags, as Python objects.

        From every account and region unless narrowed by ``account_id`` / ``region``. A name that
        exists in several places of the scope raises ``ValueError``: narrow to one of them.
        """
        with self.store.lock:
            found = lookup.functions_in(self.store.backends(), self._scope(account_id, region))
        by_name: dict[str, Function] = {}
        for function in found:
            if function.name in by_name:
                raise lookup.ambiguous(function.name, [f for f in found if f.name == function.name])
            by_name[function.name] = function
        return by_name

    def get_function(self, name: str, account_id: Optional[str] = None, region: Optional[str] = None) -> Function:
        """The function called ``name``, in whichever account and region it is (narrow with
        ``account_id`` / ``region`` when several have one of that name).

        Raises :class:`NotFound` (a ``KeyError`` and a ``ValueError``) naming the functions that
        exist, or ``ValueError`` naming the places when the name is in several.
        """
        with self.store.lock:
            return self._find(name, account_id, region)

    def add_s3_object(
        self, bucket: str, key: str, data: bytes, account_id: Optional[str] = None, region: Optional[str] = None
    ) -> None:
        """Make ``Code={"S3Bucket": bucket, "S3Key": key}`` deploy these zip bytes, for clients of
        one account and region (default: this mock's), as a bucket lives in one place."""
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
        account_id: Optional[str] = None,
        region: Optional[str] = None,
    ) -> Decision:
        """Would AWS let ``principal`` invoke ``arn`` (function, version or alias ARN, or name)?

        Evaluates the resource-based policy of exactly the invoked qualifier, as AWS does: a
        permission on an alias does not cover the function's ARN, and the other way round. The
        result is truthy when allowed; ``reason`` names the statement or explains the denial.
        A plain name is found in any account and region (narrow with ``account_id`` / ``region``);
        an unknown function or qualifier raises :class:`NotFound`, since AWS would not get as far
        as a policy.
        """
        ref = arns.parse_function_name(arn)
        if ref is None:
            raise ValueError(f"not a Lambda function name or ARN: {arn!r}")
        account_id = _narrowest(arn, "account_id", ref.account, account_id)
        region = _narrowest(arn, "region", ref.region, region)
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
            function = self._find(ref.name, account_id, region)
            lookup.check_qualifier(function, ref.qualifier)
            return evaluate(function, ref.qualifier, caller)

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
    # Each control finds its function as the inspection does (any account and region unless
    # narrowed) and needs the function, and any alias or version it names, to exist when called:
    # what it sets is kept for that function's name in that account and region.

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
        """Force the next invocations of ``alias``: ``m.route_next("fn", "PROD", "2", "2", "2")``.

        Each version must be one the alias can run as it is configured now: its FunctionVersion,
        or the version of its AdditionalVersionWeights. An alias without routing configuration
        runs only its own version, so forcing another one raises ``ValueError``, as does an
        unknown function, alias or version (:class:`NotFound`).
        """
        if not versions:
            raise ValueError(f"route_next needs at least one version: route_next({function_name!r}, {alias!r}, '2')")
        chosen = tuple(str(v) for v in versions)
        with self.store.lock:
            function = self._find(function_name, account_id, region)
            target = lookup.check_alias(function, alias)
            for version in chosen:
                lookup.check_route(function, target, version)
            self.store.invoke.route_next(_key(function), alias, chosen)

    def register_handler(
        self,
        function_name: str,
        handler: Callable[[Any, Any], Any],
        *,
        version: Optional[str] = None,
        account_id: Optional[str] = None,
        region: Optional[str] = None,
    ) -> None:
        """Run ``handler(event, context)`` for the function (or one version) instead of its code.

        The function, and the version when one is given (``$LATEST`` or a published version; an
        alias runs the version it routes to), must exist: register after ``create_function``. The
        handler stays registered for the name through code updates.
        """
        if not callable(handler):
            raise TypeError(f"handler must be a callable (event, context) -> result, got {handler!r}")
        with self.store.lock:
            function = self._find(function_name, account_id, region)
            chosen = None if version is None else lookup.check_version(function, str(version))
            self.store.invoke.register_handler(_key(function), chosen, handler)
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
        """Run one function's (or one version's) handler "in-process" or in a worker "process".

        The function, and the version when one is given, must exist.
        """
        check_isolation(isolation)
        with self.store.lock:
            function = self._find(function_name, account_id, region)
            chosen = None if version is None else lookup.check_version(function, str(version))
            self.store.invoke.set_isolation(_key(function), chosen, isolation)

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

        ``rate`` is the share of invocations that fail (seeded like routing). ``version`` is
        ``$LATEST`` or a published version of an existing function (to fail what an alias runs,
        name the version it routes to).
        """
        if kind not in FAULT_KINDS:
            raise ValueError(f"kind must be 'error' or 'throttle', got {kind!r}")
        if not 0.0 <= rate <= 1.0:
            raise ValueError(f"rate must be between 0 and 1, got {rate!r}")
        with self.store.lock:
            function = self._find(function_name, account_id, region)
            chosen = lookup.check_version(function, str(version))
            self.store.invoke.inject_fault(_key(function), chosen, Fault(kind, rate, error_type, message))

    def clear_faults(self) -> None:
        """Remove every injected fault, of every function."""
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
        account_id: Optional[str] = None,
        region: Optional[str] = None,
    ) -> list[Invocation]:
        """Recorded invocations, oldest first, filtered by what is given (any account and region
        unless narrowed).

        When nothing matches, a function, qualifier or version that neither exists nor appears in
        a record raises :class:`NotFound`: a typo would otherwise read as "never invoked".
        """
        if invocation_type is not None and invocation_type not in INVOCATION_TYPES:
            raise ValueError(f"invocation_type must be one of {', '.join(INVOCATION_TYPES)}, got {invocation_type!r}")
        scope = self._scope(account_id, region)
        with self.store.lock:
            state = self.store.invoke
            found = state.invocations(function_name, qualifier, executed_version, invocation_type, tenant_id)
            found = [r for r in found if scope.covers(r.account_id, r.region)]
            if not found:
                seen = [
                    (r.function_name, r.invoked_qualifier, r.executed_version)
                    for r in state.records
                    if scope.covers(r.account_id, r.region)
                ]
                lookup.refuse_unknown(self.store.backends(), scope, function_name, seen, qualifier, executed_version)
        return found

    def count_invocations(self, function_name: Optional[str] = None, **filters: Any) -> int:
        """How many invocations match: ``m.count_invocations("fn", qualifier="PROD", executed_version="2")``.

        Takes the filters of :meth:`invocations`, ``account_id`` and ``region`` included.
        """
        return len(self.invocations(function_name, **filters))

    def environments(
        self,
        function_name: Optional[str] = None,
        *,
        tenant_id: Optional[str] = None,
        version: Optional[str] = None,
        account_id: Optional[str] = None,
        region: Optional[str] = None,
    ) -> list[EnvironmentInfo]:
        """Warm execution environments, oldest first: with tenant isolation, one per tenant and version.

        ``m.environments("fn", tenant_id="blue")`` proves which environments served tenant blue.
        Any account and region unless narrowed; when nothing matches, an unknown function or
        version raises :class:`NotFound`.
        """
        scope = self._scope(account_id, region)
        with self.store.lock:
            infos = [e for e in self.store.invoke.environment_infos() if scope.covers(e.account_id, e.region)]
            found = [
                e
                for e in infos
                if function_name in (None, e.function_name)
                and tenant_id in (None, e.tenant_id)
                and version in (None, e.version)
            ]
            if not found:
                seen = [(e.function_name, None, e.version) for e in infos]
                lookup.refuse_unknown(self.store.backends(), scope, function_name, seen, None, version)
        return found

    def deliveries(
        self,
        *,
        service: Optional[str] = None,
        allowed: Optional[bool] = None,
        account_id: Optional[str] = None,
        region: Optional[str] = None,
    ) -> list[Any]:
        """Events services delivered or tried to deliver, oldest first (moto's S3 and SNS included).

        Any account and region unless narrowed (the place of the function ARN delivered to).
        """
        if service is not None and not service.endswith(".amazonaws.com"):
            raise ValueError(f"service must be a service principal such as 's3.amazonaws.com', got {service!r}")
        scope = self._scope(account_id, region)
        with self.store.lock:
            records = list(self.store.deliveries)
        return [
            d
            for d in records
            if service in (None, d.service)
            and allowed in (None, d.allowed)
            and scope.covers(*self._place_of(d.function_arn))
        ]

    def _place_of(self, function_arn: str) -> tuple[str, str]:
        """(account, region) of an ARN delivered to; a plain name is where deliveries resolve it."""
        ref = arns.parse_function_name(function_arn)
        if ref is None:
            return self.account_id, self.region
        return ref.account or self.account_id, ref.region or self.region


def _narrowest(arn: str, what: str, in_arn: Optional[str], given: Optional[str]) -> Optional[str]:
    """The account or region an ARN names, or the one given; refused when they differ."""
    if in_arn is not None and given is not None and in_arn != given:
        raise ValueError(f"{arn!r} names {what} {in_arn}, but {what}={given!r} was given")
    return in_arn or given
