"""``mock-lambda-alias serve``: the console command (also ``python -m mock_lambda_alias serve``).

Prints one line when it is ready — with the real port, so ``--port 0`` is usable by scripts —
logs one line per request to stderr, and stops cleanly on Ctrl-C or SIGTERM (exit status 0).
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from typing import Any, Optional

from ..backend.store import DEFAULT_ACCOUNT_ID, DEFAULT_REGION


def _access_key(text: str) -> tuple[str, str]:
    key, sep, account = text.partition("=")
    if not sep or not key or not (len(account) == 12 and account.isdigit()):
        raise argparse.ArgumentTypeError(f"expected ACCESS_KEY_ID=ACCOUNT_ID (12 digits), got {text!r}")
    return key, account


def _account(text: str) -> str:
    if not (len(text) == 12 and text.isdigit()):
        raise argparse.ArgumentTypeError(f"an account id is 12 digits, got {text!r}")
    return text


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(
        prog="mock-lambda-alias", description="A faithful mock of AWS Lambda versions, aliases and routing."
    )
    commands = main.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True
    serve = commands.add_parser(
        "serve",
        help="serve the Lambda API over HTTP",
        description="Serve the Lambda API, function URLs and control endpoints (/_mock_lambda_alias/...) "
        "over HTTP. Point clients at it with --endpoint-url or AWS_ENDPOINT_URL_LAMBDA.",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    serve.add_argument("--port", type=int, default=4566, help="port to listen on; 0 picks a free one (default: 4566)")
    serve.add_argument(
        "--account-id",
        type=_account,
        default=DEFAULT_ACCOUNT_ID,
        help=f"account of callers whose access key names none (default: {DEFAULT_ACCOUNT_ID})",
    )
    serve.add_argument(
        "--region",
        default=DEFAULT_REGION,
        help=f"region of unsigned requests; signed ones carry their own (default: {DEFAULT_REGION})",
    )
    serve.add_argument(
        "--access-key",
        type=_access_key,
        action="append",
        default=[],
        metavar="KEY=ACCOUNT",
        help="place callers signing with access key id KEY in ACCOUNT (repeatable); a 12-digit key id "
        "is its own account",
    )
    serve.add_argument("--seed", type=int, default=None, help="seed of alias routing and injected faults")
    serve.add_argument(
        "--max-body-mb", type=float, default=None, help="refuse request bodies larger than this (default: ~67 MB)"
    )
    serve.add_argument("--quiet", action="store_true", help="do not log each request")
    return main


def main(argv: Optional[list[str]] = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    from .app import DEFAULT_MAX_BODY_BYTES, LambdaServer

    try:
        server = LambdaServer(
            args.host,
            args.port,
            account_id=args.account_id,
            region=args.region,
            seed=args.seed,
            access_keys=dict(args.access_key),
            max_body_bytes=int(args.max_body_mb * 1024 * 1024) if args.max_body_mb else DEFAULT_MAX_BODY_BYTES,
            log_requests=not args.quiet,
        )
    except OSError as exc:
        print(f"mock-lambda-alias: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1

    def stop(signum: int, frame: Any) -> None:
        server.shutdown()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)

    def ready(server: LambdaServer) -> None:
        print(
            f"mock-lambda-alias: serving AWS Lambda on {server.url} "
            f"(account {server.mock.account_id}, region {server.mock.region}); Ctrl-C stops",
            flush=True,
        )

    server.serve_forever(on_ready=ready)
    print("mock-lambda-alias: stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
