"""`bench-app emulate`: run a virtual Coral Dev Board Micro on a pseudo-terminal."""

from __future__ import annotations

import argparse

from bench_app.cli.arg_types import audio_seconds, positive_float, positive_int
from bench_app.cli.output_files import Outputs, add_force_option

_SPEED = positive_float(1000.0, what="a speed ")
_ARENA = positive_int(1 << 30, what="an arena size in bytes ")

EPILOG = """\
Prints the board's port path as the first line of stdout, then one JSON line (port, virtual
speaker address, pid, stats file), and serves until killed; SIGTERM or Ctrl-C end it cleanly.

--channel keys (virtual speaker path only; injected audio bypasses it):
  delay_ms=137  gain_db=-6  bandpass_hz=100-7000  noise_dbfs=-60|off  room=small|medium|large
  ir=FILE.wav  clock_ppm=50  dc_remover=on|off  seed=N
--faults keys:
  corrupt=1e-3 (byte corruption rate)  drop=0.01 (data message drop rate)
  reset_after_s=2 (port vanishes once, for reset_down_ms=300)  stall_ms=50 (every
  stall_every_s=1)  seed=N
--fault K=V (repeatable; a broken board whose INFO still states the right settings, for
  checking `bench-app conformance`):
  frontend-band=LO-HI (front end band in Hz)  drop-frames=P (frames left unsent)
  result-offset=N (added to every RESULT score)  seed=N
"""


def register(subparsers) -> None:
    """Add the `emulate` command."""
    p = subparsers.add_parser(
        "emulate",
        help="run a virtual Coral Micro on a pseudo-terminal (prints its port path)",
        description=(
            "Run a virtual Coral Dev Board Micro: the board protocol on a pseudo-terminal, the "
            "reference front end in streaming mode, a .tflite model in the TFLM interpreter, "
            "an acoustic channel for the virtual speaker, and fault injection."
        ),
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--model", metavar="M.tflite", help="model to run (no RESULT stream without)")
    p.add_argument("--frontend-config", metavar="CFG.json",
                   help="the board's front end settings (fe.* keys; default: the paper's)")
    p.add_argument("--channel", default="", metavar="K=V,...",
                   help="acoustic channel for the virtual speaker (keys below)")
    p.add_argument("--faults", default="", metavar="K=V,...", help="link faults (keys below)")
    p.add_argument("--fault", action="append", default=[], metavar="K=V",
                   help="a board fault (repeatable; keys below)")
    pace = p.add_mutually_exclusive_group()
    pace.add_argument("--speed", type=_SPEED, default=1.0, metavar="N",
                      help="run board time N times faster than real time")
    pace.add_argument("--fast", action="store_true",
                      help="process injected and speaker audio as fast as possible")
    p.add_argument("--capture", metavar="DEVICE",
                   help="microphone = this sounddevice input (name or index) instead of the "
                        "virtual speaker")  # fmt: skip
    p.add_argument("--hop-s", type=audio_seconds, default=1.0, help="inference hop in seconds")
    p.add_argument("--arena", type=_ARENA, metavar="BYTES",
                   help="TFLM arena size (default: the smallest that allocates)")
    p.add_argument("--stats-file", metavar="F.json",
                   help="write injected-fault counts here (periodically and on exit; an "
                        "existing file only with --force)")
    add_force_option(p)
    p.set_defaults(func=run)


def run(args) -> int:
    """Build the virtual board from the arguments and serve until SIGTERM / Ctrl-C."""
    import json
    import os
    import signal
    import sys

    from bench_app.core.device.emulator.board_faults import BoardFaults
    from bench_app.core.device.emulator.channel import ChannelConfig
    from bench_app.core.device.emulator.faults import FaultConfig
    from bench_app.core.device.emulator.process import OWNED_DIR_ENV, PARENT_ENV
    from bench_app.core.device.emulator.server import EmulatorOptions, VirtualBoard
    from bench_app.core.errors import ConfigError
    from bench_app.core.frontend import FrontendConfig

    channel = ChannelConfig.parse(args.channel)
    if args.stats_file:  # refused before the board starts, not when it first writes stats
        outputs = Outputs(force=args.force,
                          inputs=[args.model, args.frontend_config, channel.ir])  # fmt: skip
        outputs.file(args.stats_file, "--stats-file")
    if not args.speed > 0:
        raise ConfigError("--speed must be a positive number.")
    if not args.hop_s > 0:
        raise ConfigError("--hop-s must be a positive number of seconds.")
    options = EmulatorOptions(
        model=args.model,
        frontend=(FrontendConfig.from_json(args.frontend_config) if args.frontend_config
                  else FrontendConfig()),
        channel=channel,
        faults=FaultConfig.parse(args.faults),
        board_faults=BoardFaults.parse(args.fault),
        speed=args.speed,
        fast=args.fast,
        capture=args.capture,
        stats_file=args.stats_file,
        hop_s=args.hop_s,
        arena_size=args.arena,
        parent_pid=int(os.environ[PARENT_ENV]) if os.environ.get(PARENT_ENV) else None,
        owned_dir=os.environ.get(OWNED_DIR_ENV) or None,
    )  # fmt: skip
    board = VirtualBoard(options)

    def stop(signum, frame):
        board.stop_event.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    announcement = board.announce()  # discoverable before anyone reads the port
    print(board.port_path, flush=True)
    print(json.dumps(announcement), flush=True)
    board.serve()
    totals = {k: v for k, v in board.stats.to_dict(seqs=False).items() if v}
    where = f"; stats in {args.stats_file}" if args.stats_file else ""
    print(f"virtual board stopped: {json.dumps(totals)}{where}", file=sys.stderr)
    return 0
