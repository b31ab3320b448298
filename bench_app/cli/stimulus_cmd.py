"""`bench-app stimulus`: write a test stimulus as a 16 kHz int16 WAV, with its timeline.

Every stimulus is a plan (`bench_app.core.stimuli`); the ready-made kinds build one from the
options, ``plan`` renders a plan file. ``--timeline`` writes where each segment lies (and the
plan itself), which is what the alignment analysis reads; ``--save-plan`` writes the plan
alone, to edit and re-render with ``stimulus plan``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from bench_app.cli.arg_types import audio_seconds, frequency_hz, int_range, level_dbfs
from bench_app.cli.output_files import Outputs, add_force_option, write_atomically, write_text

KINDS = ("tonal-bursts", "sweep", "noise", "speech", "plan")

#: Which kinds each kind-specific option applies to (the rest refuse it with a sentence).
_OPTION_KINDS = {
    "plan": ("plan",),
    "text": ("speech",),
    "voice": ("speech",),
    "color": ("noise",),
    "config": ("tonal-bursts",),
    "start_hz": ("sweep",),
    "end_hz": ("sweep",),
    "duration_s": ("tonal-bursts", "sweep", "noise"),
}

_EPILOG = """\
kinds:
  tonal-bursts  a sync chirp, then one burst at each filterbank channel's centre frequency
                (from --config, default the paper's 32 channels 80-7600 Hz) at each level
                (repeat --level-dbfs; default -12 and -24 dBFS peak), silence between bursts
  sweep         logarithmic sine sweep, default 80-7600 Hz, 5 s, -12 dBFS peak
  noise         white or pink noise (--color), default 5 s at -30 dBFS RMS
  speech        espeak-ng speaking --text (en-us unless --voice), optionally at a peak level
  plan          render a plan file (--plan); relative audio file paths in it are taken from
                the plan file's folder

examples:
  bench-app stimulus tonal-bursts --out bursts.wav --timeline bursts.json
  bench-app stimulus noise --color pink --level-dbfs -40 --out pink.wav
  bench-app stimulus speech --text "the quick brown fox" --out fox.wav
  bench-app stimulus plan --plan my_plan.json --out my.wav --timeline my.json
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``stimulus`` command."""
    p = subparsers.add_parser(
        "stimulus",
        help="write a test stimulus (tonal bursts, sweep, noise, speech, plan) as a WAV file",
        description=(
            "Write a deterministic test stimulus as a 16 kHz mono 16-bit WAV file. The same "
            "options and seed always give the same samples."
        ),
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("kind", choices=KINDS, metavar="KIND", help=f"one of: {', '.join(KINDS)}")
    p.add_argument("--out", required=True, type=Path, metavar="OUT.wav", help="WAV file to write")
    p.add_argument(
        "--plan", type=Path, metavar="PLAN.json", help="plan JSON file to render (kind 'plan')"
    )
    p.add_argument(
        "--seed", type=int_range(0, 2**32 - 1, what="a seed "), metavar="N",
        help="random seed for noise and phases (default 0)",
    )
    p.add_argument(
        "--level-dbfs",
        type=level_dbfs,
        action="append",
        metavar="L",
        help="level in dBFS: peak for tones, sweeps and speech, RMS for noise "
        "(tonal-bursts: repeat for several levels)",
    )
    p.add_argument(
        "--duration-s", type=audio_seconds, metavar="S", help="length (tonal-bursts: of each burst)"
    )
    p.add_argument("--text", metavar="TEXT", help="words to speak (kind 'speech')")
    p.add_argument("--voice", metavar="VOICE", help="espeak-ng voice (default en-us)")
    p.add_argument("--color", choices=("white", "pink"), help="noise colour (default white)")
    p.add_argument(
        "--start-hz", type=frequency_hz, metavar="HZ", help="sweep start frequency (default 80)"
    )
    p.add_argument("--end-hz", type=frequency_hz, metavar="HZ",
                   help="sweep end frequency (default 7600)")
    p.add_argument(
        "--config",
        type=Path,
        metavar="CFG.json",
        help="front end config JSON giving the filterbank channels",
    )
    p.add_argument(
        "--timeline", type=Path, metavar="OUT.json", help="also write the segment timeline as JSON"
    )
    p.add_argument(
        "--save-plan", type=Path, metavar="PLAN.json", help="also write the plan as JSON"
    )
    p.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    add_force_option(p)
    p.set_defaults(func=run_stimulus)


def run_stimulus(args: argparse.Namespace) -> int:
    """Build or load the plan, render it, write the WAV (then timeline and plan); report."""
    import soundfile as sf

    from bench_app.core.stimuli import render

    plan, base_dir = _plan_from_args(args)
    audio = [getattr(s, "path", None) for s in plan.segments]
    inputs = [args.plan, args.config, *(Path(base_dir or ".") / a for a in audio if a)]
    outputs = Outputs(force=args.force, inputs=inputs)  # all checked before rendering
    out = outputs.file(args.out)
    timeline = None if args.timeline is None else outputs.file(args.timeline, "--timeline")
    save_plan = None if args.save_plan is None else outputs.file(args.save_plan, "--save-plan")
    rendering = render(plan, base_dir=base_dir)
    write_atomically(out, lambda fh: sf.write(fh, rendering.samples, rendering.sample_rate,
                                              subtype="PCM_16", format="WAV"))
    written = {"out": str(out)}
    if timeline is not None:
        write_text(timeline, rendering.timeline_json() + "\n", "--timeline")
        written["timeline"] = str(timeline)
    if save_plan is not None:
        write_text(save_plan, plan.to_json() + "\n", "--save-plan")
        written["plan"] = str(save_plan)

    seconds = len(rendering.samples) / rendering.sample_rate
    if args.json:
        summary = {
            **written,
            "kind": args.kind,
            "name": plan.name,
            "seed": plan.seed,
            "sample_rate": rendering.sample_rate,
            "n_samples": int(len(rendering.samples)),
            "n_segments": len(rendering.segments),
            "clipped": rendering.clipped,
            "notes": list(rendering.notes),
        }
        print(json.dumps(summary))
        return 0
    print(
        f"wrote {args.out} ({plan.name or args.kind}: {seconds:.2f} s, "
        f"{len(rendering.segments)} segments, {rendering.sample_rate} Hz)"
    )
    for note in rendering.notes:
        print(f"note: {note}")
    for what in ("timeline", "plan"):
        if what in written:
            print(f"wrote {what} {written[what]}")
    return 0


def _plan_from_args(args: argparse.Namespace):
    """The plan the options describe, and the folder its relative file paths start from."""
    from bench_app.core.errors import ConfigError
    from bench_app.core.stimuli import (
        Plan,
        noise_plan,
        speech_plan,
        sweep_plan,
        tonal_bursts_plan,
    )

    kind = args.kind
    for option, kinds in _OPTION_KINDS.items():
        if getattr(args, option) is not None and kind not in kinds:
            flag = "--" + option.replace("_", "-")
            raise ConfigError(
                f"{flag} does not apply to '{kind}' (it is for {' and '.join(kinds)})."
            )
    levels = args.level_dbfs or []
    if len(levels) > 1 and kind != "tonal-bursts":
        raise ConfigError(f"'{kind}' takes one --level-dbfs, not {len(levels)}.")
    level = levels[0] if levels else None
    seed = 0 if args.seed is None else args.seed
    duration = {} if args.duration_s is None else {"duration_s": args.duration_s}

    if kind == "plan":
        if args.plan is None:
            raise ConfigError("Kind 'plan' needs the plan file: give --plan PLAN.json.")
        if args.seed is not None or level is not None:
            raise ConfigError("--seed and --level-dbfs do not apply to 'plan'; edit the plan.")
        from bench_app.core.input_limits import read_text_input

        text = read_text_input(args.plan, "plan file", ConfigError)  # regular, bounded, UTF-8
        return Plan.from_json(text), args.plan.resolve().parent
    if kind == "tonal-bursts":
        from bench_app.core.frontend import FrontendConfig

        band = FrontendConfig.from_json(args.config) if args.config else FrontendConfig()
        kwargs = {"levels_dbfs": levels} if levels else {}
        if args.duration_s is not None:
            kwargs["burst_s"] = args.duration_s
        return tonal_bursts_plan(band, seed=seed, **kwargs), None
    if kind == "sweep":
        band = {"start_hz": args.start_hz or 80.0, "end_hz": args.end_hz or 7600.0}
        lvl = {} if level is None else {"level_dbfs": level}
        return sweep_plan(**band, **lvl, **duration), None
    if kind == "noise":
        lvl = {} if level is None else {"level_dbfs": level}
        return noise_plan(args.color or "white", **lvl, **duration, seed=seed), None
    if args.text is None:
        raise ConfigError("Kind 'speech' needs the words to speak: give --text \"...\".")
    return speech_plan(args.text, level, voice=args.voice or "en-us"), None

