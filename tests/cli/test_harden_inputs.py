"""Issue 9, classes 6, 7 and 9: nonsense refused at parse time, limits checked before any
work, and one sentence (never a traceback) for inputs that come from outside the bench."""

from __future__ import annotations

import json
import os
import struct
import time

import numpy as np
import pytest

import bench_app.cli as cli
from bench_app.core.device.protocol.messages import Info
from bench_app.core.errors import ProtocolError


def _parse_fails(argv, capsys):
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.count("\n") == 1
    return err.strip()


@pytest.mark.parametrize("argv, words", [
    (["run", "alignment", "--device", "sim", "--threshold", "nan"], "not a finite number"),
    (["run", "alignment", "--device", "sim", "--threshold", "-1"], "above 0"),
    (["run", "alignment", "--device", "sim", "--threshold", "1e400"], "not a finite number"),
    (["run", "alignment", "--device", "sim", "--level-dbfs", "nan"], "not a finite number"),
    (["run", "alignment", "--device", "sim", "--level-dbfs", "6"], "-150 to 0"),
    (["run", "alignment", "--device", "sim", "--burst-s", "inf"], "not a finite number"),
    (["run", "latency", "--device", "sim", "--count", "99999999999999999999"], "1 to 100000"),
    (["run", "latency", "--device", "sim", "--count", "0"], "1 to 100000"),
    (["emulate", "--arena", "-5"], "an arena size in bytes"),
    (["emulate", "--speed", "nan"], "not a finite number"),
    (["stimulus", "sweep", "--out", "x.wav", "--start-hz", "0"], "a frequency"),
    (["stimulus", "sweep", "--out", "x.wav", "--end-hz", "9000"], "8000"),
    (["stimulus", "sweep", "--out", "x.wav", "--duration-s", "100000"], "3600"),
    (["stimulus", "noise", "--out", "x.wav", "--seed", "-1"], "a seed"),
    (["frontend", "a.wav", "--out", "b.npy", "--channel", "-1"], "a channel index"),
    (["device", "info", "--device", "sim", "--timeout", "-3"], "a time in seconds"),
    (["runs", "list", "--limit", "0"], "1 to"),
])
def test_nonsense_is_refused_when_parsed(argv, words, capsys):
    line = _parse_fails(argv, capsys)
    assert "error: argument" in line and words in line


def test_sensible_values_still_parse():
    args = cli.build_parser().parse_args(
        ["run", "alignment", "--device", "sim", "--threshold", "0.05", "--level-dbfs", "-12"])
    assert args.threshold == 0.05 and args.level_dbfs == -12.0


# ---- limits checked before work (class 6) ------------------------------------------------------
def _wav_header(rate, data_bytes):
    fmt = struct.pack("<HHIIHH", 1, 1, rate, rate * 2, 2, 16)
    return (b"RIFF" + struct.pack("<I", 36 + data_bytes) + b"WAVE" + b"fmt "
            + struct.pack("<I", 16) + fmt + b"data" + struct.pack("<I", data_bytes))


@pytest.mark.parametrize("rate, seconds_of_data, words", [
    (1, 32_000, "sample rate is 1 Hz"),          # the 64 KB WAV "at 1 Hz"
    (16_000, 3_700, "at most 3,600 s"),           # longer than an hour
])
def test_lying_wav_headers_are_refused_at_once(tmp_path, capsys, rate, seconds_of_data, words):
    path = tmp_path / "lying.wav"
    n = rate * seconds_of_data
    with open(path, "wb") as fh:
        fh.write(_wav_header(rate, 2 * n))
        fh.truncate(44 + 2 * n)  # sparse: the size the header promises, no disk used
    start = time.monotonic()
    assert cli.main(["frontend", str(path), "--out", str(tmp_path / "f.npy")]) == 2
    assert time.monotonic() - start < 5
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err
    assert not (tmp_path / "f.npy").exists()


@pytest.mark.parametrize("source", ["/dev/zero", "fifo", "folder", "big"])
def test_config_must_be_a_small_regular_file(tmp_path, capsys, source):
    wav = tmp_path / "a.wav"
    _write_tone(wav)
    if source == "fifo":
        source = tmp_path / "cfg.fifo"
        os.mkfifo(source)  # nobody writes: opening it for reading used to block forever
    elif source == "folder":
        source = tmp_path
    elif source == "big":
        source = tmp_path / "big.json"
        source.write_text(" " * (5 * 1024 * 1024) + "{}")
    start = time.monotonic()
    code = cli.main(["frontend", str(wav), "--out", str(tmp_path / "f.npy"),
                     "--config", str(source)])
    assert code == 2 and time.monotonic() - start < 5
    err = capsys.readouterr().err
    words = ("not a regular file", "bytes, more than", "Is a directory")
    assert "Traceback" not in err and any(w in err for w in words)


def test_plan_longer_than_the_limit_is_refused_before_rendering(tmp_path, capsys):
    plan = {"segments": [{"kind": "silence", "duration_s": 4000.0}]}
    (tmp_path / "p.json").write_text(json.dumps(plan))
    assert cli.main(["stimulus", "plan", "--plan", str(tmp_path / "p.json"),
                     "--out", str(tmp_path / "o.wav")]) == 2
    assert "at most 3,600 s" in capsys.readouterr().err
    assert not (tmp_path / "o.wav").exists()


# ---- one sentence instead of a traceback (class 7) ---------------------------------------------
def _write_tone(path, seconds=0.5):
    import soundfile as sf

    t = np.arange(int(16000 * seconds)) / 16000
    tone = (0.3 * np.sin(2 * np.pi * 1000 * t) * 32767).astype(np.int16)
    sf.write(os.fsencode(path), tone, 16000)


def _one_sentence(capsys):
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.count("\n") == 1 and err.startswith("bench-app: error:")
    return err


def test_non_utf8_file_names(tmp_path, capsys):
    name = os.fsdecode(b"caf\xe9.wav")  # Latin-1 bytes: not UTF-8
    _write_tone(tmp_path / name)
    out = tmp_path / os.fsdecode(b"out\xff.npy")
    assert cli.main(["frontend", str(tmp_path / name), "--out", str(out)]) == 0
    assert out.exists()
    capsys.readouterr()
    assert cli.main(["frontend", str(tmp_path / os.fsdecode(b"no\xff.wav")),
                     "--out", str(out), "--force"]) == 2
    assert "\\xff" in _one_sentence(capsys)


def test_deeply_nested_json_config(tmp_path, capsys):
    _write_tone(tmp_path / "a.wav")
    (tmp_path / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    assert cli.main(["frontend", str(tmp_path / "a.wav"), "--out", str(tmp_path / "f.npy"),
                     "--config", str(tmp_path / "deep.json")]) == 2
    assert "nested too deeply" in _one_sentence(capsys)


def test_unreadable_input_is_one_sentence(tmp_path, capsys):
    (tmp_path / "file").write_text("x")
    assert cli.main(["stimulus", "plan", "--plan", str(tmp_path / "file" / "p.json"),
                     "--out", str(tmp_path / "o.wav")]) == 2
    assert "p.json" in _one_sentence(capsys)


def test_os_errors_become_one_sentence_naming_the_path():
    from bench_app.cli.error_text import explain

    exc = PermissionError(13, "Permission denied", os.fsdecode(b"/x/\xff.wav"))
    assert explain(exc) == "Cannot use /x/\\xff.wav: Permission denied."
    assert explain(RecursionError()).startswith("The input is nested too deeply")
    assert explain(KeyError("x")) is None  # a bug stays a traceback


def test_emulate_stats_file_in_a_missing_folder_is_refused_at_start(capsys):
    start = time.monotonic()
    assert cli.main(["emulate", "--stats-file", "/nonexistent/x.json"]) == 2
    assert time.monotonic() - start < 10
    assert "/nonexistent" in _one_sentence(capsys)


@pytest.mark.parametrize("rate", [0, -16000, 10**12, 16000.5, "16000", True])
def test_board_announcing_a_nonsense_rate_is_refused(rate):
    doc = Info(firmware_version="x").to_dict() | {"sample_rate_hz": rate}
    with pytest.raises(ProtocolError, match="sample_rate_hz"):
        Info.from_dict(doc)


def test_nan_samples_are_zeroed_with_a_note(tmp_path, capsys):
    import soundfile as sf

    x = np.full(4000, 0.1, np.float32)
    x[100:103] = np.nan
    sf.write(tmp_path / "nan.wav", x, 16000, subtype="FLOAT")
    assert cli.main(["frontend", str(tmp_path / "nan.wav"), "--out", str(tmp_path / "f.npy")]) == 0
    assert "3 samples were NaN" in capsys.readouterr().err
