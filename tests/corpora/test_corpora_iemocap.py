"""The IEMOCAP reader on a release-layout folder with damaged files and label lines."""

from __future__ import annotations

import pytest

from bench_app.core.corpora import CorpusError, LabelMap, open_corpus
from bench_app.core.corpora.iemocap import read_iemocap


def _reasons(corpus, name):
    return [p for p in corpus.problems if name in p.path]


def test_good_utterances_are_read_with_all_their_fields(iemocap_dir):
    corpus = read_iemocap(iemocap_dir)
    utts = {c.clip_id: c for c in corpus.clips if c.source == "utterance"}
    assert sorted(utts) == ["Ses01F_impro01_F000", "Ses01F_impro01_M000",
                            "Ses01F_impro01_M003", "Ses01M_script01_1_F000",
                            "Ses01M_script01_1_M000"]
    f000 = utts["Ses01F_impro01_F000"]
    assert (f000.label, f000.code, f000.speaker, f000.session) == (
        "neutral", "neu", "Ses01_F", "Session1")
    assert f000.improvised is True and f000.vad == (2.5, 2.5, 2.5)
    assert f000.transcript == "words of Ses01F_impro01_F000."
    assert f000.duration_s == pytest.approx(1.5)
    assert utts["Ses01F_impro01_M000"].label == "happy"  # exc -> happy
    assert utts["Ses01F_impro01_M003"].label == "happy"  # hap -> happy, resampled
    script = utts["Ses01M_script01_1_M000"]
    assert script.improvised is False and script.speaker == "Ses01_M"
    assert script.label == "angry"
    assert corpus.class_names == ("neutral", "happy", "sad", "angry", "none")
    assert corpus.skipped_codes == {"fru": 1}


def test_every_damaged_item_is_reported_with_its_reason(iemocap_dir):
    corpus = read_iemocap(iemocap_dir)
    by_text = {str(p): p for p in corpus.problems}

    def one(*words):
        found = [p for text, p in by_text.items() if all(w in text for w in words)]
        assert len(found) == 1, (words, list(by_text))
        return found[0]

    label_file = "EmoEvaluation/Ses01F_impro01.txt"
    assert one(label_file, "unknown emotion code 'zzz'").line is not None
    assert one(label_file, "not three numbers").skipped
    garbled = one(label_file, "not a label line", "garbled line")
    assert garbled.line == 7
    assert one("Ses01F_impro01_F002.wav", "does not exist").skipped
    assert one("Ses01F_impro01_F003.wav", "2 channels").skipped
    assert one("Ses01F_impro01_F004.wav", "truncated").skipped
    assert one("Ses01F_impro01_M004.wav", "empty").skipped
    assert one("Ses01F_impro01_F005.wav", "not a readable audio file").skipped
    rate = one("Ses01F_impro01_M003.wav", "44100 Hz")
    assert not rate.skipped
    assert not one("Ses01M_script01_1.txt", "byte-order mark").skipped
    assert not one("Ses01M_script01_1.txt", "CRLF").skipped
    assert not one("transcriptions/Ses01F_impro01.txt", "not a transcript line").skipped
    assert one("dialog/wav/Ses01M_script01_1.wav", "is missing", "no no-emotion").skipped
    assert len(corpus.problems) == 13


def test_no_emotion_stretches_come_from_the_dialog_timeline(iemocap_dir):
    corpus = read_iemocap(iemocap_dir)
    none = [c for c in corpus.clips if c.label == "none"]
    noise = sorted((c.start_s, c.end_s) for c in none if c.source == "noise")
    assert noise == [(0.0, 1.0), (10.5, 12.0), (19.0, 20.0)]
    other = [c for c in none if c.source == "other_speaker"]
    for_f = sorted((c.start_s, c.end_s) for c in other if c.speaker == "Ses01_F")
    assert for_f == [(3.0, 4.2), (6.5, 7.5), (9.5, 10.5), (13.5, 14.5), (16.5, 17.5)]
    assert all(c.channel == 0 for c in other if c.speaker == "Ses01_F")
    assert all(c.channel == 1 for c in other if c.speaker == "Ses01_M")
    assert sum(c.speaker == "Ses01_M" for c in other) == 6
    swapped = read_iemocap(iemocap_dir, dialog_channels={"F": 1, "M": 0})
    assert {c.channel for c in swapped.clips if c.source == "other_speaker"
            and c.speaker == "Ses01_F"} == {1}
    wrong = read_iemocap(iemocap_dir, dialog_channels={"F": 0, "M": 2})
    assert not [c for c in wrong.clips if c.label == "none"]
    assert any("do not fit the wearer channels" in p.reason for p in wrong.problems)


def test_filters_by_session_speaker_and_style(iemocap_dir):
    corpus = open_corpus(f"iemocap:{iemocap_dir}")
    assert {c.speaker for c in corpus.filter(speakers=["Ses01_M"]).clips} == {"Ses01_M"}
    scripted = corpus.filter(improvised=False).clips
    assert scripted and all(c.dialog == "Ses01M_script01_1" for c in scripted)
    assert corpus.filter(sessions=["Session2"]).clips == []
    assert len(corpus.filter(sessions=["Session1"]).clips) == len(corpus.clips)


def test_user_label_map_from_json(iemocap_dir, tmp_path):
    path = tmp_path / "map.json"
    path.write_text('{"map": {"neu": "calm", "fru": "angry", "ang": "angry"}, '
                    '"no_emotion": null}')
    corpus = read_iemocap(iemocap_dir, LabelMap.from_json(path))
    assert corpus.class_names == ("calm", "angry")
    assert sorted((c.clip_id, c.label) for c in corpus.clips) == [
        ("Ses01F_impro01_F000", "calm"), ("Ses01F_impro01_F001", "angry"),
        ("Ses01M_script01_1_M000", "angry")]
    assert corpus.skipped_codes == {"exc": 1, "hap": 1, "sad": 2}


@pytest.mark.parametrize("text, words", [
    ("{not json", "not valid JSON"),
    ('{"neu": "neutral"}', '"map" object'),
    ('{"map": {"neu": ""}}', "has no class name"),
    ('{"map": {"neu": "n"}, "extra": 1}', "unknown key 'extra'"),
])
def test_bad_label_maps_are_one_sentence_errors(tmp_path, text, words):
    path = tmp_path / "map.json"
    path.write_text(text)
    with pytest.raises(CorpusError, match=words):
        LabelMap.from_json(path)


def test_not_an_iemocap_folder(tmp_path):
    with pytest.raises(CorpusError, match="no Session"):
        read_iemocap(tmp_path)
    with pytest.raises(CorpusError, match="does not exist"):
        read_iemocap(tmp_path / "nope")
