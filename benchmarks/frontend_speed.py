"""Speed of the bench's reference MicroFrontend beside TensorFlow's op and MLTK's generator.

All three run in this one process on the same int16 audio with the paper's config:
(a) one 60 s clip, (b) a batch of 200 five-second clips (ours: `compute_features_batch`, both
cores; TF's op and MLTK: one call per clip, as they offer no batch). Each case is repeated and
the median wall time (runs of the three interleaved, so that other load on the machine hits
them alike) is reported as throughput (x real time) with the ratio ours / reference.
Targets (issue 2): batch at least 2x TF's op, single clip at least 1x. The first call compiles
(or loads from cache) our numba kernels and is excluded, as is TF's first call.

Run: ``.venv/bin/python benchmarks/frontend_speed.py [--repeats N]``
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np

from bench_app.core.frontend import (  # noqa: E402
    FrontendConfig,
    compute_features,
    compute_features_batch,
)
from bench_app.testing.oracles import mltk_features, tf_features  # noqa: E402

RATE = 16000


def _audio(seconds: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    n = int(RATE * seconds)
    t = np.arange(n) / RATE
    x = 6000 * np.sin(2 * np.pi * (200 + 300 * np.sin(t)) * t) * (t % 1.0 < 0.6)
    return np.clip(x + 1500 * rng.standard_normal(n), -32768, 32767).astype(np.int16)


def _median_times(fns: dict, repeats: int) -> dict[str, tuple[float, float]]:
    """Median (wall, process CPU) time of each function; runs interleaved so that load from
    other processes hits all alike."""
    times: dict[str, list[tuple[float, float]]] = {k: [] for k in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            t0, c0 = time.perf_counter(), time.process_time()
            fn()
            times[name].append((time.perf_counter() - t0, time.process_time() - c0))
    return {k: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v))
            for k, v in times.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7, help="timed runs per case (median)")
    args = parser.parse_args()
    cfg = FrontendConfig()
    settings = cfg.to_mltk_settings()
    tf_kw = dict(window_size=cfg.window_size_ms, window_step=cfg.window_step_ms,
                 num_channels=cfg.filterbank_n_channels,
                 lower_band_limit=cfg.filterbank_lower_band_limit,
                 upper_band_limit=cfg.filterbank_upper_band_limit)

    single = _audio(60.0, 0)
    clips = np.stack([_audio(5.0, s) for s in range(200)])
    # warm up (numba compile / cache load, TF graph setup) and check agreement once
    ours = compute_features(single, cfg)
    assert np.array_equal(ours, tf_features(single, **tf_kw))
    assert np.array_equal(ours, mltk_features(single, settings))
    batch = compute_features_batch(clips[:4], cfg)
    assert np.array_equal(batch[1], tf_features(clips[1], **tf_kw))

    cases = {
        "60 s clip": (
            single.size / RATE,
            {
                "ours": lambda: compute_features(single, cfg),
                "tf_op": lambda: tf_features(single, **tf_kw),
                "mltk": lambda: mltk_features(single, settings),
            },
        ),
        "200 x 5 s clips": (
            clips.size / RATE,
            {
                "ours": lambda: compute_features_batch(clips, cfg),
                "tf_op": lambda: [tf_features(c, **tf_kw) for c in clips],
                "mltk": lambda: [mltk_features(c, settings) for c in clips],
            },
        ),
    }
    print(f"MicroFrontend speed, paper config, median of {args.repeats} runs "
          "(x real time = audio seconds / wall seconds)")
    for name, (audio_s, fns) in cases.items():
        t = _median_times(fns, args.repeats)
        print(f"\n{name} ({audio_s:.0f} s of audio)")
        for k, (wall, cpu) in t.items():
            print(f"  {k:6s} {wall * 1000:9.1f} ms wall {audio_s / wall:8.0f} x real time"
                  f"   ({cpu * 1000:.1f} ms CPU)")
        print(f"  speed ratio ours vs tf_op: {t['tf_op'][0] / t['ours'][0]:.2f}x, "
              f"vs mltk: {t['mltk'][0] / t['ours'][0]:.2f}x (wall; "
              f"CPU: {t['tf_op'][1] / t['ours'][1]:.2f}x, {t['mltk'][1] / t['ours'][1]:.2f}x)")
    load = os.getloadavg()[0]
    print(f"\nload average at the end: {load:.1f} on {os.cpu_count()} cores "
          "(other processes slow the parallel code most)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
