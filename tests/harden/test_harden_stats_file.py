"""Issue 9, classes 5 and 7: `emulate --stats-file` follows the CLI's Outputs rule.

An existing file is replaced only with ``--force``, an input never; the checks run before the
board starts; the file is written atomically, and a write that fails mid-run (its folder
removed) neither leaves a half-written file nor stops the board.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench_app.cli import main
from bench_app.core.device.emulator.faults import FaultStats
from bench_app.core.device.emulator.process import start_emulator
from bench_app.core.model import MODELS_DIR

MODEL = MODELS_DIR / "untrained_paper_shape.tflite"


def _sentence(err: str) -> str:
    line = err.strip()
    assert "\n" not in line and "Traceback" not in line and line.endswith("."), err
    return line


def test_an_existing_stats_file_is_kept_without_force(tmp_path, capsys):
    stats = tmp_path / "stats.json"
    stats.write_text("precious")
    start = time.monotonic()
    assert main(["emulate", "--stats-file", str(stats)]) == 2
    assert time.monotonic() - start < 10  # refused before the board starts
    captured = capsys.readouterr()
    assert "already exists; pass --force" in _sentence(captured.err) and captured.out == ""
    assert stats.read_text() == "precious"


def test_an_input_is_never_the_stats_file_even_with_force(tmp_path, capsys):
    model = tmp_path / "m.tflite"
    model.write_bytes(MODEL.read_bytes())
    assert main(["emulate", "--model", str(model), "--stats-file", str(model), "--force"]) == 2
    assert "one of this command's inputs" in _sentence(capsys.readouterr().err)
    assert model.read_bytes() == MODEL.read_bytes()


@pytest.mark.parametrize("target", ["folder", "/dev/full"])
def test_a_folder_or_a_device_is_refused(tmp_path, capsys, target):
    path = str(tmp_path) if target == "folder" else target
    assert main(["emulate", "--stats-file", path, "--force"]) == 2
    assert path in _sentence(capsys.readouterr().err)


def test_force_replaces_it_with_the_boards_stats(tmp_path):
    stats = tmp_path / "stats.json"
    stats.write_text("old")
    with start_emulator(["--speed", "4", "--stats-file", str(stats), "--force"]) as emu:
        assert emu.stats_file == str(stats)
        time.sleep(0.3)
        assert emu.stop() == 0
    doc = json.loads(stats.read_text())
    assert doc["final"] is True and doc["board_time_s"] > 0
    assert [p.name for p in tmp_path.iterdir()] == ["stats.json"]  # no temporary file left


def test_a_failed_write_leaves_the_last_complete_file_and_no_temporary(tmp_path, monkeypatch):
    stats = tmp_path / "stats.json"
    FaultStats().write(stats, {"n": 1})

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(json, "dump", full_disk)
    with pytest.raises(OSError):
        FaultStats().write(stats, {"n": 2})
    assert json.loads(stats.read_text())["n"] == 1
    assert [p.name for p in tmp_path.iterdir()] == ["stats.json"]


def test_the_board_serves_on_when_its_stats_folder_vanishes(tmp_path):
    folder = tmp_path / "gone"
    folder.mkdir()
    stats = folder / "stats.json"
    errors = tmp_path / "stderr.txt"
    with errors.open("wb") as err:
        proc = subprocess.Popen([sys.executable, "-m", "bench_app", "emulate", "--speed", "4",
                                 "--stats-file", str(stats)], stdout=subprocess.PIPE,
                                stderr=err)  # fmt: skip
        try:
            port = proc.stdout.readline().decode().strip()
            assert Path(port).exists()
            # the board may be mid-write (a temporary file beside stats.json): remove the
            # folder with what is in it, until it stays gone
            deadline = time.monotonic() + 5.0
            while folder.exists() and time.monotonic() < deadline:
                shutil.rmtree(folder, ignore_errors=True)
            assert not folder.exists()
            time.sleep(1.5)  # three periodic writes fail
            assert proc.poll() is None  # still serving
            from bench_app.core.device.client import BoardClient

            with BoardClient.open(port, timeout=5.0) as client:
                assert client.info().sample_rate_hz == 16000
        finally:
            proc.send_signal(signal.SIGTERM)
            code = proc.wait(timeout=20)
            proc.stdout.close()
    text = errors.read_text()
    assert code == 0 and "Traceback" not in text
    assert text.count("cannot write the stats file") == 1
