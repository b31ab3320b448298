"""`bench-app corpus`: inspect a speech corpus, or make a synthetic one for tests and demos."""

from __future__ import annotations

import argparse
import json
import sys
import time

_INSPECT_EPILOG = """\
examples:
  bench-app corpus inspect iemocap:/data/IEMOCAP_full_release
  bench-app corpus inspect csv:my_clips --json
  bench-app corpus inspect synthetic:synth --session Session1 --improvised
  bench-app corpus inspect keywords:synth/keywords

SPEC is KIND:DIR with KIND one of iemocap, synthetic, csv, keywords, or a bare DIR whose kind
is recognised from its contents. Damaged files and label lines are listed with the reason and
skipped; they never stop the reading.
"""

_SYNTH_EPILOG = """\
examples:
  bench-app corpus synth --out synth --per-class 40 --seed 1

Writes DIR/IEMOCAP_full_release (IEMOCAP layout: espeak-ng speech styled per class, two
sessions, a woman and a man each, dialog recordings with no-emotion stretches), DIR/keywords
(Speech Commands layout) and DIR/README.md. The same seed gives the same files byte for byte.
It is synthetic: for tests and demos, not a benchmark of emotion recognition.
"""


_FEATURES_EPILOG = """\
examples:
  bench-app corpus features synthetic:synth
  bench-app corpus features keywords:synth/keywords --window-frames 98
  bench-app corpus features iemocap:/data/IEMOCAP_full_release --reference mltk --json

Short clips are zero-padded at the end of their audio to one window. The second run with the
same corpus files and settings reads the cache.
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``corpus inspect`` and ``corpus synth``."""
    p = subparsers.add_parser("corpus", help="inspect a speech corpus or make a synthetic one",
                              description="Read speech corpora (IEMOCAP, labels.csv folders, "
                              "Speech Commands keyword folders) or make a synthetic one.")
    sub = p.add_subparsers(dest="corpus_command", metavar="ACTION", required=True)

    q = sub.add_parser("inspect", help="counts per class, session and speaker; problems",
                       description="Read a corpus and report its clips and every problem.",
                       epilog=_INSPECT_EPILOG,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    q.add_argument("spec", metavar="SPEC", help="KIND:DIR or DIR (see below)")
    q.add_argument("--label-map", metavar="MAP.json",
                   help='codes -> classes, e.g. {"map": {"neu": "neutral"}, "no_emotion": '
                   '"none"}; default: the paper\'s five classes')
    q.add_argument("--session", action="append", metavar="NAME",
                   help="keep only this session (repeatable), e.g. Session1")
    q.add_argument("--speaker", action="append", metavar="ID",
                   help="keep only this speaker (repeatable), e.g. Ses01_F")
    style = q.add_mutually_exclusive_group()
    style.add_argument("--improvised", action="store_true", help="only improvised dialogs")
    style.add_argument("--scripted", action="store_true", help="only scripted dialogs")
    q.add_argument("--json", action="store_true", help="print the summary as JSON")
    q.set_defaults(func=run_inspect)

    s = sub.add_parser("synth", help="write a synthetic IEMOCAP-layout corpus (espeak-ng)",
                       description="Write a synthetic corpus of styled espeak-ng speech for "
                       "tests and demos.", epilog=_SYNTH_EPILOG,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    s.add_argument("--out", required=True, metavar="DIR",
                   help="folder to write (created in an existing folder; must be empty)")
    s.add_argument("--per-class", type=int, default=40, metavar="N",
                   help="utterances per emotion class (default 40)")
    s.add_argument("--seed", type=int, default=0, metavar="S", help="random seed (default 0)")
    s.add_argument("--json", action="store_true", help="print a JSON summary")
    s.set_defaults(func=run_synth)

    f = sub.add_parser("features", help="compute (or load from the cache) windowed features",
                       description="Compute a corpus' model-input features with the bench's "
                       "reference front end (or MLTK's), in windows, cached on disk; what "
                       "training reads through load_features.", epilog=_FEATURES_EPILOG,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    f.add_argument("spec", metavar="SPEC", help="KIND:DIR or DIR")
    f.add_argument("--config", metavar="CFG.json",
                   help="front end settings (JSON of fe.* keys); default: the paper's")
    f.add_argument("--window-frames", type=int, default=498, metavar="N",
                   help="frames per window (default 498: 5 s at 10 ms steps)")
    f.add_argument("--hop-frames", type=int, metavar="N",
                   help="frames between window starts (default: the window, no overlap)")
    f.add_argument("--reference", choices=("bench", "mltk"), default="bench",
                   help="front end that computes the features (default: the bench's own)")
    f.add_argument("--uint16", action="store_true", help="raw uint16 instead of int8")
    f.add_argument("--label-map", metavar="MAP.json", help="codes -> classes (see inspect)")
    f.add_argument("--cache-dir", metavar="DIR",
                   help="cache folder (default: the user cache folder bench-app/features)")
    f.add_argument("--json", action="store_true", help="print the summary as JSON")
    f.set_defaults(func=run_features)


def run_inspect(args: argparse.Namespace) -> int:
    """Read the corpus, filter it, print the summary."""
    from bench_app.core.corpora import LabelMap, open_corpus
    from bench_app.core.corpora.summary import format_summary, summarize

    label_map = LabelMap.from_json(args.label_map) if args.label_map else None
    corpus = open_corpus(args.spec, label_map)
    improvised = True if args.improvised else False if args.scripted else None
    corpus = corpus.filter(sessions=args.session, speakers=args.speaker, improvised=improvised)
    summary = summarize(corpus)
    print(json.dumps(summary, indent=2) if args.json else format_summary(summary))
    return 0


def run_synth(args: argparse.Namespace) -> int:
    """Write the synthetic corpus and report what was written and how long it took."""
    from bench_app.core.corpora.synth import make_synthetic_corpus

    start = time.perf_counter()
    show = not args.json and sys.stderr.isatty()
    result = make_synthetic_corpus(args.out, per_class=args.per_class, seed=args.seed,
                                   progress=_progress if show else None)
    if show:
        print(file=sys.stderr)
    result["seconds_taken"] = round(time.perf_counter() - start, 2)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"wrote {result['utterances']} utterances in {result['dialogs']} dialogs and "
              f"{result['keyword_clips']} keyword clips to {result['out']} in "
              f"{result['seconds_taken']:.1f} s (synthetic: for tests and demos, not a "
              "benchmark)")
    return 0


def _progress(done: int, total: int) -> None:
    if done == total or done % 20 == 0:
        print(f"\rspeaking {done}/{total}", end="", file=sys.stderr, flush=True)


def run_features(args: argparse.Namespace) -> int:
    """Compute or load the features; print counts per class, the reference and the cache."""
    from bench_app.core.corpora import LabelMap, open_corpus
    from bench_app.core.corpora.features import load_features
    from bench_app.core.frontend import FrontendConfig

    cfg = FrontendConfig.from_json(args.config) if args.config else FrontendConfig()
    label_map = LabelMap.from_json(args.label_map) if args.label_map else None
    corpus = open_corpus(args.spec, label_map, cfg.sample_rate_hz)
    start = time.perf_counter()
    fs = load_features(corpus, cfg, window_frames=args.window_frames,
                       hop_frames=args.hop_frames, cache_dir=args.cache_dir,
                       reference=args.reference, dtype="uint16" if args.uint16 else "int8")
    per_class = {name: int((fs.y == k).sum()) for k, name in enumerate(fs.class_names)}
    summary = {
        "corpus": str(corpus.root), "windows": int(fs.X.shape[0]), "shape": list(fs.X.shape),
        "dtype": str(fs.X.dtype), "per_class": per_class, "reference": fs.reference,
        "padding": fs.padding, "padded_windows": int((fs.padded_frames > 0).sum()),
        "cache": str(fs.cache_path) if fs.cache_path else None, "from_cache": fs.from_cache,
        "seconds_taken": round(time.perf_counter() - start, 2),
        "corpus_problems": len(corpus.problems),
        "problems": [p.to_dict() for p in fs.problems],
    }
    if args.json:
        print(json.dumps(summary, indent=2))
        return 0
    source = "read from the cache" if fs.from_cache else "computed"
    print(f"{summary['windows']} windows {tuple(fs.X.shape[1:])} {summary['dtype']} "
          f"{source} in {summary['seconds_taken']:.2f} s by {fs.reference}")
    print("per class: " + ", ".join(f"{k} {v}" for k, v in per_class.items()))
    print(f"{summary['padded_windows']} windows padded ({fs.padding})")
    if fs.cache_path:
        print(f"cache: {fs.cache_path}")
    if corpus.problems:
        print(f"{len(corpus.problems)} corpus problems (see bench-app corpus inspect)")
    for p in fs.problems:
        print(f"left out: {p}")
    return 0
