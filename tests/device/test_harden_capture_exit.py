"""Issue 9, class 8: `device capture` exits non-zero when frames are missing (documented)."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf

import bench_app.cli as cli
from bench_app.core.device.protocol import (
    Ack,
    Frame,
    Hello,
    Info,
    InjectPcm,
    MsgType,
    Start,
    Stop,
)
from bench_app.testing.scripted_board import ScriptedBoard

FE = {"fe.sample_rate_hz": 16000, "fe.window_size_ms": 25, "fe.window_step_ms": 10}
INFO = Info("1.0", frontend=FE, capabilities=("frames", "inject_pcm"), inject_window=4,
            inject_max_samples=1000)


def _board(keep_every: int | None):
    """A board that sends every ``keep_every``-th frame of the clip (None: none at all)."""
    clip: list[np.ndarray] = []

    def handle(board, p):
        m = p.message
        if isinstance(m, Hello):
            return [INFO]
        if isinstance(m, Start | Stop):
            return [Ack(m.TYPE, p.seq)]
        if isinstance(m, InjectPcm):
            clip.append(m.samples)
            out = [Ack(MsgType.INJECT_PCM, p.seq, 0, 1000 * (len(clip) - 1))]
            if m.end_of_clip:
                n = 1 + (sum(map(len, clip)) - 400) // 160
                out += [Frame(k, k, np.full(32, k, np.uint16), 160 * k, m.tag)
                        for k in range(n) if keep_every and k % keep_every == 0]
            return out
        return None

    return handle


@pytest.mark.parametrize("keep_every, code", [(1, 0), (4, 1), (None, 1)])
def test_capture_exit_status_says_whether_every_frame_arrived(tmp_path, capsys, keep_every,
                                                              code):
    wav, out = tmp_path / "in.wav", tmp_path / "frames.npy"
    sf.write(wav, np.zeros(8000, np.int16), 16000, subtype="PCM_16")
    with ScriptedBoard(lenient=_board(keep_every)) as board:
        argv = ["device", "capture", "--device", board.path, "--inject", str(wav),
                "--out", str(out), "--timeout", "1"]
        assert cli.main(argv) == code
    err = capsys.readouterr().err
    assert out.exists()  # what arrived is saved either way
    if code:
        assert "the capture is incomplete" in err and "Traceback" not in err
    assert "Exit status: 0 every expected frame" in _help(capsys)


def _help(capsys):
    cli.main(["device", "capture", "--help"])
    return " ".join(capsys.readouterr().out.split())
