"""``bench.py --all``: every figure of the project's targets in one run, as ratios against
botocore's floor, and the report written to ``benchmarks/results.md``.

Per call for every operation, lists of 1,000 items, the first call of each operation in a fresh
process, the import, and the whole-suite comparison with moto (``suite.py``).
"""

from __future__ import annotations

import contextlib
import json
import os
import statistics
import subprocess
import sys
import time
from typing import Any


def import_after_boto3_us() -> float:
    """``import mock_lambda_alias`` after boto3, from cached bytecode: median of fresh processes."""
    clock = "perf_counter" if os.environ.get("BENCH_CLOCK", "wall") == "wall" else "process_time"
    code = f"import time, boto3\nt = time.{clock}()\nimport mock_lambda_alias\nprint((time.{clock}() - t) * 1e6)\n"
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = dict(os.environ, PYTHONPATH=here + os.pathsep + os.environ.get("PYTHONPATH", ""))
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # measure imports as users run them: from cached bytecode
    subprocess.check_output([sys.executable, "-c", code], env=env)  # writes the bytecode cache
    values = [float(subprocess.check_output([sys.executable, "-c", code], env=env)) for _ in range(9)]
    return statistics.median(values)


#: Operations that run a handler (the floor only returns a canned answer), and their per-call target.
INVOKING = ("Invoke", "InvokeAsync", "InvokeWithResponseStream")
INVOKING_TARGET = 1.35
RESULTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results.md")


class _Tee:
    """Everything printed, kept as well, for the results file."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.lines: list[str] = []

    def write(self, text: str) -> int:
        self.lines.append(text)
        return self.stream.write(text)

    def flush(self) -> None:
        self.stream.flush()


def run_all(quick: bool, suite_tests: int, as_json: bool, write: bool = True) -> bool:
    """Every figure of the project's targets, in one run; the report goes to ``results.md`` too."""
    tee = _Tee(sys.stdout)
    with contextlib.redirect_stdout(tee):  # type: ignore[type-var]
        ok = _run_all(quick, suite_tests, as_json)
        print(f"\nevery target met: {'yes' if ok else 'NO'}")
    if write:
        with open(RESULTS, "w", encoding="utf-8") as results:
            results.write("# Benchmark results\n\nWritten by `python benchmarks/bench.py --all`")
            results.write(" (`--quick`: fewer rounds)" if quick else "")
            results.write("; ratios against botocore's floor are what to compare.\n\n```\n")
            results.write("".join(tee.lines).strip("\n") + "\n```\n")
    return ok


def _run_all(quick: bool, suite_tests: int, as_json: bool) -> bool:
    """Every figure of the project's targets, as ratios, in one run."""
    import every_operation

    ok = True
    rounds, calls = (3, 20) if quick else (5, 60)
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    clock = "CPU time" if os.environ.get("BENCH_CLOCK") == "cpu" else "wall time"
    print(
        f"mock_lambda_alias benchmarks, {started}; python {sys.version.split()[0]}, botocore {botocore_version()}; "
        f"figures are {clock}"
    )
    print(
        f"\nPer call, every operation (fastest of {rounds} interleaved rounds, each the median of {calls} calls; "
        "target <= 1.10x floor)"
    )
    per_call = every_operation.per_call(rounds, calls)
    print(f"{'operation':40} {'answer':28} {'floor µs':>9} {'ours µs':>9} {'ours/floor':>10} {'moto/floor':>10}")
    worst = 0.0
    for op, f in per_call.items():
        ratio = f["ours"] / f["floor"]
        limit = INVOKING_TARGET if op in INVOKING else 1.10
        if op not in INVOKING:
            worst = max(worst, ratio)
        moto = f"{f['moto'] / f['floor']:.2f}x" if "moto" in f else f.get("moto answer", "-")[:10]
        mark = "" if ratio <= limit else "  MISSED"
        print(f"{op:40} {f['answer'][:28]:28} {f['floor']:9.0f} {f['ours']:9.0f} {ratio:9.2f}x {moto:>10}{mark}")
        ok &= ratio <= limit
    print(
        f"  worst ours/floor of the {len(per_call) - len(INVOKING)} operations that run no handler: {worst:.2f}x; "
        f"the invokes (a real handler in its environment's thread) <= {INVOKING_TARGET:.2f}x"
    )

    print("\nLists at scale (one page holding every item, fastest of the rounds; target <= 1.00x floor)")
    for name, f in every_operation.lists_at_scale(1000, 3 if quick else 9, 5 if quick else 15).items():
        ratio = f["ours"] / f["floor"]
        print(
            f"  {name:52} floor {f['floor'] / 1000:6.2f} ms  ours {f['ours'] / 1000:6.2f} ms  {ratio:.2f}x"
            + ("" if ratio <= 1.0 else "  MISSED")
        )
        ok &= ratio <= 1.0

    print("\nFirst call of each operation in a fresh process (median of fresh-process pairs; target <= 2x floor)")
    firsts = every_operation.first_calls(3 if quick else 9)
    activation = firsts.pop(every_operation.ACTIVATION)["ours"]
    print(f"  first activation in the process (loads the backend and the wire layer): {activation / 1000:.1f} ms")
    first_create = firsts["CreateFunction"]
    print(
        f"  first call in the process (CreateFunction): floor {first_create['floor'] / 1000:.1f} ms, "
        f"ours {first_create['ours'] / 1000:.1f} ms, {first_create['ours'] / first_create['floor']:.2f}x"
    )
    over = {op: f["ours"] / f["floor"] for op, f in firsts.items() if f["ours"] / f["floor"] > 2.0}
    ranked = sorted(firsts.items(), key=lambda kv: kv[1]["ours"] / kv[1]["floor"], reverse=True)
    worst_three = ", ".join(
        f"{op} {f['ours'] / f['floor']:.2f}x ({f['floor'] / 1000:.1f} ms vs {f['ours'] / 1000:.1f} ms)"
        for op, f in ranked[:3]
    )
    print(f"  {len(firsts)} operations; worst: {worst_three}")
    print(f"  over 2x: {', '.join(f'{op} {r:.2f}x' for op, r in over.items()) or 'none'}")
    ok &= not over

    imported = import_after_boto3_us()
    print(
        f"\nimport mock_lambda_alias after boto3 (cached bytecode, median of 5): {imported / 1000:.1f} ms "
        f"(target <= 10 ms){'' if imported <= 10000 else '  MISSED'}"
    )
    ok &= imported <= 10000

    if suite_tests:
        import suite

        print()
        ok &= suite.main([f"--tests={suite_tests}", "--rounds=1" if quick else "--rounds=3"])
    if as_json:
        print(json.dumps({"per_call": per_call, "first_calls": firsts, "import_us": imported}, indent=1))
    return ok


def botocore_version() -> str:
    import botocore

    return botocore.__version__
