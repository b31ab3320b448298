"""Speed of the corpus tools: `corpus synth --per-class N` and `load_features` cold and cached,
and of the corpus run (`bench-app run corpus`) on the virtual board.

Writes a synthetic corpus into a temporary folder (``--repeats`` times, median wall time),
then computes its paper-config features (498 x 32 int8 windows) once with an empty cache and
once from the cache, and the keyword corpus' 98-frame features. Prints one line per figure.

With ``--run N`` it also times corpus runs of N clips (`corpus_run_speed`): the injected path
on a ``--fast`` virtual board (clips per minute, x real time of the audio the board heard,
beside the limit set by one TFLM invoke per hop on this machine; target >= 0.8 of it, board
and twin together) and the acoustic path in real time (wall / audio; target <= 1.05).

Run: ``.venv/bin/python benchmarks/corpus_speed.py [--per-class 40] [--repeats 3] [--run 8]``
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from bench_app.core.corpora import open_corpus
from bench_app.core.corpora.features import load_features
from bench_app.core.corpora.synth import make_synthetic_corpus


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-class", type=int, default=40)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--run", type=int, default=0, metavar="N",
                        help="also time corpus runs of N clips (0: skip)")
    parser.add_argument("--run-only", action="store_true", help="skip the synth / features part")
    args = parser.parse_args()
    if args.run_only:
        with tempfile.TemporaryDirectory(prefix="corpus-speed-") as tmp:
            make_synthetic_corpus(Path(tmp) / "synth0", per_class=max(2, args.run // 4 + 1))
            corpus_run_speed(Path(tmp) / "synth0", args.run or 8, args.repeats)
        return
    with tempfile.TemporaryDirectory(prefix="corpus-speed-") as tmp:
        times = []
        for k in range(args.repeats):
            start = time.perf_counter()
            make_synthetic_corpus(Path(tmp) / f"synth{k}", per_class=args.per_class, seed=k)
            times.append(time.perf_counter() - start)
        print(f"corpus synth --per-class {args.per_class}: median {statistics.median(times):.2f} s "
              f"(runs: {', '.join(f'{t:.2f}' for t in times)})")
        corpus = open_corpus(f"synthetic:{Path(tmp) / 'synth0'}")
        audio = sum(c.duration_s for c in corpus.clips)
        for label in ("cold", "cached"):
            start = time.perf_counter()
            fs = load_features(corpus, cache_dir=Path(tmp) / "cache")
            took = time.perf_counter() - start
            print(f"load_features {label}: {took:.2f} s for {len(corpus.clips)} clips, "
                  f"{audio:.0f} s of audio ({audio / took:.0f}x real time) -> X {fs.X.shape}")
        keywords = open_corpus(f"keywords:{Path(tmp) / 'synth0' / 'keywords'}")
        start = time.perf_counter()
        fs = load_features(keywords, window_frames=98, cache_dir=False)
        print(f"load_features keywords: {time.perf_counter() - start:.2f} s -> X {fs.X.shape}")
        if args.run:
            corpus_run_speed(Path(tmp) / "synth0", args.run, args.repeats)


def _timed_run(folder: Path, clips: int, path: str, sim: str) -> tuple[float, float, int]:
    """One corpus run: (wall seconds of its clips, seconds of audio the board heard, clips)."""
    from bench_app.core.runs import run_procedure
    from bench_app.core.runs.procedures.corpus.params import CorpusParams
    from bench_app.core.runs.procedures.corpus.procedure import CorpusProcedure

    stamps: dict[str, float] = {}
    heard = []

    def watch(kind: str, doc: dict) -> None:
        if kind == "start":  # the board is up and the twin loaded: the clips start now
            stamps["start"] = time.perf_counter()
        elif kind == "event" and doc["stream"] == "clips":
            stamps["last_clip"] = time.perf_counter()
            d = doc["data"]
            heard.append(d["duration_s"] + d["padded_s"])

    params = CorpusParams(device="sim", sim=sim, corpus=f"synthetic:{folder}", limit=clips,
                          path=path, keep_pcm=False)
    with CorpusProcedure(params) as proc:
        result = run_procedure(proc, [watch])
    if result.status.value != "success":
        raise SystemExit(f"the {path} corpus run ended {result.status.value}: {result.reason}")
    return stamps["last_clip"] - stamps["start"], sum(heard), len(heard)


def invoke_limit(repeats: int = 20) -> tuple[float, float]:
    """Median TFLM invoke of the board's model on this machine (s), and the hop (s)."""
    from bench_app.core.frontend import FrontendConfig
    from bench_app.core.model import TflmModel
    from bench_app.core.runs.procedures.board_io.board_session import default_model_path

    model = TflmModel(default_model_path())
    window = np.zeros(model.input_shape, np.int8)
    model.invoke(window)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        model.invoke(window)
        times.append(time.perf_counter() - t0)
    hop_s = 100 * FrontendConfig().step_samples / 16000  # the virtual board's 1 s hop
    return statistics.median(times), hop_s


def corpus_run_speed(folder: Path, clips: int, repeats: int) -> None:
    """Time the injected path unpaced and the acoustic path in real time (medians)."""
    invoke_s, hop_s = invoke_limit()
    limit = hop_s / invoke_s  # x real time if every hop of audio cost one invoke and nothing else
    fast = [_timed_run(folder, clips, "injected", "--fast") for _ in range(repeats)]
    wall = statistics.median(w for w, _, _ in fast)
    audio = statistics.median(a for _, a, _ in fast)
    n = fast[0][2]
    xrt = audio / wall
    print(f"corpus run, injected, --fast: {n} clips ({audio:.1f} s of audio) in {wall:.2f} s: "
          f"{60 * n / wall:.1f} clips/min, {xrt:.1f}x real time (board and twin together); "
          f"one TFLM invoke per hop: {invoke_s * 1000:.1f} ms per {hop_s:g} s hop = "
          f"{limit:.1f}x real time; ratio {xrt / limit:.2f} (target >= 0.8)")
    real = [_timed_run(folder, max(2, clips // 4), "acoustic", "") for _ in range(repeats)]
    ratios = [w / a for w, a, _ in real]
    print(f"corpus run, acoustic, real time: {real[0][2]} clips, wall / audio median "
          f"{statistics.median(ratios):.3f} (runs: {', '.join(f'{r:.3f}' for r in ratios)}; "
          "target <= 1.05)")


if __name__ == "__main__":
    main()
