"""labels.csv folders, Speech Commands keyword folders, corpus specs and `corpus inspect`."""

from __future__ import annotations

import json

import numpy as np
import pytest
import soundfile as sf

from bench_app.cli import main
from bench_app.core.audio_files import write_wav
from bench_app.core.corpora import CorpusError, LabelMap, open_corpus, parse_spec
from bench_app.core.corpora.csv_folder import read_csv_folder
from bench_app.core.corpora.keywords import read_keywords


@pytest.fixture
def csv_dir(tmp_path, audio_helpers):
    tone = audio_helpers.tone
    root = tmp_path / "clips"
    (root / "a").mkdir(parents=True)
    write_wav(root / "a" / "one.wav", tone(1.0))
    write_wav(root / "two.wav", tone(2.0))
    sf.write(str(root / "stereo.wav"), np.stack([tone(1.0)] * 2, 1), 16000)
    lines = ["path,label,speaker,session", "a/one.wav,happy,spk1,s1", "two.wav,sad",
             "missing.wav,sad", "just-one-cell", "stereo.wav,happy", "a/one.wav,sad",
             "", "two,too,many,cells,here"]
    data = ("\r\n".join(lines) + "\r\n").encode() + b"\xff\xfe.wav,sad\r\n"
    (root / "labels.csv").write_bytes(data)
    return root


def test_csv_folder_reads_good_rows_and_reports_bad_ones(csv_dir):
    corpus = read_csv_folder(csv_dir)
    assert corpus.class_names == ("happy", "sad")
    clips = {c.clip_id: c for c in corpus.clips}
    assert sorted(clips) == ["a/one.wav", "two.wav"]
    assert (clips["a/one.wav"].speaker, clips["a/one.wav"].session) == ("spk1", "s1")
    assert clips["two.wav"].speaker is None and clips["two.wav"].duration_s == 2.0
    text = [str(p) for p in corpus.problems]
    expected = [("CRLF",), ("not valid UTF-8",), ("missing.wav", "does not exist"),
                ("labels.csv:5", "not path,label"), ("stereo.wav", "2 channels"),
                ("labels.csv:7", "second time"), ("labels.csv:9", "not path,label"),
                ("labels.csv:10", "not UTF-8")]
    for words in expected:
        assert sum(all(w in t for w in words) for t in text) == 1, (words, text)
    assert len(corpus.problems) == len(expected)


def test_csv_folder_with_a_label_map(csv_dir, tmp_path):
    path = tmp_path / "map.json"
    path.write_text('{"map": {"happy": "positive"}, "no_emotion": null}')
    corpus = read_csv_folder(csv_dir, LabelMap.from_json(path))
    assert [c.label for c in corpus.clips] == ["positive"]
    assert any("'sad', which the label map does not map" in p.reason for p in corpus.problems)


def test_csv_folder_without_labels_file(tmp_path):
    with pytest.raises(CorpusError, match="has no labels.csv"):
        read_csv_folder(tmp_path)


@pytest.fixture
def keyword_dir(tmp_path, audio_helpers):
    tone, write_truncated = audio_helpers.tone, audio_helpers.write_truncated
    root = tmp_path / "kw"
    for word in ("yes", "no"):
        (root / word).mkdir(parents=True)
        for k in range(2):
            write_wav(root / word / f"spk{k}_nohash_0.wav", tone(1.0, 300 + 100 * k))
    write_truncated(root / "no" / "broken_nohash_0.wav")
    (root / "no" / "notes.txt").write_text("not audio, ignored")
    (root / "empty").mkdir()
    (root / "_background_noise_").mkdir()
    write_wav(root / "_background_noise_" / "white.wav", tone(5.0, 1000))
    (root / "_background_noise_" / "README.md").write_text("about the noise")
    return root


def test_keyword_corpus(keyword_dir):
    corpus = read_keywords(keyword_dir)
    assert corpus.class_names == ("empty", "no", "yes")
    assert sorted(c.clip_id for c in corpus.clips) == [
        "no/spk0_nohash_0.wav", "no/spk1_nohash_0.wav", "yes/spk0_nohash_0.wav",
        "yes/spk1_nohash_0.wav"]
    assert {c.speaker for c in corpus.clips} == {"spk0", "spk1"}
    assert [c.clip_id for c in corpus.background] == ["_background_noise_/white.wav"]
    assert corpus.background[0].duration_s == 5.0
    reasons = [str(p) for p in corpus.problems]
    assert len(reasons) == 2
    assert any("broken_nohash_0.wav" in r and "truncated" in r for r in reasons)
    assert any(r.endswith("holds no usable audio, so this keyword has no clips.")
               for r in reasons)


def test_specs_name_the_kind_or_it_is_recognised(iemocap_dir, csv_dir, keyword_dir):
    assert parse_spec(f"iemocap:{iemocap_dir}") == ("iemocap", iemocap_dir)
    assert parse_spec(str(iemocap_dir))[0] == "iemocap"
    assert parse_spec(str(csv_dir))[0] == "csv"
    assert parse_spec(str(keyword_dir))[0] == "keywords"
    assert open_corpus(f"keywords:{keyword_dir}").kind == "keywords"
    with pytest.raises(CorpusError, match="Unknown corpus kind 'wav'"):
        parse_spec("wav:/tmp")
    with pytest.raises(CorpusError, match="was not written by"):
        open_corpus(f"synthetic:{iemocap_dir}")
    with pytest.raises(CorpusError, match="names no folder"):
        parse_spec("csv:")


def test_inspect_cli_lists_counts_and_every_problem(iemocap_dir, capsys):
    assert main(["corpus", "inspect", f"iemocap:{iemocap_dir}", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["per_class"]["neutral"]["clips"] == 1
    assert summary["per_class"]["happy"]["clips"] == 2
    assert summary["per_class"]["none"]["clips"] == 14
    assert summary["per_speaker"]["Ses01_F"]["clips"] + \
        summary["per_speaker"]["Ses01_M"]["clips"] == summary["clips"]
    assert len(summary["problems"]) == 13 and summary["problems_skipped"] == 9
    assert summary["skipped_codes"] == {"fru": 1}
    assert main(["corpus", "inspect", str(iemocap_dir), "--scripted"]) == 0
    text = capsys.readouterr().out
    assert "2 clips" in text and "problems: 13 (9 items skipped)" in text
    assert "unknown emotion code 'zzz'" in text


def test_inspect_cli_bad_folder_is_one_sentence(tmp_path, capsys):
    assert main(["corpus", "inspect", f"csv:{tmp_path / 'nope'}"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("bench-app: error:") and err.count("\n") == 0
