"""Speed of the corpus tools: `corpus synth --per-class N` and `load_features` cold and cached.

Writes a synthetic corpus into a temporary folder (``--repeats`` times, median wall time),
then computes its paper-config features (498 x 32 int8 windows) once with an empty cache and
once from the cache, and the keyword corpus' 98-frame features. Prints one line per figure.

Run: ``.venv/bin/python benchmarks/corpus_speed.py [--per-class 40] [--repeats 3]``
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from bench_app.core.corpora import open_corpus
from bench_app.core.corpora.features import load_features
from bench_app.core.corpora.synth import make_synthetic_corpus


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-class", type=int, default=40)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
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


if __name__ == "__main__":
    main()
