"""`bench-app gui`: the bench window (PySide6 + pyqtgraph)."""

from __future__ import annotations

import argparse

from bench_app.cli.arg_types import wait_seconds


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``gui`` command."""
    p = subparsers.add_parser(
        "gui",
        help="open the bench window (alignment, latency, model, runs)",
        description=(
            "Open the bench window: a device bar (serial ports and the virtual board 'sim'), "
            "live alignment and latency runs, the models, and the stored runs with their "
            "reports. Needs a display; on a machine without one use `xvfb-run -a bench-app "
            "gui` or the command line."
        ),
    )
    p.add_argument("--demo", action="store_true",
                   help="connect to the virtual board and start an alignment run right away")
    p.add_argument("--device", metavar="sim|PORT",
                   help="connect to this board at start (default: the board used last, the "
                        "virtual board 'sim' the first time)")
    p.add_argument("--no-connect", action="store_true",
                   help="open the window without connecting to a board")
    p.add_argument("--store", metavar="DIR",
                   help="run store folder (default: $BENCH_APP_STORE, else the last one used, "
                        "else the platform's data folder)")
    p.add_argument("--quit-after", type=wait_seconds, metavar="S", help=argparse.SUPPRESS)
    p.add_argument("--startup-report", action="store_true", help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_gui)


def cmd_gui(args: argparse.Namespace) -> int:
    """`bench-app gui`."""
    from bench_app.ui.app import run_gui

    return run_gui(store_dir=args.store, device=args.device, demo=args.demo,
                   quit_after_s=args.quit_after, startup_report=args.startup_report,
                   connect=not args.no_connect)
