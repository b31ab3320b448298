"""`python -m bench_app` is the same as the `bench-app` command."""

import sys

from bench_app.cli import main

sys.exit(main())
