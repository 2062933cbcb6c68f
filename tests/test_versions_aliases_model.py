"""Random sequences of publish / alias calls against a small reference model of AWS's rules."""

from __future__ import annotations

from typing import Optional

import boto3
from botocore.exceptions import ClientError
from conftest import ROLE, make_zip
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from mock_lambda_alias import mock_lambda_alias

FN = "model-fn"
ALIAS_NAMES = st.sampled_from(["live", "beta", "prod-2024"])
VERSIONS = st.sampled_from(["1", "2", "3", "4", "5", "$LATEST"])
WEIGHTS = st.one_of(st.none(), st.floats(min_value=0.0, max_value=1.0, exclude_max=True))


class VersionsAndAliases(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.mock = mock_lambda_alias()
        self.mock.start()
        self.client = boto3.client("lambda", region_name="us-east-1")
        self.code = 0
        self.client.create_function(
            FunctionName=FN, Runtime="python3.12", Role=ROLE, Handler="a.h", Code={"ZipFile": make_zip("x = 0")}
        )
        # Reference model: version -> code number; aliases -> (version, {extra: weight}).
        self.versions: dict[str, int] = {}
        self.next_version = 1
        self.aliases: dict[str, tuple[str, dict[str, float]]] = {}

    def teardown(self) -> None:
        assert not self.mock.internal_errors
        self.mock.stop()

    def expect_error(self, call, code: str) -> None:
        try:
            call()
        except ClientError as exc:
            assert exc.response["Error"]["Code"] == code, exc.response["Error"]
        else:
            raise AssertionError(f"expected {code}")

    def routing_error(self, primary: str, extra: Optional[str]) -> Optional[str]:
        if extra == "$LATEST":  # the model's key pattern is checked before any business rule
            return "ValidationException"
        if primary != "$LATEST" and primary not in self.versions:
            return "ResourceNotFoundException"
        if extra is None:
            return None
        if primary == "$LATEST" or extra == primary:
            return "InvalidParameterValueException"
        if extra not in self.versions:
            return "ResourceNotFoundException"
        return None

    @rule()
    def change_code(self) -> None:
        self.code += 1
        self.client.update_function_code(FunctionName=FN, ZipFile=make_zip(f"x = {self.code}"))

    @rule()
    def publish(self) -> None:
        version = self.client.publish_version(FunctionName=FN)["Version"]
        newest = max(self.versions, key=int) if self.versions else None
        if newest is not None and self.versions[newest] == self.code:
            assert version == newest
        else:
            assert version == str(self.next_version)
            self.versions[version] = self.code
            self.next_version += 1

    @rule(name=ALIAS_NAMES, version=VERSIONS, extra=st.one_of(st.none(), VERSIONS), weight=WEIGHTS)
    def create_alias(self, name: str, version: str, extra: Optional[str], weight: Optional[float]) -> None:
        routing = {extra: weight if weight is not None else 0.5} if extra else {}
        kwargs = {"RoutingConfig": {"AdditionalVersionWeights": routing}} if routing else {}

        def call() -> dict:
            return self.client.create_alias(FunctionName=FN, Name=name, FunctionVersion=version, **kwargs)

        if extra == "$LATEST":  # request validation comes before any lookup
            self.expect_error(call, "ValidationException")
            return
        if name in self.aliases:
            self.expect_error(call, "ResourceConflictException")
            return
        error = self.routing_error(version, extra)
        if error:
            self.expect_error(call, error)
            return
        response = call()
        assert response["FunctionVersion"] == version
        self.aliases[name] = (version, routing)

    @rule(name=ALIAS_NAMES, version=st.one_of(st.none(), VERSIONS), clear=st.booleans())
    def update_alias(self, name: str, version: Optional[str], clear: bool) -> None:
        kwargs: dict = {}
        if version is not None:
            kwargs["FunctionVersion"] = version
        if clear:
            kwargs["RoutingConfig"] = {"AdditionalVersionWeights": {}}

        def call() -> dict:
            return self.client.update_alias(FunctionName=FN, Name=name, **kwargs)

        if name not in self.aliases:
            self.expect_error(call, "ResourceNotFoundException")
            return
        old_version, routing = self.aliases[name]
        new_version = version or old_version
        new_routing = {} if clear else routing
        extra = next(iter(new_routing), None)
        error = self.routing_error(new_version, extra)
        if error:
            self.expect_error(call, error)
            return
        response = call()
        assert response["FunctionVersion"] == new_version
        self.aliases[name] = (new_version, new_routing)

    @rule(name=ALIAS_NAMES)
    def delete_alias(self, name: str) -> None:
        response = self.client.delete_alias(FunctionName=FN, Name=name)
        assert response["ResponseMetadata"]["HTTPStatusCode"] == 204
        self.aliases.pop(name, None)

    @rule(version=st.sampled_from(["1", "2", "3", "4", "5"]))
    def delete_version(self, version: str) -> None:
        def call() -> dict:
            return self.client.delete_function(FunctionName=FN, Qualifier=version)

        if version not in self.versions:
            assert call()["ResponseMetadata"]["HTTPStatusCode"] == 204  # idempotent, as on AWS
            return
        if any(v == version or version in r for v, r in self.aliases.values()):
            self.expect_error(call, "ResourceConflictException")
            return
        call()
        del self.versions[version]

    @invariant()
    def listings_agree(self) -> None:
        listed = [v["Version"] for v in self.client.list_versions_by_function(FunctionName=FN)["Versions"]]
        assert listed == ["$LATEST", *sorted(self.versions, key=int)]
        aliases = {
            a["Name"]: (a["FunctionVersion"], a.get("RoutingConfig", {}).get("AdditionalVersionWeights", {}))
            for a in self.client.list_aliases(FunctionName=FN)["Aliases"]
        }
        assert aliases == self.aliases


VersionsAndAliases.TestCase.settings = settings(
    max_examples=25, stateful_step_count=15, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
TestVersionsAndAliases = VersionsAndAliases.TestCase
