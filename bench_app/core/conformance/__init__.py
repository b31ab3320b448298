"""Board conformance: levels L0-L4 any board speaking docs/protocol.md can be checked with.

`run_conformance` runs them on a connected `BoardClient` and returns a `Report` (one line per
check: level, name, pass / fail / n/a, and why). L0 HELLO / INFO; L1 injected golden PCM gives
bit-exact FRAMEs and echoes; L2 RESULT scores equal the host twin's TFLM run; L3 the live
microphone; L4 an optional soak. Used by `bench-app conformance` and tests/conformance. Qt-free.
"""

from bench_app.core.conformance.report import FAIL, LEVELS, NA, PASS, Check, Report
from bench_app.core.conformance.suite import ConformanceOptions, run_conformance

__all__ = ["FAIL", "LEVELS", "NA", "PASS", "Check", "ConformanceOptions", "Report",
           "run_conformance"]
