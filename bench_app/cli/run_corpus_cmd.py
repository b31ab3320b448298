"""`bench-app run corpus`: play a labelled corpus to a board, score it beside the host twin."""

from __future__ import annotations

import argparse

from bench_app.cli.arg_types import finite_float, positive_int

_COUNT = positive_int(10_000_000, what="a count ")
_DB = finite_float(0.0, 60.0, lo_open=True, what="a level tolerance in dB ")

_EPILOG = """\
Per clip the run records four answers: the label, the host twin on the clean clip, the twin on
the board's own PCM and the board (rows of `runs export RUN --csv`); the summary splits the F1
drop from twin to board into the acoustic path and the firmware. A resumed run copies the
clips of the run it continues and plays only the rest. Exit status: 0 done, 2 an error,
3 interrupted or cancelled (what was measured is stored; continue with --resume RUN_ID).

examples:
  bench-app run corpus --device sim --sim=--fast --corpus synthetic:synth --path injected --json
  bench-app run corpus --device sim --corpus synthetic:synth --sweep noise_dbfs=-70,-50,-40
  bench-app run corpus --device /dev/ttyACM0 --model m.tflite --corpus iemocap:/data/IEMOCAP \\
      --sessions 5 --output "USB Audio" --rerecord rerecorded_s5
  bench-app run corpus --device sim --resume 3f2a81c0
"""


def register(sub: argparse._SubParsersAction, common) -> None:
    """Add ``run corpus`` to the ``run`` group (``common`` adds --device, --sim, --json,
    --store)."""
    p = sub.add_parser(
        "corpus", help="play a labelled corpus to the board; F1, confusion, the host twin",
        description="Play (or inject) every clip of a labelled corpus to the board, decide "
        "each clip's answer from the board's RESULTs, run the same INT8 model on the host "
        "(on the board's PCM and on the clean clip), and score all of them live.",
        epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    common(p)
    p.add_argument("--corpus", metavar="KIND:DIR",
                   help="iemocap:DIR, synthetic:DIR or csv:DIR (required unless --resume)")
    p.add_argument("--sessions", nargs="+", metavar="N",
                   help="only these sessions (5 or Session5)")
    p.add_argument("--limit", type=_COUNT, metavar="N", help="at most N clips")
    p.add_argument("--path", choices=("acoustic", "injected"), default=None,
                   help="acoustic: through the speaker (default); injected: INJECT_PCM")
    p.add_argument("--output", default="virtual", metavar="virtual|SOUND_DEVICE",
                   help="acoustic path output (default: the virtual board's speaker)")
    p.add_argument("--decision", choices=("mean", "majority", "max"), default="mean",
                   help="clip answer from its windows: mean score (default), majority, max")
    p.add_argument("--model", metavar="M.tflite",
                   help="the model the board runs (required for a port; sim: its model)")
    p.add_argument("--label-map", metavar="MAP.json", help="corpus codes -> classes")
    p.add_argument("--rerecord", metavar="OUT",
                   help="write the board's microphone PCM of every clip as a corpus in OUT")
    p.add_argument("--sweep", metavar="KEY=V1,V2,...",
                   help="virtual board only: one pass per channel setting, e.g. "
                        "noise_dbfs=-70,-50,-40 (or gain_db, delay_ms, room, bandpass_hz)")
    p.add_argument("--canary", metavar="CLIP.wav", help="clip replayed to watch for drift")
    p.add_argument("--canary-every", type=_COUNT, default=10, metavar="N",
                   help="replay the canary every N clips (default 10)")
    p.add_argument("--canary-tolerance-db", type=_DB, default=1.0, metavar="DB",
                   help="level change of the canary that counts as drift (default 1 dB)")
    p.add_argument("--pause-on-drift", action="store_true",
                   help="pause the run when the canary drifts (here Ctrl-C then cancels it; "
                        "continue with --resume)")
    p.add_argument("--resume", metavar="RUN_ID",
                   help="continue this interrupted or cancelled corpus run")
    p.set_defaults(func=cmd_corpus)


def cmd_corpus(args: argparse.Namespace) -> int:
    """`bench-app run corpus`."""
    from bench_app.cli.run_cmd import _run
    from bench_app.core.runs.procedures.corpus.params import CorpusParams, parse_sweep
    from bench_app.core.runs.procedures.corpus.procedure import CorpusProcedure

    given = {
        "device": args.device, "sim": args.sim, "corpus": args.corpus,
        "sessions": tuple(args.sessions) if args.sessions else None, "limit": args.limit,
        "path": args.path, "output": args.output, "decision": args.decision,
        "model": args.model, "label_map": args.label_map, "rerecord": args.rerecord,
        "sweep": parse_sweep(args.sweep), "canary": args.canary,
        "canary_every": args.canary_every, "canary_level_db": args.canary_tolerance_db,
        "pause_on_drift": args.pause_on_drift,
    }
    records: list = []
    if args.resume:
        given, records = _resume(args, given)
    given["path"] = given["path"] or "acoustic"
    params = CorpusParams(**given)
    return _run(args, CorpusProcedure(params, resume_records=records))


def _resume(args: argparse.Namespace, given: dict) -> tuple[dict, list]:
    """The stored run's parameters (options given now override them) and its clips."""
    from bench_app.cli.runs_cmd import open_store
    from bench_app.core.analysis.corpus_records import STREAM_CLIPS
    from bench_app.core.errors import ConfigError

    with open_store(args, readonly=True) as store:
        run = store.get_run(args.resume)
        if run.procedure != "corpus":
            raise ConfigError(f"Run {run.uid[:8]} is a {run.procedure} run, not a corpus run.")
        if run.status not in ("cancelled", "interrupted", "failed"):
            raise ConfigError(f"Run {run.uid[:8]} is {run.status}; only an interrupted, "
                              "cancelled or failed corpus run can be resumed.")
        docs = store.documents(run.uid, STREAM_CLIPS, kind="event", load_arrays=True)
        records = [(d.doc["data"], d.doc.get("arrays") or {}) for d in docs]
        stored = dict(run.parameters)
    params = {k: v for k, v in stored.items() if k in given or k in ("keep_pcm", "timeout_s")}
    for key in ("sessions", "sweep"):
        if params.get(key) is not None:
            params[key] = tuple(params[key])
    for key, value in given.items():
        if key in ("device", "sim", "output", "model") and value not in (None, ""):
            params[key] = value  # where to run may change; what to measure may not
    params["rerecord"] = None  # the first run's folder holds its clips; not re-opened
    params["resume_from"] = run.uid
    return params, records


def print_corpus(out: dict) -> None:
    """The corpus run's headline figures, one per line (after the status line)."""
    def fig(value) -> str:
        return "-" if value is None else f"{value:.3f}"

    if "macro_f1" in out:
        drop = out.get("f1_drop") or {}
        errors = out.get("errors") or {}
        rows = [("clips", str(out.get("clips"))),
                ("board macro F1", fig(out.get("macro_f1"))),
                ("board micro / weighted F1",
                 f"{fig(out.get('micro_f1'))} / {fig(out.get('weighted_f1'))}"),
                ("board UA / WA", f"{fig(out.get('ua'))} / {fig(out.get('wa'))}"),
                ("twin macro F1", fig(out.get("twin_macro_f1"))),
                ("F1 drop: acoustic path", fig(drop.get("acoustic_path"))),
                ("F1 drop: firmware", fig(drop.get("firmware"))),
                ("board = twin on its PCM", fig(out.get("agreement"))),
                ("errors model/path/fw", f"{errors.get('model')} / "
                 f"{errors.get('acoustic_path')} / {errors.get('firmware')}"),
                ("flipped clips", str(len(out.get("flipped") or []))),
                ("skipped clips", str(len(out.get("skipped") or [])))]
        for entry in out.get("sweep") or []:
            rows.append((f"sweep {entry['setting']}",
                         f"SNR {fig(entry['snr_db'])} dB, board {fig(entry['board_macro_f1'])}"
                         f", twin {fig(entry['twin_macro_f1'])}"))
        for label, value in rows:
            print(f"  {label:<26} {value}")
        for line in out.get("notes") or []:
            print(f"  - {line}")
    print(f"  stored in {out['store']}")
