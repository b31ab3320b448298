"""Issue 9, class 10: a killed virtual board leaves nothing that misleads: its port link is
never followed to a reused /dev/pts/N, and its announcement and temp folder are removed."""

from __future__ import annotations

import os
import pty
import signal
import time
from pathlib import Path

import pytest

import bench_app.cli as cli
from bench_app.core.device.emulator.process import ANNOUNCE_DIR, running_emulators, start_emulator
from bench_app.core.device.link import SerialLink
from bench_app.core.errors import LinkError


def test_a_killed_boards_port_link_is_refused_even_if_its_pty_is_reused(capsys):
    with start_emulator([]) as emu:
        port, pid = emu.port, emu.pid
        target = os.readlink(port)
        os.kill(pid, signal.SIGKILL)
        emu.process.wait(10)
        reused = [pty.openpty() for _ in range(4)]  # the kernel hands out the freed /dev/pts/N
        try:
            names = [os.ttyname(s) for _, s in reused]
            assert Path(port).is_symlink()  # the stale link is still there
            with pytest.raises(LinkError, match="is gone"):
                SerialLink(port, lambda data: None).open()
            start = time.monotonic()
            assert cli.main(["device", "info", "--device", port, "--timeout", "1"]) == 2
            err = capsys.readouterr().err
            assert "is gone" in err and "Traceback" not in err
            assert time.monotonic() - start < 5
            if target in names:  # the reuse really happened: nobody talked to that terminal
                master = reused[names.index(target)][0]
                os.set_blocking(master, False)
                with pytest.raises(BlockingIOError):
                    os.read(master, 100)
        finally:
            for m, s in reused:
                os.close(m)
                os.close(s)
        announcement = ANNOUNCE_DIR / f"{pid}.json"
        assert announcement.exists()
        assert port not in [e["port"] for e in running_emulators()]
        assert not announcement.exists() and not Path(port).parent.exists()  # cleaned
