"""An idle virtual board's CPU use: median over 30 s, beside a ``sleep`` process as baseline.

Run: ``.venv/bin/python benchmarks/idle_board.py [--seconds 30]``

Starts `bench-app emulate` (no model, no host attached: the board keeps computing its
microphone's frames, in 100 ms blocks while no stream is started, and waits) and a ``sleep``
process, waits 3 s for start-up, then samples both processes' CPU time once a second and prints
the medians in percent of one core. Target (issue 9): under 5 %. Exit status 1 if over.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench_app.core.device.emulator.process import start_emulator  # noqa: E402
from bench_app.testing.cpu_usage import median_cpu_percent  # noqa: E402

TARGET_PERCENT = 5.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args()
    sleeper = subprocess.Popen(["sleep", str(int(args.seconds) + 60)])
    try:
        with start_emulator([]) as emu:
            time.sleep(3.0)
            board = median_cpu_percent(emu.pid, args.seconds)
            baseline = median_cpu_percent(sleeper.pid, 3.0)
    finally:
        sleeper.kill()
        sleeper.wait()
    print(f"idle virtual board: median {board:.1f} % of a core over {args.seconds:.0f} s "
          f"(sleep baseline {baseline:.1f} %; target < {TARGET_PERCENT:.0f} %)")
    return 0 if board < TARGET_PERCENT else 1


if __name__ == "__main__":
    sys.exit(main())
