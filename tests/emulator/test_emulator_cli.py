"""`bench-app emulate` as its own process, driven by `bench-app device ...` over a real pty.

Done-when checks of issue 3: `device capture --inject` returns frames bit-exact with MLTK's
front end on the same file; `device info` shows the board's front end config and model hash;
a board configured unlike the host is visible in INFO and computes what MLTK computes with the
board's config; SIGTERM ends the emulator with status 0 and its stats written.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from bench_app.core.device.emulator.process import start_emulator
from bench_app.core.frontend import FrontendConfig
from bench_app.testing.oracles import mltk_reference
from bench_app.testing.running_board import MODEL, test_signal

pytestmark = pytest.mark.timeout(120)


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bench_app", *args], capture_output=True,
                          text=True, timeout=60)  # fmt: skip


@pytest.fixture(scope="module")
def emulator():
    with start_emulator(["--fast", "--model", str(MODEL)]) as emu:
        yield emu


def test_device_info_shows_the_boards_config_and_model_hash(emulator):
    out = cli("device", "info", "--device", emulator.port, "--json")
    assert out.returncode == 0, out.stderr
    info = json.loads(out.stdout)["info"]
    assert info["model_sha256"] == hashlib.sha256(MODEL.read_bytes()).hexdigest()
    assert info["frontend"] == FrontendConfig().to_dict()
    assert info["speaker"]["address"] == emulator.speaker
    assert info["model_untrained"] is True  # the sidecar says so, and INFO passes it on


def test_capture_of_an_injected_file_is_bit_exact_with_mltk(emulator, tmp_path):
    wav, npy = tmp_path / "in.wav", tmp_path / "frames.npy"
    sf.write(wav, test_signal(3.2, seed=5), 16000, subtype="PCM_16")
    out = cli("device", "capture", "--device", emulator.port, "--inject", str(wav),
              "--out", str(npy), "--json")  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["missing_frames"] == 0
    pcm, _ = sf.read(wav, dtype="int16")
    np.testing.assert_array_equal(np.load(npy), mltk_reference(pcm, FrontendConfig()))


def test_a_misconfigured_board_shows_its_config_and_computes_with_it(tmp_path):
    board_cfg = FrontendConfig(filterbank_lower_band_limit=125.0,
                               filterbank_upper_band_limit=7500.0)  # fmt: skip
    cfg_file = tmp_path / "board_fe.json"
    cfg_file.write_text(board_cfg.to_json())
    wav, npy = tmp_path / "in.wav", tmp_path / "frames.npy"
    pcm = test_signal(2.0, seed=6)
    sf.write(wav, pcm, 16000, subtype="PCM_16")
    with start_emulator(["--fast", "--frontend-config", str(cfg_file)]) as emu:
        info = json.loads(cli("device", "info", "--device", emu.port, "--json").stdout)["info"]
        out = cli("device", "capture", "--device", emu.port, "--inject", str(wav),
                  "--out", str(npy), "--json")  # fmt: skip
        assert out.returncode == 0, out.stderr
        assert emu.stop() == 0
    assert info["model_sha256"] is None and "results" not in info["capabilities"]
    assert info["frontend"]["fe.filterbank_lower_band_limit"] == 125.0
    frames = np.load(npy)
    np.testing.assert_array_equal(frames, mltk_reference(pcm, board_cfg))
    assert not np.array_equal(frames, mltk_reference(pcm, FrontendConfig()))


def test_device_info_on_sim_starts_a_board_with_the_sim_args_and_stops_it(tmp_path):
    from bench_app.core.device.emulator.process import running_emulators

    board_cfg = FrontendConfig(filterbank_n_channels=40, pcan_enable=False)
    cfg_file = tmp_path / "board_fe.json"
    cfg_file.write_text(board_cfg.to_json())
    out = cli("device", "info", "--device", "sim", "--sim", f"--frontend-config {cfg_file}",
              "--json")  # fmt: skip
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["device"] == "sim" and doc["info"]["frontend"] == board_cfg.to_dict()
    assert doc["info"]["board"] == "virtual-coral-dev-board-micro"
    port = doc["virtual_board"]["port"]
    assert not Path(port).exists()  # stopped after the command
    assert port not in {e["port"] for e in running_emulators()}


def test_device_capture_on_sim_gives_the_files_features(tmp_path):
    from bench_app.core.frontend import compute_features

    wav, npy = tmp_path / "in.wav", tmp_path / "frames.npy"
    sf.write(wav, test_signal(2.5, seed=8), 16000, subtype="PCM_16")
    out = cli("device", "capture", "--device", "sim", "--inject", str(wav), "--out", str(npy),
              "--json")  # fmt: skip
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["missing_frames"] == 0 and "--fast" in doc["virtual_board"]["sim_args"]
    assert not Path(doc["virtual_board"]["port"]).exists()
    pcm, _ = sf.read(wav, dtype="int16")
    frames = np.load(npy)
    np.testing.assert_array_equal(frames, compute_features(pcm, FrontendConfig()))
    np.testing.assert_array_equal(frames, mltk_reference(pcm, FrontendConfig()))


def test_sim_args_without_device_sim_are_refused():
    out = cli("device", "info", "--device", "/dev/ttyNONE", "--sim=--fast")
    assert out.returncode == 2 and out.stderr.strip().splitlines() == [
        "bench-app: error: --sim is for a board started for the command (--device sim or "
        "native) only."]


def test_sigterm_ends_the_emulator_cleanly_with_its_stats(tmp_path):
    stats = tmp_path / "stats.json"
    with start_emulator(["--speed", "4"], stats_file=str(stats)) as emu:
        port = Path(emu.port)
        assert port.is_symlink() and port.resolve().exists()
        time.sleep(0.5)  # let the board run a little (at 4x: 2 s of board time)
        assert emu.stop() == 0
    doc = json.loads(stats.read_text())
    assert doc["port"] == str(port) and doc["resets"] == 0 and doc["board_time_s"] > 0
    assert not port.exists()  # the port is gone with the board


def bad_model_files(folder: Path) -> dict[str, str]:
    """Files given as --model that are not loadable .tflite models: garbage, cut short, empty."""
    model = MODEL.read_bytes()
    files = {
        "garbage": np.random.default_rng(3).bytes(4000),
        "truncated": model[:500],  # the TFL3 header is there, the flatbuffer is cut short
        "truncated_late": model[: len(model) - 300],
        "empty": b"",
    }
    for name, data in files.items():
        (folder / f"{name}.tflite").write_bytes(data)
    return {name: str(folder / f"{name}.tflite") for name in files}


@pytest.mark.parametrize("args, word", [
    (["--channel", "delay=3"], "delay"),
    (["--faults", "drop=2"], "drop"),
    (["--channel", "bandpass_hz=100-9000"], "bandpass_hz"),
    (["--model", "/no/such/model.tflite"], "model"),
    (["--model", "{garbage}"], "garbage.tflite is not a TFLite model"),
    (["--model", "{truncated}"], "truncated.tflite is not a TFLite model"),
    (["--model", "{truncated_late}"], "truncated_late.tflite is not a TFLite model"),
    (["--model", "{empty}"], "empty.tflite is not a TFLite model"),
])  # fmt: skip
def test_bad_options_exit_2_with_one_sentence(args, word, tmp_path):
    files = bad_model_files(tmp_path)
    out = cli("emulate", *(a.format(**files) for a in args))
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and word in lines[0] and "Traceback" not in out.stderr
    assert out.stdout == ""


def test_a_running_emulator_is_announced_for_discovery(emulator):
    from bench_app.core.device.emulator.process import running_emulators

    ports = {e["port"]: e for e in running_emulators()}
    assert emulator.port in ports
    assert ports[emulator.port]["pid"] == emulator.pid
