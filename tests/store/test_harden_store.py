"""Hardening of the run store (issue 9, classes 1, 7 and 10): a damaged, odd or missing store
is refused in one sentence before any work, and reading never creates or writes anything."""

from __future__ import annotations

import sqlite3
import subprocess

import pytest

import bench_app.cli as cli
from bench_app.core.runs import run_procedure
from bench_app.core.runs.procedures.tick import TickParams, TickProcedure
from bench_app.core.store import RunStore
from bench_app.core.store.errors import StoreError


@pytest.fixture
def main(monkeypatch):
    """bench_app.cli.main with the store's commands only."""
    monkeypatch.setattr(cli, "COMMAND_MODULES", ("bench_app.cli.runs_cmd",
                                                 "bench_app.cli.report_cmd"))
    return cli.main


def _store_with_runs(path, runs=40):
    with RunStore.open(path) as store:
        sub = store.subscriber()
        uid = None
        for _ in range(runs):
            uid = run_procedure(TickProcedure(TickParams(count=3, array_every=1)), [sub]).uid
    return uid


def _damage(db):
    """8 KiB of junk at offset 8192, as the issue's report did."""
    assert db.stat().st_size > 16384
    with open(db, "r+b") as fh:
        fh.seek(8192)
        fh.write(bytes(range(256)) * 32)


def test_damaged_store_is_refused_when_opened(tmp_path):
    _store_with_runs(tmp_path)
    _damage(tmp_path / "runs.sqlite3")
    with pytest.raises(StoreError, match="damaged"):
        RunStore.open(tmp_path)


@pytest.mark.parametrize("command", [["runs", "list"], ["runs", "show", "0"],
                                     ["report", "0", "--html", "x.html"]])
def test_damaged_store_reading_commands_say_one_sentence(tmp_path, main, capsys, command):
    _store_with_runs(tmp_path / "s")
    _damage(tmp_path / "s" / "runs.sqlite3")
    assert main([*command, "--store", str(tmp_path / "s")]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.count("\n") == 1 and "damaged" in err
    assert not (tmp_path / "x.html").exists()


def test_negative_user_version_is_one_sentence(tmp_path, main, capsys):
    _store_with_runs(tmp_path, runs=1)
    with sqlite3.connect(tmp_path / "runs.sqlite3") as conn:
        conn.execute("PRAGMA user_version = -5")
    assert main(["runs", "list", "--store", str(tmp_path)]) == 2
    assert "schema version -5" in capsys.readouterr().err


def test_listing_a_missing_store_creates_nothing(tmp_path, main, capsys):
    target = tmp_path / "typo" / "path"
    assert main(["runs", "list", "--store", str(target)]) == 0
    assert capsys.readouterr().out.startswith("No runs in")
    assert main(["runs", "show", "abc", "--store", str(target)]) == 2
    assert "There is no run store at" in capsys.readouterr().err
    assert main(["report", "abc", "--html", str(tmp_path / "r.html"), "--store", str(target)]) == 2
    assert not (tmp_path / "typo").exists() and not (tmp_path / "r.html").exists()


@pytest.fixture
def read_only_mount(tmp_path):
    """A folder and a read-only bind mount of it (read-only media; needs root to mount)."""
    source, mount = tmp_path / "src", tmp_path / "ro"
    source.mkdir()
    mount.mkdir()
    cmds = [["mount", "--bind", str(source), str(mount)],
            ["mount", "-o", "remount,ro,bind", str(mount)]]
    for cmd in cmds:
        if subprocess.run(cmd, capture_output=True).returncode != 0:
            subprocess.run(["umount", str(mount)], capture_output=True)
            pytest.skip("a read-only bind mount needs root")
    yield source, mount
    subprocess.run(["umount", str(mount)], check=True)


def test_read_only_store_can_be_listed(read_only_mount, main, capsys):
    """A store on read-only media is listed and shown; nothing is written to it."""
    source, mount = read_only_mount
    uid = _store_with_runs(source / "s", runs=2)
    names = sorted(p.name for p in (source / "s").iterdir())
    with pytest.raises(OSError):
        (mount / "s" / "probe").touch()
    assert main(["runs", "list", "--store", str(mount / "s")]) == 0
    assert uid[:8] in capsys.readouterr().out
    assert main(["runs", "show", uid[:8], "--store", str(mount / "s")]) == 0
    assert "status     success" in capsys.readouterr().out
    assert sorted(p.name for p in (source / "s").iterdir()) == names


def test_read_only_store_cannot_be_written(tmp_path):
    _store_with_runs(tmp_path, runs=1)
    with RunStore.open(tmp_path, readonly=True) as store, pytest.raises(StoreError):
        store.subscriber()


def test_a_run_into_a_damaged_store_is_refused_before_any_work(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(cli, "COMMAND_MODULES", ("bench_app.cli.run_cmd",))
    _store_with_runs(tmp_path)
    _damage(tmp_path / "runs.sqlite3")
    started = []
    monkeypatch.setattr("bench_app.core.runs.run_procedure", lambda *a, **k: started.append(a))
    assert cli.main(["run", "alignment", "--device", "sim", "--store", str(tmp_path)]) == 2
    out, err = capsys.readouterr()
    assert "damaged" in err and "success" not in out and not started
