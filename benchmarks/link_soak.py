"""Zero-drop soak: the virtual board's full data rate for 10 minutes of board time.

Run: ``.venv/bin/python benchmarks/link_soak.py [--board-seconds 600] [--speed 10]``

Starts `bench-app emulate` with the untrained paper-shape model at ``--speed N`` (board time N
times faster than real time, so every stream runs at N times the board's real rate: 100
FRAME/s, 16 kHz PCM in 10 ms chunks, 1 RESULT/s, 2 HEARTBEAT/s per board second), streams
FRAME + PCM + RESULT into a `BoardClient` through the real pty (`run_soak` of
link_throughput.py), and prints the messages, the host's drop and CRC counts and the board's own
ledger (transmit overflows, losses). Target (issue 3): zero drops. Exit status 1 if any loss.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from link_throughput import run_soak  # noqa: E402

from bench_app.core.device.emulator.faults import CAUSES  # noqa: E402
from bench_app.core.device.emulator.process import start_emulator  # noqa: E402

MODEL = ROOT / "models" / "untrained_paper_shape.tflite"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--board-seconds", type=float, default=600.0)
    parser.add_argument("--speed", type=float, default=10.0, help="board time / wall time")
    parser.add_argument("--no-model", action="store_true", help="FRAME + PCM only")
    args = parser.parse_args(argv)

    emu_args = ["--speed", str(args.speed)]
    if not args.no_model:
        emu_args += ["--model", str(MODEL)]
    t0 = time.perf_counter()
    with start_emulator(emu_args) as emu:
        from bench_app.core.device.protocol import Stream

        streams = (Stream.FRAMES, Stream.PCM) + (() if args.no_model else (Stream.RESULTS,))
        report = run_soak(emu.port, args.board_seconds, streams=streams, timeout=10.0)
        emu.stop()
        ledger = emu.stats()
    wall = time.perf_counter() - t0
    lost = {c: ledger.get(c, {}) for c in CAUSES if c != "no_host" and ledger.get(c)}
    link = report.stats
    print(f"board time {report.board_seconds:.1f} s at speed {args.speed:g} "
          f"in {report.wall_seconds:.1f} s wall ({wall:.1f} s with start/stop): "
          f"{report.board_seconds / report.wall_seconds:.2f}x real time")  # fmt: skip
    print(f"messages: {report.frames} FRAME, {report.pcm_chunks} PCM, {report.results} RESULT; "
          f"{link['bytes_in'] / report.wall_seconds / 1e3:.0f} kB/s")
    print(f"host: drops {link['drops']}, crc_errors {link['crc_errors']}, resyncs "
          f"{link['resyncs']}, frame index gaps {report.frame_index_gaps}")
    print(f"board: tx_overflows {ledger.get('tx_overflows')}, losses {lost or 'none'}")
    zero = report.zero_loss and not lost
    print("zero drops: " + ("yes" if zero else "NO"))
    return 0 if zero else 1


if __name__ == "__main__":
    raise SystemExit(main())
