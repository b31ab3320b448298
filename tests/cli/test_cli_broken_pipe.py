"""`bench-app ... | head`: a reader that closes the pipe early ends the command quietly (exit
141, as a shell reports SIGPIPE), with no BrokenPipeError traceback."""

from __future__ import annotations

import argparse
import subprocess
import sys

import pytest

pytestmark = pytest.mark.timeout(60)


@pytest.mark.parametrize("extra", [[], ["--json"]])
def test_a_closed_stdout_ends_the_command_without_a_traceback(tmp_path, extra):
    cmd = [sys.executable, "-m", "bench_app", "runs", "list", "--store", str(tmp_path), *extra]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # the reader is gone before the command writes a byte
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 141
    assert err == ""  # no traceback, no "Exception ignored" from the final flush
    # The same command with a reader prints and succeeds.
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and str(tmp_path) in out.stdout


def test_a_broken_pipe_elsewhere_is_not_taken_for_a_closed_stdout(monkeypatch):
    """A BrokenPipeError from a socket (say, the virtual speaker's) is a real failure."""
    from bench_app import cli

    def broken(args):
        raise BrokenPipeError(32, "Broken pipe")

    parser = cli.build_parser()
    monkeypatch.setattr(cli, "build_parser", lambda: parser)
    monkeypatch.setattr(parser, "parse_args",
                        lambda argv: argparse.Namespace(func=broken, debug=False))
    with pytest.raises(BrokenPipeError):
        cli.main(["runs", "list"])
