"""The training subprocess: exported files and card contents; bad input as one sentence."""

import hashlib
import json


def test_export_writes_model_header_and_card(tiny_npz, tmp_path, run_training):
    out = tmp_path / "models" / "tiny"
    out.parent.mkdir()
    rc, lines = run_training("--features", str(tiny_npz), "--dims", "tiny", "--variant",
                             "late", "--epochs", "1", "--kws-epochs", "1", "--out", str(out))
    assert rc == 0, lines
    assert [d["event"] for d in lines][:2] == ["start", "epoch"]
    assert {"loss", "val_loss", "val_macro_f1", "eta_s"} <= set(lines[1])
    files = sorted(p.name for p in out.iterdir())
    assert files == ["card.json", "model.tflite", "model_data.h"]
    card = json.loads((out / "card.json").read_text())
    model = (out / "model.tflite").read_bytes()
    assert card["model"]["sha256"] == hashlib.sha256(model).hexdigest()
    assert card["model"]["float_tensors"] == 0
    assert card["model"]["total_bytes"] == len(model) + card["model"]["arena_bytes"]
    assert card["class_names"] == ["neutral", "happy", "sad", "angry", "none"]
    assert card["seed"] == 0 and card["training"]["variant"] == "late"
    assert "fe.window_size_ms" in card["frontend_config"]
    assert card["metrics"]["tflm_vs_litert"]["class_agreement"] == 1.0
    assert f"_len = {len(model)};" in (out / "model_data.h").read_text()
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".")]


def test_missing_features_file_is_one_sentence(tmp_path, run_training):
    rc, lines = run_training("--features", str(tmp_path / "nope.npz"), "--dims", "tiny",
                             "--out", str(tmp_path / "m"))
    assert rc == 2
    assert lines[-1]["event"] == "error"
    assert lines[-1]["message"].endswith("does not exist.")
    assert not (tmp_path / "m").exists()
