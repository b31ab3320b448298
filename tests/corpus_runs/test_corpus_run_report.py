"""A corpus played through the virtual speaker with noise and reverb, then its report.

The report must show the F1 drop from twin to board, its split into acoustic path and
firmware (the two parts adding up), and the flipped clips, all from the stored run.
"""

from __future__ import annotations

import json
import re

import pytest

from bench_app.cli import main
from bench_app.core.store import RunStore


def test_noisy_reverberant_acoustic_run_reports_the_drop_split(tiny_corpus, tmp_path, capsys):
    store = str(tmp_path / "store")
    status = main(["run", "corpus", "--device", "sim",
                   "--sim=--fast --channel noise_dbfs=-15,room=large,gain_db=-6",
                   "--corpus", f"synthetic:{tiny_corpus}", "--path", "acoustic",
                   "--limit", "6", "--store", store, "--json"])
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert status == 0 and out["status"] == "success", out
    with RunStore.open(store) as s:
        summary = s.get_run(out["run_id"]).summary
    drop = summary["f1_drop"]
    assert drop["total"] == pytest.approx(drop["acoustic_path"] + drop["firmware"])
    assert drop["firmware"] == 0  # the board and the twin on its PCM agree exactly
    # noise at -15 dBFS and a large room change what the demo model hears on some clip (3-4 of
    # 6 flipped in runs here; at -25 dBFS the untrained model flipped none on one CI run)
    assert summary["flipped"] and summary["errors"]["acoustic_path"] >= 1
    assert summary["errors"]["acoustic_path"] == sum(
        1 for f in summary["flipped"] if f["twin_clean"] != f["twin_board_pcm"])

    html = tmp_path / "r.html"
    assert main(["report", out["run_id"], "--html", str(html), "--store", store]) == 0
    text = re.sub(r"<[^>]+>", " ", html.read_text(encoding="utf-8"))
    assert "acoustic path" in text and "firmware" in text
    assert f"{drop['total']:+.3f}" in text or f"{drop['total']:+.2f}" in text
    for f in summary["flipped"]:
        assert f["clip_id"] in text
