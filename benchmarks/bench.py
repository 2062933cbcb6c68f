"""mock_lambda_alias's own benchmark: ratios against botocore's floor (and moto when installed).

The floor is botocore with a ``before-send`` handler returning a canned ``AWSResponse``: what
botocore itself costs per call. Every figure is a median of interleaved rounds in this process;
the results that matter are ratios, not absolute times.

    python benchmarks/bench.py            # full run (scale to 10,000 versions)
    python benchmarks/bench.py --quick    # smoke run
    python benchmarks/bench.py --all      # everything in one run: every operation per call and
                                          # first call, lists at 1,000, import, the whole-suite run;
                                          # the report is also written to benchmarks/results.md
    python benchmarks/bench.py --all --quick
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import sys
import time
import tracemalloc
from typing import Any, Callable

os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ["AWS_CONFIG_FILE"] = os.devnull
os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"

import all_targets
import boto3
from botocore.awsrequest import AWSResponse
from botocore.client import BaseClient

from mock_lambda_alias import mock_lambda_alias, package
from mock_lambda_alias.wire.protocol import RawBody

REGION = "us-east-1"
ROLE = "arn:aws:iam::123456789012:role/bench"
FN = "bench-fn"
perf = time.perf_counter


CODE = package({"index.py": "def handler(event, context):\n    return event\n"})


def median_us(fn: Callable[[int], Any], calls: int) -> float:
    samples = []
    for i in range(calls):
        started = perf()
        fn(i)
        samples.append(perf() - started)
    return statistics.median(samples) * 1e6


# ---------------------------------------------------------------------------
# targets
# ---------------------------------------------------------------------------

ALIAS = {
    "AliasArn": f"arn:aws:lambda:{REGION}:123456789012:function:{FN}:live",
    "Name": "live",
    "FunctionVersion": "1",
    "Description": "",
    "RoutingConfig": {"AdditionalVersionWeights": {"2": 0.1}},
    "RevisionId": "8e7ea4a4-a08c-4c7b-bb1d-0e5f6d1b4f9c",
}
CANNED = {
    "CreateFunction": (201, {"FunctionName": FN, "Version": "$LATEST"}),
    "PublishVersion": (201, {"FunctionName": FN, "Version": "1"}),
    "UpdateFunctionConfiguration": (200, {"FunctionName": FN}),
    "GetAlias": (200, ALIAS),
    "CreateAlias": (201, ALIAS),
    "ListAliases": (200, {"Aliases": [ALIAS] * 3}),
    "AddPermission": (201, {"Statement": json.dumps({"Sid": "s", "Effect": "Allow"})}),
}


#: botocore's own request method, taken before any mock is active.
BOTOCORE_MAKE_REQUEST = BaseClient.__dict__["_make_request"]


def floor_client() -> Any:
    """A client answered by a canned response: botocore's own cost.

    It is timed while a mock is active, whose wrapper of the client classes' ``_make_request``
    registers the mock's ``before-send`` handler on every Lambda client: this client's own class
    keeps botocore's method, so the canned answer is the only one it gets, after botocore's whole
    path (request creation, signing, ``before-send``, parsing) as against AWS.
    """
    client = boto3.session.Session().client("lambda", region_name=REGION)
    type(client)._make_request = BOTOCORE_MAKE_REQUEST

    def answer(request: Any, event_name: str = "", **_: Any) -> AWSResponse:
        operation = event_name.rpartition(".")[2]
        if operation == "Invoke":
            headers = {"Content-Type": "application/json", "X-Amz-Executed-Version": "1"}
            return AWSResponse(request.url, 200, headers, RawBody(b'{"key": "value"}'))
        status, body = CANNED[operation]
        return AWSResponse(
            request.url, status, {"Content-Type": "application/json"}, RawBody(json.dumps(body).encode())
        )

    client.meta.events.register_first("before-send.lambda", answer)
    return client


def prepare(client: Any, permission_targets: int = 0) -> None:
    """Two versions and an alias routing 10% to version 2, whose Python handler Invoke runs."""
    for k in range(permission_targets):
        client.create_function(
            FunctionName=f"{FN}-p{k}",
            Runtime="python3.12",
            Role=ROLE,
            Handler="index.handler",
            Code={"ZipFile": CODE},
        )
    client.create_function(
        FunctionName=FN, Runtime="python3.12", Role=ROLE, Handler="index.handler", Code={"ZipFile": CODE}
    )
    client.publish_version(FunctionName=FN)
    client.update_function_configuration(FunctionName=FN, Description="v2")
    client.publish_version(FunctionName=FN)
    client.create_alias(
        FunctionName=FN, Name="live", FunctionVersion="1", RoutingConfig={"AdditionalVersionWeights": {"2": 0.1}}
    )


def operations(client: Any, tag: str) -> dict[str, Callable[[int], Any]]:
    return {
        "get_alias": lambda i: client.get_alias(FunctionName=FN, Name="live"),
        "create_alias": lambda i: client.create_alias(FunctionName=FN, Name=f"{tag}-a{i}", FunctionVersion="1"),
        "list_aliases": lambda i: client.list_aliases(FunctionName=FN, MaxItems=3),
        "invoke": lambda i: client.invoke(FunctionName=FN, Qualifier="live", Payload=b'{"key": "value"}')[
            "Payload"
        ].read(),
        # A policy holds about 20 KB: spread statements over functions, 40 each.
        "add_permission": lambda i: client.add_permission(
            FunctionName=f"{FN}-p{i // 40}",
            StatementId=f"{tag}-s{i}",
            Action="lambda:InvokeFunction",
            Principal="s3.amazonaws.com",
        ),
    }


def section_ops(rounds: int, calls: int, results: dict) -> None:
    floor = floor_client()
    floor_ops = operations(floor, "f")
    with mock_lambda_alias() as mock:
        ours = boto3.session.Session().client("lambda", region_name=REGION)
        prepare(ours, permission_targets=(rounds + 1) * calls // 40 + 2)
        our_ops = operations(ours, "o")
        for op in our_ops:
            floor_ops[op](0), our_ops[op](rounds * calls)  # warm up
        samples: dict[str, dict[str, list[float]]] = {op: {"floor": [], "ours": []} for op in our_ops}
        for r in range(rounds):
            for op in our_ops:
                gc.collect()
                samples[op]["floor"].append(median_us(lambda i, f=floor_ops[op], r=r: f(r * calls + i), calls))
                gc.collect()
                samples[op]["ours"].append(median_us(lambda i, f=our_ops[op], r=r: f(r * calls + i), calls))
        assert not mock.internal_errors, mock.internal_errors
    for op, by_target in samples.items():
        results[f"op:{op}"] = {k: statistics.median(v) for k, v in by_target.items()}


def section_moto_ops(rounds: int, calls: int, results: dict) -> None:
    try:
        from moto import mock_aws
    except ImportError:
        return
    with mock_aws(config={"lambda": {"use_docker": False}}):
        iam = boto3.client("iam", region_name=REGION)
        role = iam.create_role(RoleName="bench", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        client = boto3.client("lambda", region_name=REGION)
        global ROLE
        saved, ROLE = ROLE, role
        try:
            prepare(client, permission_targets=(rounds + 1) * calls // 40 + 2)
        finally:
            ROLE = saved
        ops = operations(client, "m")
        for op, fn in ops.items():
            fn(rounds * calls)
            values = [median_us(lambda i, f=fn, r=r: f(r * calls + i), calls) for r in range(rounds)]
            results[f"op:{op}"]["moto"] = statistics.median(values)


def section_lifecycle(results: dict, calls: int) -> None:
    def start_stop(_: int) -> None:
        with mock_lambda_alias():
            pass

    results["start+stop"] = {"ours": median_us(start_stop, calls)}
    session = boto3.session.Session()
    session.client("lambda", region_name=REGION)
    existing = median_us(lambda i: session.client("lambda", region_name=REGION), 20)

    def first_client(_: int) -> None:
        with mock_lambda_alias():
            boto3.client("lambda", region_name=REGION)

    results["first client in activation"] = {"existing session": existing, "ours": median_us(first_client, 20)}

    def scenario(client: Any) -> None:
        prepare(client)
        for _ in range(100):
            client.invoke(FunctionName=FN, Qualifier="live", Payload=b"{}")["Payload"].read()

    floor = floor_client()
    floor_us = median_us(lambda i: scenario(floor), 5)
    client = boto3.client("lambda", region_name=REGION)

    def ours_scenario(_: int) -> None:
        with mock_lambda_alias():
            scenario(client)

    results["scenario (create, 2 publishes, routed alias, 100 invokes)"] = {
        "floor": floor_us,
        "ours": median_us(ours_scenario, 5),
    }


def section_import(results: dict) -> None:
    results["import after boto3"] = {"ours": all_targets.import_after_boto3_us()}


def _handler_figures(isolation: str, calls: int) -> dict[str, float]:
    with mock_lambda_alias(isolation=isolation) as mock:
        client = boto3.client("lambda", region_name=REGION)
        for name, runtime in (("no-code", "nodejs20.x"), ("python", "python3.12")):
            client.create_function(
                FunctionName=name, Runtime=runtime, Role=ROLE, Handler="index.handler", Code={"ZipFile": CODE}
            )
            client.invoke(FunctionName=name, Payload=b"{}")["Payload"].read()  # warm up
        figures = {
            name: median_us(
                lambda i, f=function: client.invoke(FunctionName=f, Payload=b'{"key": "value"}')["Payload"].read(),
                calls,
            )
            for name, function in (("no handler code", "no-code"), ("handler", "python"))
        }
        cold: list[float] = []
        for i in range(10):  # each new version is a new environment: a cold start
            client.update_function_configuration(FunctionName="python", Description=f"cold-{i}")
            version = client.publish_version(FunctionName="python")["Version"]
            started = perf()
            client.invoke(FunctionName="python", Qualifier=version, Payload=b"{}")["Payload"].read()
            cold.append(perf() - started)
        figures["cold start"] = statistics.median(cold) * 1e6
        assert not mock.internal_errors, mock.internal_errors
    return figures


def section_handlers(results: dict, calls: int) -> None:
    """Invoking real Python handlers: no code, in-process, and in a worker process (warm and cold)."""
    for isolation in ("in-process", "process"):
        results[f"invoke, {isolation}"] = _handler_figures(isolation, calls)


def section_scale(results: dict, n_versions: int, n_aliases: int) -> None:
    with mock_lambda_alias() as mock:
        client = boto3.client("lambda", region_name=REGION)
        client.create_function(
            FunctionName=FN, Runtime="python3.12", Role=ROLE, Handler="index.handler", Code={"ZipFile": CODE}
        )
        small: dict[str, float] = {}
        page_of_50 = 0.0
        for v in range(1, n_versions + 1):
            client.update_function_configuration(FunctionName=FN, Description=f"rev-{v}")
            client.publish_version(FunctionName=FN)
            if v <= n_aliases:
                client.create_alias(FunctionName=FN, Name=f"alias-{v:05d}", FunctionVersion=str(v))
            if v == 10:
                small = _scale_probe(client)
            if v == 50:
                page_of_50 = median_us(lambda i: client.list_aliases(FunctionName=FN, MaxItems=50), 100)
        large = _scale_probe(client, n_versions)
        function = mock.get_function(FN)
        codes = {id(version.code.zip_bytes) for version in function.versions.values()}
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        for v in range(3):
            client.update_function_configuration(FunctionName=FN, Description=f"mem-{v}")
            client.publish_version(FunctionName=FN)
        per_version = (tracemalloc.get_traced_memory()[0] - before) / 3
        tracemalloc.stop()
    for metric in small:
        results[f"scale:{metric}"] = {"at 10": small[metric], "at scale": large[metric]}
    # The same page (50 aliases) with 50 and with 1,000 aliases in total: the cost must not grow with
    # the total. (With only 10 aliases a page holds 10, and botocore's parsing of 5x more items dominates.)
    results["scale:list_aliases page of 50"]["at 50"] = page_of_50
    results["memory"] = {"distinct zip copies": len(codes), "bytes per published version": per_version}


def _scale_probe(client: Any, n: int = 10) -> dict[str, float]:
    return {
        "get_alias": median_us(lambda i: client.get_alias(FunctionName=FN, Name="alias-00005"), 200),
        "get_function_configuration by version": median_us(
            lambda i: client.get_function_configuration(FunctionName=FN, Qualifier=str(n)), 200
        ),
        "list_aliases page of 50": median_us(lambda i: client.list_aliases(FunctionName=FN, MaxItems=50), 100),
    }


TARGETS = {
    "op:get_alias": ("ours/floor", 1.10),
    "op:create_alias": ("ours/floor", 1.10),
    "op:list_aliases": ("ours/floor", 1.10),
    "op:invoke": ("ours/floor", all_targets.INVOKING_TARGET),
    "op:add_permission": ("ours/floor", 1.10),
    "scale:get_alias": ("scale/10", 1.10),
    "scale:get_function_configuration by version": ("scale/10", 1.10),
    "scale:list_aliases page of 50": ("scale/50", 1.20),
}


def report(results: dict) -> bool:
    ok = True
    print(f"{'measurement':58} {'figures (µs unless noted)':58} verdict")
    for name, figures in results.items():
        shown = ", ".join(f"{k} {v:,.1f}" for k, v in figures.items())
        verdict = ""
        if name in TARGETS:
            kind, limit = TARGETS[name]
            if kind == "ours/floor":
                ratio = figures["ours"] / figures["floor"]
            else:
                ratio = figures["at scale"] / figures["at 50" if kind == "scale/50" else "at 10"]
            verdict = f"{ratio:.2f}x (target <= {limit:.2f}x) {'ok' if ratio <= limit else 'MISSED'}"
            if "moto" in figures:
                verdict += f"; moto {figures['moto'] / figures['floor']:.2f}x"
            ok &= ratio <= limit
        elif name == "start+stop":
            verdict = f"target <= 100 µs {'ok' if figures['ours'] <= 100 else 'MISSED'}"
        elif name == "import after boto3":
            verdict = f"target <= 15,000 µs {'ok' if figures['ours'] <= 15000 else 'MISSED'}"
        elif name == "first client in activation":
            verdict = f"{figures['ours'] / figures['existing session']:.2f}x a client from an existing session"
        elif name.startswith("scenario"):
            verdict = f"{figures['ours'] / figures['floor']:.2f}x floor"
        elif name.startswith("invoke, "):
            verdict = f"handler {figures['handler'] / figures['no handler code']:.2f}x no handler code"
        elif name == "memory":
            verdict = "ok" if figures["distinct zip copies"] == 1 else "MISSED"
        print(f"{name:58} {shown:58} {verdict}")
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer rounds, scale to 1,000 versions")
    parser.add_argument("--json", action="store_true", help="print the raw figures as JSON too")
    parser.add_argument("--all", action="store_true", help="every operation, first calls, lists, import, suite")
    parser.add_argument(
        "--clock", choices=("cpu", "wall"), default="cpu", help="--all: CPU time (default; robust to load) or wall time"
    )
    parser.add_argument("--suite-tests", type=int, default=None, help="tests in the whole-suite run (0: skip it)")
    parser.add_argument("--no-write", action="store_true", help="--all: do not write benchmarks/results.md")
    args = parser.parse_args()
    if args.all:
        os.environ["BENCH_CLOCK"] = args.clock
        tests = args.suite_tests if args.suite_tests is not None else (200 if args.quick else 1000)
        sys.exit(0 if all_targets.run_all(args.quick, tests, args.json, write=not args.no_write) else 1)
    rounds, calls = (3, 100) if args.quick else (7, 300)
    results: dict[str, dict[str, float]] = {}
    section_ops(rounds, calls, results)
    section_moto_ops(rounds, calls, results)
    section_lifecycle(results, 500 if args.quick else 2000)
    section_import(results)
    section_handlers(results, 100 if args.quick else 300)
    section_scale(results, 1000 if args.quick else 10000, 1000)
    ok = report(results)
    if args.json:
        print(json.dumps(results, indent=1))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
