"""`bench-app frontend`: run the reference MicroFrontend on an audio file, save the features.

The output is what the board's TFLM front end computes for the same samples (bit-exact with
MLTK's AudioFeatureGenerator, window_variant "float", or TensorFlow's op, "double"): a
(frames, channels) array saved with numpy, uint16 unless ``--int8``. ``--stages DIR`` also saves
every stage's per-frame output (window, fft, energy, filterbank, noise estimate, ...) to debug
a mismatch with the board.
"""

from __future__ import annotations

import argparse
import json
import sys

from bench_app.cli.arg_types import channel_index
from bench_app.cli.output_files import (
    Outputs,
    add_force_option,
    make_output_folder,
    save_array,
)

_EPILOG = """\
examples:
  bench-app frontend speech.wav --out speech_features.npy
  bench-app frontend speech.wav --out f.npy --int8 --config fe.json --stages debug/
  bench-app frontend stereo.wav --channel 1 --out right.npy --json

The config file is a JSON object of MLTK fe.* settings (prefix optional), e.g.
  {"fe.window_size_ms": 30, "fe.pcan_enable": false, "fe.window_variant": "double"}
Missing keys keep the paper's defaults (16 kHz, 25/10 ms, 32 channels, 80-7600 Hz, noise
reduction and PCAN on, log scale shift 6). Audio at another rate is resampled, with a note.
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``frontend`` command."""
    p = subparsers.add_parser(
        "frontend",
        help="compute MicroFrontend features of an audio file (the board's spectrogram)",
        description=(
            "Compute the TFLM MicroFrontend features of a WAV/FLAC file with the bench's "
            "bit-exact reference and save them as a (frames, channels) .npy array."
        ),
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("input", metavar="IN", help="audio file (WAV or FLAC)")
    p.add_argument("--out", required=True, metavar="OUT.npy",
                   help="file to save the features in (.npy format, written at exactly this "
                   "path; its folder must exist)")
    p.add_argument("--config", metavar="CFG.json",
                   help="front end settings (JSON of fe.* keys); default: the paper's")
    p.add_argument("--stages", metavar="DIR",
                   help="also save each stage's per-frame output as DIR/<stage>.npy (DIR is "
                   "created in an existing folder)")
    p.add_argument("--int8", action="store_true",
                   help="save int8 features by TFLM's formula instead of uint16")
    p.add_argument("--channel", type=channel_index, metavar="N",
                   help="channel of a multi-channel file to use (from 0)")
    p.add_argument("--json", action="store_true", help="print a JSON summary on stdout")
    add_force_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Read the audio, compute the features (and stages), save them, report."""
    from bench_app.core.audio_files import read_audio
    from bench_app.core.frontend import FrontendConfig, compute_features, to_int8

    outputs = Outputs(force=args.force, inputs=[args.input, args.config])
    out = outputs.file(args.out)  # refused before any work, not after it
    if args.stages:
        outputs.folder(args.stages, "--stages")
    cfg = FrontendConfig.from_json(args.config) if args.config else FrontendConfig()
    clip = read_audio(args.input, channel=args.channel, sample_rate=cfg.sample_rate_hz)
    for note in clip.notes:
        print(f"bench-app: note: {note}", file=sys.stderr)
    if args.stages:
        stages = compute_features(clip.samples, cfg, stages=True)
        features = stages["features"]
    else:
        stages, features = None, compute_features(clip.samples, cfg)
    result = to_int8(features) if args.int8 else features
    save_array(out, result)
    stage_files = []
    if stages is not None:
        folder = make_output_folder(args.stages, "--stages")
        for name, array in stages.items():
            stage_files.append(str(save_array(folder / f"{name}.npy", array, "--stages")))
    summary = {
        "input": str(args.input),
        "out": str(out),
        "frames": int(result.shape[0]),
        "channels": int(result.shape[1]),
        "dtype": str(result.dtype),
        "seconds": clip.samples.size / cfg.sample_rate_hz,
        "notes": list(clip.notes),
        "stages": stage_files,
        "config": cfg.to_dict(),
    }
    if args.json:
        print(json.dumps(summary))
    else:
        print(f"{summary['frames']} frames x {summary['channels']} channels "
              f"({summary['dtype']}) from {summary['seconds']:.2f} s -> {out}")
    return 0
