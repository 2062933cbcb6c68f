"""Running ``python -m mock_lambda_alias serve`` in a subprocess for the server tests.

The server's request log goes to a file, not a pipe: a pipe nobody reads would fill up and stall
the server mid-test.
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import tempfile
import time
from typing import Any, Optional

import boto3
import requests
from botocore.config import Config

#: Credentials of the default caller: not an account id, so the server's default account.
KEY, SECRET = "testing", "testing"


class ServerProcess:
    def __init__(self, *args: str, env: Optional[dict[str, str]] = None) -> None:
        self.log = tempfile.NamedTemporaryFile(  # noqa: SIM115 (closed in close())
            "w+", prefix="mock-lambda-alias-", suffix=".log", delete=False
        )
        command = [sys.executable, "-m", "mock_lambda_alias", "serve", "--port", "0", *args]
        self.process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=self.log, text=True, env={**os.environ, **(env or {})}
        )
        self.ready_line = self._read_line(timeout=60)
        if "serving AWS Lambda on " not in self.ready_line:
            self.stop()
            raise RuntimeError(f"server did not start: {self.ready_line!r}\n{self.log_text()}")
        self.url = self.ready_line.split(" on ", 1)[1].split(" ", 1)[0]

    def _read_line(self, timeout: float) -> str:
        assert self.process.stdout is not None
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        return self.process.stdout.readline() if ready else ""

    def control(self, method: str, name: str, **kwargs: Any) -> requests.Response:
        return requests.request(method, f"{self.url}/_mock_lambda_alias/{name}", timeout=30, **kwargs)

    def client(self, region: str = "us-east-1", key: str = KEY, **config: Any) -> Any:
        """A boto3 Lambda client signing its requests to this server, its answers checked as in-process."""
        from conftest import check_response

        session = boto3.session.Session(aws_access_key_id=key, aws_secret_access_key=SECRET, region_name=region)
        client = session.client(
            "lambda",
            endpoint_url=self.url,
            config=Config(retries={"total_max_attempts": 1}, read_timeout=120, **config),
        )
        client.meta.events.register("after-call.lambda", check_response)
        return client

    def log_text(self) -> str:
        self.log.flush()
        with open(self.log.name) as handle:
            return handle.read()

    def stop(self, sig: int = signal.SIGTERM) -> tuple[int, str]:
        """Stop the server with ``sig``; its exit status and what it printed after the ready line."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        stdout = self.process.stdout
        out = stdout.read() if stdout is not None and not stdout.closed else ""
        if stdout is not None:
            stdout.close()
        return self.process.returncode, out

    def close(self) -> None:
        self.stop()
        self.log.close()
        os.unlink(self.log.name)


def wait_for_log(server: ServerProcess, text: str, timeout: float = 10) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        log = server.log_text()
        if text in log:
            return log
        time.sleep(0.05)
    return server.log_text()
