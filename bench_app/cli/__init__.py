"""`bench-app`: the bench's command line, for scripted runs and board bring-up.

Each area of the bench registers its subcommands from its own module (listed in
`COMMAND_MODULES`); those modules import their heavy dependencies inside the command
functions, so `bench-app --help` stays fast. Errors the bench can explain (`BenchError`) print
one sentence and exit with status 2; `--debug` shows the traceback instead.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import sqlite3
import sys

from bench_app import __version__
from bench_app.cli.error_text import explain, printable
from bench_app.cli.numba_cache import ensure_numba_cache
from bench_app.core.errors import BenchError

#: Modules that each define ``register(subparsers)``; order is the order in ``--help``.
COMMAND_MODULES: tuple[str, ...] = (
    "bench_app.cli.frontend_cmd",
    "bench_app.cli.stimulus_cmd",
    "bench_app.cli.runs_cmd",
    "bench_app.cli.report_cmd",
    "bench_app.cli.emulate_cmd",
    "bench_app.cli.board_cmd",
    "bench_app.cli.run_cmd",
    "bench_app.cli.device_cmd",
    "bench_app.cli.conformance_cmd",
    "bench_app.cli.gui_cmd",
    "bench_app.cli.audio_cmd",
    "bench_app.cli.corpus_cmd",
    "bench_app.cli.train_cmd",
    "bench_app.cli.model_cmd",
)

EXIT_USAGE = 2
#: Exit status when the reader of stdout closed it (128 + SIGPIPE, as a shell reports it).
EXIT_BROKEN_PIPE = 141


class OneLineParser(argparse.ArgumentParser):
    """An argument parser whose errors are one line, like every other error of the bench."""

    def error(self, message: str):  # type: ignore[override]
        """Print ``bench-app: error: MESSAGE (see PROG --help)`` and exit with status 2."""
        self.exit(EXIT_USAGE, f"bench-app: error: {printable(message)} "
                              f"(see `{self.prog} --help`).\n")


def build_parser() -> argparse.ArgumentParser:
    """Build the full argument parser with every registered subcommand."""
    parser = OneLineParser(
        prog="bench-app",
        description=(
            "Hardware-in-the-loop test bench for the Coral Dev Board Micro speech-emotion "
            "model: reference front end, board link, virtual board, runs and reports."
        ),
    )
    parser.add_argument("--version", action="version", version=f"bench-app {__version__}")
    parser.add_argument(
        "--debug", action="store_true", help="show the full traceback when a command fails"
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True,
                                       parser_class=OneLineParser)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def _stdout_reader_gone() -> bool:
    """True when stdout is a pipe (or socket) whose reader has closed it (poll says POLLERR)."""
    import select

    try:
        fd = sys.stdout.fileno()
        poller = select.poll()
    except (AttributeError, OSError, ValueError):
        return False
    poller.register(fd, select.POLLOUT)
    return any(events & (select.POLLERR | select.POLLHUP) for _, events in poller.poll(0))


def _say(sentence: str) -> None:
    """Print ``bench-app: error: SENTENCE`` on stderr, whatever bytes a file name held."""
    print(f"bench-app: error: {printable(sentence)}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    """Run one `bench-app` command; return its exit status."""
    ensure_numba_cache()  # before any command imports numba (it reads its cache dir once)
    for stream in (sys.stdout, sys.stderr):  # file names that are not UTF-8 print as \xNN
        with contextlib.suppress(AttributeError, ValueError):
            stream.reconfigure(errors="backslashreplace")
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a refused argument: a status, returned
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    try:
        status = int(args.func(args) or 0)
        sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's final flush
        return status
    except BrokenPipeError:
        if not _stdout_reader_gone():
            raise  # a socket or port of the bench broke: a real failure, shown as such
        # The reader went away (`bench-app runs show ID | head`): not an error of ours. Point
        # stdout at /dev/null so the interpreter's last flush does not raise again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except BenchError as exc:
        if args.debug:
            raise
        _say(str(exc))
        return EXIT_USAGE
    except (OSError, UnicodeError, RecursionError, MemoryError, ValueError, OverflowError,
            sqlite3.Error) as exc:
        # Families a user can provoke from outside (files, names, JSON, the store): one sentence
        # naming the path (error_text.explain); --debug shows the traceback.
        if args.debug:
            raise
        _say(explain(exc) or str(exc))
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("bench-app: interrupted", file=sys.stderr)
        return 130
