"""`bench-app board native`: run the firmware core as a board on this machine."""

from __future__ import annotations

import argparse
import contextlib

EPILOG = """\
Builds firmware/host/native_board with CMake on first use (build/firmware-native), then runs
it: the board's own C++ core (protocol, INJECT flow control, integer MicroFrontend) serving
the protocol on a pseudo-terminal. Prints the port path as the first line of stdout, then one
JSON line (port, pid), and serves until Ctrl-C or SIGTERM. It has no model runtime: INFO says
so (model_sha256 null, no "results" capability) and it never sends RESULT.
Runs take `--device native --sim "--fast"` to start one for the run.
"""


def register(subparsers) -> None:
    """Add the `board` command."""
    p = subparsers.add_parser(
        "board", help="run the firmware core as a board on this machine (prints its port path)",
        description="Run a board built from firmware/ on this machine.",
    )  # fmt: skip
    sub = p.add_subparsers(dest="board_command", required=True, metavar="KIND")
    n = sub.add_parser(
        "native", help="the firmware core as a host process on a pty", epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Run the native board: firmware/core serving the protocol on a pty.",
    )  # fmt: skip
    n.add_argument("--wav", metavar="FILE", help="microphone audio (any file the bench reads; "
                                                 "default: silence)")  # fmt: skip
    n.add_argument("--frontend", default="paper", metavar="NAME",
                   help="front-end tables built in: paper (default), micro_speech, "
                        "sdk_keyword, short16 (firmware/core/configs)")  # fmt: skip
    n.add_argument("--fast", action="store_true",
                   help="process injected audio as fast as possible (else at the real rate)")
    n.set_defaults(func=run_native)


def run_native(args) -> int:
    """Start the native board, relay its two announcement lines, serve until interrupted."""
    import json
    import signal
    import sys

    from bench_app.core.device.native_board import start_native_board

    argv = ["--frontend", args.frontend]
    if args.wav:
        argv += ["--wav", args.wav]
    if args.fast:
        argv.append("--fast")
    def interrupt(*_):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)  # SIGTERM ends it as cleanly as Ctrl-C
    with start_native_board(argv) as board:
        print(board.port)
        print(json.dumps({"port": board.port, "pid": board.pid, "board": "native"}))
        sys.stdout.flush()
        with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C reaches the board too
            board.process.wait()
    return 0
