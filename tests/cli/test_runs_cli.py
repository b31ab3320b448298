"""`bench-app runs list|show`, called through bench_app.cli.main as a user would."""

from __future__ import annotations

import json

import pytest

import bench_app.cli as cli
from bench_app.core.runs import run_procedure
from bench_app.core.runs.procedures.tick import TickParams, TickProcedure
from bench_app.core.store import RunStore, default_store_dir, resolve_store_dir


@pytest.fixture
def main(monkeypatch):
    """bench_app.cli.main with only this area's commands (others' modules are tested apart)."""
    monkeypatch.setattr(cli, "COMMAND_MODULES", ("bench_app.cli.runs_cmd",))
    return cli.main


@pytest.fixture
def store_dir(tmp_path):
    with RunStore.open(tmp_path) as store:
        sub = store.subscriber()
        ok = run_procedure(TickProcedure(TickParams(count=3, array_every=1)), [sub])
        bad = run_procedure(TickProcedure(TickParams(count=5, fail_at=2)), [sub])
    return tmp_path, ok, bad


def test_runs_list_table_newest_first(main, store_dir, capsys):
    path, ok, bad = store_dir
    assert main(["runs", "list", "--store", str(path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["ID", "PROCEDURE", "STATUS", "STARTED", "DURATION", "VERDICT"]
    assert lines[1].split()[:3] == [bad.uid[:8], "ticks", "failed"]
    assert lines[2].split()[:3] == [ok.uid[:8], "ticks", "success"]
    assert lines[2].split()[-1] == "pass" and lines[1].split()[-1] == "-"


def test_runs_list_json_is_one_object(main, store_dir, capsys):
    path, ok, bad = store_dir
    assert main(["runs", "list", "--json", "--store", str(path), "--status", "success"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["store"] == str(path)
    assert [r["uid"] for r in out["runs"]] == [ok.uid]
    run = out["runs"][0]
    assert run["status"] == "success" and run["verdict"] == "pass"
    assert run["duration_s"] == pytest.approx(ok.ended - ok.started)
    assert run["started_iso"].endswith("+00:00")


def test_runs_show_by_prefix(main, store_dir, capsys):
    path, ok, bad = store_dir
    assert main(["runs", "show", bad.uid[:6], "--store", str(path)]) == 0
    out = capsys.readouterr().out
    assert f"Run {bad.uid}" in out and "The tick procedure was told to fail at tick 2." in out
    assert main(["runs", "show", ok.uid, "--json", "--store", str(path)]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["run"]["uid"] == ok.uid and shown["run"]["summary"] == ok.summary
    assert shown["streams"] == ok.num_events
    assert [a["name"] for a in shown["artifacts"]] == [f"ticks-{i:06d}-samples" for i in range(3)]


def test_unknown_and_ambiguous_ids_are_one_sentence(main, tmp_path, capsys):
    with RunStore.open(tmp_path) as store:
        for uid in ("aa1" + "0" * 29, "aa2" + "0" * 29):
            run_procedure(TickProcedure(TickParams(count=1)), [store.subscriber()], run_uid=uid)
    assert main(["runs", "show", "aa", "--store", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("bench-app: error: The id 'aa' matches several runs")
    assert err.count("\n") == 0 and err.endswith(".")
    assert main(["runs", "show", "bb", "--store", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert "No run in" in err and err.count("\n") == 0


def test_store_location_from_environment_and_default(main, store_dir, capsys, monkeypatch):
    from platformdirs import user_data_dir

    path, ok, bad = store_dir
    monkeypatch.setenv("BENCH_APP_STORE", str(path))
    assert main(["runs", "list", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)["runs"]) == 2
    assert resolve_store_dir("/x/y") == resolve_store_dir("/x/y/")
    monkeypatch.delenv("BENCH_APP_STORE")
    assert resolve_store_dir() == default_store_dir()
    assert str(default_store_dir()) == user_data_dir("bench-app", appauthor=False)


def test_empty_store_says_so(main, tmp_path, capsys):
    assert main(["runs", "list", "--store", str(tmp_path / "new")]) == 0
    assert capsys.readouterr().out.startswith("No runs in")


def test_show_json_is_strict_even_with_nan_in_the_summary(main, tmp_path, capsys):
    from bench_app.core.runs import Event

    class NanSummary(TickProcedure):
        def execute(self, ctx):
            yield Event("results", {"latency_ms": float("inf")})
            return {"mean_relative_error": float("nan"), "pass": False}

    with RunStore.open(tmp_path) as store:
        result = run_procedure(NanSummary(), [store.subscriber()])
    assert main(["runs", "show", result.uid[:8], "--json", "--store", str(tmp_path)]) == 0

    def reject(constant):
        raise AssertionError(f"non-standard JSON constant {constant} in --json output")

    shown = json.loads(capsys.readouterr().out, parse_constant=reject)
    assert shown["run"]["summary"] == {"mean_relative_error": None, "pass": False}
    assert shown["run"]["verdict"] == "fail"
