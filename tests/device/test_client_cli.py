"""`bench-app devices` / `device info` / `device capture` against a fake board on a real pty.

The fake board computes each frame's features by a rule the test re-applies independently to
the WAV file (absolute values of the first 32 samples of each 10 ms step), so the saved .npy is
checked against the file itself, not against the client's own output.
"""

from __future__ import annotations

import json

import numpy as np
import soundfile as sf

from bench_app.cli import main
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
INFO = Info("1.2.3", model_sha256="cd" * 32, frontend=FE, capabilities=("frames", "inject_pcm"),
            inject_window=4, inject_max_samples=1000)  # fmt: skip


def rule(samples: np.ndarray) -> np.ndarray:
    n = 1 + (len(samples) - 400) // 160
    return np.stack([np.abs(samples[k * 160 : k * 160 + 32].astype(np.int32)) for k in range(n)])


def board_handler():
    clip: list[np.ndarray] = []

    def handle(board, p):
        m = p.message
        if isinstance(m, Hello):
            return [INFO]
        if isinstance(m, Start | Stop):
            return [Ack(m.TYPE, p.seq)]
        if isinstance(m, InjectPcm):
            clip.append(m.samples)
            out = [Ack(MsgType.INJECT_PCM, p.seq, 0, 48000 + 1000 * (len(clip) - 1))]
            if m.end_of_clip:
                feats = rule(np.concatenate(clip)).astype(np.uint16)
                out.append(Frame(0, 299, np.zeros(32, np.uint16), 47840, 0))  # microphone
                out.append(b"\x13\x37 line noise")
                out += [Frame(k, 300 + k, f, 48000 + 160 * k, m.tag) for k, f in enumerate(feats)]
            return out
        return None

    return handle


def test_devices_json_lists_the_virtual_board(capsys):
    assert main(["devices", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["devices"][-1]["name"] == "sim"


def test_device_info_json_shows_the_boards_config_and_model_hash(capsys):
    with ScriptedBoard(lenient=board_handler()) as board:
        assert main(["device", "info", "--device", board.path, "--json"]) == 0
        board.assert_done()
    doc = json.loads(capsys.readouterr().out)
    assert doc["info"]["model_sha256"] == "cd" * 32
    assert doc["info"]["frontend"] == FE
    assert doc["link"]["crc_errors"] == 0


def test_device_capture_saves_the_clips_frames_as_uint16(tmp_path, capsys):
    samples = np.random.default_rng(3).integers(-30000, 30000, 8000).astype(np.int16)
    wav = tmp_path / "in.wav"
    sf.write(wav, samples, 16000, subtype="PCM_16")
    out = tmp_path / "frames.npy"
    with ScriptedBoard(lenient=board_handler()) as board:
        argv = ["device", "capture", "--device", board.path, "--inject", str(wav),
                "--out", str(out), "--tag", "9", "--json"]  # fmt: skip
        assert main(argv) == 0
        board.assert_done()
    doc = json.loads(capsys.readouterr().out)
    saved = np.load(out)
    assert saved.dtype == np.uint16 and saved.shape == (48, 32)
    np.testing.assert_array_equal(saved, rule(samples))
    assert doc["frames"] == doc["expected_frames"] == 48 and doc["missing_frames"] == 0
    assert doc["inject"]["chunks"] == 8 and doc["inject"]["first_sample_index"] == 48000
    assert doc["link"]["resyncs"] == 1 and doc["error"] is None


def test_device_capture_on_a_missing_port_exits_2_with_one_sentence(tmp_path, capsys):
    wav = tmp_path / "in.wav"
    sf.write(wav, np.zeros(1600, np.int16), 16000, subtype="PCM_16")
    argv = ["device", "capture", "--device", str(tmp_path / "ttyNONE"), "--inject", str(wav),
            "--out", str(tmp_path / "f.npy")]  # fmt: skip
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("bench-app: error: Cannot open the board link") and err.endswith(".")
    assert "\n" not in err


def test_device_capture_out_is_written_at_exactly_the_path_it_reports(tmp_path, capsys):
    samples = np.random.default_rng(4).integers(-30000, 30000, 4000).astype(np.int16)
    wav = tmp_path / "in.wav"
    sf.write(wav, samples, 16000, subtype="PCM_16")
    out = tmp_path / "frames.dat"  # no .npy: numpy.save(path) would write frames.dat.npy
    with ScriptedBoard(lenient=board_handler()) as board:
        argv = ["device", "capture", "--device", board.path, "--inject", str(wav),
                "--out", str(out), "--json"]  # fmt: skip
        assert main(argv) == 0
    assert json.loads(capsys.readouterr().out)["out"] == str(out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["frames.dat", "in.wav"]
    np.testing.assert_array_equal(np.load(out), rule(samples))


def test_device_capture_refuses_a_folder_or_missing_folder_before_asking_the_board(
        tmp_path, capsys):  # fmt: skip
    wav = tmp_path / "in.wav"
    sf.write(wav, np.zeros(1600, np.int16), 16000, subtype="PCM_16")
    (tmp_path / "results").mkdir()
    for out, word in [(tmp_path / "results", "is a folder"),
                      (tmp_path / "no" / "such" / "f.npy", "does not exist")]:  # fmt: skip
        argv = ["device", "capture", "--device", str(tmp_path / "ttyNONE"), "--inject", str(wav),
                "--out", str(out)]  # fmt: skip
        assert main(argv) == 2
        err = capsys.readouterr().err.strip().splitlines()
        # the output path is refused first, not the missing port
        assert len(err) == 1 and word in err[0] and str(out) in err[0], err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.wav", "results"]
