"""Damaged files and label lines are skipped and named; the re-recording reads back."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from bench_app.cli import main


def _csv_corpus(tiny_corpus, folder):
    """Three good clips, one damaged WAV and one garbled label line."""
    wavs = sorted(tiny_corpus.glob("IEMOCAP_full_release/Session1/sentences/wav/*/*.wav"))[:3]
    folder.mkdir()
    lines = ["path,label,speaker,session"]
    for i, (wav, label) in enumerate(zip(wavs, ["sad", "neutral", "happy"], strict=True)):
        shutil.copy(wav, folder / f"good{i}.wav")
        lines.append(f"good{i}.wav,{label},spk{i % 2},S1")
    (folder / "broken.wav").write_bytes(b"RIFF\x10\x00\x00\x00WAVEjunk")
    lines += ["broken.wav,angry,spk0,S1", "this line has no label"]
    (folder / "labels.csv").write_text("\n".join(lines) + "\n")
    mapping = {"map": {c: c for c in ("neutral", "happy", "sad", "angry")}, "no_emotion": "none"}
    (folder / "map.json").write_text(json.dumps(mapping))
    return folder


def test_damaged_items_are_skipped_and_the_rerecording_reads_back(tiny_corpus, tmp_path,
                                                                  capsys):
    corpus = _csv_corpus(tiny_corpus, tmp_path / "clips")
    out = tmp_path / "rerecorded"
    capsys.readouterr()
    status = main(["run", "corpus", "--device", "sim", "--sim=--fast", "--corpus",
                   f"csv:{corpus}", "--label-map", str(corpus / "map.json"),
                   "--rerecord", str(out), "--store", str(tmp_path / "store"), "--json"])
    result = json.loads(capsys.readouterr().out)
    assert status == 0, result["reason"]
    assert result["clips"] == 3
    reasons = " ".join(f"{s['path']} {s['reason']}" for s in result["skipped"])
    assert "broken.wav" in reasons and len(result["skipped"]) == 2
    assert any("left out" in n for n in result["notes"])
    assert result["rerecord"]["clips"] == 3

    note = json.loads((out / "NOTE.json").read_text())
    assert note["layout"] == "csv" and note["channel"] is not None
    assert main(["corpus", "inspect", f"csv:{out}", "--label-map", str(corpus / "map.json"),
                 "--json"]) == 0
    back = json.loads(capsys.readouterr().out)
    assert back["clips"] == 3 and back["problems_skipped"] == 0


def test_acoustic_rerecording_in_iemocap_layout_reads_back(tiny_corpus, tmp_path, capsys):
    out = tmp_path / "rerecorded"
    capsys.readouterr()
    status = main(["run", "corpus", "--device", "sim", "--sim",
                   "--fast --channel gain_db=-6,noise_dbfs=-70", "--corpus",
                   f"synthetic:{tiny_corpus}", "--limit", "3", "--rerecord", str(out),
                   "--store", str(tmp_path / "store"), "--json"])
    result = json.loads(capsys.readouterr().out)
    assert status == 0, result["reason"]
    assert result["path"] == "acoustic" and result["rerecord"]["clips"] == 3
    note = json.loads((out / "NOTE.json").read_text())
    assert note["layout"] == "iemocap" and "gain_db" in json.dumps(note["channel"])
    assert main(["corpus", "inspect", f"iemocap:{out}", "--json"]) == 0
    back = json.loads(capsys.readouterr().out)
    assert back["clips"] == 3
    wavs = sorted(out.glob("Session1/sentences/wav/*/*.wav"))
    assert len(wavs) == 3
    from bench_app.core.audio_files import read_audio

    first = read_audio(wavs[0]).samples
    original = read_audio(next(tiny_corpus.glob(f"IEMOCAP_full_release/**/{wavs[0].name}")))
    assert len(first) == len(original.samples)  # the clip's own length, not the padding
    rms = [float(np.sqrt(np.mean(np.square(x, dtype=np.float64))))
           for x in (first, original.samples)]
    assert 20 * np.log10(rms[0] / rms[1]) == pytest.approx(-6.0, abs=0.5)  # the channel's gain
