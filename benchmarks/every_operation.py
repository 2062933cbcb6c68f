"""Per-call and first-call figures for every operation the mock answers, against botocore's floor.

The floor for an operation is botocore answering that same call with a canned ``before-send``
response holding exactly the bytes the mock answered (status, headers, body): botocore's own cost
of the call, parsing included, so the ratio isolates what the mock adds. moto runs the same calls
when it is installed.

* ``per_call``: interleaved rounds; each round measures the mock (median of ``calls`` calls), then
  the floor replaying the mock's latest answer, then moto; the figure is the fastest round of each
  target (a round slowed by another process on the machine does not decide a ratio).
* ``first_calls``: in a fresh process per target, the first call of every operation (the shared
  state is built with the same calls, each timed the first time its operation is used).
* ``lists_at_scale``: ListAliases over 1,000 aliases and ListVersionsByFunction over 1,000 versions,
  all items in one page (``MaxItems=10000``).
"""

from __future__ import annotations

import base64
import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any, Callable, Optional

os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")  # the floor signs its requests, as botocore does
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ["AWS_CONFIG_FILE"] = os.devnull
os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"

import boto3
import botocore
from botocore.awsrequest import AWSResponse
from botocore.client import BaseClient
from botocore.exceptions import ClientError

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import operations  # noqa: E402
from operations import CALLS, FN, REGION, prepare  # noqa: E402

#: The clock of every figure: CPU time of this process by default (stable on a loaded machine, and
#: nothing measured here waits on I/O); ``BENCH_CLOCK=wall`` for wall time.
perf = time.perf_counter if os.environ.get("BENCH_CLOCK") == "wall" else time.process_time


class _Body:
    """A canned raw body: what ``AWSResponse`` and botocore's event-stream reader need."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.done = False

    def stream(self, **_: Any) -> Any:
        if self.data:
            yield self.data

    def read(self, amt: Optional[int] = None) -> bytes:
        if self.done:
            return b""
        self.done = True
        return self.data

    def close(self) -> None:
        pass


Recorded = tuple[int, dict, bytes]


def _raw_bytes(http_response: Any) -> bytes:
    raw = getattr(http_response, "raw", None)
    if hasattr(raw, "getvalue"):
        return raw.getvalue()
    return http_response.content


def recorder(client: Any, into: dict[str, list[Recorded]]) -> None:
    """Keep every answer the client gets, by operation, in order."""

    def keep(http_response: Any = None, model: Any = None, **_: Any) -> None:
        if http_response is not None and model is not None:
            recorded = (http_response.status_code, dict(http_response.headers), _raw_bytes(http_response))
            into.setdefault(model.name, []).append(recorded)

    client.meta.events.register("after-call.lambda", keep)


class LatestAnswers:
    """The latest answer the client got, per operation, for the floor to replay.

    Keeping it costs the measured call one assignment; it is turned into (status, headers, body)
    only when the floor first replays it, so neither target pays for the other's bookkeeping.
    """

    def __init__(self, client: Any) -> None:
        self._latest: dict[str, Any] = {}
        self._made: dict[str, tuple[Any, Recorded]] = {}
        latest = self._latest

        def keep(http_response: Any = None, model: Any = None, **_: Any) -> None:
            if http_response is not None and model is not None:
                latest[model.name] = http_response

        client.meta.events.register("after-call.lambda", keep)

    def __call__(self, operation: str) -> Recorded:
        response = self._latest[operation]
        made = self._made.get(operation)
        if made is None or made[0] is not response:
            made = self._made[operation] = (
                response,
                (response.status_code, dict(response.headers), _raw_bytes(response)),
            )
        return made[1]


#: botocore's own request method, taken before any mock is active.
BOTOCORE_MAKE_REQUEST = BaseClient.__dict__["_make_request"]


def canned_client(answers: Callable[[str], Recorded]) -> Any:
    """The floor: botocore answered by ``answers(operation)`` from a ``before-send`` handler.

    It is timed while a mock is active, whose wrapper of the client classes' ``_make_request``
    registers the mock's ``before-send`` handler on every Lambda client: this client's own class
    keeps botocore's method, so the canned answer is the only one it gets, after botocore's whole
    path (request creation, signing, ``before-send``, parsing) as against AWS.
    """
    client = boto3.session.Session().client("lambda", region_name=REGION)
    type(client)._make_request = BOTOCORE_MAKE_REQUEST

    def answer(request: Any, event_name: str = "", **_: Any) -> AWSResponse:
        status, headers, body = answers(event_name.rpartition(".")[2])
        return AWSResponse(request.url, status, headers, _Body(body))

    client.meta.events.register_first("before-send.lambda", answer)
    return client


def call(fn: Callable[[Any, dict, int], Any], client: Any, ctx: dict, i: int) -> str:
    """Make one call; an AWS error is an answer too (its code is returned)."""
    try:
        fn(client, ctx, i)
    except ClientError as error:
        return error.response["Error"]["Code"]
    return ""


def median_us(fn: Callable[[int], Any], start: int, calls: int) -> float:
    samples = []
    for i in range(start, start + calls):
        started = perf()
        fn(i)
        samples.append(perf() - started)
    return statistics.median(samples) * 1e6


# ---------------------------------------------------------------------------
# per call
# ---------------------------------------------------------------------------


def per_call(rounds: int, calls: int, moto: bool = True) -> dict[str, dict[str, Any]]:
    from mock_lambda_alias import mock_lambda_alias

    consumables = rounds * calls + 1
    results: dict[str, dict[str, Any]] = {op: {"ours": [], "floor": [], "moto": []} for op in CALLS}
    with mock_lambda_alias() as mock:
        ours = boto3.session.Session().client("lambda", region_name=REGION)
        ctx = prepare(ours, consumables)
        floor = canned_client(LatestAnswers(ours))
        for op, fn in CALLS.items():  # warm up, with the last consumable
            results[op]["answer"] = call(fn, ours, ctx, consumables - 1) or "ok"
            call(fn, floor, ctx, consumables - 1)
        for r in range(rounds):
            for op, fn in CALLS.items():
                gc.collect()
                results[op]["ours"].append(median_us(lambda i, f=fn: call(f, ours, ctx, i), r * calls, calls))
                gc.collect()
                results[op]["floor"].append(median_us(lambda i, f=fn: call(f, floor, ctx, i), r * calls, calls))
        assert not mock.internal_errors, mock.internal_errors
    # moto after ours, not interleaved: while both are active, moto's before-send handler also sees
    # the mock's requests.
    moto_client, moto_ctx, moto_ok = _moto_target(consumables) if moto else (None, {}, {})
    if moto_client is not None:
        for r in range(rounds):
            for op, fn in CALLS.items():
                if moto_ok.get(op) is True:
                    gc.collect()
                    results[op]["moto"].append(
                        median_us(lambda i, f=fn: call(f, moto_client, moto_ctx, i), r * calls, calls)
                    )
        moto_client._bench_stop()
    for op, figures in results.items():
        for target in ("ours", "floor", "moto"):
            if figures[target]:
                figures[target] = min(figures[target])  # the least disturbed round, for each target
            else:
                figures.pop(target)
        if op in moto_ok and moto_ok[op] is not True:
            figures["moto answer"] = moto_ok[op]
    return results


def _moto_target(consumables: int) -> tuple[Any, dict, dict[str, Any]]:
    """moto's client with the same state; which operations moto answers (True) or what it raised."""
    try:
        from moto import mock_aws
    except ImportError:
        return None, {}, {}
    mocker = mock_aws(config={"lambda": {"use_docker": False}})
    mocker.start()
    iam = boto3.client("iam", region_name=REGION)
    role = iam.create_role(RoleName="bench", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    client = boto3.client("lambda", region_name=REGION)
    client._bench_role = role
    client._bench_stop = mocker.stop
    import logging

    logging.getLogger("moto").setLevel(logging.CRITICAL)
    ctx = prepare(client, consumables)
    ok: dict[str, Any] = {}
    for op, fn in CALLS.items():
        try:
            fn(client, ctx, consumables - 1)
            ok[op] = True
        except ClientError as error:
            ok[op] = error.response["Error"]["Code"]
        except Exception as error:  # moto does not implement it
            ok[op] = type(error).__name__
    # Measured only where moto answers without an error: an error answer is not the same work.
    return client, ctx, ok


# ---------------------------------------------------------------------------
# first calls, each target in a fresh process
# ---------------------------------------------------------------------------


class _Timed:
    """A client whose every method call is timed the first time its operation is used."""

    def __init__(self, client: Any, firsts: dict[str, float]) -> None:
        self._client = client
        self._firsts = firsts
        self._names = {botocore.xform_name(op): op for op in client.meta.service_model.operation_names}

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._client, name)
        op = self._names.get(name)
        if op is None or op in self._firsts:
            return method

        def timed(*args: Any, **kwargs: Any) -> Any:
            # A full collection first, in both targets: the pause owed by earlier allocations
            # (boto3's import, the client's model) would otherwise land on whichever first call
            # happens to cross the collector's threshold.
            gc.collect()
            started = perf()
            try:
                return method(*args, **kwargs)
            finally:
                self._firsts.setdefault(op, (perf() - started) * 1e6)

        return timed


#: The first activation of the process (``start()``), which the floor has no counterpart of.
ACTIVATION = "(first activation)"


def first_calls_child(target: str, record_path: str) -> None:
    """Run in a fresh process: every operation's first call, as JSON on stdout."""
    firsts: dict[str, float] = {}
    if target == "ours":
        gc.collect()
        started = perf()
        from mock_lambda_alias import mock_lambda_alias

        mock = mock_lambda_alias().start()
        firsts[ACTIVATION] = (perf() - started) * 1e6  # loads the backend and the wire layer
        mock.stop()
        recorded: dict[str, list[Recorded]] = {}
        with mock_lambda_alias():
            client = boto3.session.Session().client("lambda", region_name=REGION)
            recorder(client, recorded)
            timed = _Timed(client, firsts)
            ctx = prepare(timed, 1)
            for fn in CALLS.values():
                call(fn, timed, ctx, 0)
        with open(record_path, "w") as out:
            json.dump({op: [(s, h, base64.b64encode(b).decode()) for s, h, b in v] for op, v in recorded.items()}, out)
    else:
        with open(record_path) as source:
            replay = {op: [(s, h, base64.b64decode(b)) for s, h, b in v] for op, v in json.load(source).items()}
        cursor: dict[str, int] = {}

        def answers(op: str) -> Recorded:
            k = cursor.get(op, 0)
            cursor[op] = k + 1
            return replay[op][min(k, len(replay[op]) - 1)]

        timed = _Timed(canned_client(answers), firsts)
        ctx = prepare(timed, 1)
        for fn in CALLS.values():
            call(fn, timed, ctx, 0)
    print(json.dumps(firsts))


def first_calls(rounds: int) -> dict[str, dict[str, float]]:
    """Median over ``rounds`` fresh-process pairs (ours, then the floor replaying our answers)."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as users run: from cached bytecode
    samples: dict[str, dict[str, list[float]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        record = os.path.join(tmp, "answers.json")
        for _ in range(rounds):
            for target in ("ours", "floor"):
                output = subprocess.check_output([sys.executable, os.path.abspath(__file__), target, record], env=env)
                for op, us in json.loads(output.decode().splitlines()[-1]).items():
                    samples.setdefault(op, {}).setdefault(target, []).append(us)
    return {op: {t: statistics.median(v) for t, v in by.items()} for op, by in samples.items()}


# ---------------------------------------------------------------------------
# lists at scale
# ---------------------------------------------------------------------------


def lists_at_scale(n: int, rounds: int, calls: int) -> dict[str, dict[str, float]]:
    from mock_lambda_alias import mock_lambda_alias

    lists = {
        f"ListAliases, {n:,} aliases in one page": lambda c: c.list_aliases(FunctionName=FN, MaxItems=10000),
        f"ListVersionsByFunction, {n:,} versions in one page": lambda c: c.list_versions_by_function(
            FunctionName=FN, MaxItems=10000
        ),
    }
    samples: dict[str, dict[str, list[float]]] = {name: {"ours": [], "floor": []} for name in lists}
    with mock_lambda_alias():
        ours = boto3.session.Session().client("lambda", region_name=REGION)
        operations._function(ours, FN)
        for v in range(1, n + 1):
            ours.update_function_configuration(FunctionName=FN, Description=f"rev-{v}")
            ours.publish_version(FunctionName=FN)
            ours.create_alias(FunctionName=FN, Name=f"alias-{v:05d}", FunctionVersion=str(v))
        floor = canned_client(LatestAnswers(ours))
        for fn in lists.values():
            fn(ours), fn(floor)
        for _ in range(rounds):
            for name, fn in lists.items():
                gc.collect()
                samples[name]["ours"].append(median_us(lambda i, f=fn: f(ours), 0, calls))
                gc.collect()
                samples[name]["floor"].append(median_us(lambda i, f=fn: f(floor), 0, calls))
    return {name: {t: min(v) for t, v in by.items()} for name, by in samples.items()}


if __name__ == "__main__":
    first_calls_child(sys.argv[1], sys.argv[2])
