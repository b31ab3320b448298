"""Corpus features equal the bench's front end on the same audio; the cache is hit and renewed."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

from bench_app.core.audio_files import read_audio, write_wav
from bench_app.core.corpora import CorpusError, open_corpus
from bench_app.core.corpora import features as feat
from bench_app.core.corpora.iemocap import read_iemocap
from bench_app.core.corpora.mltk_reference import mltk_available
from bench_app.core.frontend import FrontendConfig, compute_features, to_int8

CFG = FrontendConfig()
LENGTHS = {"short.wav": 0.45, "mid.wav": 1.7, "long.wav": 3.33, "longer.wav": 3.9}


@pytest.fixture(scope="module")
def csv_corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("feat") / "clips"
    root.mkdir()
    rng = np.random.default_rng(7)
    lines = ["path,label"]
    for k, (name, seconds) in enumerate(LENGTHS.items()):
        n = int(seconds * 16000)
        t = np.arange(n) / 16000
        x = 6000 * np.sin(2 * np.pi * (200 + 150 * k) * t * (1 + t)) + rng.normal(0, 300, n)
        write_wav(root / name, np.clip(np.rint(x), -32768, 32767).astype(np.int16))
        lines.append(f"{name},{'ab'[k % 2]}")
    (root / "labels.csv").write_text("\n".join(lines) + "\n")
    return root


def _expected_windows(path, window, hop, channel=None, span=None):
    pcm = read_audio(path, channel=channel).samples
    if span is not None:
        pcm = pcm[round(span[0] * 16000):round(span[1] * 16000)]
    need = feat.window_samples(CFG, window)
    padded = np.concatenate([pcm, np.zeros(max(0, need - len(pcm)), np.int16)])
    frames = compute_features(padded, CFG)
    return [frames[s:s + window] for s in range(0, frames.shape[0] - window + 1, hop)]


def test_windows_equal_the_reference_front_end(csv_corpus, tmp_path):
    corpus = open_corpus(f"csv:{csv_corpus}")
    fs = feat.load_features(corpus, CFG, window_frames=98, hop_frames=49, cache_dir=tmp_path,
                            dtype="uint16")
    assert fs.X.dtype == np.uint16 and fs.X.shape[1:] == (98, 32)
    for clip in corpus.clips:
        rows = np.flatnonzero(fs.clip_ids == clip.clip_id)
        expected = _expected_windows(clip.path, 98, 49)
        assert len(rows) == len(expected) >= 1
        for row, want in zip(rows, expected, strict=True):
            np.testing.assert_array_equal(fs.X[row], want)
            assert fs.y[row] == corpus.class_index(clip.label)
    short = np.flatnonzero(fs.clip_ids == "short.wav")
    assert len(short) == 1 and fs.padded_frames[short[0]] == 98 - CFG.frames_for(7200)
    assert fs.padded_frames[np.flatnonzero(fs.clip_ids == "long.wav")].max() == 0
    assert fs.reference.startswith("bench") and "zero-padded" in fs.padding


def test_paper_window_int8_and_unpacking(csv_corpus, tmp_path):
    corpus = open_corpus(f"csv:{csv_corpus}")
    X, y, ids, names = feat.load_features(corpus, cache_dir=tmp_path)
    assert X.dtype == np.int8 and X.shape == (4, 498, 32)  # every clip < 5 s: one window
    assert names == ("a", "b") and list(y) == [corpus.class_index(c.label)
                                               for c in corpus.clips]
    want = _expected_windows(csv_corpus / "mid.wav", 498, 498)[0]
    np.testing.assert_array_equal(X[list(ids).index("mid.wav")], to_int8(want))


def test_cache_is_hit_then_renewed_when_a_file_or_the_config_changes(csv_corpus, tmp_path,
                                                                      monkeypatch):
    corpus = open_corpus(f"csv:{csv_corpus}")
    first = feat.load_features(corpus, CFG, window_frames=98, cache_dir=tmp_path)
    assert not first.from_cache and first.cache_path.is_file()

    def no_compute(*args, **kwargs):
        raise AssertionError("features were computed although the cache holds them")

    with monkeypatch.context() as m:
        m.setattr(feat, "_compute", no_compute)
        second = feat.load_features(corpus, CFG, window_frames=98, cache_dir=tmp_path)
    assert second.from_cache and second.cache_path == first.cache_path
    for a, b in zip(first, second, strict=True):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    np.testing.assert_array_equal(first.window_start, second.window_start)
    np.testing.assert_array_equal(first.sessions, second.sessions)

    other_cfg = feat.load_features(corpus, CFG.replace(pcan_enable=False), window_frames=98,
                                   cache_dir=tmp_path)
    assert not other_cfg.from_cache and other_cfg.cache_path != first.cache_path
    stat = (csv_corpus / "mid.wav").stat()
    os.utime(csv_corpus / "mid.wav", ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    touched = feat.load_features(corpus, CFG, window_frames=98, cache_dir=tmp_path)
    assert not touched.from_cache and touched.cache_path != first.cache_path
    first.cache_path.write_bytes(b"not a zip file")  # a damaged cache file is recomputed
    os.utime(csv_corpus / "mid.wav", ns=(stat.st_atime_ns, stat.st_mtime_ns))
    again = feat.load_features(corpus, CFG, window_frames=98, cache_dir=tmp_path)
    assert not again.from_cache
    np.testing.assert_array_equal(again.X, first.X)


def test_dialog_segments_and_unreadable_clips(iemocap_dir, tmp_path):
    corpus = read_iemocap(iemocap_dir)
    corpus = corpus.filter(labels=["none", "neutral"])
    victim = next(c for c in corpus.clips if c.source == "utterance")
    victim.path.unlink()
    fs = feat.load_features(corpus, CFG, window_frames=98, hop_frames=98, cache_dir=False)
    assert victim.clip_id not in set(fs.clip_ids)
    assert [p.path for p in fs.problems] == [str(victim.path)]
    assert "does not exist" in fs.problems[0].reason
    other = next(c for c in corpus.clips if c.source == "other_speaker" and c.channel == 1)
    rows = np.flatnonzero(fs.clip_ids == other.clip_id)
    assert set(fs.speakers[rows]) == {"Ses01_M"} and set(fs.sessions) == {"Session1"}
    expected = _expected_windows(other.path, 98, 98, channel=1,
                                 span=(other.start_s, other.end_s))
    np.testing.assert_array_equal(fs.X[rows], to_int8(np.stack(expected)))


@pytest.mark.skipif(not mltk_available(), reason="silabs-mltk is not installed")
def test_mltk_reference_agrees_and_is_named(csv_corpus, tmp_path):
    corpus = open_corpus(f"csv:{csv_corpus}")
    bench = feat.load_features(corpus, CFG, window_frames=98, cache_dir=False, dtype="uint16")
    mltk = feat.load_features(corpus, CFG, window_frames=98, cache_dir=tmp_path,
                              reference="mltk", dtype="uint16")
    assert mltk.reference.startswith("mltk (silabs-mltk")
    np.testing.assert_array_equal(mltk.X, bench.X)
    np.testing.assert_array_equal(mltk.clip_ids, bench.clip_ids)


def test_bad_settings_are_one_sentence_errors(csv_corpus):
    corpus = open_corpus(f"csv:{csv_corpus}")
    with pytest.raises(CorpusError, match="Unknown feature reference"):
        feat.load_features(corpus, reference="tf", cache_dir=False)
    with pytest.raises(CorpusError, match="dtype"):
        feat.load_features(corpus, dtype="float32", cache_dir=False)
    with pytest.raises(CorpusError, match="no clips"):
        feat.load_features(corpus.filter(labels=[]), cache_dir=False)


def test_features_cli_reports_reference_and_cache(csv_corpus, tmp_path, capsys):
    from bench_app.cli import main

    argv = ["corpus", "features", f"csv:{csv_corpus}", "--window-frames", "98",
            "--cache-dir", str(tmp_path), "--json"]
    assert main(argv) == 0
    first = json.loads(capsys.readouterr().out)
    assert main(argv) == 0
    second = json.loads(capsys.readouterr().out)
    assert (first["from_cache"], second["from_cache"]) == (False, True)
    assert first["cache"] == second["cache"] and first["shape"] == second["shape"]
    assert first["shape"][1:] == [98, 32] and first["reference"].startswith("bench")
    assert sum(first["per_class"].values()) == first["windows"]
    assert main(["corpus", "features", f"csv:{csv_corpus}", "--window-frames", "0"]) == 2
    assert "at least 1" in capsys.readouterr().err
