"""Analysis of runs: front-end config lint, pipeline parity, acoustic path, verdict, latency.

Every metric is defined in ``docs/metrics.md``. Functions take arrays and a front-end config so
they can be tested without a board; results are frozen dataclasses with ``to_dict()`` for JSON.
"""
