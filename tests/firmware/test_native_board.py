"""The native board (firmware/core as a host program) driven by the bench's own client and runs.

These start `firmware/host/native_board` (built with CMake on first use, hence ``slow``): its
announcement, its INFO (no model runtime, so no RESULT capability), the frames of injected
audio against the bench's reference front end for two configs, and an alignment run whose
pipeline parity must be exactly 0.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from bench_app.cli import main
from bench_app.core.device.client import BoardClient
from bench_app.core.device.native_board import native_board_program
from bench_app.core.device.protocol import Stream
from bench_app.core.errors import DeviceError
from bench_app.core.frontend import FrontendConfig, compute_features

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
SPEECH = ROOT / "fixtures" / "frontend" / "pcm" / "speech.i16"


@pytest.fixture(scope="module")
def program():
    return native_board_program()


@pytest.fixture(scope="module")
def speech_wav(tmp_path_factory):
    path = tmp_path_factory.mktemp("native") / "speech.wav"
    sf.write(path, np.fromfile(SPEECH, dtype="<i2"), 16000, subtype="PCM_16")
    return path


def cli(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(list(argv))
    return code, out.getvalue()


def test_announces_its_port_and_says_it_has_no_model(program):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "bench_app", "board", "native", "--fast"],
                            stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT)  # fmt: skip
    try:
        port = proc.stdout.readline().strip()
        doc = json.loads(proc.stdout.readline())
        assert Path(port).exists() and doc["port"] == port
        with BoardClient.open(port, timeout=3.0) as client:
            info = client.info()
            assert info.model_sha256 is None
            assert "results" not in info.capabilities and "inject_pcm" in info.capabilities
            assert info.frontend == FrontendConfig().to_dict()
            with pytest.raises(DeviceError, match="UNSUPPORTED"):
                client.start([Stream.FRAMES, Stream.RESULTS])
            client.start([Stream.FRAMES])
            client.stop([Stream.FRAMES])
    finally:
        proc.terminate()
        assert proc.wait(10) == 0


@pytest.mark.parametrize("frontend", ["paper", "micro_speech"])
def test_injected_frames_equal_the_reference(program, speech_wav, tmp_path, frontend):
    out = tmp_path / "frames.npy"
    code, _ = cli("device", "capture", "--device", "native",
                  "--sim", f"--fast --frontend {frontend}", "--inject", str(speech_wav),
                  "--out", str(out))  # fmt: skip
    assert code == 0
    cfg = FrontendConfig.from_json(ROOT / "firmware" / "core" / "configs" / f"{frontend}.json")
    reference = compute_features(np.fromfile(SPEECH, dtype="<i2"), cfg)
    frames = np.load(out)
    assert frames.shape == reference.shape and frames.shape[0] > 100
    np.testing.assert_array_equal(frames, reference)


def test_alignment_run_has_pipeline_parity_exactly_zero(program, tmp_path):
    code, text = cli("run", "alignment", "--device", "native", "--sim=--fast",
                     "--path", "injected", "--burst-s", "0.1", "--json",
                     "--store", str(tmp_path))  # fmt: skip
    doc = json.loads(text)
    assert code == 0 and doc["status"] == "success"
    parity = doc["parity"]
    assert parity["exact"] is True and parity["mean_relative_error"] == 0.0
    assert parity["cells"] > 1000
    assert doc["pcm_missing_samples"] == 0 and doc["link"]["total_drops"] == 0
    assert doc["link"]["board_audio_overruns"] == 0


def test_a_bad_microphone_file_is_one_sentence(program, tmp_path, capsys):
    code, _ = cli("board", "native", "--wav", str(tmp_path / "missing.wav"))
    assert code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "missing.wav" in err[0]
