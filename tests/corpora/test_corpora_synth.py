"""`bench-app corpus synth`: layout, read-back, styled prosody and byte-for-byte determinism."""

from __future__ import annotations

import hashlib
import json
import shutil

import numpy as np
import pytest

from bench_app.cli import main
from bench_app.core.audio_files import read_audio
from bench_app.core.corpora import CorpusError, open_corpus
from bench_app.core.corpora.synth import make_synthetic_corpus

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None,
                                reason="espeak-ng is not installed")


def _digest(root):
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def synth_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("synth") / "corpus"
    assert main(["corpus", "synth", "--out", str(out), "--per-class", "6", "--seed", "3",
                 "--json"]) == 0
    return out


def test_layout_reads_back_with_no_problem(synth_dir):
    corpus = open_corpus(f"synthetic:{synth_dir}")
    assert corpus.kind == "synthetic" and corpus.problems == []
    counts = {name: sum(c.label == name for c in corpus.clips) for name in corpus.class_names}
    assert [counts[n] for n in ("neutral", "happy", "sad", "angry")] == [6, 6, 6, 6]
    assert counts["none"] > 0
    assert {c.source for c in corpus.clips if c.label == "none"} == {"noise", "other_speaker"}
    assert {c.speaker for c in corpus.clips} == {"Ses01_F", "Ses01_M", "Ses02_F", "Ses02_M"}
    assert {c.code for c in corpus.clips if c.label == "happy"} == {"hap", "exc"}
    assert {c.improvised for c in corpus.clips} == {True, False}
    assert all(c.transcript for c in corpus.clips if c.source == "utterance")
    keywords = open_corpus(f"keywords:{synth_dir / 'keywords'}")
    assert keywords.problems == [] and len(keywords.class_names) == 8
    assert len(keywords.clips) == 8 * 4 and len(keywords.background) == 2
    assert all(c.duration_s == 1.0 for c in keywords.clips)
    readme = " ".join((synth_dir / "README.md").read_text().split())
    assert "This corpus is synthetic" in readme and "not a benchmark" in readme
    meta = json.loads((synth_dir / "synthetic_corpus.json").read_text())
    assert meta["seed"] == 3 and meta["per_class"] == 6


def test_utterance_files_are_cut_from_the_speakers_dialog_channel(synth_dir):
    corpus = open_corpus(f"synthetic:{synth_dir}")
    clip = next(c for c in corpus.clips if c.source == "utterance" and c.speaker.endswith("M"))
    label_line = next(line for line in (synth_dir / "IEMOCAP_full_release" / clip.session /
                      "dialog" / "EmoEvaluation" / f"{clip.dialog}.txt").read_text().splitlines()
                      if clip.clip_id in line)
    start = float(label_line[1:].split(" - ")[0])
    dialog = read_audio(clip.path.parents[3] / "dialog" / "wav" / f"{clip.dialog}.wav",
                        channel=1).samples
    utt = read_audio(clip.path).samples
    first = round(start * 16000)
    np.testing.assert_array_equal(dialog[first:first + len(utt)], utt)


def test_prosody_is_styled_per_class(synth_dir):
    corpus = open_corpus(f"synthetic:{synth_dir}")

    def rms(label):
        return np.median([np.sqrt(np.mean(read_audio(c.path).samples.astype(float) ** 2))
                          for c in corpus.clips if c.label == label])

    def rate(label):  # seconds of audio per character of transcript: slow speech is longer
        return np.median([c.duration_s / len(c.transcript) for c in corpus.clips
                          if c.label == label])

    assert rms("angry") > 1.8 * rms("sad")
    assert rate("sad") > 1.4 * rate("angry")


def test_same_seed_same_bytes_other_seed_other_bytes(synth_dir, tmp_path):
    again = tmp_path / "again"
    make_synthetic_corpus(again, per_class=6, seed=3, workers=1)  # finish order differs
    assert _digest(again) == _digest(synth_dir)
    other = tmp_path / "other"
    make_synthetic_corpus(other, per_class=6, seed=4)
    assert _digest(other) != _digest(synth_dir)


def test_refuses_a_folder_that_is_not_empty(synth_dir, tmp_path, capsys):
    with pytest.raises(CorpusError, match="not an empty folder"):
        make_synthetic_corpus(synth_dir, per_class=1)
    assert main(["corpus", "synth", "--out", str(tmp_path / "x"), "--per-class", "0"]) == 2
    assert "--per-class must be 1..2000" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()
    assert [p.name for p in tmp_path.iterdir()] == []
