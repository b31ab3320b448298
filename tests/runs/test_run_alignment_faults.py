"""An alignment run over a lossy link: it completes, says what was lost, and stays exact.

The virtual board drops data messages at random (``--faults drop=...``) and keeps a ledger of
what it dropped; the run's count of lost PCM samples must be within that ledger, and pipeline
parity over the frames that did arrive unbroken must still be exactly 0.
"""

from __future__ import annotations

from bench_app.core.device.emulator.process import start_emulator
from bench_app.core.runs import RunStatus, run_procedure
from bench_app.core.runs.procedures.alignment.procedure import AlignmentParams, AlignmentProcedure


def test_lossy_link_is_reported_and_parity_stays_exact():
    with start_emulator(["--fast", "--faults", "drop=0.005,seed=3"]) as emu:
        params = AlignmentParams(device=emu.port, path="injected", burst_s=0.1)
        with AlignmentProcedure(params) as proc:
            result = run_procedure(proc)
        ledger = emu.stats()
    assert result.status is RunStatus.SUCCESS, result.reason
    s = result.summary
    dropped_pcm = ledger["dropped"].get("PCM", 0)
    assert dropped_pcm > 0  # the fault was active
    assert 0 < s["pcm_missing_samples"] <= 160 * dropped_pcm
    assert s["link"]["drops"].get("PCM", 0) <= dropped_pcm
    assert any("lost on the link" in n for n in s["notes"])
    assert s["mean_relative_error"] == 0.0 and s["parity"]["frames_compared"] > 100
