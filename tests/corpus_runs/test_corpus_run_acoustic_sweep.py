"""The acoustic path through the virtual speaker: a sweep of the channel, the canary, pause."""

from __future__ import annotations

import time

import numpy as np
import pytest
from conftest import Collect

from bench_app.core.runs import RunController, RunStatus
from bench_app.core.runs.procedures.corpus.params import CorpusParams
from bench_app.core.runs.procedures.corpus.procedure import CorpusProcedure


def test_gain_sweep_with_canary_drift_pause_and_exact_twin_on_board_pcm(tiny_corpus):
    canary = next(tiny_corpus.glob("IEMOCAP_full_release/Session1/sentences/wav/*/*F001.wav"))
    params = CorpusParams(
        device="sim", sim="--fast --channel noise_dbfs=-60,delay_ms=20,room=small",
        corpus=f"synthetic:{tiny_corpus}", limit=2, path="acoustic",
        sweep=("gain_db=0", "gain_db=-12"), canary=str(canary), canary_every=2,
        pause_on_drift=True)
    got = Collect()
    with CorpusProcedure(params) as proc:
        controller = RunController(proc, [got]).start()
        paused_seen = False
        while not controller.finished:
            if controller.paused:
                paused_seen = True
                controller.resume()
            time.sleep(0.02)
        result = controller.wait(60)
    assert result.status is RunStatus.SUCCESS, result.reason
    clips = got.of("clips")
    assert [c["data"]["setting"] for c in clips] == ["gain_db=0"] * 2 + ["gain_db=-12"] * 2
    for event in clips:  # the host front end on the board's microphone run sees what it saw
        np.testing.assert_array_equal(event["arrays"]["board_scores"],
                                      event["arrays"]["twin_board_pcm_scores"])
        assert event["data"]["board"] == event["data"]["twin_board_pcm"]
    assert {m["data"]["setting"] for m in got.of("metrics")} == {"gain_db=0", "gain_db=-12"}

    sweep = result.summary["sweep"]
    assert [s["setting"] for s in sweep] == ["gain_db=0", "gain_db=-12"]
    assert sweep[0]["snr_db"] - sweep[1]["snr_db"] == pytest.approx(12.0, abs=1.5)
    assert all(s["clips"] == 2 and s["board_macro_f1"] is not None for s in sweep)

    canaries = got.of("canary")
    assert [c["data"]["drift"] for c in canaries] == [False, True]
    assert canaries[1]["data"]["paused"] and paused_seen
    moved = canaries[0]["data"]["level_dbfs"] - canaries[1]["data"]["level_dbfs"]
    assert moved == pytest.approx(12.0, abs=0.5)
    assert any(n.startswith("Drift: before clip 2") for n in result.summary["notes"])
