"""`kill -9` in the middle of a run leaves a consistent store that says the run was interrupted."""

from __future__ import annotations

import os
import select
import signal
import sqlite3
import subprocess
import sys
import time

from bench_app.core.store import RunStore

FLUSH_PERIOD_S = 0.25
TICK_S = 0.01

CHILD = f"""
import sys
from bench_app.core.runs import run_procedure
from bench_app.core.runs.procedures.tick import TickParams, TickProcedure
from bench_app.core.store import RunStore

store = RunStore.open(sys.argv[1], flush_period={FLUSH_PERIOD_S})

def ready(kind, doc):
    if kind == "event" and doc["stream"] == "ticks" and doc["index"] == 0:
        print(doc["run_uid"], flush=True)

params = TickParams(count=1_000_000, interval_s={TICK_S}, array_every=10)
run_procedure(TickProcedure(params), [store.subscriber(), ready])
"""


def test_kill_9_mid_run_loses_at_most_half_a_second(tmp_path):
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(tmp_path)], stdout=subprocess.PIPE, text=True
    )
    try:
        ready, _, _ = select.select([child.stdout], [], [], 60)
        assert ready, "the child never started its run"
        run_uid = child.stdout.readline().strip()
        assert len(run_uid) == 32
        time.sleep(1.5)
        t_kill = time.time()
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.kill()
        child.wait()
    assert child.returncode == -signal.SIGKILL

    raw = sqlite3.connect(tmp_path / "runs.sqlite3")
    assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    raw.close()

    with RunStore.open(tmp_path) as store:
        assert store.recovered == [run_uid]
        run = store.get_run(run_uid)
        assert run.status == "interrupted"
        assert "killed or crashed" in run.reason
        ticks = [d.doc for d in store.documents(run_uid, "ticks", kind="event")]
        # No hole: the ticks kept are exactly the first n.
        assert [d["data"]["i"] for d in ticks] == list(range(len(ticks)))
        lost_s = t_kill - ticks[-1]["data"]["t"]
        print(f"kill -9: {len(ticks)} ticks kept, last {lost_s:.3f} s before the kill lost")
        assert lost_s <= 0.5 + 0.25, f"the last {lost_s:.3f} s before the kill were lost"
        assert len(ticks) >= 0.5 / TICK_S
        # Every artifact the database names is on disk, whole (sha256 checked on load).
        artifacts = store.artifacts(run_uid)
        assert len(artifacts) >= len(ticks) // 10 - 1
        for a in artifacts:
            assert store.load_artifact(run_uid, a.name).shape == (160,)
        # ...and nothing else is: the uncommitted tail's files (and any .part) were removed.
        on_disk = {p.name for p in (tmp_path / "artifacts" / run_uid).iterdir()}
        assert on_disk == {f"{a.name}.npy" for a in artifacts}
        assert run.ended == store.documents(run_uid)[-1].time
