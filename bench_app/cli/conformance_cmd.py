"""`bench-app conformance`: check that a board speaks docs/protocol.md correctly, level by level."""

from __future__ import annotations

import argparse
import json

from bench_app.cli.arg_types import finite_float, wait_seconds

_SOAK = finite_float(0.0, 86400.0, what="a soak length in seconds ")

EPILOG = """\
levels (each check prints one line: level, name, PASS / FAIL / N/A, and why):
  L0  HELLO / INFO: protocol version, front-end config, capabilities, heartbeat
  L1  injected golden PCM (fixtures/frontend/pcm) gives bit-exact FRAMEs and echoed PCM
  L2  RESULT scores equal the host twin's TFLM run on the board's own frames (n/a without a
      model runtime; the twin is models/ by INFO's model hash, or --model)
  L3  live microphone: non-zero level, frame cadence vs the config's hop, overflow counters
  L4  soak: everything streamed for --soak-s seconds, nothing dropped (off by default)

examples:
  bench-app conformance --device sim
  bench-app conformance --device native --json
  bench-app conformance --device socket://10.10.10.1:33001 --out report.json --soak-s 600

sim starts a virtual board (default --sim "--fast --channel noise_dbfs=-50" plus the untrained
model of models/); native starts firmware/core as a host program (default --sim "--fast", and
the golden speech clip looped as its microphone unless --sim gives --wav).

exit status: 0 every check passed or was not applicable; 1 a check failed; 2 an error (bad
input, or no board to talk to).
"""


def register(subparsers) -> None:
    """Add the `conformance` command."""
    p = subparsers.add_parser(
        "conformance",
        help="check a board against the protocol, level by level (L0-L4)",
        description="Run the board conformance levels L0-L4 against one board and print one "
                    "line per check.",  # fmt: skip
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--device", required=True, metavar="sim|native|PORT_OR_URL",
                   help="the board: a serial port or pyserial URL (socket://10.10.10.1:PORT), "
                        "or sim / native (a board started for this command)")  # fmt: skip
    p.add_argument("--sim", default=None, metavar="ARGS",
                   help="arguments for the board started by --device sim or native, in one "
                        "string (replace the defaults below)")  # fmt: skip
    p.add_argument("--model", metavar="M.tflite",
                   help="the .tflite the board runs, for the host twin of L2 (default: the "
                        "file in models/ with INFO's model hash)")  # fmt: skip
    p.add_argument("--soak-s", type=_SOAK, default=0.0, metavar="S",
                   help="run L4 for S seconds (600 for the 10-minute soak; default 0: skip)")
    p.add_argument("--listen-s", type=wait_seconds, default=2.0, metavar="S",
                   help="seconds L3 listens to the microphone (default 2)")
    p.add_argument("--timeout", type=wait_seconds, default=5.0, metavar="S",
                   help="seconds to wait for a silent board (default 5)")
    p.add_argument("--json", action="store_true", help="print the report as one JSON object")
    p.add_argument("--out", metavar="REPORT.json", help="also write the report here as JSON")
    p.set_defaults(func=run)


def board_arguments(device: str, sim: str | None, folder: str) -> list[str]:
    """The started board's arguments: ``--sim`` if given, else the defaults of the epilog."""
    from bench_app.core.runs.procedures.board_io.board_session import (
        NATIVE,
        default_model_path,
        sim_arguments,
    )

    if sim is not None:
        return sim_arguments(sim)
    if device == NATIVE:
        import soundfile as sf

        from bench_app.core.conformance.stimuli import golden_clips

        wav = f"{folder}/speech.wav"
        sf.write(wav, golden_clips()["speech"], 16000, subtype="PCM_16")
        return ["--fast", "--wav", wav]
    return sim_arguments("--fast --channel noise_dbfs=-50", model=default_model_path())


def run(args) -> int:
    """Open the board, run the levels, print the report; exit 0 / 1 as the checks say."""
    import tempfile

    from bench_app.cli.output_files import check_output_file
    from bench_app.core.conformance import LEVELS, ConformanceOptions, run_conformance
    from bench_app.core.errors import ConfigError
    from bench_app.core.runs.procedures.board_io.board_session import STARTED_BOARDS, BoardSession

    if args.out:
        check_output_file(args.out)
    if args.sim is not None and args.device not in STARTED_BOARDS:
        raise ConfigError("--sim is for a board started for the command (--device sim or "
                          "native) only.")  # fmt: skip
    options = ConformanceOptions(model=args.model, listen_s=args.listen_s, soak_s=args.soak_s,
                                 quiet_s=min(args.timeout, 3.0))  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="bench_app_conformance_") as tmp:
        board_args = (board_arguments(args.device, args.sim, tmp)
                      if args.device in STARTED_BOARDS else [])  # fmt: skip
        with BoardSession(args.device, board_args, timeout=args.timeout).open() as session:
            report = run_conformance(session.client, args.device, options)
    if args.out:
        report.write(args.out)
    if args.json:
        print(json.dumps(report.to_dict()))
        return report.exit_code
    info = report.info or {}
    print(f"conformance of {args.device}: {info.get('board', '?')} firmware "
          f"{info.get('firmware_version', '?')}")
    level = None
    for check in report.checks:
        if check.level != level:
            level = check.level
            print(f"-- {level}: {LEVELS.get(level, '')}")
        print(check.line())
    print(f"result: {'FAIL' if report.exit_code else 'PASS'}: {report.summary()}"
          + (f"; report in {args.out}" if args.out else ""))
    return report.exit_code
