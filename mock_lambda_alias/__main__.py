"""``python -m mock_lambda_alias serve``: the same as the ``mock-lambda-alias`` console command."""

import sys

from .server.cli import main

sys.exit(main())
