"""Reports of runs stored by the real run controller and store, through `bench-app report`."""

from __future__ import annotations

import json

import numpy as np
import pytest

from bench_app import cli
from bench_app.core.report import write_report
from bench_app.core.report.load import load_report_input
from bench_app.core.report.samples import alignment_input, latency_input
from bench_app.core.runs import Event, RunInterrupted, run_procedure
from bench_app.core.store import RunStore


class ReplayProcedure:
    """Emits a synthetic run's data the way a procedure does: frames and PCM in chunks, the
    analysis arrays in a summary event, latency per inference in ``results``."""

    def __init__(self, source, chunk: int = 50, stop_after: int | None = None):
        self.name = source.procedure
        self.params = source.run["parameters"]
        self.source, self.chunk, self.stop_after = source, chunk, stop_after

    def board_info(self):
        return self.source.board_info

    def execute(self, ctx):
        src = self.source
        if "board_frames" in src.arrays:
            frames = src.arrays["board_frames"]
            for i, start in enumerate(range(0, len(frames), self.chunk)):
                if self.stop_after is not None and i == self.stop_after:
                    raise RunInterrupted("The pretend board vanished.")
                yield Event("frames", {"first_frame": start},
                            {"frames": frames[start:start + self.chunk]})
            yield Event("pcm", {}, {"pcm": src.arrays["board_pcm"]})
            yield Event("summary", {}, {k: src.arrays[k] for k in
                                        ("reference_frames", "stimulus", "parity_per_channel",
                                         "parity_over_time", "acoustic_response_db")})
        if "latency_total_us" in src.arrays:
            columns = zip(*(src.arrays[k] for k in ("latency_frontend_us", "latency_invoke_us",
                                                     "latency_total_us", "latency_host_ms")),
                          strict=True)
            for f, i, t, h in columns:
                yield Event("results", {"frontend_us": float(f), "invoke_us": float(i),
                                        "total_us": float(t), "onset_to_result_ms": float(h)})
        return {**src.summary, "verdict": src.verdict}


@pytest.fixture(scope="module")
def store_runs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("store")
    align = alignment_input(seed=7, frames=160, board_upper_hz=7500.0)
    align.run["parameters"]["host_frontend"] = align.host_frontend
    latency = latency_input(seed=7, count=60)
    with RunStore.open(folder) as store:
        uids = {name: run_procedure(ReplayProcedure(src), [store.subscriber()]).uid
                for name, src in (("alignment", align), ("latency", latency))}
        uids["interrupted"] = run_procedure(ReplayProcedure(align, stop_after=2),
                                            [store.subscriber()]).uid
    return folder, uids, align, latency


def test_stored_alignment_run_loads_exactly(store_runs):
    folder, uids, align, _ = store_runs
    with RunStore.open(folder) as store:
        inp = load_report_input(store, uids["alignment"][:8])
    assert inp.uid == uids["alignment"] and inp.run["status"] == "success"
    assert inp.missing_arrays() == []
    for name in ("reference_frames", "board_frames", "board_pcm", "parity_per_channel"):
        got, want = inp.array(name), align.arrays[name]
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(got, want)
    assert inp.host_frontend == align.host_frontend
    assert inp.board_frontend() == align.board_frontend()
    assert inp.lint == align.lint and inp.passed() is False


def test_stored_latency_run_loads_from_results(store_runs):
    folder, uids, _, latency = store_runs
    with RunStore.open(folder) as store:
        inp = load_report_input(store, uids["latency"])
    for name in ("latency_frontend_us", "latency_total_us", "latency_host_ms"):
        np.testing.assert_array_equal(inp.arrays[name], latency.arrays[name])
    assert inp.summary["series"] == latency.summary["series"]


def test_interrupted_stored_run_reports_what_it_has(store_runs, tmp_path):
    folder, uids, align, _ = store_runs
    with RunStore.open(folder) as store:
        inp = load_report_input(store, uids["interrupted"])
    assert inp.run["status"] == "interrupted"
    np.testing.assert_array_equal(inp.array("board_frames"), align.arrays["board_frames"][:100])
    assert "reference_frames" in inp.missing_arrays()
    files = write_report(inp, html=tmp_path / "i.html", pdf=tmp_path / "i.pdf")
    text = files.html.read_text(encoding="utf-8")
    assert "interrupted" in text and "Missing from this run" in text and files.pdf_pages >= 1


@pytest.fixture
def only_report_command(monkeypatch):
    monkeypatch.setattr(cli, "COMMAND_MODULES", ("bench_app.cli.report_cmd",))


def test_cli_writes_html_pdf_and_raw(store_runs, tmp_path, capsys, only_report_command):
    folder, uids, align, _ = store_runs
    out = tmp_path / "out"
    status = cli.main(["report", uids["alignment"][:6], "--html", str(out / "a.html"),
                       "--pdf", str(out / "a.pdf"), "--store", str(folder), "--json"])
    assert status == 0
    result = json.loads(capsys.readouterr().out)
    assert result["run_id"] == uids["alignment"] and result["pdf_pages"] >= 3
    assert (out / "a.html").is_file() and (out / "a.pdf").is_file()
    with np.load(out / "a_raw" / "arrays.npz") as data:
        np.testing.assert_array_equal(data["frames"], align.arrays["board_frames"])
    assert sorted(p.name for p in out.iterdir()) == ["a.html", "a.pdf", "a_raw"]


def test_cli_uses_the_store_environment_variable(store_runs, tmp_path, monkeypatch, capsys,
                                                 only_report_command):
    folder, uids, _, _ = store_runs
    monkeypatch.setenv("BENCH_APP_STORE", str(folder))
    assert cli.main(["report", uids["latency"][:8], "--html", str(tmp_path / "l.html"),
                     "--no-raw"]) == 0
    assert "l.html" in capsys.readouterr().out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["l.html"]


@pytest.mark.parametrize("argv, message", [
    (["report", "ffff", "--html", "x.html"], "No run in"),
    (["report", "zz", "--html", "x.html"], "ids are hexadecimal"),
    (["report", "ffff"], "Say what to write"),
])
def test_cli_errors_are_one_sentence(store_runs, tmp_path, capsys, only_report_command,
                                     argv, message):
    folder, _, _, _ = store_runs
    assert cli.main([*argv, "--store", str(folder)]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and err.count("\n") == 0 and "Traceback" not in err
