"""The same seed gives the same float weights and the same .tflite bytes, twice in a row."""

import hashlib
import json

import pytest


@pytest.mark.slow
def test_same_seed_same_weights_and_same_tflite_bytes(tiny_npz, tmp_path, run_training):
    cards, models = [], []
    for i in range(2):
        out = tmp_path / f"m{i}"
        rc, lines = run_training("--features", str(tiny_npz), "--dims", "tiny", "--variant",
                                 "late", "--epochs", "2", "--kws-epochs", "1", "--seed", "3",
                                 "--out", str(out))
        assert rc == 0, lines[-1]
        cards.append(json.loads((out / "card.json").read_text()))
        models.append((out / "model.tflite").read_bytes())
    # float training: identical loss histories to the last digit (op determinism is on)
    assert cards[0]["metrics"]["history"] == [
        {**h, "elapsed_s": cards[0]["metrics"]["history"][j]["elapsed_s"],
         "eta_s": cards[0]["metrics"]["history"][j]["eta_s"]}
        for j, h in enumerate(cards[1]["metrics"]["history"])]
    assert hashlib.sha256(models[0]).hexdigest() == hashlib.sha256(models[1]).hexdigest()
    assert cards[0]["data"]["sha256"] == cards[1]["data"]["sha256"]
