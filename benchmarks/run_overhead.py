"""How much slower than the audio itself is an alignment run? (issue 4, `run_overhead`)

Runs the alignment procedure on the injected path against a virtual board in real time (no
``--fast``: the board consumes audio at 16 kHz, as a real one does) with a 60 s stimulus, into a
temporary run store, and prints:

- wall time / audio time of the run, from its first event (the board is connected and its INFO
  read; starting the virtual board, which a real board does not need, is printed apart) to
  the stop document (analysis done, everything stored). The physical limit is 1.0 (the board
  cannot take a minute of audio in less than a minute); the target is at most 1.05;
- the same for the capture alone (wall time minus the analysis);
- the analysis time per minute of audio (`analyse_alignment` on the board's frames and PCM).

Usage: ``.venv/bin/python benchmarks/run_overhead.py [--seconds 60] [--repeat 1]``
(medians over the repeats).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_app.core.runs import run_procedure  # noqa: E402
from bench_app.core.runs.engine.subscribers import DocumentLog  # noqa: E402
from bench_app.core.runs.procedures.alignment.procedure import AlignmentParams, AlignmentProcedure  # noqa: E402
from bench_app.core.store import RunStore  # noqa: E402

#: Lead silence + sync chirp + gap of the tonal-burst plan; then 64 bursts, each + its silence.
BURST_PLAN_FIXED_S = 0.5 + 0.1 + 0.25
BURSTS = 64


def one_run(seconds: float, store_dir: str) -> dict:
    """One real-time injected alignment run of about ``seconds`` of audio; its figures."""
    burst_s = (seconds - BURST_PLAN_FIXED_S) / (2 * BURSTS)
    log = DocumentLog()
    params = AlignmentParams(device="sim", path="injected", burst_s=burst_s)
    with RunStore.open(store_dir) as store, AlignmentProcedure(params) as proc:
        result = run_procedure(proc, [store.subscriber(), log])
    if result.status.value != "success":
        raise SystemExit(f"the run did not succeed: {result.status.value}: {result.reason}")
    start, stop = log.first("start"), log.first("stop")
    first_event = next(d for k, d in log.docs if k == "event")  # the board is connected
    first_pcm = log.events("pcm")[0]["time"]
    summary = result.summary
    audio = float(summary["stimulus_seconds"])
    wall = float(stop["time"]) - float(first_event["time"])
    connect = float(first_event["time"]) - float(start["time"])
    analysis = float(summary["analysis_seconds"])
    return {
        "audio_s": audio,
        "connect_s": connect,
        "wall_s": wall,
        "ratio": wall / audio,
        "capture_ratio": (wall - analysis) / audio,
        "from_audio_ratio": (float(stop["time"]) - float(first_pcm)) / audio,
        "analysis_s_per_min": analysis / (audio / 60.0),
        "parity_mre": summary["mean_relative_error"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="stimulus length")
    parser.add_argument("--repeat", type=int, default=1, help="runs (medians are printed)")
    args = parser.parse_args()
    runs = []
    with tempfile.TemporaryDirectory(prefix="bench_run_overhead_") as store_dir:
        for i in range(args.repeat):
            r = one_run(args.seconds, store_dir)
            runs.append(r)
            print(f"run {i + 1}: audio {r['audio_s']:.2f} s, wall {r['wall_s']:.2f} s "
                  f"(+ {r['connect_s']:.2f} s starting the virtual board, not counted), "
                  f"wall/audio {r['ratio']:.4f}, capture/audio {r['capture_ratio']:.4f}, "
                  f"first board audio to stored / audio {r['from_audio_ratio']:.4f}, "
                  f"analysis {r['analysis_s_per_min']:.2f} s per minute of audio, "
                  f"parity MRE {r['parity_mre']}")
    med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    verdict = "meets" if med["ratio"] <= 1.05 else "misses"
    print(f"median over {len(runs)} run(s): wall/audio {med['ratio']:.4f} (physical limit 1.0, "
          f"target <= 1.05: {verdict}); capture alone {med['capture_ratio']:.4f}; analysis "
          f"{med['analysis_s_per_min']:.2f} s per minute of audio (load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
