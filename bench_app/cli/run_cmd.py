"""`bench-app run alignment|latency|corpus`: measure a board or a virtual one; store the run."""

from __future__ import annotations

import argparse
import json
import sys

from bench_app.cli.arg_types import (
    channel_index,
    finite_float,
    level_dbfs,
    positive_float,
    positive_int,
)
from bench_app.cli.runs_cmd import add_store_option, open_store

#: Exit status of a run interrupted (its board vanished) or cancelled (Ctrl-C).
EXIT_CANCELLED = 3
#: Exit status of a run that completed without enough evidence for a verdict.
EXIT_NO_VERDICT = 4

_BURST_S = positive_float(60.0, what="a burst length ")
_COUNT = positive_int(100_000, what="a count ")
_THRESHOLD = finite_float(0.0, 10.0, lo_open=True, what="the pass bar on the mean relative error ")

_DEVICE_HELP = ("'sim' (start a virtual board for this run and stop it after), 'native' (the same "
                "with the firmware core built as a host program), a serial port "
                "(/dev/ttyACM0, the port `bench-app emulate` printed) or a pyserial URL "
                "(socket://10.10.10.1:PORT)")
_SIM_HELP = ("arguments for `bench-app emulate` when --device is sim (or for `bench-app board "
             "native` when it is native), in one string, e.g. "
             "--sim \"--fast --channel delay_ms=137,gain_db=-6,noise_dbfs=-60\" (write "
             "--sim=--fast when it is a single option)")

_EXIT_TEXT = """\
Exit status: 0 the run passed, 1 it completed and failed, 2 an error (bad input, or the run
failed), 3 interrupted or cancelled (Ctrl-C; what was measured is stored), 4 it completed with
no verdict (too little evidence, e.g. most frames lost; the reasons say why)."""

_ALIGN_EPILOG = f"""\
The summary keeps pipeline parity (host front end on the board's own PCM vs the board's frames:
mean_relative_error, the verdict) apart from the acoustic path (stimulus_mre, matched_mre,
delay_samples, lag_frames, gain_db, noise_floor_dbfs). Definitions: docs/metrics.md.
{_EXIT_TEXT}

examples:
  bench-app run alignment --device sim --sim "--fast --channel delay_ms=137,gain_db=-6"
  bench-app run alignment --device sim --path injected --json
  bench-app run alignment --device /dev/ttyACM0 --output "USB Audio" --level-dbfs -12
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``run`` command group."""
    run = subparsers.add_parser(
        "run", help="run a measurement (alignment, latency) on a board and store it",
        description="Run a measurement on a board or a virtual board; every run is stored.")
    sub = run.add_subparsers(dest="run_command", metavar="PROCEDURE", required=True)

    p = sub.add_parser(
        "alignment", help="play a stimulus, compare the board's frames with the host front end",
        description="Lint the board's front-end config, play a stimulus to the board (through "
        "a speaker, the virtual speaker, or injected), capture its frames and microphone PCM, "
        "and measure pipeline parity and the acoustic path.",
        epilog=_ALIGN_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    _common(p)
    p.add_argument("--path", choices=("acoustic", "injected"), default="acoustic",
                   help="acoustic: speaker -> microphone (default); injected: INJECT_PCM")
    p.add_argument("--output", default="virtual", metavar="virtual|SOUND_DEVICE",
                   help="acoustic path output: the virtual board's speaker (default) or a "
                        "sound device name or index")
    p.add_argument("--level-dbfs", type=level_dbfs, metavar="L",
                   help="peak level of the stimulus in dBFS (default: as rendered)")
    p.add_argument("--stimulus", default="tonal-bursts",
                   metavar="tonal-bursts|sweep|speech|FILE.wav",
                   help="what to play (default tonal-bursts: one burst per channel centre)")
    p.add_argument("--stimulus-channel", type=channel_index, metavar="N",
                   help="the channel of a multi-channel stimulus file to play (from 0)")
    p.add_argument("--burst-s", type=_BURST_S, default=0.25, metavar="S",
                   help="tonal bursts: length of each burst and of the silence after it")
    p.add_argument("--frontend-config", metavar="CFG.json",
                   help="the host front-end config (fe.* keys; default: the paper's)")
    p.add_argument("--threshold", type=_THRESHOLD, default=0.05,
                   help="pipeline-parity pass bar on the mean relative error (default 0.05)")
    p.set_defaults(func=cmd_alignment)

    p = sub.add_parser(
        "latency", help="time N inferences: the board's split and sound onset to RESULT",
        description="Collect N inferences from the board's model while audio plays: the "
        "board's front end / invoke / total times and the host's sound-onset-to-RESULT time, "
        "with percentiles, jitter and the real-time budget (the window hop).",
        epilog=_EXIT_TEXT, formatter_class=argparse.RawDescriptionHelpFormatter)
    _common(p)
    p.add_argument("--count", type=_COUNT, default=20, metavar="N",
                   help="inferences (default 20)")
    p.add_argument("--model", metavar="M.tflite",
                   help="model for the virtual board (default: the demo model, models/demo)")
    p.add_argument("--output", default="virtual", metavar="virtual|none|SOUND_DEVICE",
                   help="where the pink noise plays (default: the virtual speaker)")
    p.set_defaults(func=cmd_latency)

    from bench_app.cli.run_corpus_cmd import register as register_corpus

    register_corpus(sub, _common)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--device", required=True, metavar="sim|native|PORT|URL",
                   help=_DEVICE_HELP)
    p.add_argument("--sim", default="", metavar="ARGS", help=_SIM_HELP)
    p.add_argument("--json", action="store_true", help="print one JSON object")
    add_store_option(p)


def cmd_alignment(args: argparse.Namespace) -> int:
    """`bench-app run alignment`."""
    from bench_app.core.frontend import FrontendConfig
    from bench_app.core.runs.procedures.alignment.procedure import (
        AlignmentParams,
        AlignmentProcedure,
    )

    host = FrontendConfig.from_json(args.frontend_config) if args.frontend_config else None
    _check_sim_model(args)
    params = AlignmentParams(
        device=args.device, sim=args.sim, path=args.path, output=args.output,
        level_dbfs=args.level_dbfs, stimulus=args.stimulus,
        stimulus_channel=args.stimulus_channel, burst_s=args.burst_s,
        host_frontend=None if host is None else host.to_dict(), threshold=args.threshold)
    return _run(args, AlignmentProcedure(params))


def cmd_latency(args: argparse.Namespace) -> int:
    """`bench-app run latency`."""
    from bench_app.core.errors import ConfigError
    from bench_app.core.runs.procedures.latency.procedure import LatencyParams, LatencyProcedure

    if args.model and args.device != "sim":
        raise ConfigError("--model is for the virtual board (--device sim) only.")
    _check_sim_model(args, args.model)
    params = LatencyParams(device=args.device, sim=args.sim, count=args.count,
                           model=args.model, output=args.output)
    return _run(args, LatencyProcedure(params))


def _check_sim_model(args: argparse.Namespace, model: str | None = None) -> None:
    """Refuse a model the virtual board could not serve before any run is stored (the board
    session checks again when it starts the board, for callers other than this CLI)."""
    if args.device != "sim":
        return
    from bench_app.core.runs.procedures.board_io.board_session import (
        check_sim_model,
        sim_arguments,
    )

    check_sim_model(sim_arguments(args.sim, model=model))


def _run(args: argparse.Namespace, procedure) -> int:
    """Run ``procedure`` into the store, with a progress bar on a terminal; print the result."""
    from bench_app.core.runs import RunStatus, run_procedure
    from bench_app.core.runs.engine.documents import finite_or_none
    from bench_app.core.runs.engine.progress_bar import ProgressSubscriber
    from bench_app.core.store.errors import StoreError

    try:
        with open_store(args) as store, procedure:
            subscribers = [store.subscriber()]
            if not args.json and sys.stderr.isatty():
                subscribers.append(ProgressSubscriber())
            result = run_procedure(procedure, subscribers)  # Ctrl-C in it: a cancelled run
            store_dir = str(store.store_dir)
    except KeyboardInterrupt:  # before the run started (a virtual board starting): no run
        print("bench-app: cancelled before the run started; nothing was stored.",
              file=sys.stderr)
        return EXIT_CANCELLED
    if store.writer.errors:  # nothing reports success that was not written
        raise StoreError(f"The run {result.uid[:8]} was not fully stored in {store_dir} "
                         f"({store.writer.errors[0]}).")
    summary = dict(result.summary or {})
    out = {"run_id": result.uid, "procedure": result.procedure, "status": result.status.value,
           "reason": result.reason, "store": store_dir, **summary}
    if args.json:
        print(json.dumps(finite_or_none(out), allow_nan=False))
    else:
        _print_text(out)
    if result.status is RunStatus.FAILED:
        print(f"bench-app: error: {result.reason}", file=sys.stderr)
        return 2
    if result.status is not RunStatus.SUCCESS:
        return EXIT_CANCELLED
    passed = summary.get("pass", True)
    return EXIT_NO_VERDICT if passed is None else 0 if passed else 1


def _print_text(out: dict) -> None:
    """The run's headline figures, labelled and formatted by `bench_app.core.labels`."""
    from bench_app.core.labels import ALIGNMENT_HEADLINES, figure_line, label_for, latency_row

    print(f"{out['procedure']} run {out['run_id']} {out['status']}: {out['reason']}")
    if out["procedure"] == "corpus":
        from bench_app.cli.run_corpus_cmd import print_corpus

        print_corpus(out)
        return
    if "pass" not in out and "percentiles_ms" not in out:  # nothing was measured
        print(f"  stored in {out['store']}")
        return
    if out["procedure"] == "alignment":
        rows = [(label_for(key).text, figure_line(key, out.get(key), out))
                for key in ALIGNMENT_HEADLINES]
        rows += [(label_for("lint").text, str(len(out.get("lint") or []))),
                 ("verdict", {True: "PASS", False: "FAIL"}.get(out.get("pass"), "no verdict"))]
    else:
        rows = [latency_row(name, vals)
                for name, vals in (out.get("percentiles_ms") or {}).items()]
        rows.append((label_for("budget_used_p99").text,
                     figure_line("budget_used_p99", out.get("budget_used_p99"))))
    for label, value in rows:
        print(f"  {label:<22} {value}")
    for line in (out.get("reasons") or []) + (out.get("notes") or []):
        print(f"  - {line}")
    print(f"  stored in {out['store']}")
