"""Training survives bad input and being stopped: damaged corpus items are skipped with the
reason, a killed run leaves no model folder, a TFLM crash in the arena search is a finding."""

import os
import signal
import subprocess
import sys

import numpy as np
import pytest

from bench_app.core.audio_files import write_wav
from bench_app.training.data import load_corpus

REPO = __import__("pathlib").Path(__file__).resolve().parents[2]


def test_damaged_corpus_items_are_skipped_saying_which_and_why(tmp_path):
    rng = np.random.default_rng(0)
    lines = ["path,label"]
    for i in range(4):
        for label in ("happy", "sad"):
            name = f"{label}{i}.wav"
            write_wav(tmp_path / name, (rng.normal(0, 3000, 16000)).astype(np.int16), 16000)
            lines.append(f"{name},{label}")
    (tmp_path / "broken.wav").write_bytes(b"RIFF....not a wav at all")
    lines += ["broken.wav,happy", "missing.wav,sad"]
    (tmp_path / "labels.csv").write_text("\n".join(lines) + "\n")
    ds = load_corpus(f"csv:{tmp_path}", 64, 32, cache_dir=tmp_path / "cache")
    assert len(ds.x) == 8 and sorted(ds.class_names) == ["happy", "sad"]
    text = "\n".join(ds.problems)
    assert "broken.wav" in text and "missing.wav" in text, text
    assert len(ds.problems) == 2


@pytest.mark.slow
@pytest.mark.parametrize("sig, code, word", [(signal.SIGTERM, 143, "terminated"),
                                             (signal.SIGINT, 130, "interrupted")])
def test_killing_a_run_mid_epoch_leaves_no_model(tiny_npz, tmp_path, sig, code, word):
    import json

    models = tmp_path / "models"
    models.mkdir()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    p = subprocess.Popen([sys.executable, "-m", "bench_app.training", "--features", str(tiny_npz),
                          "--dims", "tiny", "--epochs", "200", "--kws-epochs", "1",
                          "--out", str(models / "m")], cwd=REPO, env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    lines = []
    for line in p.stdout:  # wait until training is under way, then stop it mid-run
        lines.append(json.loads(line))
        if lines[-1]["event"] == "epoch" and lines[-1]["stage"] == "emotion":
            p.send_signal(sig)
            break
    lines += [json.loads(x) for x in p.stdout.read().splitlines() if x.strip()]
    assert p.wait(60) == code
    assert lines[-1]["event"] == "cancelled" and word in lines[-1]["message"]
    assert list(models.iterdir()) == []  # no model folder and no hidden staging folder


def test_arena_search_crash_or_garbage_is_one_sentence(tmp_path):
    from bench_app.training.tflm_adapter import TflmCheckError, arena_in_child

    bad = tmp_path / "bad.tflite"
    bad.write_bytes(b"\x00" * 4 + b"TFL3" + os.urandom(200))
    with pytest.raises(TflmCheckError) as info:
        arena_in_child(bad, timeout=60)
    assert "bad.tflite" in str(info.value) and "\n" not in str(info.value)
