"""The model card (sidecar or folder card) and the one untrained rule."""

from __future__ import annotations

import pytest

from bench_app.core.device.protocol.messages import Info
from bench_app.core.errors import ModelFileError
from bench_app.core.model import card_for, card_path, read_card, untrained, untrained_models


@pytest.mark.parametrize("layout", ["sidecar", "folder"])
def test_an_untrained_card_makes_the_model_untrained_by_its_hash(models_folder, sidecar, layout):
    folder, path = models_folder(layout, {"untrained": True, "sha256": sidecar["sha256"]})
    card = card_for(path)
    assert card.untrained is True and card.path == card_path(path)
    assert card.name == "copy"  # the sidecar's stem, or the model's folder
    assert untrained_models(folder) == {sidecar["sha256"]: "copy"}
    # the board says nothing: its hash is enough
    assert untrained({"model_sha256": sidecar["sha256"].upper()}, folder) is True
    assert untrained(Info("1.0", model_sha256=sidecar["sha256"]), folder) is True
    # without the cards (folder=None: a stored run judged on what it stored), nothing says
    assert untrained({"model_sha256": sidecar["sha256"]}, None) is None


@pytest.mark.parametrize("layout", ["sidecar", "folder"])
def test_a_trained_card_or_none_does_not(models_folder, sidecar, layout):
    folder, path = models_folder(layout, {"untrained": False, "sha256": sidecar["sha256"]})
    assert card_for(path).untrained is False
    assert untrained_models(folder) == {}
    assert untrained({"model_sha256": sidecar["sha256"]}, folder) is None
    assert untrained({"model_sha256": sidecar["sha256"], "model_untrained": False},
                     folder) is False  # fmt: skip
    bare, bare_path = models_folder(layout, None, name="bare")
    assert card_path(bare_path) is None and card_for(bare_path) is None


@pytest.mark.parametrize("doc, expect", [
    ({"model_sha256": "ab" * 32, "model_untrained": True}, True),   # INFO's own word
    ({"model_sha256": "ab" * 32, "untrained": True}, True),         # a summary's word
    ({"model": {"sha256": "ab" * 32, "untrained": True}}, True),    # stored model facts
    ({"model": {"sha256": "ab" * 32, "untrained": False}}, False),
    ({"model_sha256": "ab" * 32}, None),
    (None, None),
])  # fmt: skip
def test_the_word_of_board_or_store_counts_first(tmp_path, doc, expect):
    assert untrained(doc, tmp_path) is expect
    if doc is not None and "model_sha256" in doc:  # and an Info's extra keys are read too
        extra = {k: v for k, v in doc.items() if k != "model_sha256"}
        info = Info("1.0", model_sha256=doc["model_sha256"], extra=extra)
        assert untrained(info, tmp_path) is expect


def test_a_sidecar_is_preferred_to_the_folder_card(models_folder):
    _, path = models_folder("folder", {"untrained": False})
    path.with_suffix(".json").write_text('{"untrained": true}')
    assert card_for(path).untrained is True and card_path(path) == path.with_suffix(".json")


def test_the_shipped_card(model_path, sidecar):
    card = card_for(model_path)
    assert card.untrained is True and card.sha256 == sidecar["sha256"]
    assert card.name == "untrained_paper_shape.tflite" and card.arena_bytes == 861_552
    assert untrained({"model_sha256": sidecar["sha256"]}) is True


@pytest.mark.parametrize("text, words", [("{", "is not valid JSON"), ("[1]", "not a JSON object")])
def test_a_damaged_card_gives_one_sentence(tmp_path, text, words):
    path = tmp_path / "m.json"
    path.write_text(text)
    with pytest.raises(ModelFileError) as err:
        read_card(path)
    assert words in str(err.value) and str(path) in str(err.value)
    assert "\n" not in str(err.value) and str(err.value).endswith(".")
    assert untrained_models(tmp_path) == {}  # skipped by the rule, never fatal
