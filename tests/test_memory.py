"""No growth per client or per activation: caches are keyed so that they keep no client alive."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

SCRIPT = textwrap.dedent(
    """
    import gc, os
    import boto3
    from mock_lambda_alias import mock_lambda_alias

    def rss_kb():
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])

    def cycle(n):
        for i in range(n):
            with mock_lambda_alias():
                client = boto3.client("lambda", region_name="us-east-1")
                client.list_functions()
                client.get_account_settings()

    cycle(50)  # warm up: codecs, validators, botocore's own caches
    gc.collect()
    before = rss_kb()
    cycle(1000)
    gc.collect()
    print(rss_kb() - before)
    """
)


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="reads RSS from /proc")
def test_a_thousand_activations_each_with_a_client_grow_rss_under_5_mb():
    env = dict(os.environ, AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, timeout=600)
    assert result.returncode == 0, result.stderr
    grown_kb = int(result.stdout.strip())
    assert grown_kb < 5 * 1024, f"RSS grew by {grown_kb} KB over 1,000 start/stop cycles"
